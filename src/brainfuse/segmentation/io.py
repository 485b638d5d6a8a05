"""Loaders for the layouts brain-tumour data come in: BraTS folders and the MSD's Task01.

- **BraTS 2018–2021**: one folder per case, ``NAME/NAME_{t1,t1ce,t2,flair}.nii.gz`` and, for
  training cases, ``NAME_seg.nii.gz`` with codes 0, 1, 2, 4 (Menze et al. 2015; Bakas et al.
  2017). **BraTS 2023** names them ``NAME-{t1n,t1c,t2w,t2f,seg}.nii.gz`` and codes ET as 3; both
  are read, ET becoming 4.
- **Medical Segmentation Decathlon, Task01_BrainTumour** (Antonelli et al. 2022, Nat. Commun.
  13:4128): ``imagesTr/BRATS_001.nii.gz`` is 4-D, channels FLAIR, T1w, T1gd, T2w (its
  ``dataset.json``), and ``labelsTr/BRATS_001.nii.gz`` codes 1 edema, 2 non-enhancing tumour,
  3 enhancing tumour, mapped here to the BraTS codes 2, 1, 4.

Every case comes out as a :class:`TumourCase`: the four volumes on one grid (their shapes and
affines checked equal), in the order :data:`~brainfuse.segmentation.cases.MODALITIES`, with
the label map when there is one. :func:`zscore` normalises a volume over its brain (non-zero)
voxels, as Liu et al. do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io import load
from .cases import MODALITIES
from .labels import ED, ET, NCR, check_labels

__all__ = [
    "BRATS_NAMES",
    "MSD_CHANNELS",
    "TumourCase",
    "find_cases",
    "load_brats_case",
    "load_msd_case",
    "zscore",
]

#: File suffixes of each modality in the BraTS layouts: 2018–2021 ``_x``, 2023 ``-x``.
BRATS_NAMES: dict[str, tuple[str, ...]] = {
    "t1": ("_t1", "-t1n"),
    "t1ce": ("_t1ce", "-t1c"),
    "t2": ("_t2", "-t2w"),
    "flair": ("_flair", "-t2f"),
    "seg": ("_seg", "-seg"),
}
#: The MSD Task01 channel order (its dataset.json), as BraTS modality names.
MSD_CHANNELS = ("flair", "t1", "t1ce", "t2")
#: MSD Task01 label code -> BraTS code.
_MSD_TO_BRATS = np.array([0, ED, NCR, ET], dtype=np.uint8)
#: Tolerance on affine entries when checking that volumes share a grid (mm).
_GRID_TOL = 1e-3


@dataclass(frozen=True)
class TumourCase:
    """The four MRI volumes of one case on one grid, and its labels when known.

    Attributes
    ----------
    name : str
        The case identifier.
    volumes : dict of str to numpy.ndarray
        ``float32`` volumes keyed ``t1``, ``t1ce``, ``t2``, ``flair``.
    affine : numpy.ndarray
        The voxel-to-world matrix shared by all of them.
    label : numpy.ndarray or None
        ``uint8`` BraTS codes 0, 1, 2, 4, or None.
    source : str
        The folder or file it was read from.
    header : object or None
        The NIfTI header of the first modality (kept for outputs on the same grid).
    """

    name: str
    volumes: dict[str, np.ndarray]
    affine: np.ndarray
    label: np.ndarray | None
    source: str
    header: object | None = None

    @property
    def shape(self) -> tuple[int, int, int]:
        """The grid's shape."""
        return self.volumes["t1"].shape  # type: ignore[return-value]

    @property
    def spacing(self) -> tuple[float, float, float]:
        """Voxel size in mm."""
        s = np.sqrt((self.affine[:3, :3] ** 2).sum(axis=0))
        return (float(s[0]), float(s[1]), float(s[2]))

    def stack(self, order: tuple[str, ...] = MODALITIES) -> np.ndarray:
        """The volumes as one ``(C, X, Y, Z)`` array, z-scored (:func:`zscore`), in ``order``."""
        return np.stack([zscore(self.volumes[m]) for m in order]).astype(np.float32)


