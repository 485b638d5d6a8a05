"""``brainfuse viz`` through a subprocess: a real run and every kind of bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", "viz", *map(str, args)], capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("viz")
    rng = np.random.default_rng(2)
    mri = rng.integers(0, 256, (40, 48)).astype(np.uint8)
    pet = np.zeros((40, 48, 3), np.uint8)
    pet[10:25, 10:30] = (255, 160, 0)
    PILImage.fromarray(mri).save(d / "mri.png")
    PILImage.fromarray(pet).save(d / "pet.png")
    PILImage.fromarray(mri[:30]).save(d / "small.png")
    nib.save(nib.Nifti1Image(rng.random((8, 9, 10)).astype(np.float32), np.eye(4)), d / "v.nii")
    return d


def test_gradient_color_figure(files, tmp_path):
    out = tmp_path / "v.png"
    proc = run("gradient-color", files / "mri.png", files / "pet.png", "-m", "maximum", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "(exact: analytic derivative of the pixel rule)" in proc.stdout
    with PILImage.open(out) as im:
        assert im.mode in ("RGB", "RGBA") and im.size[0] > 400


def test_overlay_raw_image_and_html(files, tmp_path):
    raw = tmp_path / "raw.png"
    proc = run("overlay", files / "mri.png", files / "pet.png", "--alpha", "0", "--raw", "-o", raw)
    assert proc.returncode == 0, proc.stderr
    arr = np.asarray(PILImage.open(raw))
    assert arr.shape == (40, 48, 3)
    assert np.array_equal(arr[..., 0], arr[..., 1])  # α = 0: the grey MRI
    out = tmp_path / "o.html"
    proc = run("overlay", files / "mri.png", files / "pet.png", "--alpha", "0.3", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert 'type="range"' in out.read_text()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("overlay", "{d}/missing.png", "{d}/pet.png"), "missing.png"),
        (("checkerboard", "{d}/mri.png", "{d}/small.png"), "small.png: shape"),
        (("grid", "{d}/mri.png", "{d}/pet.png", "{d}/mri.png", "-m", "average"), "no partner"),
        (("grid", "{d}/mri.png", "{d}/pet.png", "-m", "average", "--roi", "1,2"), "--roi"),
        (("gradient-color", "{d}/mri.png", "{d}/pet.png", "-m", "nope"), "unknown method"),
        (("overlay", "{d}/v.nii", "{d}/v.nii"), "is a volume"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_file(files, tmp_path, args, needle):
    out = tmp_path / "out.png"
    proc = run(*(a.format(d=files) for a in args), "-o", out)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brainfuse: error: "), proc.stderr
    assert needle in lines[0]
    assert not out.exists() and not list(tmp_path.glob(".out.png.*"))


def test_refuses_to_overwrite_an_input(files):
    before = (files / "pet.png").read_bytes()
    proc = run("overlay", files / "mri.png", files / "pet.png", "-o", files / "pet.png")
    assert proc.returncode == 2 and "input" in proc.stderr
    assert (files / "pet.png").read_bytes() == before
