"""A follow-up series of the built-in phantom: one case scanned at several dates.

There is no public longitudinal MR-PET series we may ship, so the time-point views are shown on
the phantom of :mod:`brainfuse.phantom`: the same MNI152 anatomy at every date, a
hypermetabolic tumour whose radius changes from date to date, and a new Poisson noise draw per
date (a new scan). Everything else (uptake ratios, PSF, counts) is the phantom's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..errors import InputError
from ..phantom import FWHM_TO_SIGMA, LESIONS, activity_map, gaussian_psf, load_mni_templates

__all__ = ["SeriesPoint", "phantom_series"]


@dataclass(frozen=True)
class SeriesPoint:
    """One date: the axial MRI and PET slices (PET in counts) and the tumour radius."""

    label: str
    mri: np.ndarray
    pet: np.ndarray
    radius_mm: float


def phantom_series(
    radii_mm: Sequence[float] = (4.0, 8.0, 12.0),
    *,
    seed: int = 0,
    pet_fwhm_mm: float = 6.0,
    pet_counts: float = 2000.0,
    z_mm: float | None = None,
) -> list[SeriesPoint]:
    """The phantom's axial slice through the tumour at one date per radius in ``radii_mm``.

    Date ``k`` uses noise seed ``seed + k``. PET slices share one count scale (the expected
    counts at the brightest voxel of the first date are ``pet_counts``), so a growing tumour
    shows as a growing bright region, not as a rescaled image. Only a slab of ±4σ of the PSF
    around the slice is simulated (the blur reaches no further).
    """
    from ..io.slicing import display_slice

    if not radii_mm or not all(0 < r < float("inf") for r in radii_mm):
        raise InputError(None, f"radii must be positive, got {list(radii_mm)}")
    mri, grey, white = load_mni_templates(2)
    tumour = next(les for les in LESIONS if les.hyper)
    z = tumour.centre_mm[2] if z_mm is None else z_mm
    mri_slice = display_slice(mri, at_mm=(0.0, 0.0, z))
    k_z = round((z - mri.affine[2, 3]) / mri.affine[2, 2])
    half = int(np.ceil(4 * pet_fwhm_mm * FWHM_TO_SIGMA / abs(mri.affine[2, 2]))) + 1
    lo, hi = max(k_z - half, 0), min(k_z + half + 1, grey.shape[2])
    slab = mri.affine.copy()
    slab[:3, 3] += mri.affine[:3, 2] * lo  # the slab's voxel (0, 0, 0) is the volume's (0, 0, lo)
    points, scale = [], None
    for k, radius in enumerate(radii_mm):
        lesions = tuple(
            replace(les, radius_mm=float(radius)) if les.hyper else les for les in LESIONS
        )
        act, _ = activity_map(grey[:, :, lo:hi], white[:, :, lo:hi], slab, lesions=lesions)
        blurred = np.clip(gaussian_psf(act, pet_fwhm_mm, mri.spacing), 0, None)
        if scale is None:
            scale = pet_counts / float(blurred.max())
        counts = np.random.default_rng(seed + k).poisson(blurred * scale).astype(np.float32)
        pet_slice = display_slice(counts, slab, at_mm=(0.0, 0.0, z))
        points.append(
            SeriesPoint(f"date {k + 1} (tumour {radius:g} mm)", mri_slice, pet_slice, float(radius))
        )
    return points