def zscore(volume: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Subtract the mean and divide by the standard deviation over the brain; 0 outside.

    Parameters
    ----------
    volume : numpy.ndarray
        An MRI volume.
    mask : numpy.ndarray of bool, optional
        The brain (default: the non-zero voxels, as BraTS volumes are skull-stripped).

    Returns
    -------
    numpy.ndarray
        ``float32``; a constant brain gives 0.

    Examples
    --------
    >>> zscore(np.array([0.0, 1.0, 3.0])).tolist()
    [0.0, -1.0, 1.0]
    """
    v = np.asarray(volume, dtype=np.float64)
    m = v != 0 if mask is None else np.asarray(mask, dtype=bool)
    out = np.zeros(v.shape, np.float32)
    if not m.any():
        return out
    sd = float(v[m].std())
    out[m] = (v[m] - v[m].mean()) / sd if sd > 0 else 0.0
    return out


def _file(folder: Path, name: str, key: str) -> Path | None:
    for suffix in BRATS_NAMES[key]:
        for ext in (".nii.gz", ".nii"):
            path = folder / f"{name}{suffix}{ext}"
            if path.is_file():
                return path
    return None


def _volume(path: Path, max_pixels: int | None) -> tuple[np.ndarray, np.ndarray, object]:
    image = load(path, modality="MRI", max_pixels=max_pixels)
    if image.ndim != 3:
        raise InputError(path, f"not a 3D volume (shape {image.shape})")
    data = image.array
    if not np.isfinite(data).all():
        raise InputError(path, "contains NaN or infinite values")
    return data, np.asarray(image.affine, np.float64), image.meta.get("nifti_header")


def _check_grid(path: Path, shape: tuple, affine: np.ndarray, ref: tuple) -> None:
    ref_path, ref_shape, ref_affine = ref
    if shape != ref_shape:
        raise InputError(path, f"grid {shape} differs from {ref_path.name}'s {ref_shape}")
    if not np.allclose(affine, ref_affine, atol=_GRID_TOL):
        raise InputError(path, f"header (affine) differs from {ref_path.name}'s: another grid")


def load_brats_case(
    folder: str | os.PathLike[str],
    *,
    labels: bool = True,
    max_pixels: int | None = None,
) -> TumourCase:
    """Read one BraTS case folder (2018–2021 or 2023 names).

    Parameters
    ----------
    folder : path
        The case folder; the case's name is the folder's.
    labels : bool, optional
        Read the ``seg`` file when present (default True).
    max_pixels : int, optional
        Refuse volumes with more voxels than this.

    Returns
    -------
    TumourCase

    Raises
    ------
    InputError
        If the folder or a modality is missing, a file is unreadable, 2D, holds NaN, the grids
        or headers differ, or the label map holds other codes.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no such case folder")
    name = folder.name
    volumes: dict[str, np.ndarray] = {}
    ref = None
    header = None
    for mod in MODALITIES:
        path = _file(folder, name, mod)
        if path is None:
            want = " or ".join(f"{name}{s}.nii.gz" for s in BRATS_NAMES[mod])
            raise InputError(folder, f"missing modality {mod}: no {want}")
        data, affine, head = _volume(path, max_pixels)
        if ref is None:
            ref, header = (path, data.shape, affine), head
        else:
            _check_grid(path, data.shape, affine, ref)
        volumes[mod] = data
    label = None
    seg = _file(folder, name, "seg") if labels else None
    if seg is not None:
        data, affine, _ = _volume(seg, max_pixels)
        _check_grid(seg, data.shape, affine, ref)  # type: ignore[arg-type]
        label = check_labels(np.rint(data), str(seg))
    return TumourCase(name, volumes, ref[2], label, str(folder), header)  # type: ignore[index]


def find_cases(folder: str | os.PathLike[str]) -> list[Path]:
    """The BraTS case folders under ``folder`` (itself, or its sub-folders), sorted.

    A case folder holds ``NAME_flair.nii.gz`` or ``NAME-t2f.nii.gz`` with its own name.

    Parameters
    ----------
    folder : path
        A case folder or a cohort folder.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    InputError
        If ``folder`` is not a folder or holds no case.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "no such folder")
    candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]
    cases = [p for p in candidates if _file(p, p.name, "flair") is not None]
    if not cases:
        raise InputError(folder, "holds no BraTS case (NAME/NAME_flair.nii.gz or NAME-t2f)")
    return cases


def _read_4d(path: Path, max_pixels: int | None) -> tuple[np.ndarray, np.ndarray, object]:
    """A 4-D NIfTI's data ``(X, Y, Z, C)``, affine and header; one-line errors."""
    from ..io.nifti import read_nibabel
    from ..io.readers import max_pixels_default

    if not path.is_file():
        raise InputError(path, "no such file")
    limit = 4 * (max_pixels or max_pixels_default())  # four channels
    img = read_nibabel(path, max_pixels=limit)
    shape = img.shape
    if len(shape) != 4:
        raise InputError(path, f"not a 4-D volume (shape {shape}); MSD Task01 images are 4-D")
    if int(np.prod(shape)) > limit:
        raise InputError(path, f"{int(np.prod(shape))} voxels exceed the limit {limit}")
    try:
        data = np.asarray(img.dataobj, dtype=np.float32)
    except Exception as exc:  # nibabel raises many types for bad data
        raise InputError(path, f"truncated or corrupt data ({type(exc).__name__})") from None
    if not np.isfinite(data).all():
        raise InputError(path, "contains NaN or infinite values")
    return data, np.asarray(img.affine, np.float64), img.header


def load_msd_case(
    image: str | os.PathLike[str],
    label: str | os.PathLike[str] | None = None,
    *,
    max_pixels: int | None = None,
) -> TumourCase:
    """Read one Medical Segmentation Decathlon Task01 case (4-D image, optional labels).

    Parameters
    ----------
    image : path
        ``imagesTr/BRATS_XXX.nii.gz``: 4 channels FLAIR, T1w, T1gd, T2w.
    label : path, optional
        ``labelsTr/BRATS_XXX.nii.gz``: codes 0–3 (MSD), returned as BraTS codes.
    max_pixels : int, optional
        Refuse images with more voxels per channel than this.

    Returns
    -------
    TumourCase

    Raises
    ------
    InputError
        If a file is missing or unreadable, not 4-D with 4 channels, the label's grid differs,
        or the label holds codes other than 0–3.
    """
    image = Path(image)
    data, affine, header = _read_4d(image, max_pixels)
    if data.shape[3] != len(MSD_CHANNELS):
        raise InputError(
            image, f"has {data.shape[3]} channels; Task01 has 4 (FLAIR, T1w, T1gd, T2w)"
        )
    volumes = {mod: np.ascontiguousarray(data[..., c]) for c, mod in enumerate(MSD_CHANNELS)}
    volumes = {mod: volumes[mod] for mod in MODALITIES}
    codes = None
    if label is not None:
        label = Path(label)
        lab, lab_affine, _ = _volume(label, max_pixels)
        _check_grid(label, lab.shape, lab_affine, (image, data.shape[:3], affine))
        raw = np.rint(lab)
        if raw.min() < 0 or raw.max() > 3:
            raise InputError(label, "label map holds codes other than 0–3 (MSD Task01)")
        codes = _MSD_TO_BRATS[raw.astype(np.intp)]
    name = image.name.removesuffix(".gz").removesuffix(".nii")
    return TumourCase(name, volumes, affine, codes, str(image), header)
