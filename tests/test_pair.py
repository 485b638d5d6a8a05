"""One way to prepare a pair: intensity rule, grids, colour, headers, and what callers accept."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk
from fastapi.testclient import TestClient
from PIL import Image as PILImage

import brainfuse
from brainfuse.cli import main
from brainfuse.errors import InputError
from brainfuse.io import Image
from brainfuse.io.slicing import display_slice
from brainfuse.pair import prepare_pair, to_fusion_scale
from brainfuse.registration import resample

RNG = np.random.default_rng(17)


def _scaled_uint8_nifti(path, data01: np.ndarray, affine=None, code: int = 4):
    """A NIfTI as SPM12 writes its templates: uint8 samples with a scale factor (values 0..1)."""
    stored = np.clip(np.rint(data01 * 255), 0, 255).astype(np.uint8)
    img = nib.Nifti1Image(stored, np.diag([-2.0, 2.0, 2.0, 1.0]) if affine is None else affine)
    img.header.set_slope_inter(1 / 255, 0.0)
    img.set_sform(img.affine, code=code)
    img.set_qform(img.affine, code=code)
    nib.save(img, path)
    return path


def _blobs(shape, seed):
    rng = np.random.default_rng(seed)
    grid = np.indices(shape).astype(float)
    out = np.zeros(shape)
    for _ in range(4):
        c = rng.uniform(2, np.array(shape) - 2)
        r2 = sum((g - ci) ** 2 for g, ci in zip(grid, c, strict=True))
        out += rng.uniform(0.3, 1.0) * np.exp(-r2 / (2 * rng.uniform(2, 5) ** 2))
    return out / out.max() * 0.87


def test_volumes_are_stretched_whatever_their_bit_depth_and_2d_8bit_images_are_kept(tmp_path):
    vol = brainfuse.load(_scaled_uint8_nifti(tmp_path / "t1.nii", _blobs((12, 14, 10), 1)))
    assert vol.bit_depth == 8 and float(vol.array.max()) < 1.0  # the scale factor is applied
    assert float(to_fusion_scale(vol).max()) == 255.0
    png = tmp_path / "dark.png"
    PILImage.fromarray(np.full((6, 6), 40, np.uint8)).save(png)
    assert float(to_fusion_scale(brainfuse.load(png)).max()) == 40.0  # a dark PNG stays dark


def test_scaled_uint8_nifti_pair_fuses_with_both_structures(tmp_path):
    """SPM12-style volumes (uint8 + scale factor, values 0..0.87) gave a fusion that was the
    functional volume alone; on one 0..255 scale the result carries both."""
    anat, func = _blobs((16, 18, 12), 2), _blobs((16, 18, 12), 3)
    a = _scaled_uint8_nifti(tmp_path / "T1.nii", anat)
    b = tmp_path / "SPECT.nii"
    spect = nib.Nifti1Image((func * 1900).astype(np.int16), np.diag([-2.0, 2.0, 2.0, 1.0]))
    spect.set_sform(spect.affine, code=4)
    nib.save(spect, b)
    out = tmp_path / "fused.nii.gz"
    assert main(["fuse", str(a), str(b), "-m", "average", "-o", str(out)]) == 0
    fused = nib.load(out).get_fdata()
    assert np.corrcoef(fused.ravel(), anat.ravel())[0, 1] > 0.6
    assert np.corrcoef(fused.ravel(), func.ravel())[0, 1] > 0.6
    ra = np.corrcoef(fused.ravel(), anat.ravel())[0, 1]
    rb = np.corrcoef(fused.ravel(), func.ravel())[0, 1]
    assert abs(ra - rb) < 0.3  # neither input dominates


def test_spm12_t1_and_spect_resampled_fuse_with_the_anatomy(shared_data, tmp_path):
    spm = shared_data / "volumes" / "spm12"
    out = tmp_path / "fused.nii.gz"
    args = ["fuse", str(spm / "T1.nii"), str(spm / "SPECT.nii"), "--resample", "-o", str(out)]
    assert main(args) == 0
    fused = nib.load(out)
    t1 = nib.load(spm / "T1.nii").get_fdata()
    assert np.corrcoef(fused.get_fdata().ravel(), t1.ravel())[0, 1] > 0.8
    assert int(fused.header["sform_code"]) == 4 and int(fused.header["qform_code"]) == 4


@pytest.mark.parametrize("code", [1, 2, 4])
def test_output_nifti_keeps_the_reference_header(tmp_path, code):
    aff = np.array([[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1.0]])
    a = _scaled_uint8_nifti(tmp_path / "a.nii", _blobs((16, 18, 14), 4), aff, code)
    b = _scaled_uint8_nifti(tmp_path / "b.nii", _blobs((16, 18, 14), 5), aff, code)
    for cmd in (["fuse", str(a), str(b)], ["register", str(a), str(b)]):
        out = tmp_path / f"{cmd[0]}.nii.gz"
        assert main([*cmd, "-o", str(out)]) == 0
        hdr = nib.load(out).header
        assert (int(hdr["sform_code"]), int(hdr["qform_code"])) == (code, code)
        np.testing.assert_allclose(hdr.get_best_affine(), aff, atol=1e-5)
        assert hdr.get_data_dtype() == np.float32


def test_volumes_whose_headers_disagree_are_refused_or_resampled(tmp_path):
    data = _blobs((10, 12, 8), 6)
    a = _scaled_uint8_nifti(tmp_path / "a.nii", data)
    flipped = np.diag([2.0, 2.0, 2.0, 1.0])
    flipped[0, 3] = -18.0  # the same world box, x axis the other way
    b = _scaled_uint8_nifti(tmp_path / "b.nii", data[::-1], flipped)
    with pytest.raises(InputError, match=r"b\.nii: affine differs"):
        prepare_pair(a, b)
    pair = prepare_pair(a, b, resample=True)
    np.testing.assert_allclose(pair.b, pair.a, atol=1e-3)  # the header put it back in place


def test_web_viewer_refuses_volumes_whose_headers_disagree(tmp_path):
    from brainfuse.web.app import create_app

    data = _blobs((10, 12, 8), 7)
    a = _scaled_uint8_nifti(tmp_path / "a.nii", data)
    flipped = np.diag([2.0, 2.0, 2.0, 1.0])
    b = _scaled_uint8_nifti(tmp_path / "b.nii", data[::-1], flipped)
    client = TestClient(create_app())
    files = {"a": ("t1.nii", a.read_bytes()), "b": ("spect.nii", b.read_bytes())}
    r = client.post("/api/fuse", data={"method": "average"}, files=files)
    assert r.status_code == 422, r.text
    assert "image B (spect.nii)" in r.json()["detail"] and "affine" in r.json()["detail"]


def test_palette_names_are_checked_and_a_colour_b_takes_none():
    a = RNG.integers(0, 256, (8, 8)).astype(np.uint8)
    grey = RNG.integers(0, 256, (8, 8)).astype(np.uint8)
    color = RNG.integers(0, 256, (8, 8, 3)).astype(np.uint8)
    with pytest.raises(InputError, match="unknown palette 'nosuch'"):
        prepare_pair(a, color, palette="nosuch")
    with pytest.raises(InputError, match="already in colour"):
        prepare_pair(a, color, palette="hot")
    pair = prepare_pair(a, grey, palette="hot")
    assert pair.color and pair.palette == "hot"
    np.testing.assert_array_equal(pair.b_grey, grey)


def test_the_same_volume_read_by_nibabel_simpleitk_and_from_its_file_is_one_image(tmp_path):
    path = _scaled_uint8_nifti(tmp_path / "v.nii", _blobs((7, 8, 9), 8))
    from_file = brainfuse.load(path)
    for obj in (nib.load(path), sitk.ReadImage(str(path))):
        img = brainfuse.load(obj)
        np.testing.assert_allclose(img.array, from_file.array, atol=1e-6)
        np.testing.assert_allclose(img.affine, from_file.affine, atol=1e-5)
    arr = brainfuse.load(np.asarray(from_file.array))
    assert arr.is_volume and not arr.display_values


def test_fuse_register_and_evaluate_take_arrays_nibabel_and_simpleitk_images(tmp_path):
    a = _scaled_uint8_nifti(tmp_path / "a.nii", _blobs((12, 12, 10), 9))
    b = _scaled_uint8_nifti(tmp_path / "b.nii", _blobs((12, 12, 10), 10))
    by_path = brainfuse.fuse(a, b, "average")
    by_nib = brainfuse.fuse(nib.load(a), nib.load(b), "average")
    by_sitk = brainfuse.fuse(sitk.ReadImage(str(a)), sitk.ReadImage(str(b)), "average")
    np.testing.assert_allclose(by_nib.array, by_path.array, atol=1e-4)
    np.testing.assert_allclose(by_sitk.array, by_path.array, atol=1e-4)
    _, t = brainfuse.register(nib.load(a), sitk.ReadImage(str(a)))
    # the same volume, read two ways: registered to within half a 2 mm voxel
    assert np.abs(t.matrix[:3, :3] - np.eye(3)).max() < 0.05
    assert np.abs(t.matrix[:3, 3]).max() < 1.0
    with pytest.raises(InputError, match="expected a path"):
        brainfuse.load(object())


def test_one_argument_order_register_and_resample_take_fixed_then_moving(tmp_path):
    fixed = brainfuse.load(_scaled_uint8_nifti(tmp_path / "f.nii", _blobs((9, 9, 9), 11)))
    small = nib.Nifti1Image(np.ones((4, 4, 4), np.float32), np.diag([4.0, 4.0, 4.0, 1.0]))
    moving = brainfuse.load(small)
    assert resample(fixed, moving).shape == fixed.shape  # the result is on the first's grid


def test_display_slice_honours_the_affine():
    vol = RNG.random((6, 7, 5)).astype(np.float32)
    ras = np.diag([2.0, 2.0, 2.0, 1.0])
    las = ras.copy()
    las[0, 0], las[0, 3] = -2.0, 10.0  # voxel i runs right to left; the world box is the same
    np.testing.assert_array_equal(
        display_slice(vol, ras, at_mm=(0, 0, 4)), display_slice(vol[::-1], las, at_mm=(0, 0, 4))
    )
    img = Image(vol, affine=ras)
    for plane in ("axial", "coronal", "sagittal"):
        assert display_slice(img, plane=plane).ndim == 2
    with pytest.raises(InputError, match="unknown plane"):
        display_slice(img, plane="oblique")


def test_symlink_loops_and_unwritable_places_are_one_line_refusals(tmp_path, capsys):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    for p in (a, b):
        PILImage.fromarray(RNG.integers(0, 256, (16, 16)).astype(np.uint8)).save(p)
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    cases = [
        (["fuse", str(loop), str(b), "-o", str(tmp_path / "o.png")], "loop"),
        (["fuse", str(a), str(b), "-o", str(loop)], "loop"),
        (["fuse", str(a), str(b), "-o", str(a / "o.png")], "not a folder"),
        (["fuse", str(a), str(b), "-o", "/proc/brainfuse-test.png"], "cannot write"),
        (["register", str(a), str(b), "-m", "nosuch", "-o", str(tmp_path / "r.png")], "nosuch"),
        (
            [
                "fuse",
                str(a),
                str(b),
                "-m",
                "weighted",
                "-p",
                "w=nan",
                "-o",
                str(tmp_path / "w.png"),
            ],
            "finite",
        ),
    ]
    for argv, needle in cases:
        assert main(argv) == 2, argv
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and needle in err[0], (argv, err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "b.png", "loop.png"]


@pytest.mark.parametrize("method", ["legff", "legff0"])
def test_legff_scales_zero_with_a_colour_b_is_refused(method):
    a = RNG.integers(0, 256, (16, 16)).astype(np.float32)
    b = RNG.integers(0, 256, (16, 16, 3)).astype(np.float32)
    with pytest.raises(InputError, match="scales"):
        brainfuse.fuse(a, b, method, scales=0)


def test_evaluate_puts_files_and_images_on_the_fusion_scale(tmp_path):
    from brainfuse.metrics import evaluate

    a = _scaled_uint8_nifti(tmp_path / "a.nii", _blobs((16, 16, 14), 12))
    b = _scaled_uint8_nifti(tmp_path / "b.nii", _blobs((16, 16, 14), 13))
    fused = brainfuse.fuse(a, b, "average")
    out = tmp_path / "fused.nii.gz"
    brainfuse.save(fused, out)
    expected = evaluate(
        fused.array, to_fusion_scale(brainfuse.load(a)), to_fusion_scale(brainfuse.load(b))
    )
    for triple in ((fused, a, b), (out, nib.load(a), sitk.ReadImage(str(b)))):
        got = evaluate(*triple)
        assert got.keys() == expected.keys()
        np.testing.assert_allclose(list(got.values()), list(expected.values()), rtol=1e-5)
