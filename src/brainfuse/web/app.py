"""The web viewer's server: a FastAPI application with a static page.

Endpoints (all answers are JSON except images and downloads):

- ``GET /`` the page; ``GET /static/...`` its script and style (served from the package, no CDN);
- ``GET /api/methods`` the registry: name, family, dims, parameters with defaults and docs;
- ``GET /api/options`` metric profiles, palettes, the upload limit and accepted formats;
- ``POST /api/fuse`` (multipart form) fuse the demo phantom slice or an uploaded pair and score
  it; the answer lists the images, metrics and downloads of the result;
- ``GET /api/results/{id}/{name}`` one file of a result (kept in memory, the last few results).

Safety: the request body is capped (413), uploads are identified by content
(:func:`brainfuse.io.sniff_format`; 415 otherwise), the client never names a server path (results
are addressed by a random id and a fixed file name), each upload lives in a temporary folder
removed when the request ends, and errors are one-line messages (input problems 422, never a
traceback).
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
import re
import secrets
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..errors import InputError

__all__ = ["ACCEPTED_FORMATS", "DEFAULT_MAX_UPLOAD", "WebSettings", "create_app"]

log = logging.getLogger("brainfuse.web")

STATIC = Path(__file__).parent / "static"

#: Default cap on a request body (both files together): 64 MiB.
DEFAULT_MAX_UPLOAD = 64 << 20

#: Upload formats, as :func:`brainfuse.io.sniff_format` names them, and the file suffix each
#: is stored under for reading.
ACCEPTED_FORMATS = {
    "png": ".png",
    "gif": ".gif",
    "tiff": ".tif",
    "nifti": ".nii",
    "nifti-gz": ".nii.gz",
}

_PALETTES = ("pet", "hotmetalblue", "hotiron", "pet20step", "hot", "jet", "inferno", "viridis")
_RESULT_NAME = re.compile(r"^[a-z_]+\.(png|json|nii\.gz|zip)$")
_RESULT_ID = re.compile(r"^[0-9a-f]{32}$")
_MEDIA = (
    (".png", "image/png"),
    (".json", "application/json"),
    (".zip", "application/zip"),
    (".nii.gz", "application/gzip"),
)


@dataclass(frozen=True)
class WebSettings:
    """Limits of one server."""

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    max_pixels: int = 1 << 24  # per image or volume
    kept_results: int = 16  # results kept in memory for download
    concurrent_fusions: int = 2  # fusions computed at once (one per core here)
    temp_root: str | None = None  # where upload folders are made (default: the system's)


class _TooLarge(Exception):
    pass


class _BodyLimit:
    """ASGI middleware: refuse request bodies above ``limit`` bytes with 413, whether announced
    by Content-Length or found while streaming."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _too_large(self.limit)(scope, receive, send)


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"upload too large: the limit is {limit / (1 << 20):g} MiB"}, status_code=413
    )


class _Results:
    """The last results, in memory: id → {file name: bytes}."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._items: OrderedDict[str, dict[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, files: dict[str, bytes]) -> str:
        rid = secrets.token_hex(16)
        with self._lock:
            self._items[rid] = files
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        return rid

    def get(self, rid: str, name: str) -> bytes | None:
        with self._lock:
            return self._items.get(rid, {}).get(name)


def _png(array: np.ndarray) -> bytes:
    from PIL import Image as PILImage

    arr = np.clip(np.rint(np.asarray(array, dtype=np.float64)), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    PILImage.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _label(which: str, filename: str | None) -> str:
    """``image A (name.png)``: the client's file name, reduced to safe printable characters."""
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name)[:60]
    return f"image {which} ({name})" if name else f"image {which}"


