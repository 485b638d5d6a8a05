"""DICOM: a folder holding one series (a volume) or a single-slice file (a 2D image).

Pixel values go through the modality LUT (Rescale Slope and Intercept), and the geometry is
taken from Image Position/Orientation (Patient) and Pixel Spacing. Volumes are returned in the
voxel order (column, row, slice) with a RAS+ affine, the convention of NIfTI, so a DICOM series
and its NIfTI conversion give the same :class:`~brainfuse.io.image.Image`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from .image import Image, Modality

__all__ = ["read_dicom_file", "read_dicom_series"]

_DICOM_MODALITY = {"MR": Modality.MRI, "CT": Modality.CT, "PT": Modality.PET, "NM": Modality.SPECT}
_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def _is_dicom(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(132)
    except OSError:
        return False
    return len(head) == 132 and head[128:132] == b"DICM"


def _pixels(ds, path: Path) -> np.ndarray:
    from pydicom.pixels import apply_modality_lut

    try:
        arr = ds.pixel_array
    except Exception as exc:
        raise InputError(path, f"DICOM pixel data cannot be decoded ({exc})") from None
    return np.asarray(apply_modality_lut(arr, ds), dtype=np.float64)


def _modality(ds, fallback: Modality) -> Modality:
    if fallback is not Modality.UNKNOWN:
        return fallback
    return _DICOM_MODALITY.get(str(getattr(ds, "Modality", "")).upper(), Modality.UNKNOWN)


def read_dicom_file(path: Path, *, max_pixels: int, modality: Modality) -> Image:
    """Read one single-frame grey DICOM file as a 2D image (pixel spacing in mm kept).

    Parameters
    ----------
    path : pathlib.Path
        The DICOM file.
    max_pixels : int
        Refuse data with more pixels or voxels than this.
    modality : Modality
        The modality to record (guessed from the path by :func:`brainfuse.io.load`).

    Returns
    -------
    image : Image
        The samples (rescale slope and intercept applied) as float32.

    Raises
    ------
    InputError
        If the file is not readable DICOM, its pixel data cannot be decoded, it has too many
        pixels, several frames, or colour.
    """
    import pydicom

    try:
        ds = pydicom.dcmread(str(path))
    except Exception as exc:
        raise InputError(path, f"not a readable DICOM file ({exc})") from None
    rows, cols = int(getattr(ds, "Rows", 0)), int(getattr(ds, "Columns", 0))
    frames = int(getattr(ds, "NumberOfFrames", 1) or 1)
    if rows * cols * frames > max_pixels:
        raise InputError(path, f"{rows * cols * frames} pixels exceed the limit of {max_pixels}")
    if frames != 1:
        raise InputError(path, "multi-frame DICOM is not supported; give a folder of slices")
    if str(getattr(ds, "PhotometricInterpretation", "MONOCHROME2")).startswith("RGB"):
        raise InputError(path, "colour DICOM images are not supported")
    arr = _pixels(ds, path)
    if str(getattr(ds, "PhotometricInterpretation", "")) == "MONOCHROME1":
        arr = arr.max() - arr
    spacing = tuple(float(s) for s in getattr(ds, "PixelSpacing", (1.0, 1.0)))
    bits = int(getattr(ds, "BitsAllocated", 16))
    rescaled = float(getattr(ds, "RescaleSlope", 1) or 1) != 1 or float(
        getattr(ds, "RescaleIntercept", 0) or 0
    )
    return Image(
        arr.astype(np.float32),
        modality=_modality(ds, modality),
        spacing=spacing,
        bit_depth=bits,
        display_values=bits == 8 and not rescaled,
        source=str(path),
        meta={"format": "dicom"},
    )


def read_dicom_series(folder: Path, *, max_pixels: int, modality: Modality) -> Image:
    """Read a folder holding one DICOM series as a volume.

    Slices are sorted by their position along the slice normal (the cross product of the two
    Image Orientation (Patient) vectors); the spacing between slices comes from those positions,
    not from Slice Thickness. Non-DICOM files in the folder are ignored.

    Parameters
    ----------
    folder : pathlib.Path
        The series folder.
    max_pixels : int
        Refuse data with more pixels or voxels than this.
    modality : Modality
        The modality to record (guessed from the path by :func:`brainfuse.io.load`).

    Returns
    -------
    volume : Image
        The volume with its RAS+ affine.

    Raises
    ------
    InputError
        For an empty folder, several series, too many voxels, slices of different size or
        orientation, two slices at one position, unevenly spaced slices, or MONOCHROME1 data.
    """
    import pydicom

    files = sorted(p for p in folder.iterdir() if p.is_file() and _is_dicom(p))
    if not files:
        raise InputError(folder, "folder holds no DICOM files")
    headers = []
    for f in files:
        try:
            ds = pydicom.dcmread(str(f), stop_before_pixels=True)
        except Exception as exc:
            raise InputError(f, f"not a readable DICOM file ({exc})") from None
        if "PixelData" not in ds and not hasattr(ds, "Rows"):
            continue
        headers.append((f, ds))
    series = {str(getattr(ds, "SeriesInstanceUID", "")) for _, ds in headers}
    if len(series) > 1:
        raise InputError(folder, f"folder holds {len(series)} DICOM series; give one series folder")
    if not headers:
        raise InputError(folder, "folder holds no DICOM images")
    first = headers[0][1]
    rows, cols = int(first.Rows), int(first.Columns)
    n = rows * cols * len(headers)
    if n > max_pixels:
        raise InputError(folder, f"{n} voxels exceed the limit of {max_pixels} (--max-pixels)")
    iop = np.asarray(getattr(first, "ImageOrientationPatient", [1, 0, 0, 0, 1, 0]), dtype=float)
    row_dir, col_dir = iop[:3], iop[3:]
    normal = np.cross(row_dir, col_dir)
    ps = [float(s) for s in getattr(first, "PixelSpacing", (1.0, 1.0))]
    entries = []
    for f, ds in headers:
        if (int(ds.Rows), int(ds.Columns)) != (rows, cols):
            raise InputError(f, f"slice size {ds.Rows}x{ds.Columns} differs from {rows}x{cols}")
        o = np.asarray(getattr(ds, "ImageOrientationPatient", iop), dtype=float)
        if not np.allclose(o, iop, atol=1e-4):
            raise InputError(f, "slice orientation differs from the rest of the series")
        ipp = np.asarray(getattr(ds, "ImagePositionPatient", [0, 0, 0]), dtype=float)
        entries.append((float(ipp @ normal), ipp, f))
    entries.sort(key=lambda e: e[0])
    positions = np.array([e[0] for e in entries])
    if len(entries) > 1:
        gaps = np.diff(positions)
        if np.any(gaps <= 1e-6):
            raise InputError(folder, "two slices share one position; the series is ambiguous")
        step = float(positions[-1] - positions[0]) / (len(entries) - 1)
        if np.max(np.abs(gaps - step)) > max(1e-3, 0.01 * step):
            raise InputError(folder, "slices are unevenly spaced; resample the series first")
    else:
        step = float(getattr(first, "SliceThickness", 1.0) or 1.0)
    volume = np.empty((cols, rows, len(entries)), dtype=np.float32)
    for k, (_, _, f) in enumerate(entries):
        ds = pydicom.dcmread(str(f))
        sl = _pixels(ds, f)
        if str(getattr(ds, "PhotometricInterpretation", "")) == "MONOCHROME1":
            raise InputError(f, "MONOCHROME1 series are not supported")
        volume[:, :, k] = sl.T
    # LPS affine: i (column index) moves along row_dir by PixelSpacing[1], j (row index) along
    # col_dir by PixelSpacing[0], k along the normal by the slice step.
    lps = np.eye(4)
    lps[:3, 0] = row_dir * ps[1]
    lps[:3, 1] = col_dir * ps[0]
    lps[:3, 2] = normal * step
    lps[:3, 3] = entries[0][1]
    affine = _LPS_TO_RAS @ lps
    return Image(
        volume,
        modality=_modality(first, modality),
        affine=affine,
        bit_depth=int(getattr(first, "BitsAllocated", 16)),
        source=str(folder),
        meta={"format": "dicom", "slices": len(entries)},
    )
