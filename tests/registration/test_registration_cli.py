"""``brainfuse register`` and ``brainfuse fuse --register`` through a subprocess."""

import json
import subprocess
import sys

import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage
from scipy import ndimage
from skimage.data import shepp_logan_phantom
from skimage.transform import resize

import brainfuse
from brainfuse.registration import pad


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse.cli", *args], capture_output=True, text=True
    )


def _png(path, array) -> str:
    PILImage.fromarray(np.clip(np.rint(array), 0, 255).astype(np.uint8)).save(path)
    return str(path)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """A phantom 'MRI' and a 'PET' moved by a known rigid transform (fixed -> moving)."""
    d = tmp_path_factory.mktemp("pair")
    ph = resize(shepp_logan_phantom(), (128, 128), order=1, anti_aliasing=True)
    other = ndimage.gaussian_filter(
        np.select([ph < 0.05, ph < 0.25, ph < 0.35], [0.0, 200.0, 60.0], 140.0), 1.5
    )
    c, phi = np.array([63.5, 63.5]), np.radians(5.0)
    r = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
    true = np.eye(3)
    true[:2, :2], true[:2, 2] = r, c + np.array([6.0, -4.0]) - r @ c
    # moving(q) = other(true^-1 q): sample at index (row, col) <- pixel (x, y) swapped
    inv = np.linalg.inv(true)
    swap = np.array([[0, 1, 0], [1, 0, 0], [0, 0, 1]], float)
    m = swap @ inv @ swap
    moved = ndimage.affine_transform(other, m[:2, :2], offset=m[:2, 2], order=1)
    return _png(d / "mri.png", ph * 255), _png(d / "pet.png", moved), true, d


def test_register_writes_the_image_and_the_transform(pair):
    fixed, moving, true, d = pair
    out, tjson = d / "out.png", d / "t.json"
    res = run("register", fixed, moving, "-o", str(out), "--transform-out", str(tjson))
    assert res.returncode == 0, res.stderr
    assert out.exists() and PILImage.open(out).size == (128, 128)
    obj = json.loads(tjson.read_text())
    assert obj["ndim"] == 2 and obj["method"] == "mi" and obj["transform"] == "rigid"
    assert pad(true, np.array(obj["matrix"]), (128, 128)) < 0.6


@pytest.mark.parametrize("method", ["bggmm", "ecc"])
def test_register_other_methods_and_affine(pair, method):
    fixed, moving, _, d = pair
    out = d / f"{method}.png"
    res = run("register", fixed, moving, "-o", str(out), "-m", method, "--transform", "affine")
    # ECC cannot align two modalities: it may fail, but only with a one-line error
    assert res.returncode in (0, 2)
    if res.returncode == 0:
        assert out.exists()
    else:
        assert res.stderr.count("\n") == 1 and not out.exists()


def _nifti(path, array, offset) -> str:
    affine = np.diag([2.0, 2.0, 2.0, 1.0])
    affine[:3, 3] = offset
    nib.save(nib.Nifti1Image(array.astype(np.float32), affine), str(path))
    return str(path)


def test_bad_inputs_exit_2_with_one_line_and_no_output(pair, tmp_path):
    fixed, _, _, _ = pair
    rng = np.random.default_rng(0)
    flat = _png(tmp_path / "flat.png", np.full((64, 64), 9.0))
    vol_a = _nifti(tmp_path / "a.nii", rng.random((20, 20, 20)), [0.0, 0.0, 0.0])
    vol_far = _nifti(tmp_path / "far.nii", rng.random((20, 20, 20)), [300.0, 0.0, 0.0])
    cases = [
        ((fixed, flat, "o1.png"), "flat.png: image is empty (constant)"),
        ((fixed, vol_a, "o2.png"), "a.nii: a 3D input cannot be registered to the 2D input"),
        ((vol_a, vol_far, "o3.nii"), "far.nii: does not overlap"),
        ((fixed, fixed, "o4.png", "-m", "nope"), "unknown method 'nope'"),
    ]
    for (a, b, out, *extra), message in cases:
        target = tmp_path / out
        res = run(
            "register", a, b, "-o", str(target), "--transform-out", str(tmp_path / "t.json"), *extra
        )
        assert res.returncode == 2, res.stderr
        assert message in res.stderr
        assert not target.exists() and not (tmp_path / "t.json").exists()
    res = run("register", fixed, fixed, "-o", fixed)
    assert res.returncode == 2 and "refusing to overwrite an input" in res.stderr


def test_fuse_register_aligns_b_before_fusing(pair):
    fixed, moving, _, d = pair
    plain, aligned = d / "plain.png", d / "aligned.png"
    assert run("fuse", fixed, moving, "-o", str(plain)).returncode == 0
    res = run("fuse", fixed, moving, "--register", "-o", str(aligned))
    assert res.returncode == 0, res.stderr
    a, b = brainfuse.load(fixed), brainfuse.load(moving)
    expected = brainfuse.fuse(a, brainfuse.register(a, b)[0], "average")
    got = np.asarray(PILImage.open(aligned), float)
    assert np.array_equal(got, np.clip(np.rint(expected.array), 0, 255))
    assert not np.array_equal(got, np.asarray(PILImage.open(plain), float))


def test_missing_nan_and_mismatched_inputs_exit_2_for_register_and_fuse(pair, tmp_path):
    fixed, moving, _, _ = pair
    bad = np.full((64, 64), 100.0, dtype=np.float32)
    bad[10, 10] = np.nan
    np.save(tmp_path / "nan.npy", bad)
    vol = _nifti(tmp_path / "v.nii", np.random.default_rng(1).random((20, 20, 20)), [0, 0, 0])
    missing = str(tmp_path / "missing.png")
    for a, b, message in (
        (fixed, missing, "missing.png"),
        (missing, moving, "missing.png"),
        (fixed, str(tmp_path / "nan.npy"), "nan.npy: contains 1 NaN"),
        (fixed, vol, "v.nii: a 3D input"),
    ):
        for command in (("register",), ("fuse", "--register")):
            out, tjson = tmp_path / "out.png", tmp_path / "t.json"
            extra = ("--transform-out", str(tjson)) if command == ("register",) else ()
            res = run(*command, a, b, "-o", str(out), *extra)
            assert res.returncode == 2, (command, res.stderr)
            assert res.stderr.count("\n") == 1 and message in res.stderr, res.stderr
            assert not out.exists() and not tjson.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nan.npy", "v.nii"]
