"""The command line through a subprocess: success paths and every bad-input case.

Every bad input must give exit status 2, exactly one line on stderr naming the file and the
problem, and no output file.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage

from brainfuse.color import rgb_to_ycbcr


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", *map(str, args)], capture_output=True, text=True
    )


RNG = np.random.default_rng(5)


@pytest.fixture
def pair(tmp_path):
    """A grey MRI-like PNG and a pseudo-colour PET-like PNG, 40x50."""
    mri = tmp_path / "mri.png"
    pet = tmp_path / "pet.png"
    PILImage.fromarray(RNG.integers(0, 256, (40, 50)).astype(np.uint8)).save(mri)
    PILImage.fromarray(RNG.integers(0, 256, (40, 50, 3)).astype(np.uint8)).save(pet)
    return mri, pet


def assert_refused(proc, out: Path, *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("brainfuse: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert not out.exists()
    assert not list(out.parent.glob(f".{out.name}.*")), "temporary file left behind"


def test_fuse_colour_pet_gives_rgb_with_the_pets_chroma(pair, tmp_path):
    mri, pet = pair
    out = tmp_path / "out.png"
    proc = run("fuse", mri, pet, "-m", "average", "-o", out)
    assert proc.returncode == 0, proc.stderr
    res = np.asarray(PILImage.open(out))
    assert PILImage.open(out).mode == "RGB"
    src = np.asarray(PILImage.open(pet))
    diff = np.abs(rgb_to_ycbcr(res)[..., 1:] - rgb_to_ycbcr(src)[..., 1:])
    assert diff.max() <= 1.0  # 8-bit rounding of the RGB output only


def test_fuse_grey_pair_gives_grey_output_with_params(pair, tmp_path):
    mri, _ = pair
    ct = tmp_path / "ct.png"
    ct_data = RNG.integers(0, 256, (40, 50)).astype(np.uint8)
    PILImage.fromarray(ct_data).save(ct)
    out = tmp_path / "f.png"
    proc = run("fuse", mri, ct, "-m", "weighted", "-p", "w=0.25", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert PILImage.open(out).mode == "L"
    expect = 0.25 * np.asarray(PILImage.open(mri), float) + 0.75 * ct_data
    assert np.abs(np.asarray(PILImage.open(out), float) - expect).max() <= 0.5


def test_fuse_volumes_keeps_shape_and_affine(tmp_path):
    aff = np.array([[-2.0, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
    for name, scale in (("t1.nii", 1.0), ("pet.nii.gz", 5.0)):
        nib.save(
            nib.Nifti1Image(RNG.random((9, 10, 11)).astype(np.float32) * scale, aff),
            tmp_path / name,
        )
    out = tmp_path / "fused.nii.gz"
    proc = run("fuse", tmp_path / "t1.nii", tmp_path / "pet.nii.gz", "-m", "maximum", "-o", out)
    assert proc.returncode == 0, proc.stderr
    img = nib.load(out)
    assert img.shape == (9, 10, 11)
    np.testing.assert_allclose(img.affine, aff)


def test_fuse_spm12_volumes(shared_data, tmp_path):
    t1 = shared_data / "volumes/spm12/T1.nii"
    out = tmp_path / "out.nii.gz"
    proc = run("fuse", t1, shared_data / "volumes/spm12/PET.nii", "-m", "average", "-o", out)
    assert proc.returncode == 0, proc.stderr
    ref = nib.load(t1)
    img = nib.load(out)
    assert img.shape == ref.shape
    np.testing.assert_allclose(img.affine, ref.affine, atol=1e-6)


def test_spm12_spect_with_flipped_header_needs_resample(shared_data, tmp_path):
    t1 = shared_data / "volumes/spm12/T1.nii"
    spect = shared_data / "volumes/spm12/SPECT.nii"
    out = tmp_path / "out.nii.gz"
    assert_refused(run("fuse", t1, spect, "-o", out), out, "SPECT.nii", "affine differs")
    proc = run("fuse", t1, spect, "--resample", "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert nib.load(out).shape == (91, 109, 91)


def test_methods_json_lists_objects():
    proc = run("methods", "--json")
    assert proc.returncode == 0
    items = json.loads(proc.stdout)
    names = {m["name"] for m in items}
    assert {"average", "maximum", "weighted"} <= names
    for m in items:
        assert set(m) == {
            "name",
            "kind",
            "family",
            "summary",
            "reference",
            "dims",
            "capabilities",
            "extra",
            "params",
        }
    learned = {m["name"] for m in items if "learned" in m["capabilities"]}
    assert {"funfusean", "mdafuse"} <= learned and "average" not in learned


def test_info_reports_geometry(pair):
    proc = run("info", "--json", pair[1])
    assert proc.returncode == 0, proc.stderr
    facts = json.loads(proc.stdout)
    assert (
        facts["kind"] == "colour image" and facts["shape"] == [40, 50] and facts["bit_depth"] == 8
    )


# --- bad input: exit 2, one line naming the file, no output ---------------------------------


def test_missing_file(pair, tmp_path):
    out = tmp_path / "o.png"
    assert_refused(
        run("fuse", pair[0], tmp_path / "nope.png", "-o", out), out, "nope.png", "no such file"
    )


def test_corrupt_and_truncated_files(pair, tmp_path):
    out = tmp_path / "o.png"
    data = pair[1].read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 3])
    assert_refused(run("fuse", pair[0], cut, "-o", out), out, "cut.png", "truncated or corrupt")
    bad_nii = tmp_path / "bad.nii"
    bad_nii.write_bytes(b"\x5c\x01\x00\x00" + b"\x00" * 340 + b"n+1\x00" + b"\x00" * 10)
    assert_refused(run("info", bad_nii), out, "bad.nii")


def test_unsupported_format(pair, tmp_path):
    out = tmp_path / "o.png"
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    assert_refused(run("fuse", pair[0], txt, "-o", out), out, "notes.txt", "unsupported")


def test_unsupported_output_suffix(pair, tmp_path):
    out = tmp_path / "o.xyz"
    assert_refused(run("fuse", *pair, "-o", out), out, "o.xyz", "cannot write a 2D image")


def test_shapes_differ_names_both_and_points_to_registration(pair, tmp_path):
    small = tmp_path / "small.png"
    PILImage.fromarray(np.zeros((20, 20), np.uint8)).save(small)
    out = tmp_path / "o.png"
    assert_refused(
        run("fuse", pair[0], small, "-o", out), out, "small.png", "(20, 20)", "(40, 50)", "register"
    )


def test_nan_input(pair, tmp_path):
    arr = np.ones((40, 50), np.float32)
    arr[0, 0] = np.nan
    np.save(tmp_path / "nan.npy", arr)
    out = tmp_path / "o.png"
    assert_refused(run("fuse", pair[0], tmp_path / "nan.npy", "-o", out), out, "nan.npy", "NaN")


def test_2d_with_3d(pair, tmp_path):
    nib.save(nib.Nifti1Image(np.zeros((40, 50, 3), np.float32), np.eye(4)), tmp_path / "v.nii")
    out = tmp_path / "o.png"
    assert_refused(run("fuse", pair[0], tmp_path / "v.nii", "-o", out), out, "v.nii", "3D")


def test_output_equal_to_input_is_refused_and_input_untouched(pair):
    before = pair[1].read_bytes()
    proc = run("fuse", pair[0], pair[1], "-o", pair[1])
    assert proc.returncode == 2 and "refusing to overwrite an input" in proc.stderr
    assert pair[1].read_bytes() == before


def test_pixel_limit(pair, tmp_path):
    out = tmp_path / "o.png"
    assert_refused(
        run("fuse", *pair, "-o", out, "--max-pixels", "1000"), out, "mri.png", "exceed the limit"
    )


def test_unknown_method_and_parameter_list_valid_ones(pair, tmp_path):
    out = tmp_path / "o.png"
    assert_refused(run("fuse", *pair, "-m", "magic", "-o", out), out, "unknown method", "average")
    assert_refused(
        run("fuse", *pair, "-m", "weighted", "-p", "alpha=1", "-o", out), out, "alpha", "valid: w"
    )
    assert_refused(run("fuse", *pair, "-p", "novalue", "-o", out), out, "key=value")


def test_missing_output_folder(pair, tmp_path):
    out = tmp_path / "no" / "such" / "o.png"
    assert_refused(run("fuse", *pair, "-o", out), out, "does not exist")