def _save_upload(upload: UploadFile, folder: Path, which: str, max_bytes: int) -> Path:
    """Write an upload into ``folder`` and name it after its sniffed format."""
    from ..io import sniff_format

    label = _label(which, upload.filename)
    raw = folder / f"upload_{which}"
    size = 0
    with open(raw, "wb") as fh:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge
            fh.write(chunk)
    if size == 0:
        raise InputError(label, "the file is empty")
    kind = sniff_format(raw)
    if kind not in ACCEPTED_FORMATS:
        found = kind.upper() if kind else "unrecognised"
        raise _Unsupported(f"{label}: {found} content; accepted: PNG, GIF, TIFF, NIfTI")
    path = folder / f"{which}{ACCEPTED_FORMATS[kind]}"
    raw.rename(path)
    return path


class _Unsupported(Exception):
    pass


_phantom_lock = threading.Lock()
_phantom_slices: dict[str, np.ndarray] = {}


def _demo_pair(which: str) -> tuple[Any, Any, str]:
    """The phantom's axial slices (MRI and PET or SPECT) as images, and the palette of B;
    built once."""
    from ..io import Image
    from ..io.slicing import display_slice
    from ..pair import to_fusion_scale
    from ..phantom import LESION_SLICE_Z_MM, make_phantom

    with _phantom_lock:
        if not _phantom_slices:
            ph = make_phantom(0)
            for name, img in (("mri", ph.mri), ("pet", ph.pet), ("spect", ph.spect)):
                _phantom_slices[name] = display_slice(
                    to_fusion_scale(img), img.affine, at_mm=(0.0, 0.0, LESION_SLICE_Z_MM)
                )
    palette = "pet" if which == "pet" else "hotmetalblue"
    mri = Image(_phantom_slices["mri"], display_values=True, source="phantom MRI")
    fn = Image(_phantom_slices[which], display_values=True, source=f"phantom {which.upper()}")
    return mri, fn, palette


def _params(method: str, text: str) -> dict[str, Any]:
    from ..fusion import get_method

    try:
        given = json.loads(text or "{}")
    except ValueError:
        raise InputError("params", "not a JSON object") from None
    if not isinstance(given, dict):
        raise InputError("params", "not a JSON object")
    return get_method(method).bind(given)


def _metrics(fused: np.ndarray, a: np.ndarray, b: np.ndarray, profile: str) -> dict[str, Any]:
    from ..metrics import evaluate, evaluate_cddfuse_protocol

    try:
        if profile == "cddfuse" and fused.ndim == 2:
            scores = evaluate_cddfuse_protocol(fused, a, b)
        else:
            scores = evaluate(fused, a, b, profile=profile)
    except InputError as exc:
        return {"error": str(exc)}
    return {"values": {k: float(v) for k, v in scores.items()}}


@dataclass(frozen=True)
class _View:
    """What the user asked to see besides the fused images."""

    palette: str | None  # palette of a grey B (None: grey)
    profile: str  # metric profile
    gradients: bool  # compute FunFuseAn's gradient colour view
    omega: float  # its saturation factor Ω


def _signed_colour(d: np.ndarray) -> np.ndarray:
    """A signed map in the ``coolwarm`` colour map, symmetric about 0 (white), RGB 0..255."""
    import matplotlib

    scale = float(np.abs(d).max()) or 1.0
    lut = matplotlib.colormaps["coolwarm"].resampled(256)(np.arange(256))[:, :3] * 255.0
    idx = np.clip(np.rint((d / scale + 1.0) * 127.5), 0, 255).astype(np.intp)
    return lut[idx].astype(np.float32)


