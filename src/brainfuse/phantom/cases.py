"""Phantom cases with known truth: seeded MRI + PET/SPECT/CT pairs with planted lesions.

Each :class:`Case` holds what a fusion method sees (a noisy anatomical image and a noisy
functional image, both on the 0..255 scale) and what no real study has: the noise-free anatomy,
the true activity map, the noise-free expected functional image and the exact lesion masks. Its
*twin* (same seed, ``lesion`` flipped) has the same noise-free background and the same lesion
geometry with the lesion absent, which is what a location-known detection task needs (Barrett &
Myers 2004, *Foundations of Image Science*, ch. 13-14).

The simulation, step by step:

1. **Anatomy**: the MNI152 2009 T1 template with its grey- and white-matter maps, shipped with
   nilearn (the default, no download), or the SPM12 T1, T2 or PD template with SPM's tissue maps
   (``anatomy="spm12-t1"`` ..., read from ``data_dir``). Volumes are reoriented to RAS+.
2. **True functional map** from the tissue fractions: PET and SPECT uptake ``4·GM + 1·WM``
   (FDG grey:white ≈ 4:1, the ratio BrainWeb's FDG table uses, Cocosco et al. 1997); CT
   attenuation in Hounsfield units, ``40·GM + 28·WM + 10·CSF`` inside the brain, a 6 mm shell of
   bone (1000 HU) around it and air (-1000 HU) outside. The nilearn and SPM templates are
   skull-stripped tissue maps, so the skull is synthesised: the shell lies 2-8 mm outside the
   dilated brain mask. This is documented, not measured bone.
3. **Lesions**: spheres of diameter 3-20 mm drawn by the seed, centred in grey matter at least a
   radius inside the brain, hyper- or hypo-metabolic (hyper- or hypodense on CT). Inside the
   sphere (tissue voxels only) the value is uniform: ``contrast`` times the brighter (hyper) or
   the darker (hypo) of two means of the lesion-free truth, that of the tissue the lesion
   replaces and that of its *background shell* (the tissue voxels between ``r + FWHM`` and
   ``r + FWHM + 10`` mm from the centre). So the lesion differs from both its own site and its
   surround by at least the contrast, in the planted direction: the lesion-present minus
   lesion-absent signal has one sign, and the true lesion-to-background ratio used by the
   contrast recovery (:attr:`CaseLesion.true_ratio`) lies beyond ``contrast``, away from 1.
   Contrast is drawn in [1.2, 1.8] (hyper) or [0.4, 0.8] (hypo) unless given.
4. **Imaging**: PET and SPECT are blurred by a Gaussian point spread function (6 mm FWHM for
   PET, 12 mm for SPECT by default), then Poisson noise is drawn with the expected count at the
   brightest lesion-free voxel set by the count level (:data:`COUNT_LEVELS`). CT is blurred by
   1.5 mm and gets white Gaussian noise whose standard deviation is set by the dose level; it
   is shown in the brain window (0-80 HU on 0..255). The MRI gets Rician noise (Gudbjartsson &
   Patz 1995) of standard deviation ``mri_noise`` times the brightest template value.
5. **Scale**: every case of one anatomy and modality shares one fixed scale to 0..255
   (functional: the noise-free lesion-free maximum maps to 160, headroom for hot lesions and
   noise; values above 255 are clipped), so ensembles are comparable pixel for pixel.

2D cases are axial slices through the centre of the first lesion (display orientation: rows run
from anterior to posterior, the patient's left on the left); 3D cases are the whole volume.

**Background**: within a case and its twin the background is known exactly; across the cases of an
ensemble the anatomy varies because each lesion (and so each 2D slice) sits elsewhere in the
brain. A channelized Hotelling observer trained on an ensemble therefore sees noise plus
anatomical variability, as a reader does; plant a fixed lesion (``lesions=``) to get the
background-known-exactly task where only the noise varies.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

from ..errors import InputError
from ..io.image import Image, Modality
from .mni import FWHM_TO_SIGMA, load_mni_templates

__all__ = [
    "ANATOMIES",
    "COUNT_LEVELS",
    "MODALITIES",
    "Case",
    "CaseLesion",
    "Ensemble",
    "PlantedLesion",
    "case_seeds",
    "make_case",
    "make_ensemble",
    "make_twins",
]

#: Functional modalities and their defaults: PSF FWHM (mm), suggested palette.
MODALITIES: dict[str, dict[str, object]] = {
    "pet": {"fwhm_mm": 6.0, "palette": "pet"},
    "spect": {"fwhm_mm": 12.0, "palette": "hotmetalblue"},
    "ct": {"fwhm_mm": 1.5, "palette": None},
}

#: Count levels: expected counts at the brightest lesion-free voxel (PET, SPECT), or the
#: standard deviation of the CT noise in HU (CT).
COUNT_LEVELS: dict[str, dict[str, float]] = {
    "pet": {"low": 50.0, "medium": 200.0, "high": 1000.0},
    "spect": {"low": 30.0, "medium": 120.0, "high": 600.0},
    "ct": {"low": 12.0, "medium": 6.0, "high": 3.0},
}

#: Anatomies: the nilearn MNI152 template (embedded) or the SPM12 templates under ``data_dir``.
ANATOMIES = ("mni152", "spm12-t1", "spm12-t2", "spm12-pd")

_GM_UPTAKE = 4.0  # FDG grey:white 4:1
_CT_HU = {"grey": 40.0, "white": 28.0, "csf": 10.0, "bone": 1000.0, "air": -1000.0}
_CT_WINDOW = (0.0, 80.0)  # brain window, HU -> 0..255
_FUNCTIONAL_PEAK = 160.0  # lesion-free noise-free maximum on 0..255
_SHELL_WIDTH_MM = 10.0
_TISSUE = 0.2  # GM + WM above it: tissue


@dataclass(frozen=True)
class PlantedLesion:
    """A spherical lesion to plant: where, how big, how contrasted.

    Parameters
    ----------
    centre_mm : tuple of 3 floats
        The centre, world millimetres (RAS+, the template's space).
    radius_mm : float
        The radius in millimetres (the issue's range 3-20 mm is the diameter).
    contrast : float
        Above 1 hypermetabolic (hyperdense on CT), below 1 hypometabolic (hypodense): the
        lesion's value over the mean lesion-free value of its site or of its surround,
        whichever is brighter (hyper) or darker (hypo); see :mod:`brainfuse.phantom.cases`.

    Examples
    --------
    >>> from brainfuse.phantom import PlantedLesion
    >>> PlantedLesion((30.0, 34.0, 16.0), 5.0, 1.8).hyper
    True
    """

    centre_mm: tuple[float, float, float]
    radius_mm: float
    contrast: float

    @property
    def hyper(self) -> bool:
        """True for a lesion brighter than its background (contrast above 1)."""
        return self.contrast > 1.0


@dataclass(frozen=True)
class CaseLesion:
    """A lesion of a :class:`Case`, with its masks on the case's grid.

    Attributes
    ----------
    planted : PlantedLesion
        Its geometry and true contrast.
    present : bool
        False in the lesion-absent twin (the masks still say where it would be).
    centre : tuple of float
        The centre in array indices of the case (row, column for 2D; i, j, k for 3D).
    mask : numpy.ndarray
        Boolean, the lesion's tissue voxels.
    background : numpy.ndarray
        Boolean, its background shell (tissue between ``r + FWHM`` and ``r + FWHM + 10`` mm).
    true_ratio : float
        The true lesion-to-background ratio on the case's grid: the lesion's true value over
        the mean true value in ``background`` (at least the planted contrast away from 1; on a
        2D slice the background ring is the slice's part of the shell). The lesion-absent twin
        keeps the value of its lesion-present twin.
    """

    planted: PlantedLesion
    present: bool
    centre: tuple[float, ...]
    mask: np.ndarray = field(repr=False)
    background: np.ndarray = field(repr=False)
    true_ratio: float

    @property
    def hyper(self) -> bool:
        """True for a hyper-metabolic (hyperdense) lesion."""
        return self.planted.hyper


@dataclass(frozen=True)
class Case:
    """One phantom case: the images a method fuses and the truth they were made from.

    Attributes
    ----------
    seed : int
        The seed that drew the lesions and the noise.
    modality : str
        ``"PET"``, ``"SPECT"`` or ``"CT"``: the functional (or CT) image's modality.
    ndim : int
        2 (an axial slice through the first lesion) or 3 (the volume).
    lesion_present : bool
        True for the lesion-present case, False for its lesion-absent twin.
    anatomy : numpy.ndarray
        The noisy MRI, float32 on 0..255.
    functional : numpy.ndarray
        The noisy PET, SPECT or CT, float32 on 0..255 (grey; see :attr:`palette`).
    anatomy_true : numpy.ndarray
        The noise-free MRI, float32 on 0..255.
    functional_mean : numpy.ndarray
        The noise-free expected functional image (blurred, with the lesions when present),
        float32 on 0..255, before clipping.
    activity : numpy.ndarray
        The true map (uptake, grey:white 4:1, for PET/SPECT; Hounsfield units for CT), unblurred,
        with the lesions when present; float32.
    background_activity : numpy.ndarray
        The same without lesions (identical in a case and its twin).
    brain_mask : numpy.ndarray
        Boolean, the brain (tissue and CSF).
    uniform_mask : numpy.ndarray
        Boolean, deep white matter away from lesions, where the truth is flat in both images
        (for noise measurements); may be empty on a slice with no white matter.
    grey_matter, white_matter : numpy.ndarray
        Tissue fractions, float32.
    lesions : tuple of CaseLesion
        The lesions (absent ones in a lesion-absent twin).
    spacing : tuple of float
        Pixel or voxel size, mm, per array axis.
    fwhm_mm : float
        The functional image's point spread function.
    counts : float
        The count level (PET/SPECT: expected counts at the brightest lesion-free voxel) or CT
        noise standard deviation (HU).
    anatomy_name : str
        ``"mni152"`` or ``"spm12-t1"`` ...
    palette : str or None
        The palette a viewer shows the functional image with (``None`` for CT).
    affine : numpy.ndarray
        4×4 index-to-world matrix of the 3D grid; for a 2D case, that of the volume it was cut
        from, with :attr:`slice_index` the axial index.
    slice_index : int or None
        The axial voxel index of a 2D case.
    """

    seed: int
    modality: str
    ndim: int
    lesion_present: bool
    anatomy: np.ndarray = field(repr=False)
    functional: np.ndarray = field(repr=False)
    anatomy_true: np.ndarray = field(repr=False)
    functional_mean: np.ndarray = field(repr=False)
    activity: np.ndarray = field(repr=False)
    background_activity: np.ndarray = field(repr=False)
    brain_mask: np.ndarray = field(repr=False)
    uniform_mask: np.ndarray = field(repr=False)
    grey_matter: np.ndarray = field(repr=False)
    white_matter: np.ndarray = field(repr=False)
    lesions: tuple[CaseLesion, ...]
    spacing: tuple[float, ...]
    fwhm_mm: float
    counts: float
    anatomy_name: str
    palette: str | None
    affine: np.ndarray = field(repr=False)
    slice_index: int | None

    @property
    def shape(self) -> tuple[int, ...]:
        """The array shape of every image of the case."""
        return tuple(self.anatomy.shape)

    @property
    def lesion_mask(self) -> np.ndarray:
        """Union of the lesion masks."""
        out = np.zeros(self.shape, dtype=bool)
        for les in self.lesions:
            out |= les.mask
        return out

    def functional_rgb(self) -> np.ndarray:
        """The functional image in colour through :attr:`palette` (window 0..255).

        Returns
        -------
        rgb : numpy.ndarray
            float32 RGB on 0..255; for CT (no palette) the grey image in three channels.
        """
        from ..color import apply_palette

        if self.palette is None:
            return np.repeat(self.functional[..., None], 3, axis=-1)
        return apply_palette(self.functional, self.palette, vmin=0.0, vmax=255.0)

    def images(self) -> tuple[Image, Image]:
        """The two images as :class:`~brainfuse.io.image.Image` (volumes keep the affine).

        Returns
        -------
        anatomy, functional : Image
        """
        mod = Modality.parse(self.modality)
        meta = {"phantom_seed": self.seed, "lesion_present": self.lesion_present}
        if self.ndim == 3:
            a = Image(self.anatomy, modality=Modality.MRI, affine=self.affine, meta=dict(meta))
            f = Image(self.functional, modality=mod, affine=self.affine, meta=dict(meta))
        else:
            a = Image(self.anatomy, modality=Modality.MRI, display_values=True, meta=dict(meta))
            f = Image(self.functional, modality=mod, display_values=True, meta=dict(meta))
        return a, f


@dataclass(frozen=True)
class Ensemble:
    """Lesion-present cases and their lesion-absent twins, in the same order.

    Attributes
    ----------
    present, absent : tuple of Case
        ``absent[i]`` is the twin of ``present[i]``.
    """

    present: tuple[Case, ...]
    absent: tuple[Case, ...]

    def __len__(self) -> int:
        return len(self.present) + len(self.absent)


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    name: str
    mri: np.ndarray  # float32 0..255 (noise-free)
    grey: np.ndarray
    white: np.ndarray
    csf: np.ndarray
    brain: np.ndarray  # bool
    depth_mm: np.ndarray  # distance to the brain's edge, mm
    affine: np.ndarray
    spacing: tuple[float, float, float]


def _reorient_ras(img):  # nibabel image -> (array, affine) in RAS+ with a positive diagonal
    import nibabel as nib

    can = nib.as_closest_canonical(img)
    return np.asarray(can.get_fdata(dtype=np.float32)), np.asarray(can.affine, dtype=np.float64)


def _spm12(name: str, data_dir: str | None) -> tuple[np.ndarray, ...]:
    import nibabel as nib

    root = Path(data_dir or os.environ.get("BRAINFUSE_DATA", "../shared/data")) / "volumes/spm12"
    files = {"mri": name.split("-")[1].upper(), "grey": "grey", "white": "white", "csf": "csf"}
    out = {}
    for key, stem in files.items():
        path = root / f"{stem}.nii"
        if not path.is_file():
            raise InputError(path, f"missing: anatomy '{name}' needs the SPM12 templates here")
        try:
            arr, affine = _reorient_ras(nib.load(path))
        except Exception as exc:
            raise InputError(path, f"cannot be read as NIfTI ({exc})") from None
        out[key] = arr
    shapes = {v.shape for v in out.values()}
    if len(shapes) != 1:
        raise InputError(root, f"the SPM12 templates differ in shape: {sorted(shapes)}")
    return out["mri"], out["grey"], out["white"], out["csf"], affine


@functools.lru_cache(maxsize=4)
def _template(name: str, data_dir: str | None) -> _Template:
    if name == "mni152":
        from nilearn import datasets

        img, grey, white = load_mni_templates(2)
        mri, affine = img.array.astype(np.float32), img.affine
        mask = np.asarray(datasets.load_mni152_brain_mask(resolution=2).get_fdata()) > 0.5
        csf = np.clip(mask.astype(np.float32) - grey - white, 0, 1)
    elif name in ANATOMIES:
        mri, grey, white, csf, affine = _spm12(name, data_dir)
        grey, white, csf = (np.clip(x, 0, 1) for x in (grey, white, csf))
        mask = grey + white + csf > 0.5
    else:
        raise InputError("anatomy", f"unknown anatomy {name!r}; valid: {', '.join(ANATOMIES)}")
    if not np.all(np.diag(affine)[:3] > 0):
        raise InputError(name, "the template's axes are not RAS+ after reorientation")
    spacing = tuple(float(s) for s in np.abs(np.diag(affine)[:3]))
    mask = ndimage.binary_fill_holes(mask)
    depth = ndimage.distance_transform_edt(mask, sampling=spacing).astype(np.float32)
    mri = np.clip(mri, 0, None)
    mri = (mri * (255.0 / float(mri.max()))).astype(np.float32)
    for arr in (mri, grey, white, csf, mask, depth):
        arr.setflags(write=False)
    return _Template(
        name, mri, grey.astype(np.float32), white.astype(np.float32), csf.astype(np.float32),
        mask, depth, affine, spacing,
    )  # fmt: skip


def _truth(t: _Template, modality: str) -> np.ndarray:
    if modality == "ct":
        inside = _CT_HU["grey"] * t.grey + _CT_HU["white"] * t.white + _CT_HU["csf"] * t.csf
        tissue = np.clip(t.grey + t.white + t.csf, 0, 1)
        out = inside + _CT_HU["air"] * (1 - tissue) * ~t.brain
        vox = round(2.0 / t.spacing[0])
        near = ndimage.binary_dilation(t.brain, iterations=max(1, vox))
        skull = ndimage.binary_dilation(near, iterations=max(1, round(6.0 / t.spacing[0])))
        skull &= ~near
        out = np.where(skull, _CT_HU["bone"], np.where(near & ~t.brain, _CT_HU["csf"], out))
        return out.astype(np.float64)
    return _GM_UPTAKE * t.grey.astype(np.float64) + t.white.astype(np.float64)


def _blur(vol: np.ndarray, fwhm_mm: float, spacing: Sequence[float]) -> np.ndarray:
    sigma = [fwhm_mm * FWHM_TO_SIGMA / s for s in spacing]
    return ndimage.gaussian_filter(vol, sigma, mode="nearest" if vol.min() < 0 else "constant")


@functools.lru_cache(maxsize=16)
def _reference(name: str, data_dir: str | None, modality: str, fwhm_mm: float) -> float:
    """The noise-free lesion-free maximum of the blurred functional volume (the scale)."""
    t = _template(name, data_dir)
    return float(_blur(_truth(t, modality), fwhm_mm, t.spacing).max())


# --- lesions ---------------------------------------------------------------------------------


def _world(t: _Template) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return tuple(t.affine[i, i] * np.arange(t.mri.shape[i]) + t.affine[i, 3] for i in range(3))  # type: ignore[return-value]


def _draw_lesions(
    t: _Template, rng: np.random.Generator, n: int, hyper: bool | None, fwhm: float, ndim: int
) -> list[PlantedLesion]:
    xs, ys, zs = _world(t)
    out: list[PlantedLesion] = []
    for _ in range(n):
        for _attempt in range(200):
            radius = float(rng.uniform(1.5, 10.0))
            is_hyper = bool(rng.random() < 0.5) if hyper is None else hyper
            contrast = float(rng.uniform(1.2, 1.8) if is_hyper else rng.uniform(0.4, 0.8))
            ok = (t.grey > 0.5) & (t.depth_mm >= radius + 2.0)
            if out and ndim == 2:  # every lesion of a 2D case on the first lesion's slice
                k = round((out[0].centre_mm[2] - t.affine[2, 3]) / t.affine[2, 2])
                keep = np.zeros_like(ok)
                keep[:, :, k] = ok[:, :, k]
                ok = keep
            idx = np.flatnonzero(ok)
            if idx.size == 0:
                continue
            i, j, k = np.unravel_index(idx[rng.integers(idx.size)], ok.shape)
            centre = (float(xs[i]), float(ys[j]), float(zs[k]))
            clear = all(
                np.linalg.norm(np.subtract(centre, o.centre_mm))
                > radius + o.radius_mm + fwhm + _SHELL_WIDTH_MM
                for o in out
            )
            if clear:
                out.append(PlantedLesion(centre, radius, contrast))
                break
        else:
            raise InputError("n_lesions", f"cannot place {n} separate lesions in this brain")
    return out


def _distance(t: _Template, centre: Sequence[float], sl: tuple[slice, ...]) -> np.ndarray:
    xs, ys, zs = _world(t)
    return np.sqrt(
        (xs[sl[0], None, None] - centre[0]) ** 2
        + (ys[None, sl[1], None] - centre[1]) ** 2
        + (zs[None, None, sl[2]] - centre[2]) ** 2
    )


def _check_planted(t: _Template, lesions: Sequence[PlantedLesion], ndim: int) -> None:
    xs, ys, zs = _world(t)
    for les in lesions:
        if not isinstance(les, PlantedLesion):
            raise InputError("lesions", f"expected PlantedLesion, got {type(les).__name__}")
        if not (0.5 <= les.radius_mm <= 40.0) or not np.isfinite(les.radius_mm):
            raise InputError("lesions", f"radius {les.radius_mm} mm is outside 0.5-40 mm")
        if not (np.isfinite(les.contrast) and les.contrast >= 0 and les.contrast != 1.0):
            raise InputError("lesions", f"contrast {les.contrast} must be >= 0 and not 1")
        c = les.centre_mm
        if not all(
            lo <= v <= hi
            for v, lo, hi in zip(c, (xs[0], ys[0], zs[0]), (xs[-1], ys[-1], zs[-1]), strict=True)
        ):
            raise InputError("lesions", f"centre {c} mm lies outside the template")
        i, j, k = (round((c[a] - t.affine[a, 3]) / t.affine[a, a]) for a in range(3))
        if not t.brain[i, j, k]:
            raise InputError("lesions", f"centre {c} mm lies outside the brain")
    if ndim == 2 and len({les.centre_mm[2] for les in lesions}) > 1:
        raise InputError("lesions", "the lesions of a 2D case must share one axial plane (z)")


# --- the case ------------------------------------------------------------------------------


def _as_display(a: np.ndarray) -> np.ndarray:
    """An axial (x, y) slice for display: rows anterior to posterior, the left on the left."""
    return np.ascontiguousarray(a.T[::-1])


def _level(modality: str, counts: str | float) -> float:
    if isinstance(counts, str):
        levels = COUNT_LEVELS[modality]
        if counts not in levels:
            raise InputError("counts", f"unknown level {counts!r}; valid: {', '.join(levels)}")
        return levels[counts]
    value = float(counts)
    if not np.isfinite(value) or value <= 0:
        raise InputError("counts", f"must be a positive number, got {counts}")
    return value


def make_case(
    seed: int,
    *,
    modality: str = "pet",
    ndim: int = 2,
    lesion: bool = True,
    counts: str | float = "medium",
    n_lesions: int = 1,
    hyper: bool | None = None,
    lesions: Sequence[PlantedLesion] | None = None,
    fwhm_mm: float | None = None,
    mri_noise: float = 0.02,
    anatomy: str = "mni152",
    data_dir: str | os.PathLike[str] | None = None,
    noise_seed: int | None = None,
) -> Case:
    """Simulate one phantom case (or its lesion-absent twin) with known truth.

    See the module docstring for the simulation. The same arguments give the same case bit for
    bit; ``make_case(s, lesion=False, ...)`` is the twin of ``make_case(s, ...)``: the same
    background and lesion geometry, the lesion absent, independent noise.

    Parameters
    ----------
    seed : int
        Draws the lesions (when ``lesions`` is not given) and the noise.
    modality : {"pet", "spect", "ct"}, optional
        The second image (default ``"pet"``).
    ndim : {2, 3}, optional
        2: the axial slice through the first lesion's centre (default); 3: the volume.
    lesion : bool, optional
        True (default) for the lesion-present case, False for the lesion-absent twin.
    counts : {"low", "medium", "high"} or float, optional
        Noise level (:data:`COUNT_LEVELS`): expected counts at the brightest lesion-free voxel
        for PET/SPECT, noise standard deviation in HU for CT. Default ``"medium"``.
    n_lesions : int, optional
        Lesions to draw (default 1); ignored when ``lesions`` is given.
    hyper : bool, optional
        Draw only hyper- (True) or hypo-metabolic (False) lesions; default either, by the seed.
    lesions : sequence of PlantedLesion, optional
        Plant these lesions instead of drawing them (for a 2D case they share one axial plane).
    fwhm_mm : float, optional
        Point spread function FWHM (default 6 mm PET, 12 mm SPECT, 1.5 mm CT).
    mri_noise : float, optional
        Rician noise of the MRI, as a fraction of its brightest value (default 0.02).
    anatomy : {"mni152", "spm12-t1", "spm12-t2", "spm12-pd"}, optional
        ``"mni152"`` (default) comes with nilearn; the SPM12 ones are read from
        ``data_dir/volumes/spm12`` (default ``$BRAINFUSE_DATA`` or ``../shared/data``).
    data_dir : str or os.PathLike, optional
        The data folder for the SPM12 anatomies.
    noise_seed : int, optional
        Draw the noise from this seed instead of ``seed`` (which then draws only the lesions):
        cases with one ``seed`` and several noise seeds differ only by their noise.

    Returns
    -------
    case : Case

    Raises
    ------
    InputError
        If an argument is out of range, a planted lesion lies outside the brain, or an SPM12
        template is missing or unreadable.
    MissingExtraError
        If nilearn is not installed (``pip install 'brainfuse[demo]'``) for ``"mni152"``.

    Examples
    --------
    >>> from brainfuse.phantom import make_case
    >>> case = make_case(2, modality="pet")
    >>> case.shape, case.lesion_present, case.lesions[0].hyper
    ((117, 99), True, True)
    >>> twin = make_case(2, modality="pet", lesion=False)
    >>> bool((twin.background_activity == case.background_activity).all())
    True
    """
    modality = str(modality).lower()
    if modality not in MODALITIES:
        raise InputError("modality", f"unknown {modality!r}; valid: {', '.join(MODALITIES)}")
    if ndim not in (2, 3):
        raise InputError("ndim", f"must be 2 or 3, got {ndim}")
    if not (isinstance(n_lesions, int) and 1 <= n_lesions <= 8):
        raise InputError("n_lesions", f"must be an integer from 1 to 8, got {n_lesions}")
    if not (np.isfinite(mri_noise) and 0 <= mri_noise <= 0.5):
        raise InputError("mri_noise", f"must lie in 0..0.5, got {mri_noise}")
    fwhm = float(MODALITIES[modality]["fwhm_mm"] if fwhm_mm is None else fwhm_mm)  # type: ignore[arg-type]
    if not (np.isfinite(fwhm) and 0 < fwhm <= 40):
        raise InputError("fwhm_mm", f"must lie in (0, 40] mm, got {fwhm_mm}")
    level = _level(modality, counts)
    if anatomy == "mni152":
        from .._extras import require

        require("nilearn", extra="demo", what="the MNI152 phantom cases")
    t = _template(anatomy, None if data_dir is None else str(data_dir))
    geometry = np.random.default_rng([int(seed), 19, 0])
    nseed = int(seed) if noise_seed is None else int(noise_seed)
    noise = np.random.default_rng([nseed, 19, 1 + int(bool(lesion))])
    if lesions is None:
        planted = _draw_lesions(t, geometry, n_lesions, hyper, fwhm, ndim)
    else:
        planted = list(lesions)
        if not planted:
            raise InputError("lesions", "give at least one lesion")
        _check_planted(t, planted, ndim)

    k = round((planted[0].centre_mm[2] - t.affine[2, 3]) / t.affine[2, 2])
    full = tuple(slice(0, n) for n in t.mri.shape)
    if ndim == 2:  # a slab deep enough that the blur of its middle slice is exact
        reach = int(4.0 * fwhm * FWHM_TO_SIGMA / t.spacing[2] + 0.5) + 1
        z0, z1 = max(0, k - reach), min(t.mri.shape[2], k + reach + 1)
        sl = (full[0], full[1], slice(z0, z1))
    else:
        sl = full
    truth_bg = _truth(t, modality)[sl]
    tissue = (t.grey + t.white)[sl] > _TISSUE
    truth = truth_bg.copy()
    case_lesions = []
    taken = np.zeros(truth.shape, dtype=bool)
    for les in planted:
        d = _distance(t, les.centre_mm, sl)
        mask = (d <= les.radius_mm) & tissue
        inner = les.radius_mm + fwhm
        shell = (d > inner) & (d <= inner + _SHELL_WIDTH_MM) & tissue
        for other in planted:
            shell &= _distance(t, other.centre_mm, sl) > other.radius_mm + fwhm
        if not mask.any() or not shell.any():
            raise InputError("lesions", f"lesion at {les.centre_mm} mm holds no brain tissue")
        pick = max if les.hyper else min
        value = les.contrast * pick(float(truth_bg[mask].mean()), float(truth_bg[shell].mean()))
        if lesion:
            truth[mask] = value
        case_lesions.append((les, mask, shell, value))
        taken |= d <= les.radius_mm + fwhm

    ref = _reference(anatomy, None if data_dir is None else str(data_dir), modality, fwhm)
    blurred = _blur(truth, fwhm, t.spacing)
    if modality == "ct":
        lo, hi = _CT_WINDOW
        noisy = blurred + noise.normal(0.0, level, size=blurred.shape)
        mean_img = (blurred - lo) * (255.0 / (hi - lo))
        func = (noisy - lo) * (255.0 / (hi - lo))
    else:
        lam = np.clip(blurred, 0, None) * (level / ref)
        mean_img = lam * (_FUNCTIONAL_PEAK / level)
        func = noise.poisson(lam) * (_FUNCTIONAL_PEAK / level)
    sigma_mri = mri_noise * 255.0
    mri_true = t.mri[sl].astype(np.float64)
    n1 = noise.normal(0.0, sigma_mri, size=mri_true.shape)
    n2 = noise.normal(0.0, sigma_mri, size=mri_true.shape)
    mri = np.sqrt((mri_true + n1) ** 2 + n2**2)

    wm_core = ndimage.binary_erosion(t.white[sl] > 0.9) & ~taken
    arrays = {
        "anatomy": np.clip(mri, 0, 255),
        "functional": np.clip(func, 0, 255),
        "anatomy_true": mri_true,
        "functional_mean": mean_img,
        "activity": truth,
        "background_activity": truth_bg,
        "brain_mask": t.brain[sl],
        "uniform_mask": wm_core,
        "grey_matter": t.grey[sl],
        "white_matter": t.white[sl],
    }
    spacing: tuple[float, ...] = t.spacing
    centre_of = functools.partial(_index_centre, t)
    if ndim == 2:
        mid = k - sl[2].start
        arrays = {key: _as_display(v[:, :, mid]) for key, v in arrays.items()}
        case_lesions = [
            (les, _as_display(m[:, :, mid]), _as_display(s[:, :, mid]), value)
            for les, m, s, value in case_lesions
        ]
        spacing = (t.spacing[1], t.spacing[0])
        shape2 = arrays["anatomy"].shape

        def centre_of(c: Sequence[float]) -> tuple[float, ...]:
            i, j, _ = _index_centre(t, c)
            return (float(shape2[0] - 1 - j), float(i))

    out_lesions = []
    for les, m, s, value in case_lesions:
        if not m.any() or not s.any():
            raise InputError("lesions", f"lesion at {les.centre_mm} mm misses this slice")
        ratio = value / float(arrays["background_activity"][s].mean())
        out_lesions.append(CaseLesion(les, bool(lesion), centre_of(les.centre_mm), m, s, ratio))
    for key, v in arrays.items():
        arrays[key] = v if v.dtype == bool else np.ascontiguousarray(v, dtype=np.float32)
    return Case(
        seed=int(seed),
        modality=modality.upper(),
        ndim=ndim,
        lesion_present=bool(lesion),
        lesions=tuple(out_lesions),
        spacing=spacing,
        fwhm_mm=fwhm,
        counts=level,
        anatomy_name=anatomy,
        palette=MODALITIES[modality]["palette"],  # type: ignore[arg-type]
        affine=t.affine.copy(),
        slice_index=k if ndim == 2 else None,
        **arrays,
    )


def _index_centre(t: _Template, c: Sequence[float]) -> tuple[float, ...]:
    return tuple(float((c[a] - t.affine[a, 3]) / t.affine[a, a]) for a in range(3))


def make_twins(seed: int, **kwargs) -> tuple[Case, Case]:
    """A lesion-present case and its lesion-absent twin.

    Parameters
    ----------
    seed : int
        The case seed.
    **kwargs
        Any keyword argument of :func:`make_case` but ``lesion``.

    Returns
    -------
    present, absent : Case
    """
    kwargs.pop("lesion", None)
    return make_case(seed, lesion=True, **kwargs), make_case(seed, lesion=False, **kwargs)


def case_seeds(n: int, seed: int = 0) -> list[int]:
    """``n`` case seeds derived from one ensemble seed (NumPy ``SeedSequence.spawn``).

    Parameters
    ----------
    n : int
        How many.
    seed : int, optional
        The ensemble seed (default 0).

    Returns
    -------
    seeds : list of int

    Examples
    --------
    >>> from brainfuse.phantom import case_seeds
    >>> case_seeds(3, 0) == case_seeds(3, 0), len(set(case_seeds(50, 1)))
    (True, 50)
    """
    children = np.random.SeedSequence(int(seed)).spawn(int(n))
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def make_ensemble(
    n_pairs: int, seed: int = 0, *, vary: str = "anatomy", progress: bool = False, **kwargs
) -> Ensemble:
    """``n_pairs`` lesion-present cases and their lesion-absent twins.

    Parameters
    ----------
    n_pairs : int
        Number of twin pairs (the ensemble holds ``2 · n_pairs`` cases).
    seed : int, optional
        The ensemble seed; pair ``i`` uses ``case_seeds(n_pairs, seed)[i]``.
    vary : {"anatomy", "noise"}, optional
        ``"anatomy"`` (default): each pair draws its own lesion, so position, size, contrast and
        the anatomy around it vary (background known statistically). ``"noise"``: every pair
        has the lesion that ``seed`` draws (or ``lesions=``) and only the noise varies
        (signal and background known exactly, the classic SKE/BKE task).
    progress : bool, optional
        Show a progress bar (on a terminal).
    **kwargs
        Any keyword argument of :func:`make_case` but ``lesion``.

    Returns
    -------
    ensemble : Ensemble

    Raises
    ------
    InputError
        If ``n_pairs`` is below 1, or as :func:`make_case`.
    """
    if not (isinstance(n_pairs, int) and n_pairs >= 1):
        raise InputError("n_pairs", f"must be a positive integer, got {n_pairs}")
    if vary not in ("anatomy", "noise"):
        raise InputError("vary", f"expected 'anatomy' or 'noise', got {vary!r}")
    from tqdm import tqdm

    kwargs.pop("noise_seed", None)
    present, absent = [], []
    for s in tqdm(case_seeds(n_pairs, seed), desc="phantom cases", disable=not progress or None):
        if vary == "noise":
            p, a = make_twins(seed, noise_seed=s, **kwargs)
        else:
            p, a = make_twins(s, **kwargs)
        present.append(p)
        absent.append(a)
    return Ensemble(tuple(present), tuple(absent))
