"""The embedded default: a brain phantom built from the MNI152 templates shipped with nilearn.

nilearn carries the MNI152 2009 T1 template and its grey- and white-matter probability maps in
its wheel, so the phantom needs no download. From them we simulate emission images the way
BrainWeb simulates PET (Cocosco et al. 1997; its FDG table uses grey:white = 128:32):

1. activity concentration per voxel = ``ratio_gm · GM + 1 · WM`` with ``ratio_gm = 4`` (FDG
   grey:white uptake ≈ 4:1), GM/WM being the tissue fractions of the voxel;
2. two lesions: a hypometabolic region (uptake × 0.35, as in a neurodegenerative or post-stroke
   deficit) and a hypermetabolic one (a tumour taking up 1.6 × grey matter), both spheres;
3. blur by the scanner's point spread function, a Gaussian of 6 mm FWHM for PET and 12 mm for
   SPECT (σ = FWHM / (2 √(2 ln 2)));
4. Poisson noise (seeded): counts = Poisson(activity · peak_counts / max activity).

The MRI is the T1 template itself; the lesions are invisible on it, which is the clinical point
of fusion: the function shows what the anatomy does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .._extras import require
from ..io.image import Image, Modality

__all__ = [
    "FWHM_TO_SIGMA",
    "LESIONS",
    "LESION_SLICE_Z_MM",
    "Lesion",
    "Phantom",
    "activity_map",
    "gaussian_psf",
    "load_mni_templates",
    "make_phantom",
]

#: σ = FWHM · FWHM_TO_SIGMA for a Gaussian.
FWHM_TO_SIGMA = 1.0 / (2.0 * np.sqrt(2.0 * np.log(2.0)))


@dataclass(frozen=True)
class Lesion:
    """A spherical region of altered uptake, centred at ``centre_mm`` (MNI world coordinates).

    Parameters
    ----------
    name : str
        A description, also the key of its mask in :attr:`Phantom.lesion_masks`.
    centre_mm : tuple of 3 floats
        The centre, world millimetres (MNI152).
    radius_mm : float
        The radius in millimetres.
    factor : float
        A hypometabolic lesion multiplies the activity by it (< 1); a hypermetabolic one sets the
        activity to ``factor`` times the grey-matter uptake.
    hyper : bool
        True for a hypermetabolic lesion.

    Examples
    --------
    >>> from brainfuse.phantom import LESIONS
    >>> [(lesion.radius_mm, lesion.hyper) for lesion in LESIONS]
    [(14.0, False), (9.0, True)]
    """

    name: str
    centre_mm: tuple[float, float, float]
    radius_mm: float
    factor: (
        float  # multiplies the activity (hypo < 1); hyper lesions are set to factor x grey uptake
    )
    hyper: bool


#: World z (mm) of the axial slice through both lesions (the slice the demo and web viewer show).
LESION_SLICE_Z_MM = 16.0

#: The two lesions of the phantom, both on the axial slice z = +16 mm.
LESIONS = (
    Lesion("hypometabolic (left temporo-parietal)", (-44.0, -44.0, 16.0), 14.0, 0.35, False),
    Lesion("hypermetabolic (right frontal tumour)", (30.0, 34.0, 16.0), 9.0, 1.6, True),
)


@dataclass(frozen=True)
class Phantom:
    """The phantom volumes (same grid) and its ground truth, as :func:`make_phantom` builds them.

    Parameters
    ----------
    mri : Image
        The MNI152 T1 template.
    pet : Image
        The FDG-PET-like volume (counts, 6 mm FWHM by default).
    spect : Image
        The SPECT-like volume (counts, 12 mm FWHM by default).
    grey_matter, white_matter : numpy.ndarray
        The tissue fraction maps.
    activity : numpy.ndarray
        The noise-free, unblurred activity with the lesions.
    lesion_masks : dict of str to numpy.ndarray
        A boolean mask per lesion name.
    seed : int
        The seed of the Poisson noise.
    """

    mri: Image
    pet: Image
    spect: Image
    grey_matter: np.ndarray
    white_matter: np.ndarray
    activity: np.ndarray  # noise-free, unblurred activity (with lesions)
    lesion_masks: dict[str, np.ndarray]
    seed: int


def load_mni_templates(resolution: int = 2) -> tuple[Image, np.ndarray, np.ndarray]:
    """The MNI152 T1 template and the grey- and white-matter fraction maps shipped with nilearn.

    Parameters
    ----------
    resolution : int, optional
        Voxel size in mm, 1 or 2 (default 2).

    Returns
    -------
    mri : Image
        The T1 template (negative values clipped to 0), with its affine.
    grey, white : numpy.ndarray
        The tissue fractions, float32 in [0, 1], on the same grid.

    Raises
    ------
    MissingExtraError
        If nilearn is not installed (``pip install brainfuse[demo]``).
    """
    require("nilearn", extra="demo", what="the MNI152 brain phantom")
    from nilearn import datasets

    t1 = datasets.load_mni152_template(resolution=resolution)
    gm = datasets.load_mni152_gm_template(resolution=resolution)
    wm = datasets.load_mni152_wm_template(resolution=resolution)
    affine = np.asarray(t1.affine, dtype=np.float64)
    mri = Image(
        np.clip(np.asarray(t1.get_fdata(), dtype=np.float32), 0, None),
        modality=Modality.MRI,
        affine=affine,
        source="nilearn:MNI152-2009-T1",
        meta={"format": "nifti"},
    )
    g = np.clip(np.asarray(gm.get_fdata(), dtype=np.float32), 0, 1)
    w = np.clip(np.asarray(wm.get_fdata(), dtype=np.float32), 0, 1)
    return mri, g, w


def gaussian_psf(volume: np.ndarray, fwhm_mm: float, spacing: tuple[float, ...]) -> np.ndarray:
    r"""Blur ``volume`` by an isotropic Gaussian point spread function of ``fwhm_mm``.

    Parameters
    ----------
    volume : numpy.ndarray
        The activity.
    fwhm_mm : float
        Full width at half maximum, in millimetres.
    spacing : tuple of float
        Voxel size in millimetres per axis.

    Returns
    -------
    blurred : numpy.ndarray
        float64, zero outside the volume (constant borders).

    Notes
    -----
    Per axis, :math:`\sigma = \mathrm{FWHM} / (2\sqrt{2 \ln 2}) / \mathrm{spacing}` voxels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.phantom import gaussian_psf
    >>> point = np.zeros((5, 5, 5)); point[2, 2, 2] = 1.0
    >>> round(float(gaussian_psf(point, 2.0, (1.0, 1.0, 1.0))[2, 2, 2]), 4)
    0.1036
    """
    sigma = [fwhm_mm * FWHM_TO_SIGMA / s for s in spacing]
    return ndimage.gaussian_filter(np.asarray(volume, dtype=np.float64), sigma, mode="constant")


def _sphere(shape: tuple[int, ...], affine: np.ndarray, centre: tuple[float, ...], r: float):
    ijk = np.indices(shape, dtype=np.float64).reshape(3, -1)
    xyz = affine[:3, :3] @ ijk + affine[:3, 3:4]
    d2 = ((xyz - np.asarray(centre)[:, None]) ** 2).sum(axis=0)
    return (d2 <= r * r).reshape(shape)


def activity_map(
    grey: np.ndarray,
    white: np.ndarray,
    affine: np.ndarray,
    *,
    ratio_gm: float = 4.0,
    lesions: tuple[Lesion, ...] = LESIONS,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Noise-free, unblurred activity ``ratio_gm·GM + WM`` with the lesions applied.

    Parameters
    ----------
    grey, white : numpy.ndarray
        Grey- and white-matter fractions on one grid.
    affine : numpy.ndarray
        The grid's 4×4 voxel-to-world matrix (mm).
    ratio_gm : float, optional
        Grey-to-white uptake ratio (default 4, as FDG).
    lesions : tuple of Lesion, optional
        The lesions (default :data:`LESIONS`); each acts on the voxels of its sphere that hold
        tissue (GM + WM > 0.2).

    Returns
    -------
    activity : numpy.ndarray
        float64, the grid's shape.
    masks : dict of str to numpy.ndarray
        The voxels of each lesion, by name.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.phantom import Lesion, activity_map
    >>> grey = np.zeros((5, 5, 5)); grey[:2] = 1
    >>> white = np.zeros((5, 5, 5)); white[2:] = 1
    >>> hot = Lesion("hot", (0.0, 2.0, 2.0), 1.0, 1.6, True)
    >>> act, masks = activity_map(grey, white, np.eye(4), lesions=(hot,))
    >>> act[:, 2, 2], int(masks["hot"].sum())
    (array([6.4, 6.4, 1. , 1. , 1. ]), 6)
    """
    act = ratio_gm * grey.astype(np.float64) + white.astype(np.float64)
    masks = {}
    for lesion in lesions:
        m = _sphere(grey.shape, affine, lesion.centre_mm, lesion.radius_mm) & (grey + white > 0.2)
        if lesion.hyper:
            act[m] = lesion.factor * ratio_gm
        else:
            act[m] *= lesion.factor
        masks[lesion.name] = m
    return act, masks


