"""Head CT in Hounsfield units: loading with a check of the units, and the conversions we need.

A planning tool must refuse a CT that is not in Hounsfield units (HU): every threshold of the
segmentation (air −1000, water 0, acute blood 50–90, bone above 300) means something only in
HU. :func:`load_ct` reads a NIfTI file or a DICOM series through :func:`brainfuse.io.load` (the
DICOM rescale slope and intercept are applied there) and checks that the values look like HU.

:func:`cormack_to_hu` undoes the Hounsfield-to-Cormack transform of Rorden et al. (2012,
NeuroImage 61:957, "Age-specific CT and MRI templates for spatial normalization"), in which the
CT templates of the Clinical toolbox for SPM are stored: HU + 1024, with the range −124..76 HU
stretched ten times so that MR-minded tools see soft-tissue contrast.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError
from ..io.image import Image, Modality

__all__ = ["axial_axis", "check_hounsfield", "cormack_to_hu", "load_ct", "voxel_volume_ml"]

#: Offset, start and width of the stretched range, and stretch factor of the Cormack units
#: (Rorden et al. 2012, the Clinical toolbox's ``clinical_h2c``).
_CORMACK_OFFSET, _CORMACK_DARK, _CORMACK_MID, _CORMACK_SCALE = 1024.0, 900.0, 200.0, 10.0


def cormack_to_hu(values: np.ndarray) -> np.ndarray:
    """Hounsfield units from Cormack units (Rorden et al. 2012).

    The forward transform adds 1024 to HU and stretches the 200 units above 900 (−124..76 HU)
    by 10; this is its inverse: ``HU = c − 1024 − 0.9 · clip(c − 900, 0, 2000)``.

    Parameters
    ----------
    values : numpy.ndarray
        Values in Cormack units (0 = air).

    Returns
    -------
    numpy.ndarray
        float32 Hounsfield units.

    Examples
    --------
    >>> cormack_to_hu(np.array([0.0, 900.0, 2550.0, 3500.0])).tolist()
    [-1024.0, -124.0, 41.0, 676.0]
    """
    c = np.asarray(values, dtype=np.float64)
    stretched = np.clip(c - _CORMACK_DARK, 0.0, _CORMACK_MID * _CORMACK_SCALE)
    hu = c - _CORMACK_OFFSET - stretched * (1.0 - 1.0 / _CORMACK_SCALE)
    return hu.astype(np.float32)


def check_hounsfield(ct: Image, name: str | os.PathLike[str] | None = None) -> None:
    """Refuse a volume whose values do not look like Hounsfield units.

    A head CT in HU has air around the head (values near −1000, at least 1 % of the voxels
    below −500) and soft tissue near 0 to 100. A volume that is all ≥ 0 (an 8-bit image, a
    CT stored without its rescale intercept, an MRI) or that has no soft tissue is refused.

    Parameters
    ----------
    ct : Image
        The volume.
    name : str or os.PathLike, optional
        The file named in the message (default ``ct.source``).

    Raises
    ------
    InputError
        If the volume is 2D or its values are not Hounsfield units.

    Examples
    --------
    >>> vol = np.full((20, 20, 20), -1000.0, np.float32)
    >>> vol[5:15, 5:15, 5:15] = 40.0
    >>> check_hounsfield(Image(vol))
    >>> try:
    ...     check_hounsfield(Image(vol + 1000.0), "scan.nii")
    ... except InputError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    scan.nii: values are not Hounsfield units: ...
    """
    who = name if name is not None else (ct.source or "CT")
    if not ct.is_volume:
        raise InputError(
            who, f"is a 2D image ({'x'.join(map(str, ct.shape))}); expected a CT volume"
        )
    if min(ct.shape) < 2:
        raise InputError(
            who, f"has a single slice ({'x'.join(map(str, ct.shape))}); expected a CT volume"
        )
    arr = ct.array
    lo, hi = float(arr.min()), float(arr.max())
    air = float(np.mean(arr < -500.0))
    soft = float(np.mean((arr > -100.0) & (arr < 100.0)))
    if lo >= -200.0 or air < 0.01 or soft < 0.005 or hi - lo < 500.0:
        raise InputError(
            who,
            f"values are not Hounsfield units: range {lo:g}..{hi:g}, {100 * air:.1f} % of voxels "
            f"below -500 (air), {100 * soft:.1f} % within -100..100 (soft tissue); give a CT in "
            "HU (DICOM with its rescale slope/intercept, or NIfTI in HU)",
        )


def load_ct(path: str | os.PathLike[str] | Image, *, max_pixels: int | None = None) -> Image:
    """Read a head CT (NIfTI file or DICOM series folder) and check it is in Hounsfield units.

    Parameters
    ----------
    path : str, os.PathLike or Image
        A ``.nii``/``.nii.gz`` file, a folder holding one DICOM series, or a volume in memory.
    max_pixels : int, optional
        Refuse volumes with more voxels (default of :func:`brainfuse.io.load`).

    Returns
    -------
    Image
        The CT (modality CT), values in HU.

    Raises
    ------
    InputError
        Missing, unreadable or corrupt file, NaN values, a 2D image, or values not in HU.
    """
    from ..io import load

    ct = load(path, modality=Modality.CT, max_pixels=max_pixels)
    check_hounsfield(ct, path if isinstance(path, (str, os.PathLike)) else ct.source)
    return ct


def axial_axis(affine: np.ndarray) -> int:
    """The voxel axis that runs closest to the patient's head–foot (world z) direction.

    Parameters
    ----------
    affine : numpy.ndarray
        4x4 voxel-to-world matrix.

    Returns
    -------
    int
        0, 1 or 2: slices across this axis are axial.

    Examples
    --------
    >>> axial_axis(np.diag([0.5, 0.5, 5.0, 1.0]))
    2
    """
    direction = np.abs(np.asarray(affine)[:3, :3]) / np.linalg.norm(affine[:3, :3], axis=0)
    return int(np.argmax(direction[2]))


def voxel_volume_ml(ct: Image) -> float:
    """Volume of one voxel in millilitres, from the affine's determinant.

    Parameters
    ----------
    ct : Image
        A volume.

    Returns
    -------
    float
        |det(affine[:3, :3])| / 1000.

    Examples
    --------
    >>> voxel_volume_ml(Image(np.zeros((2, 2, 2), np.float32), affine=np.diag([0.5, 0.5, 5, 1])))
    0.00125
    """
    return float(abs(np.linalg.det(np.asarray(ct.affine)[:3, :3])) / 1000.0)
