"""A follow-up series of the built-in phantom: one case scanned at several dates.

There is no public longitudinal MR-PET series we may ship, so the time-point views are shown on
the phantom of :mod:`brainfuse.phantom`: the same MNI152 anatomy at every date, a
hypermetabolic tumour whose radius changes from date to date, and a new Poisson noise draw per
date (a new scan). Everything else (uptake ratios, PSF, counts) is the phantom's.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..phantom import FWHM_TO_SIGMA, LESIONS, activity_map, gaussian_psf, load_mni_templates
from .views import bind_view, param, register_view

__all__ = ["SeriesPoint", "phantom_series", "write_phantom_series"]

SERIES_PARAMS = {
    "seed": param("noise seed of the first date (date k uses seed + k)", minimum=0),
    "pet_fwhm_mm": param(
        "FWHM of the PET's point spread function (mm)", minimum=0, exclusive_minimum=True
    ),
    "pet_counts": param(
        "expected counts at the brightest voxel of the first date",
        minimum=0,
        exclusive_minimum=True,
    ),
}


@dataclass(frozen=True)
class SeriesPoint:
    """One date of the series.

    Attributes
    ----------
    label : str
        ``"date 1 (tumour 4 mm)"``.
    mri : numpy.ndarray
        The axial MRI slice.
    pet : numpy.ndarray
        The axial PET slice in counts (one count scale for all dates).
    radius_mm : float
        The tumour's radius at this date.
    """

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

    Parameters
    ----------
    radii_mm : sequence of float
        The tumour's radius at each date (> 0).
    seed : int, optional
        The noise seed of the first date (≥ 0).
    pet_fwhm_mm : float, optional
        The PET's resolution (FWHM, mm).
    pet_counts : float, optional
        The expected counts at the brightest voxel of the first date.
    z_mm : float, optional
        The height of the axial slice (default: the tumour's centre).

    Returns
    -------
    list of SeriesPoint
        One per date.

    Examples
    --------
    >>> first, last = phantom_series((3.0, 10.0))  # doctest: +SKIP
    >>> bool(last.pet.max() > first.pet.max())     # doctest: +SKIP
    True
    """
    from ..io.slicing import display_slice

    opts = bind_view("phantom-series", seed=seed, pet_fwhm_mm=pet_fwhm_mm, pet_counts=pet_counts)
    seed, pet_fwhm_mm, pet_counts = opts["seed"], opts["pet_fwhm_mm"], opts["pet_counts"]

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


@register_view(
    "phantom-series",
    family="series",
    summary="a follow-up series of the phantom (a growing tumour) as PNG pairs for `timeline`",
    params=SERIES_PARAMS,
    reference="BrainFuse's MNI152 brain phantom (brainfuse.phantom)",
    capabilities=("time-series",),
    extra="demo",
)
def write_phantom_series(
    output_dir: str | os.PathLike[str],
    radii_mm: Sequence[float] = (4.0, 8.0, 12.0),
    *,
    seed: int = 0,
    pet_fwhm_mm: float = 6.0,
    pet_counts: float = 2000.0,
) -> list[tuple[Path, Path, str]]:
    """Write :func:`phantom_series` as image pairs, one per date, for :func:`~brainfuse.viz.
    energy.timeline`.

    ``mri_<k>.png`` is the 8-bit MRI slice, ``pet_<k>.png`` the PET slice in counts (16-bit
    PNG, one count scale for all dates), ``k`` from 1.

    Parameters
    ----------
    output_dir : str or path
        The folder (created if needed; a file there is refused).
    radii_mm : sequence of float, optional
        The tumour's radius at each date.
    seed, pet_fwhm_mm, pet_counts
        As for :func:`phantom_series`.

    Returns
    -------
    list of (path, path, str)
        The MRI file, the PET file and the label of each date.

    Examples
    --------
    >>> pairs = write_phantom_series("series", (4, 8))  # doctest: +SKIP
    >>> [p[0].name for p in pairs]                      # doctest: +SKIP
    ['mri_1.png', 'mri_2.png']
    """
    from ..io import Image, Modality, save

    out_dir = Path(output_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "exists and is not a folder")
    points = phantom_series(radii_mm, seed=seed, pet_fwhm_mm=pet_fwhm_mm, pet_counts=pet_counts)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for k, p in enumerate(points, start=1):
        mri = p.mri * np.float32(255.0 / float(p.mri.max()))
        mri_path, pet_path = out_dir / f"mri_{k}.png", out_dir / f"pet_{k}.png"
        save(Image(mri, modality=Modality.MRI), mri_path)
        save(Image(p.pet, modality=Modality.PET, bit_depth=16), pet_path)
        written.append((mri_path, pet_path, p.label))
    return written
