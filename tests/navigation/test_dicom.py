"""A CT given as a DICOM series (stored values + rescale intercept), as PACS exports it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from brainfuse.errors import InputError
from brainfuse.navigation.api import plan_case
from brainfuse.navigation.ct import load_ct
from brainfuse.navigation.phantom import HematomaSpec, plant, thick_slices

from .conftest import small_head


def write_series(
    folder: Path, hu: np.ndarray, spacing: tuple[float, ...], intercept: float
) -> None:
    """Axial slices of ``hu`` (x, y, z voxel order) as 16-bit CT DICOM files."""
    folder.mkdir()
    series, study = generate_uid(), generate_uid()
    for k in range(hu.shape[2]):
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = pydicom.uid.CTImageStorage
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(str(folder / f"{k:03d}.dcm"), {}, file_meta=meta, preamble=b"\0" * 128)
        ds.SOPClassUID, ds.SOPInstanceUID = (
            meta.MediaStorageSOPClassUID,
            meta.MediaStorageSOPInstanceUID,
        )
        ds.Modality, ds.SeriesInstanceUID, ds.StudyInstanceUID = "CT", series, study
        ds.Rows, ds.Columns = hu.shape[1], hu.shape[0]
        ds.PixelSpacing = [spacing[1], spacing[0]]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0.0, 0.0, k * spacing[2]]
        ds.SliceThickness = spacing[2]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleSlope, ds.RescaleIntercept = 1.0, intercept
        stored = np.clip(np.rint(hu[:, :, k].T + 1024.0), 0, 65535).astype(np.uint16)
        ds.PixelData = stored.tobytes()
        ds.save_as(folder / f"{k:03d}.dcm", enforce_file_format=True)


@pytest.fixture(scope="module")
def thick_ct():
    ct, truth = plant(small_head(2.0), HematomaSpec((25.0, 10.0, 5.0), 20.0, hu=72.0, seed=4))
    return thick_slices(ct, 6.0), truth


def test_dicom_series_is_planned_like_the_volume(thick_ct, tmp_path) -> None:
    ct, truth = thick_ct
    write_series(tmp_path / "ct", ct.array, ct.spacing, intercept=-1024.0)
    loaded = load_ct(tmp_path / "ct")
    assert loaded.spacing == pytest.approx(ct.spacing)
    plan = plan_case(tmp_path / "ct")
    assert plan.hematoma.volume_ml == pytest.approx(truth, rel=0.10)


def test_dicom_without_its_intercept_is_not_hounsfield(thick_ct, tmp_path) -> None:
    ct, _ = thick_ct
    write_series(tmp_path / "raw", ct.array, ct.spacing, intercept=0.0)
    with pytest.raises(InputError, match="not Hounsfield units"):
        load_ct(tmp_path / "raw")