def _maps(
    a: np.ndarray,
    b_shown: np.ndarray,
    b_grey: np.ndarray,
    fused: np.ndarray,
    method: str,
    params: dict[str, Any],
    view: _View,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The visualisation maps of :mod:`brainfuse.viz` for a 2D result (or a middle slice)."""
    from ..viz import checkerboard, difference, gradient_color, input_gradients, overlay

    maps = {
        "overlay": overlay(a, b_shown, palette=view.palette or "pet", alpha=0.5),
        "checkerboard": checkerboard(a, b_shown, tiles=8),
        "difference": _signed_colour(difference(fused, a)),
    }
    info: dict[str, Any] = {}
    if view.gradients:
        g = input_gradients(a, b_grey, method, **params)
        maps["gradient_colour"] = gradient_color(
            g.anatomical, g.functional, omega=view.omega, mask=g.signal
        )
        info = {"path": g.path, "detail": g.detail, "omega": view.omega}
    return maps, info


def _fuse_request(
    a_img: Any,
    b_img: Any,
    method: str,
    params: dict[str, Any],
    view: _View,
    folder: Path,
) -> dict[str, Any]:
    """Fuse, score and render one pair; return the files of the result and its summary."""
    from ..fusion import fuse_pair, get_method
    from ..io import save
    from ..io.slicing import display_slice
    from ..pair import prepare_pair

    volume = a_img.is_volume
    if volume and view.gradients:
        raise InputError(None, "the gradient colour view is defined for 2D pairs only")
    # a palette is a view setting: it colours a grey 2D B and is left aside otherwise
    palette = view.palette if not (b_img.rgb or b_img.is_volume) else None
    pair = prepare_pair(a_img, b_img, palette=palette)
    grey_pair = dataclasses.replace(pair, b=pair.b_grey, palette=None)
    t0 = time.perf_counter()
    fused_img = fuse_pair(grey_pair, method, **params)
    ms = (time.perf_counter() - t0) * 1000.0
    fused = fused_img.array
    files: dict[str, bytes] = {}
    shown = {"a": pair.a, "b": pair.b, "fused_grey": fused}
    if pair.colour:
        shown["fused_colour"] = fuse_pair(pair, method, **params).array
    b_grey_shown = pair.b_grey
    if volume:
        affine = pair.fixed.affine
        shown = {k: display_slice(v, affine) for k, v in shown.items()}
        b_grey_shown = display_slice(pair.b_grey, affine)
        out = folder / "fused.nii.gz"
        save(fused_img, out)
        files["fused.nii.gz"] = out.read_bytes()
        out.unlink()
    maps, grad_info = _maps(
        shown["a"], shown["b"], b_grey_shown, shown["fused_grey"], method, params, view
    )
    for key, arr in {**shown, **maps}.items():
        files[f"{key}.png"] = _png(arr)
    scores = _metrics(fused, pair.a, pair.b_grey, view.profile)
    summary = {
        "method": method,
        "family": get_method(method).family,
        "params": params,
        "shape": list(pair.fixed.shape),
        "kind": "volume (middle axial slice shown)" if volume else "2D image",
        "colour": pair.colour,
        "palette": pair.palette,
        "ms": round(ms, 2),
        "profile": view.profile,
        "metrics": scores,
        "gradients": grad_info,
    }
    files["metrics.json"] = json.dumps(summary, indent=1).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            if name not in ("a.png", "b.png"):
                # a fixed date: the same result gives the same archive, byte for byte
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    files["results.zip"] = buf.getvalue()
    return {"files": files, "summary": summary}


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web viewer as an ASGI application (``uvicorn.run(create_app())``)."""
    from .. import __version__

    cfg = settings or WebSettings()
    app = FastAPI(title="BrainFuse", version=__version__, docs_url=None, redoc_url=None)
    results = _Results(cfg.kept_results)
    gate = threading.Semaphore(cfg.concurrent_fusions)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(_BodyLimit, limit=cfg.max_upload_bytes)

    temp_root = re.escape(str(Path(cfg.temp_root or tempfile.gettempdir())))
    upload_path = re.compile(temp_root + r"/brainfuse-web-[^\s'\"]*")

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        # Safety net: a message never shows where uploads live on the server.
        return JSONResponse({"detail": upload_path.sub("<upload>", str(exc))}, status_code=422)

    @app.exception_handler(_Unsupported)
    async def _unsupported(request: Request, exc: _Unsupported) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=415)

    @app.exception_handler(_TooLarge)
    async def _large(request: Request, exc: _TooLarge) -> JSONResponse:
        return _too_large(cfg.max_upload_bytes)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/methods")
    def methods() -> list[dict[str, Any]]:
        from ..fusion import list_methods

        return [m.to_dict() for m in list_methods()]

    @app.get("/api/options")
    def options() -> dict[str, Any]:
        from ..metrics import PROFILES

        return {
            "profiles": list(PROFILES),
            "palettes": list(_PALETTES),
            "max_upload_bytes": cfg.max_upload_bytes,
            "formats": ["PNG", "GIF", "TIFF", "NIfTI (.nii, .nii.gz)"],
            "version": __version__,
        }

    @app.post("/api/fuse")
    def fuse(
        method: Annotated[str, Form()],
        source: Annotated[str, Form()] = "upload",
        params: Annotated[str, Form()] = "{}",
        palette: Annotated[str, Form()] = "",
        profile: Annotated[str, Form()] = "cddfuse",
        gradients: Annotated[bool, Form()] = False,
        omega: Annotated[float, Form()] = 0.6,
        a: Annotated[UploadFile | None, File()] = None,
        b: Annotated[UploadFile | None, File()] = None,
    ) -> dict[str, Any]:
        from ..io import load
        from ..metrics import PROFILES

        bound = _params(method, params)
        if profile not in PROFILES:
            raise InputError(
                "profile", f"unknown profile '{profile}'; valid: {', '.join(PROFILES)}"
            )
        if palette and palette not in _PALETTES:
            raise InputError(
                "palette", f"unknown palette '{palette}'; valid: {', '.join(_PALETTES)}"
            )
        with tempfile.TemporaryDirectory(prefix="brainfuse-web-", dir=cfg.temp_root) as tmp:
            folder = Path(tmp)
            if source in ("demo-pet", "demo-spect"):
                a_img, b_img, default_palette = _demo_pair(source.split("-")[1])
                palette = palette or default_palette
            elif source == "upload":
                if a is None or b is None:
                    raise InputError(None, "upload two images: A (MRI) and B (PET, SPECT or CT)")
                pa = _save_upload(a, folder, "A", cfg.max_upload_bytes)
                pb = _save_upload(b, folder, "B", cfg.max_upload_bytes)
                a_img = _load(load, pa, _label("A", a.filename), cfg.max_pixels)
                b_img = _load(load, pb, _label("B", b.filename), cfg.max_pixels)
            else:
                raise InputError("source", "expected upload, demo-pet or demo-spect")
            with gate:
                view = _View(palette or None, profile, gradients, omega)
                out = _fuse_request(a_img, b_img, method, bound, view, folder)
        rid = results.add(out["files"])
        order = (
            "a.png",
            "b.png",
            "fused_grey.png",
            "fused_colour.png",
            "overlay.png",
            "checkerboard.png",
            "difference.png",
            "gradient_colour.png",
        )
        names = sorted(out["files"], key=lambda n: (order.index(n) if n in order else 9, n))
        return {
            "id": rid,
            **out["summary"],
            "images": {n[:-4]: f"/api/results/{rid}/{n}" for n in names if n.endswith(".png")},
            "downloads": {
                n: f"/api/results/{rid}/{n}" for n in names if not n.startswith(("a.", "b."))
            },
        }

    @app.get("/api/results/{rid}/{name}")
    def result_file(rid: str, name: str) -> Response:
        data = None
        if _RESULT_ID.match(rid) and _RESULT_NAME.match(name):
            data = results.get(rid, name)
        if data is None:
            return JSONResponse(
                {"detail": "no such result (results are kept for a while only)"}, 404
            )
        media = next(t for suffix, t in _MEDIA if name.endswith(suffix))
        headers = {}
        if not name.endswith(".png"):
            headers["Content-Disposition"] = f'attachment; filename="brainfuse_{name}"'
        return Response(data, media_type=media, headers=headers)

    return app


def _load(load: Any, path: Path, label: str, max_pixels: int) -> Any:
    """Load an upload; errors name the upload (``image A (mri.png)``), not the server path."""
    try:
        img = load(path, max_pixels=max_pixels)
    except InputError as exc:
        raise InputError(label, exc.problem.replace(str(path), label)) from None
    return img.replace(source=label)
