"""A CT given as a DICOM series (stored values + rescale intercept), as PACS exports it."""

from __future__ import annotations

import locale
from pathlib import Path

import numpy as np
import pydicom
import pytest
import SimpleITK as sitk

from brainfuse.errors import InputError
from brainfuse.navigation.api import plan_case
from brainfuse.navigation.ct import load_ct
from brainfuse.navigation.phantom import HematomaSpec, plant, thick_slices

from .conftest import small_head


def write_series(folder: Path, hu: np.ndarray, spacing: tuple[float, ...], raw: bool) -> None:
    """Axial slices of ``hu`` (x, y, z voxel order) as CT DICOM files (SimpleITK/GDCM).

    ``raw=False``: float HU, which GDCM stores as 16-bit integers HU + 1024 with rescale
    intercept −1024, as scanners export. ``raw=True``: HU + 1024 stored as they are, with no
    intercept (a faulty export). GDCM's writer leaves the process in the C locale (seen with
    SimpleITK 2.x), which would make later default-encoding text I/O ASCII in this test
    process: the locale is restored."""
    saved = locale.setlocale(locale.LC_ALL)
    try:
        _write_series(folder, hu, spacing, raw)
    finally:
        locale.setlocale(locale.LC_ALL, saved)


def _write_series(folder: Path, hu: np.ndarray, spacing: tuple[float, ...], raw: bool) -> None:
    folder.mkdir()
    data = np.clip(np.rint(hu + 1024.0), 0, 32767).astype(np.int16) if raw else hu
    volume = sitk.GetImageFromArray(np.transpose(data, (2, 1, 0)))
    volume.SetSpacing(tuple(float(v) for v in spacing))
    writer = sitk.ImageFileWriter()
    writer.KeepOriginalImageUIDOn()
    series = pydicom.uid.generate_uid()
    for k in range(hu.shape[2]):
        image = volume[:, :, k]
        tags = {
            "0008|0060": "CT",
            "0020|000e": series,
            "0020|0013": str(k + 1),
            "0020|0032": f"0\\0\\{k * spacing[2]}",
            "0020|0037": "1\\0\\0\\0\\1\\0",
            "0018|0050": str(spacing[2]),
            "0008|0018": pydicom.uid.generate_uid(),
        }
        if not raw:  # GDCM stores float input through this slope and intercept
            tags.update({"0028|0100": "16", "0028|0101": "16", "0028|0102": "15"})
            tags.update({"0028|0103": "1", "0028|1052": "-1024", "0028|1053": "1"})
        for key, value in tags.items():
            image.SetMetaData(key, value)
        writer.SetFileName(str(folder / f"{k:03d}.dcm"))
        writer.Execute(image)


@pytest.fixture(scope="module")
def thick_ct():
    ct, truth = plant(small_head(2.0), HematomaSpec((25.0, 10.0, 5.0), 20.0, hu=72.0, seed=4))
    return thick_slices(ct, 6.0), truth


def test_dicom_series_is_planned_like_the_volume(thick_ct, tmp_path) -> None:
    ct, truth = thick_ct
    write_series(tmp_path / "ct", ct.array, ct.spacing, raw=False)
    loaded = load_ct(tmp_path / "ct")
    assert loaded.spacing == pytest.approx(ct.spacing)
    plan = plan_case(tmp_path / "ct")
    assert plan.hematoma.volume_ml == pytest.approx(truth, rel=0.10)


def test_dicom_without_its_intercept_is_not_hounsfield(thick_ct, tmp_path) -> None:
    ct, _ = thick_ct
    write_series(tmp_path / "raw", ct.array, ct.spacing, raw=True)
    with pytest.raises(InputError, match="not Hounsfield units"):
        load_ct(tmp_path / "raw")
