"""The views take a path, an array, a nibabel image, a SimpleITK image or an Image, and give
the same pixels for the same image whatever it came as."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
import SimpleITK as sitk
from PIL import Image as PILImage

from brainfuse.errors import InputError
from brainfuse.io import Image, load
from brainfuse.viz import (
    checkerboard,
    difference,
    enhance,
    input_gradients,
    orthogonal_figure,
    overlay,
    overlay_figure,
    timeline,
)
from brainfuse.viz.inputs import prepare_pair_2d

RNG = np.random.default_rng(9)
MRI = RNG.integers(0, 256, (20, 24)).astype(np.uint8)
PET = np.zeros((20, 24, 3), np.uint8)
PET[5:12, 6:16] = (255, 140, 0)


@pytest.fixture
def files(tmp_path):
    PILImage.fromarray(MRI).save(tmp_path / "mri.png")
    PILImage.fromarray(PET).save(tmp_path / "pet.png")
    PILImage.fromarray(MRI[:10]).save(tmp_path / "small.png")
    return tmp_path


def test_files_images_and_arrays_give_the_same_pixels(files):
    paths = (files / "mri.png", files / "pet.png")
    images = tuple(load(p) for p in paths)
    arrays = (MRI.astype(np.float32), PET.astype(np.float32))
    for view in (overlay, checkerboard, difference):
        want = view(*arrays)
        assert np.array_equal(view(*paths), want), view.__name__
        assert np.array_equal(view(*map(str, paths)), want), view.__name__
        assert np.array_equal(view(*images), want), view.__name__
    g_path = input_gradients(*paths, "maximum")
    g_array = input_gradients(*arrays, "maximum")  # a colour functional image: its luminance
    assert np.array_equal(g_path.anatomical, g_array.anatomical)
    assert np.array_equal(enhance(*paths, method="average"), enhance(*arrays, method="average"))


def test_arrays_keep_their_values_and_files_are_named(files):
    a = RNG.uniform(0, 1000, (20, 24)).astype(np.float32)  # off the 0..255 scale: as it is
    pair = prepare_pair_2d(a, MRI)
    assert np.array_equal(pair.a, a) and pair.titles == (None, None)
    pair = prepare_pair_2d(files / "mri.png", files / "pet.png")
    assert pair.titles == ("MRI mri.png", "PET pet.png") and pair.label == "mri"
    fig = overlay_figure(files / "mri.png", files / "pet.png")
    assert [ax.get_title() for ax in fig.axes[:2]] == ["MRI mri.png", "PET pet.png (own colours)"]


def test_bad_files_are_refused_naming_them(files):
    with pytest.raises(InputError, match=r"small\.png"):
        overlay(files / "mri.png", files / "small.png")
    with pytest.raises(InputError, match=r"small\.png: shape \(10, 24\) differs from mri\.png's"):
        checkerboard(files / "mri.png", files / "small.png")
    with pytest.raises(InputError, match=r"missing\.png"):
        difference(files / "mri.png", files / "missing.png")
    with pytest.raises(InputError, match=r"v\.nii: is a volume; use `brainfuse viz slices`"):
        nib.save(nib.Nifti1Image(np.ones((4, 5, 6), np.float32), np.eye(4)), files / "v.nii")
        checkerboard(files / "v.nii", files / "v.nii")


def test_volumes_from_nibabel_simpleitk_and_files_give_the_same_figure(tmp_path):
    data = np.zeros((12, 14, 10), np.float32)
    data[3:9, 3:11, 2:8] = 100.0
    data[5, 6, 4] = 300.0
    affine = np.diag([2.0, 2.0, 2.5, 1.0])
    nii = nib.Nifti1Image(data, affine)
    nib.save(nii, tmp_path / "t1.nii")
    pet = np.roll(data, 2, axis=0)
    nib.save(nib.Nifti1Image(pet, affine), tmp_path / "pet.nii")
    itk = sitk.ReadImage(str(tmp_path / "t1.nii"))
    kw = {"at_mm": (10.0, 12.0, 10.0)}
    files = orthogonal_figure(
        tmp_path / "t1.nii", tmp_path / "pet.nii", **kw, output_file=tmp_path / "f.png"
    )
    assert files.axes[-1].get_ylabel() == "PET pet.nii"  # the colour bar names the file
    orthogonal_figure(nii, nib.load(tmp_path / "pet.nii"), **kw, output_file=tmp_path / "n.png")
    orthogonal_figure(itk, Image(pet, affine=affine), **kw, output_file=tmp_path / "s.png")
    planes = [
        np.asarray(PILImage.open(tmp_path / f"{k}.png"))[:, : 3 * 300] for k in ("f", "n", "s")
    ]
    assert np.array_equal(planes[0], planes[1]) and np.array_equal(planes[0], planes[2])


def test_timeline_shares_one_window_over_the_dates(tmp_path):
    for k, peak in enumerate((1000, 4000), start=1):
        PILImage.fromarray(MRI).save(tmp_path / f"mri_{k}.png")
        pet = np.zeros((20, 24), np.uint16)
        pet[5:12, 6:16] = peak
        PILImage.fromarray(pet).save(tmp_path / f"pet_{k}.png")
    pairs = [(tmp_path / f"mri_{k}.png", tmp_path / f"pet_{k}.png") for k in (1, 2)]
    fig = timeline(pairs, method="average", output_file=tmp_path / "t.png")
    assert fig.axes[0].get_title() == "mri_1: MRI" and (tmp_path / "t.png").is_file()
    bar = fig.axes[-1]
    ticks = [t.get_text() for t in bar.get_yticklabels()]
    assert ticks == ["0", "1e+03", "2e+03", "3e+03", "4e+03"]  # one window: 0 .. 4000 counts
    with pytest.raises(InputError, match="3 labels for 2 dates"):
        timeline(pairs, labels=["a", "b", "c"])
