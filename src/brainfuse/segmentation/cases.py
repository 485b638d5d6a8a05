"""BraTS-like glioma cases with exact labels, generated from the MNI152 template.

BraTS (Menze et al. 2015; Bakas et al. 2017) needs a registration and a download that these
machines cannot make, and its labels come from raters; a generated case's labels are exact. Each
case is built from the MNI152 2009 T1 template and its grey/white-matter maps that nilearn
ships (no download):

1. **Anatomy.** Tissue fractions GM, WM and CSF = brain − GM − WM. T1 is the template itself;
   T2, FLAIR and the un-enhanced part of T1c are tissue mixtures with the field's contrast
   order (T2: CSF ≫ GM > WM; FLAIR: GM > WM ≫ CSF, the fluid suppressed; T1c: the T1), each
   tissue's level drawn per case within a range (Table in :data:`TISSUE_LEVELS`), so that a
   network trained on them does not learn one contrast.
2. **Mass effect.** The anatomy is pushed away from the tumour centre by a radial displacement
   of up to ``mass_effect`` × the tumour radius, decaying as a Gaussian of twice the radius.
3. **Glioma.** A lobulated body ``|x − c| / R + a·N(x) ≤ 1`` (N a smooth random field of unit
   standard deviation, a the lobulation): its inner part, ``≤ k``, is the necrotic/non-enhancing
   core (label 1), the shell between ``k`` and 1 the enhancing rim (label 4) — or, for a
   non-enhancing glioma (probability 0.15), core throughout — and the edema (label 2) reaches
   ``e`` further with its own irregular field, inside the brain and weighted to white matter,
   along which edema spreads.
4. **Contrast rules** (levels relative to white matter, drawn per case, :data:`TUMOUR_LEVELS`):
   edema bright on T2 and FLAIR and slightly dark on T1; the enhancing rim bright on T1c; the
   necrotic core dark on T1 and T1c, bright on T2, intermediate on FLAIR.
5. **Acquisition.** A smooth multiplicative bias field (a random quadratic polynomial, up to
   ±``bias`` across the head) per modality, Rician noise of ``noise`` × the white-matter level,
   skull-stripped (0 outside the brain) like BraTS, scaled to arbitrary scanner units.

Everything is drawn from ``numpy.random.default_rng(seed)``: one seed, one case, bit for bit.
:func:`write_brats_case` writes a case in the BraTS 2021 folder layout; :func:`write_cohort`
writes a cohort with its split (:data:`SPLIT`).
"""

from __future__ import annotations

import csv
import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy import ndimage

from .._extras import require
from ..errors import InputError
from ..io.atomic import atomic_path, check_output_path
from .labels import ED, ET, NCR

__all__ = [
    "MODALITIES",
    "SPLIT",
    "TISSUE_LEVELS",
    "TUMOUR_LEVELS",
    "GeneratedCase",
    "Glioma",
    "make_case",
    "split_of",
    "write_brats_case",
    "write_cohort",
]

#: The four BraTS modalities, in the order of the BraTS 2021 file suffixes.
MODALITIES = ("t1", "t1ce", "t2", "flair")

#: Ranges of the tissue levels per modality (white matter = 1), drawn uniformly per case.
TISSUE_LEVELS: dict[str, dict[str, tuple[float, float]]] = {
    "t2": {"gm": (1.25, 1.5), "csf": (2.6, 3.4)},
    "flair": {"gm": (1.15, 1.35), "csf": (0.15, 0.35)},
}

#: Ranges of the tumour levels per modality and label (white matter = 1), drawn per case.
TUMOUR_LEVELS: dict[str, dict[int, tuple[float, float]]] = {
    "t1": {NCR: (0.35, 0.6), ED: (0.75, 0.9), ET: (0.8, 1.0)},
    "t1ce": {NCR: (0.35, 0.6), ED: (0.75, 0.9), ET: (1.6, 2.4)},
    "t2": {NCR: (2.0, 2.8), ED: (1.7, 2.3), ET: (1.4, 1.9)},
    "flair": {NCR: (0.9, 1.4), ED: (1.7, 2.4), ET: (1.4, 1.9)},
}

#: The documented split of a generated cohort, by case index: the first 60 % train, the next
#: 20 % validation, the last 20 % test (for 100 cases: 0–59, 60–79, 80–99).
SPLIT = (("train", 0.6), ("val", 0.2), ("test", 0.2))


