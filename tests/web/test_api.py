"""The web viewer's API against a real uvicorn server: results, limits, sniffing, messages."""

from __future__ import annotations

import io
import json
import zipfile

import httpx
import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage

from brainfuse.color import rgb_to_grey
from brainfuse.fusion import fuse_arrays, list_methods
from brainfuse.metrics import evaluate_cddfuse_protocol

from .conftest import CAP, Server, make_pair, png_bytes


def _fuse(server: Server, files: dict | None = None, **data: str) -> httpx.Response:
    return httpx.post(f"{server.url}/api/fuse", data=data, files=files, timeout=60)


def _image(server: Server, url: str) -> np.ndarray:
    r = httpx.get(server.url + url, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    return np.asarray(PILImage.open(io.BytesIO(r.content)))


def test_page_and_static_files_are_local(server: Server) -> None:
    page = httpx.get(server.url + "/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "http://" not in page.text and "https://" not in page.text
    for name in ("app.js", "style.css"):
        r = httpx.get(f"{server.url}/static/{name}")
        assert r.status_code == 200 and "https://" not in r.text
    methods = httpx.get(server.url + "/api/methods").json()
    assert [m["name"] for m in methods] == [m.name for m in list_methods()]
    weighted = next(m for m in methods if m["name"] == "weighted")
    assert weighted["params"] == [
        {
            "name": "w",
            "default": 0.5,
            "type": "float",
            "doc": weighted["params"][0]["doc"],
            "minimum": 0.0,
            "maximum": 1.0,
        }
    ]
    opts = httpx.get(server.url + "/api/options").json()
    assert "cddfuse" in opts["profiles"] and opts["max_upload_bytes"] == CAP


def test_every_registry_is_served_and_an_unknown_one_is_one_line(server: Server) -> None:
    from brainfuse.registry import REGISTRIES, get_registry

    for kind in REGISTRIES:
        r = httpx.get(f"{server.url}/api/registry/{kind}")
        assert r.status_code == 200
        assert [e["name"] for e in r.json()] == get_registry(kind).names()
    r = httpx.get(f"{server.url}/api/registry/nope")
    assert r.status_code == 422 and r.json()["detail"].startswith("unknown registry 'nope'")
    assert "\n" not in r.json()["detail"]


def test_fuse_uploaded_colour_pair(server: Server) -> None:
    mri, pet = make_pair()
    r = _fuse(
        server,
        files={"a": ("mri.png", png_bytes(mri)), "b": ("pet.png", png_bytes(pet))},
        method="weighted",
        params='{"w": 0.7}',
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["params"] == {"w": 0.7} and body["color"] and body["shape"] == [72, 64]
    a, b = mri.astype(np.float32), pet.astype(np.float32)
    grey = fuse_arrays(a, rgb_to_grey(b), "weighted", w=0.7)
    color = fuse_arrays(a, b, "weighted", w=0.7)
    expect_grey = np.clip(np.rint(grey.astype(np.float64)), 0, 255)
    assert np.array_equal(_image(server, body["images"]["fused_grey"]), expect_grey)
    expect_colour = np.clip(np.rint(color.astype(np.float64)), 0, 255)
    assert np.array_equal(_image(server, body["images"]["fused_color"]), expect_colour)
    assert body["metrics"]["values"] == evaluate_cddfuse_protocol(grey, a, rgb_to_grey(b))
    z = httpx.get(server.url + body["downloads"]["results.zip"])
    assert z.headers["content-disposition"].startswith("attachment")
    names = set(zipfile.ZipFile(io.BytesIO(z.content)).namelist())
    maps = {"overlay.png", "checkerboard.png", "difference.png"}
    assert names == {"fused_grey.png", "fused_color.png", "metrics.json", *maps}
    meta = json.loads(httpx.get(server.url + body["downloads"]["metrics.json"]).content)
    assert meta["method"] == "weighted" and meta["metrics"] == body["metrics"]


def test_grey_b_with_palette_and_paper_profile(server: Server) -> None:
    mri, pet = make_pair(1)
    grey_b = pet[..., 0]
    r = _fuse(
        server,
        files={"a": ("a.gif", _as(mri, "GIF")), "b": ("b.tiff", _as(grey_b, "TIFF"))},
        method="maximum",
        palette="hot",
        profile="paper",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["color"] and body["palette"] == "hot"
    assert list(body["images"]) == [
        "a",
        "b",
        "fused_grey",
        "fused_color",
        "overlay",
        "checkerboard",
        "difference",
    ]
    # The difference map is fused − A in coolwarm: white (0) only where maximum kept A.
    diff = _image(server, body["images"]["difference"]).astype(int)
    kept_a = mri.astype(int) >= grey_b.astype(int)
    white = (diff.min(axis=2) > 215) & (np.ptp(diff, axis=2) < 15)
    assert white[kept_a].mean() > 0.99 and white[~kept_a].mean() < 0.5
    assert "EN" in body["metrics"]["values"]


def _as(arr: np.ndarray, fmt: str) -> bytes:
    buf = io.BytesIO()
    PILImage.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


def test_nifti_volume_pair(server: Server, tmp_path) -> None:
    rng = np.random.default_rng(2)
    affine = np.array([[2.0, 0, 0, -20], [0, 2, 0, -30], [0, 0, 3, -10], [0, 0, 0, 1]])
    t1 = rng.uniform(0, 255, (24, 20, 10)).astype(np.float32)
    pet = rng.uniform(0, 255, (24, 20, 10)).astype(np.float32)
    blobs = []
    for vol in (t1, pet):
        path = tmp_path / f"v{len(blobs)}.nii.gz"
        nib.save(nib.Nifti1Image(vol, affine), path)
        blobs.append(path.read_bytes())
    # The names say PNG; the content (gzip NIfTI) decides.
    r = _fuse(
        server, files={"a": ("t1.png", blobs[0]), "b": ("pet.png", blobs[1])}, method="average"
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"].startswith("volume") and body["shape"] == [24, 20, 10]
    data = httpx.get(server.url + body["downloads"]["fused.nii.gz"]).content
    out = tmp_path / "fused.nii.gz"
    out.write_bytes(data)
    img = nib.load(out)
    assert np.allclose(img.affine, affine)
    want = fuse_arrays(t1, pet, "average")
    got = np.asarray(img.dataobj, dtype=np.float32)
    assert np.abs(got - want).max() <= 1e-3 * 255
    assert "fused_color" not in body["images"]


@pytest.mark.parametrize(
    ("content", "status", "message"),
    [
        (b"<html><body>not an image</body></html>", 415, "image A (scan.png): unrecognised"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, 415, "image A (scan.png): JPEG content"),
        (b"", 422, "image A (scan.png): the file is empty"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 422, "image A (scan.png): truncated or corrupt PNG"),
    ],
)
def test_sniffing_and_corrupt_uploads(
    server: Server, content: bytes, status: int, message: str
) -> None:
    _, pet = make_pair()
    r = _fuse(
        server,
        files={"a": ("scan.png", content), "b": ("pet.png", png_bytes(pet))},
        method="average",
    )
    assert r.status_code == status
    detail = r.json()["detail"]
    assert detail.startswith(message), detail
    assert str(server.temp_root) not in detail and "Traceback" not in detail


def test_messages_not_tracebacks(server: Server) -> None:
    mri, pet = make_pair()
    small = pet[:40, :40]
    files = {"a": ("mri.png", png_bytes(mri)), "b": ("../../etc/pet.png", png_bytes(small))}
    r = _fuse(server, files=files, method="average")
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert detail.startswith("image B (pet.png): shape (40, 40) differs from image A (mri.png)")
    assert str(server.temp_root) not in detail
    files = {"a": ("mri.png", png_bytes(mri)), "b": ("pet.png", png_bytes(pet))}
    for data, needle in (
        ({"method": "nope"}, "unknown method 'nope'; valid: average"),
        ({"method": "weighted", "params": '{"q": 1}'}, "unknown parameter 'q'"),
        ({"method": "weighted", "params": "[1"}, "params: not a JSON object"),
        ({"method": "average", "palette": "/etc/passwd"}, "unknown palette"),
        ({"method": "average", "source": "/tmp"}, "expected upload, demo-pet or demo-spect"),
        ({}, "method: Field required"),
    ):
        r = _fuse(server, files=files, **data)
        assert r.status_code == 422, (data, r.text)
        assert needle in r.json()["detail"]
    r = _fuse(server, method="average")
    assert r.status_code == 422 and "upload two images" in r.json()["detail"]


def test_upload_cap(server: Server) -> None:
    _, pet = make_pair()
    big = b"\x89PNG\r\n\x1a\n" + bytes(CAP)
    r = _fuse(server, files={"a": ("a.png", big), "b": ("b.png", png_bytes(pet))}, method="average")
    assert r.status_code == 413
    assert r.json()["detail"] == "upload too large: the limit is 2 MiB"


def test_results_are_addressed_by_id_only(server: Server) -> None:
    for path in (
        "/api/results/0123/fused_grey.png",
        "/api/results/" + "0" * 32 + "/fused_grey.png",
        "/api/results/" + "0" * 32 + "/..%2F..%2Fetc%2Fpasswd",
        "/static/../app.py",
    ):
        r = httpx.get(server.url + path)
        assert r.status_code == 404, path


def test_demo_phantom_slice(server: Server) -> None:
    r = _fuse(server, source="demo-spect", method="average")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["palette"] == "hotmetalblue" and body["color"]
    b = _image(server, body["images"]["b"])
    assert b.ndim == 3 and b.shape[:2] == tuple(body["shape"])
    fused = _image(server, body["images"]["fused_grey"])
    assert fused.max() > 100 and (fused == 0).mean() > 0.2  # a brain on a black background


def test_temporary_files_removed(server: Server) -> None:
    """Runs last in this module: every request above, good or bad, left nothing behind."""
    mri, pet = make_pair()
    r = _fuse(
        server,
        files={"a": ("a.png", png_bytes(mri)), "b": ("b.png", png_bytes(pet))},
        method="minimum",
    )
    assert r.status_code == 200
    assert list(server.temp_root.iterdir()) == []


def test_gradient_colour_view_with_omega(server: Server) -> None:
    from brainfuse.viz import input_gradients

    mri, pet = make_pair(4)
    files = {"a": ("mri.png", png_bytes(mri)), "b": ("pet.png", png_bytes(pet))}
    r = _fuse(server, files=files, method="maximum", gradients="true", omega="0.3")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["gradients"]["path"] == "exact" and body["gradients"]["omega"] == 0.3
    a, b = mri.astype(np.float32), rgb_to_grey(pet.astype(np.float32))
    g = input_gradients(a, b, "maximum")
    want = np.clip(np.rint(g.color(0.3)), 0, 255)
    assert np.array_equal(_image(server, body["images"]["gradient_color"]), want)
    r = _fuse(server, files=files, method="maximum", gradients="true", omega="1.5")
    assert r.status_code == 422 and "'omega' of view 'gradient-color'" in r.json()["detail"]
