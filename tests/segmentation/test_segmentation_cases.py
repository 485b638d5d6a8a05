"""Generated BraTS-like cases: exact, seeded, with the modality contrast rules; written in the
BraTS and MSD layouts and read back by the loaders, which refuse bad cases in one line."""

from __future__ import annotations

import gzip
import shutil

import nibabel as nib
import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.segmentation.cases import MODALITIES, make_case, split_of, write_brats_case
from brainfuse.segmentation.io import find_cases, load_brats_case, load_msd_case, zscore
from brainfuse.segmentation.labels import ED, ET, NCR

pytest.importorskip("nilearn")


@pytest.fixture(scope="module")
def case():
    return make_case(7, resolution=2)


def test_labels_are_brats_codes_nested_around_one_tumour(case):
    codes = set(np.unique(case.label).tolist())
    assert codes <= {0, NCR, ED, ET} and ED in codes and (NCR in codes or ET in codes)
    assert all(case.volumes[m].shape == case.label.shape for m in MODALITIES)
    tumour = case.label > 0
    assert np.all(case.volumes["flair"][tumour] > 0)  # inside the brain
    volume_ml = tumour.sum() * np.prod(case.spacing) / 1000
    assert 2 < volume_ml < 250


def test_the_same_seed_gives_the_same_case_and_another_seed_another(case):
    again = make_case(7, resolution=2)
    assert all(np.array_equal(case.volumes[m], again.volumes[m]) for m in MODALITIES)
    assert np.array_equal(case.label, again.label)
    other = make_case(8, resolution=2)
    assert not np.array_equal(case.label, other.label)


def test_each_modality_follows_its_contrast_rule(case):
    wm = (case.label == 0) & (case.volumes["t1"] > 0)
    ref = {m: np.median(case.volumes[m][wm]) for m in MODALITIES}  # mostly white matter

    def level(mod, code):
        inner = case.label == code
        return np.median(case.volumes[mod][inner]) / ref[mod]

    assert level("flair", ED) > 1.3 and level("t2", ED) > 1.3  # edema bright on T2/FLAIR
    if (case.label == ET).sum() > 50:
        assert level("t1ce", ET) > 1.3 > level("t1", ET)  # the rim enhances on T1c only
    if (case.label == NCR).sum() > 50:
        assert level("t1", NCR) < 0.8 and level("t1ce", NCR) < 0.8  # the core is dark on T1


def test_split_is_documented_by_index():
    assert [split_of(i, 100) for i in (0, 59, 60, 79, 80, 99)] == [
        "train", "train", "val", "val", "test", "test"
    ]  # fmt: skip


def test_brats_layout_round_trip_is_byte_stable(case, tmp_path):
    folder = write_brats_case(case, tmp_path / "a")
    again = write_brats_case(make_case(7, resolution=2), tmp_path / "b")
    for f in sorted(folder.iterdir()):
        assert f.read_bytes() == (again / f.name).read_bytes()
    assert find_cases(tmp_path / "a") == [folder]
    loaded = load_brats_case(folder)
    assert np.array_equal(loaded.label, case.label)
    assert np.allclose(loaded.volumes["t1ce"], case.volumes["t1ce"])
    assert loaded.spacing == (2.0, 2.0, 2.0)
    stack = loaded.stack()
    assert stack.shape == (4, *case.label.shape)
    brain = case.volumes["t1"] != 0
    assert abs(stack[0][brain].mean()) < 1e-4 and abs(stack[0][brain].std() - 1) < 1e-4


def test_brats_2023_names_are_read(case, tmp_path):
    old = write_brats_case(case, tmp_path)
    new = tmp_path / "BraTS-GLI-00007-000"
    new.mkdir()
    for mod, suffix in zip((*MODALITIES, "seg"), ("t1n", "t1c", "t2w", "t2f", "seg"), strict=True):
        shutil.copy(old / f"{old.name}_{mod}.nii.gz", new / f"{new.name}-{suffix}.nii.gz")
    loaded = load_brats_case(new)
    assert np.array_equal(loaded.label, case.label)


def test_msd_task01_channels_and_codes_are_mapped(case, tmp_path):
    data = np.stack([case.volumes[m] for m in ("flair", "t1", "t1ce", "t2")], axis=-1)
    nib.save(nib.Nifti1Image(data, case.affine), tmp_path / "BRATS_001.nii.gz")
    msd = np.zeros(case.label.shape, np.uint8)
    msd[case.label == ED], msd[case.label == NCR], msd[case.label == ET] = 1, 2, 3
    nib.save(nib.Nifti1Image(msd, case.affine), tmp_path / "label.nii.gz")
    loaded = load_msd_case(tmp_path / "BRATS_001.nii.gz", tmp_path / "label.nii.gz")
    assert loaded.name == "BRATS_001"
    assert np.array_equal(loaded.label, case.label)
    assert np.array_equal(loaded.volumes["t1ce"], case.volumes["t1ce"])
    with pytest.raises(InputError, match="not a 4-D volume"):
        load_msd_case(tmp_path / "label.nii.gz")


def test_bad_cases_are_refused_in_one_line(case, tmp_path):
    folder = write_brats_case(case, tmp_path)
    name = folder.name
    (folder / f"{name}_t2.nii.gz").unlink()
    with pytest.raises(InputError, match="missing modality t2"):
        load_brats_case(folder)
    write_brats_case(case, tmp_path)
    img = nib.load(folder / f"{name}_flair.nii.gz")
    shifted = img.affine.copy()
    shifted[0, 3] += 4.0
    nib.save(nib.Nifti1Image(np.asarray(img.dataobj), shifted), folder / f"{name}_flair.nii.gz")
    with pytest.raises(InputError, match=r"header \(affine\) differs"):
        load_brats_case(folder)
    nib.save(nib.Nifti1Image(case.volumes["flair"][:, :, :40], case.affine),
             folder / f"{name}_flair.nii.gz")  # fmt: skip
    with pytest.raises(InputError, match=r"grid .* differs"):
        load_brats_case(folder)
    nib.save(nib.Nifti1Image(case.volumes["flair"][:, :, 40], case.affine),
             folder / f"{name}_flair.nii.gz")  # fmt: skip
    with pytest.raises(InputError):
        load_brats_case(folder)
    bad = case.volumes["flair"].copy()
    bad[10, 10, 10] = np.nan
    nib.save(nib.Nifti1Image(bad, case.affine), folder / f"{name}_flair.nii.gz")
    with pytest.raises(InputError, match="NaN"):
        load_brats_case(folder)
    (folder / f"{name}_flair.nii.gz").write_bytes(gzip.compress(b"not a nifti"))
    with pytest.raises(InputError):
        load_brats_case(folder)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no BraTS case"):
        find_cases(tmp_path / "empty")


def test_zscore_ignores_the_background():
    v = np.zeros((4, 4, 4))
    v[1:3, 1:3, 1:3] = np.arange(8).reshape(2, 2, 2) + 10
    z = zscore(v)
    assert np.all(z[v == 0] == 0) and abs(z[v != 0].mean()) < 1e-6