@dataclass(frozen=True)
class Glioma:
    """What was planted: the parameters drawn for one case.

    Attributes
    ----------
    centre_mm : tuple of 3 floats
        The tumour centre, MNI world millimetres.
    radius_mm : float
        R, the radius of the core and rim before lobulation.
    lobulation : float
        a, the weight of the smooth random field in the body's implicit function.
    core_fraction : float
        k, where the enhancing rim begins (0 < k < 1); 1 for a non-enhancing glioma.
    edema_mm : float
        How far the edema reaches beyond the rim, before its irregularity.
    mass_effect : float
        The largest displacement of the anatomy, as a fraction of R.
    levels : dict
        The tissue and tumour levels drawn (white matter = 1), per modality.
    """

    centre_mm: tuple[float, float, float]
    radius_mm: float
    lobulation: float
    core_fraction: float
    edema_mm: float
    mass_effect: float
    levels: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class GeneratedCase:
    """One generated case.

    Attributes
    ----------
    name : str
        ``BraTS2021_XXXXX`` style identifier.
    volumes : dict of str to numpy.ndarray
        ``float32`` volumes keyed by :data:`MODALITIES`.
    label : numpy.ndarray
        ``uint8`` BraTS codes 0, 1, 2, 4.
    affine : numpy.ndarray
        The voxel-to-world matrix (MNI152).
    glioma : Glioma
        The planted tumour's parameters.
    seed : int
        The seed it was drawn from.
    """

    name: str
    volumes: dict[str, np.ndarray]
    label: np.ndarray
    affine: np.ndarray
    glioma: Glioma
    seed: int

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size in mm."""
        s = np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0))
        return (float(s[0]), float(s[1]), float(s[2]))


@functools.lru_cache(maxsize=2)
def _anatomy(resolution: int) -> tuple[np.ndarray, ...]:
    """T1, GM, WM, CSF, affine and brain mask of the MNI152 template at ``resolution`` mm.

    Read once per resolution (a cohort draws every case from it) and returned read-only."""
    require("nilearn", extra="demo", what="generated glioma cases (the MNI152 template)")
    from nilearn import datasets

    from ..phantom import load_mni_templates

    t1, gm, wm = load_mni_templates(resolution)
    mask = datasets.load_mni152_brain_mask(resolution=resolution).get_fdata() > 0.5
    csf = np.clip(mask - gm - wm, 0.0, 1.0).astype(np.float32)
    arrays = (t1.array, gm, wm, csf, np.array(t1.affine, dtype=np.float64), mask)
    for a in arrays:
        a.flags.writeable = False
    return arrays


def _smooth_field(rng: np.random.Generator, shape: tuple[int, ...], sigma: float) -> np.ndarray:
    """A smooth random field of zero mean and unit standard deviation."""
    f = ndimage.gaussian_filter(rng.standard_normal(shape), sigma, mode="wrap")
    return (f - f.mean()) / max(float(f.std()), 1e-12)


def _bias(rng: np.random.Generator, shape: tuple[int, ...], amplitude: float) -> np.ndarray:
    """exp of a random quadratic polynomial over the grid, within ±``amplitude`` in log."""
    axes = [np.linspace(-1.0, 1.0, n) for n in shape]
    x, y, z = np.meshgrid(*axes, indexing="ij", sparse=True)
    terms = [x, y, z, x * x, y * y, z * z, x * y, y * z, x * z]
    c = rng.uniform(-1.0, 1.0, len(terms))
    poly = sum(ci * t for ci, t in zip(c, terms, strict=True))
    poly = poly / max(float(np.abs(poly).max()), 1e-12)
    return np.exp(amplitude * poly).astype(np.float32)


def _uniform(rng: np.random.Generator, lo_hi: tuple[float, float]) -> float:
    return float(rng.uniform(*lo_hi))


def _pick_centre(rng: np.random.Generator, wm: np.ndarray, radius_vox: float) -> np.ndarray:
    """A voxel deep in white matter, at least ``radius_vox`` inside the brain."""
    deep = ndimage.binary_erosion(wm > 0.5, iterations=max(1, int(radius_vox * 0.5)))
    candidates = np.argwhere(deep if deep.any() else wm > 0.5)
    return candidates[rng.integers(len(candidates))].astype(np.float64)


def make_case(
    seed: int,
    *,
    resolution: int = 1,
    radius_mm: tuple[float, float] = (10.0, 24.0),
    lobulation: tuple[float, float] = (0.1, 0.35),
    edema_mm: tuple[float, float] = (4.0, 18.0),
    mass_effect: tuple[float, float] = (0.0, 0.35),
    bias: float = 0.15,
    noise: float = 0.03,
    name: str | None = None,
) -> GeneratedCase:
    """Generate one BraTS-like case: four modalities and an exact label map.

    See the module docstring for the steps. At 1 mm (the MNI152 grid 197 × 233 × 189) a case
    takes a few seconds; at 2 mm well under one.

    Parameters
    ----------
    seed : int
        Everything random is drawn from ``numpy.random.default_rng(seed)``.
    resolution : int, optional
        1 or 2 mm (the MNI152 templates nilearn ships).
    radius_mm, lobulation, edema_mm, mass_effect : tuple of 2 floats, optional
        The ranges R, a, the edema reach and the mass effect are drawn from.
    bias : float, optional
        The bias field's largest log amplitude (0.15: about ±16 %).
    noise : float, optional
        The Rician noise level as a fraction of the white-matter level.
    name : str, optional
        Default ``f"BraTS2021_{seed:05d}"``.

    Returns
    -------
    GeneratedCase

    Raises
    ------
    InputError
        If ``resolution`` is not 1 or 2 or a range is empty or negative.
    MissingExtraError
        If nilearn is not installed.

    Examples
    --------
    >>> case = make_case(3, resolution=2)                  # doctest: +SKIP
    >>> sorted(case.volumes), sorted(np.unique(case.label).tolist())  # doctest: +SKIP
    (['flair', 't1', 't1ce', 't2'], [0, 1, 2, 4])
    """
    if resolution not in (1, 2):
        raise InputError(None, f"resolution must be 1 or 2 mm, got {resolution}")
    for what, (lo, hi) in (
        ("radius_mm", radius_mm),
        ("lobulation", lobulation),
        ("edema_mm", edema_mm),
        ("mass_effect", mass_effect),
    ):
        if not 0 <= lo <= hi:
            raise InputError(None, f"{what} must be a range 0 ≤ low ≤ high, got {(lo, hi)}")
    rng = np.random.default_rng(seed)
    t1, gm, wm, csf, affine, brain = _anatomy(resolution)
    shape = t1.shape
    vox = float(resolution)
    r_mm = _uniform(rng, radius_mm)
    centre = _pick_centre(rng, wm, r_mm / vox)
    g = Glioma(
        centre_mm=tuple(float(v) for v in (affine[:3, :3] @ centre + affine[:3, 3])),  # type: ignore[arg-type]
        radius_mm=r_mm,
        lobulation=_uniform(rng, lobulation),
        core_fraction=1.0 if rng.random() < 0.15 else _uniform(rng, (0.35, 0.7)),
        edema_mm=_uniform(rng, edema_mm),
        mass_effect=_uniform(rng, mass_effect),
    )
    grid = np.indices(shape, dtype=np.float32)
    offset = grid - centre.astype(np.float32)[:, None, None, None]
    dist = np.sqrt((offset**2).sum(axis=0)) * vox  # mm
    # 2. mass effect: sample the anatomy at x - u(x), u radial, Gaussian of 2R
    push = g.mass_effect * r_mm * np.exp(-((dist / (2.0 * r_mm)) ** 2)) / vox  # voxels
    coords = grid - push * offset / np.maximum(dist / vox, 1e-6)
    t1, gm, wm, csf, inside = (
        ndimage.map_coordinates(v, coords, order=1, mode="nearest").astype(np.float32)
        for v in (t1, gm, wm, csf, brain.astype(np.float32))
    )
    brain = inside > 0.5
    del coords, grid, offset
    # 3. glioma: lobulated body, core, rim and edema
    body = dist / r_mm + g.lobulation * _smooth_field(rng, shape, 6.0 / vox)
    reach = 1.0 + g.edema_mm / r_mm
    edema_body = dist / r_mm + 0.6 * _smooth_field(rng, shape, 8.0 / vox) * (reach - 1.0)
    label = np.zeros(shape, np.uint8)
    edema = (edema_body <= reach) & brain & ((wm > 0.3) | (body <= 1.15))
    label[edema] = ED
    tumour = (body <= 1.0) & brain
    label[tumour] = ET
    label[tumour & (body <= g.core_fraction)] = NCR
    # the largest connected part only: no islands of edema away from the body
    parts, n = ndimage.label(label > 0)
    if n > 1:
        sizes = ndimage.sum_labels(label > 0, parts, index=np.arange(1, n + 1))
        label[parts != 1 + int(np.argmax(sizes))] = 0
    # 1 + 4. tissue and tumour levels, per modality (white matter = 1)
    wm_t1 = float(np.median(t1[wm > 0.9]))
    base = {
        "t1": t1 / wm_t1,
        "t1ce": t1 / wm_t1,
    }
    levels: dict[str, dict[str, float]] = {"t1": {}, "t1ce": {}}
    for mod, tissue in TISSUE_LEVELS.items():
        lv = {name: _uniform(rng, lo_hi) for name, lo_hi in tissue.items()}
        levels[mod] = dict(lv)
        base[mod] = wm + lv["gm"] * gm + lv["csf"] * csf
    volumes: dict[str, np.ndarray] = {}
    smooth_label = {code: ndimage.gaussian_filter((label == code).astype(np.float32), 0.7 / vox)
                    for code in (NCR, ED, ET)}  # fmt: skip
    texture = 1.0 + 0.04 * _smooth_field(rng, shape, 2.0 / vox)
    for mod in MODALITIES:
        img = base[mod].astype(np.float32)
        share = sum(smooth_label.values())
        tumour_level = np.zeros(shape, np.float32)
        for code, weight in smooth_label.items():
            lv = _uniform(rng, TUMOUR_LEVELS[mod][code])
            levels[mod][f"label {code}"] = lv
            tumour_level += weight * lv
        img = img * (1.0 - share) + tumour_level * texture
        img *= _bias(rng, shape, bias)
        scale = float(rng.uniform(300.0, 1200.0))  # arbitrary scanner units for white matter
        sd = noise
        real = img + sd * rng.standard_normal(shape, dtype=np.float32)
        imag = sd * rng.standard_normal(shape, dtype=np.float32)
        img = np.sqrt(real * real + imag * imag) * scale
        img[~brain] = 0.0
        volumes[mod] = img.astype(np.float32)
    label[~brain] = 0
    g = Glioma(**{**g.__dict__, "levels": levels})
    return GeneratedCase(
        name=name or f"BraTS2021_{seed:05d}",
        volumes=volumes,
        label=label,
        affine=np.asarray(affine, np.float64),
        glioma=g,
        seed=seed,
    )


def _nifti_bytes(data: np.ndarray, affine: np.ndarray) -> bytes:
    """A gzipped NIfTI-1 file of ``data`` with a fixed gzip header (no time, no name)."""
    import gzip

    import nibabel as nib

    img = nib.Nifti1Image(data, affine)
    img.header.set_xyzt_units("mm")
    img.set_qform(affine, code=1)
    img.set_sform(affine, code=1)
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(img.to_bytes())
    return out.getvalue()


def write_brats_case(case: GeneratedCase, folder: str | os.PathLike[str]) -> Path:
    """Write ``case`` as ``folder/NAME/NAME_{t1,t1ce,t2,flair,seg}.nii.gz`` (BraTS 2021 layout).

    Files are written atomically and byte for byte the same for the same case (the gzip
    header carries no time or name).

    Parameters
    ----------
    case : GeneratedCase
        From :func:`make_case`.
    folder : path
        The cohort folder; the case folder is created in it.

    Returns
    -------
    pathlib.Path
        The case folder.

    Raises
    ------
    InputError
        If the case folder exists already as a file.
    """
    out = Path(folder) / case.name
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    files = {mod: case.volumes[mod] for mod in MODALITIES}
    files["seg"] = case.label
    for suffix, data in files.items():
        path = out / f"{case.name}_{suffix}.nii.gz"
        check_output_path(path)
        with atomic_path(path) as tmp:
            tmp.write_bytes(_nifti_bytes(data, case.affine))
    return out


def split_of(index: int, n: int) -> str:
    """The split of case ``index`` of a cohort of ``n`` (:data:`SPLIT`).

    Parameters
    ----------
    index, n : int
        The case's position and the cohort's size.

    Returns
    -------
    str
        ``"train"``, ``"val"`` or ``"test"``.

    Examples
    --------
    >>> [split_of(i, 10) for i in (0, 5, 6, 7, 8, 9)]
    ['train', 'train', 'val', 'val', 'test', 'test']
    """
    edge = 0.0
    for name, share in SPLIT:
        edge += share * n
        if index < round(edge):
            return name
    return SPLIT[-1][0]


def write_cohort(
    folder: str | os.PathLike[str],
    n: int,
    *,
    seed: int = 0,
    resolution: int = 1,
    progress: bool = False,
) -> Path:
    """Generate ``n`` cases (seeds ``seed`` … ``seed + n − 1``) in the BraTS layout, with a
    ``split.csv`` (case, split, seed, radius, core fraction, edema reach) beside them.

    Parameters
    ----------
    folder : path
        Where the case folders and ``split.csv`` go.
    n : int
        Number of cases (≥ 1).
    seed : int, optional
        The first case's seed.
    resolution : int, optional
        1 or 2 mm.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        The ``split.csv`` written.
    """
    if n < 1:
        raise InputError(None, f"a cohort needs at least one case, got {n}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    indices = range(n)
    if progress:
        from tqdm import tqdm

        indices = tqdm(indices, desc="cases", unit="case")
    for i in indices:
        case = make_case(seed + i, resolution=resolution)
        write_brats_case(case, folder)
        g = case.glioma
        rows.append(
            [case.name, split_of(i, n), seed + i, f"{g.radius_mm:.2f}", f"{g.core_fraction:.3f}",
             f"{g.edema_mm:.2f}"]
        )  # fmt: skip
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["case", "split", "seed", "radius_mm", "core_fraction", "edema_mm"])
    writer.writerows(rows)
    path = folder / "split.csv"
    with atomic_path(path) as tmp:
        tmp.write_text(text.getvalue(), encoding="utf-8")
    return path