def _emission(
    act: np.ndarray, fwhm_mm: float, spacing: tuple[float, ...], peak_counts: float, rng
) -> np.ndarray:
    blurred = np.clip(gaussian_psf(act, fwhm_mm, spacing), 0, None)
    lam = blurred * (peak_counts / blurred.max())
    return rng.poisson(lam).astype(np.float32)


def make_phantom(
    seed: int = 0,
    *,
    resolution: int = 2,
    pet_fwhm_mm: float = 6.0,
    spect_fwhm_mm: float = 12.0,
    pet_counts: float = 2000.0,
    spect_counts: float = 600.0,
) -> Phantom:
    """Build the MRI / FDG-PET-like / SPECT-like phantom on the MNI152 grid.

    See the module docstring for the simulation. Takes a few seconds.

    Parameters
    ----------
    seed : int, optional
        Seed of the Poisson noise (default 0); the same seed gives the same volumes bit for bit.
    resolution : int, optional
        Voxel size in mm, 1 or 2 (default 2: 99×117×95 voxels).
    pet_fwhm_mm, spect_fwhm_mm : float, optional
        Resolution of the simulated scanners (defaults 6 and 12 mm).
    pet_counts, spect_counts : float, optional
        Expected counts at the brightest voxel (defaults 2000 and 600; lower is noisier).

    Returns
    -------
    phantom : Phantom

    Raises
    ------
    MissingExtraError
        If nilearn is not installed (``pip install brainfuse[demo]``).

    Examples
    --------
    >>> ph = make_phantom(seed=0)                       # doctest: +SKIP
    >>> ph.pet.shape, ph.pet.modality.value             # doctest: +SKIP
    ((99, 117, 95), 'PET')
    """
    mri, grey, white = load_mni_templates(resolution)
    act, masks = activity_map(grey, white, mri.affine)
    rng = np.random.default_rng(seed)
    pet = _emission(act, pet_fwhm_mm, mri.spacing, pet_counts, rng)
    spect = _emission(act, spect_fwhm_mm, mri.spacing, spect_counts, rng)
    common = {"affine": mri.affine, "meta": {"format": "nifti", "seed": seed}}
    return Phantom(
        mri=mri,
        pet=Image(pet, modality=Modality.PET, colormap="pet", source="phantom:PET", **common),
        spect=Image(
            spect,
            modality=Modality.SPECT,
            colormap="hotmetalblue",
            source="phantom:SPECT",
            **common,
        ),
        grey_matter=grey,
        white_matter=white,
        activity=act.astype(np.float32),
        lesion_masks=masks,
        seed=seed,
    )
