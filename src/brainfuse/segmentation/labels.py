"""BraTS label codes and the regions the BraTS evaluation scores.

The BraTS 2017–2021 label files code 0 = background, 1 = necrotic and non-enhancing tumour core
(NCR/NET), 2 = peritumoral edema (ED), 4 = enhancing tumour (ET) (Menze et al. 2015, IEEE TMI
34:1993; Bakas et al. 2017, Sci. Data 4:170117). BraTS 2023 writes ET as 3. The evaluation
scores three nested regions: whole tumour WT = {1, 2, 4}, tumour core TC = {1, 4} and
ET = {4}.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError

__all__ = [
    "ED",
    "ET",
    "LABELS",
    "NCR",
    "REGIONS",
    "assemble",
    "check_labels",
    "regions",
    "small_et_to_ncr",
]

#: Necrotic and non-enhancing tumour core.
NCR = 1
#: Peritumoral edema.
ED = 2
#: Enhancing tumour.
ET = 4
#: The codes a BraTS label file may hold.
LABELS = (0, NCR, ED, ET)
#: The scored regions and the codes each unites.
REGIONS = {"WT": (NCR, ED, ET), "TC": (NCR, ET), "ET": (ET,)}


def check_labels(label: np.ndarray, source: str | None = None) -> np.ndarray:
    """``label`` as ``uint8`` after checking it holds only BraTS codes.

    Parameters
    ----------
    label : numpy.ndarray
        A label map; BraTS 2023's ET code 3 is read as 4.
    source : str, optional
        The file it came from, for the error message.

    Returns
    -------
    numpy.ndarray
        ``uint8`` with values in {0, 1, 2, 4}.

    Raises
    ------
    InputError
        If it holds NaN, fractions or codes outside {0, 1, 2, 3, 4}.

    Examples
    --------
    >>> check_labels(np.array([0.0, 1, 2, 3])).tolist()
    [0, 1, 2, 4]
    """
    values = np.asarray(label)
    if values.dtype.kind == "f" and not np.isfinite(values).all():
        raise InputError(source, "label map contains NaN or infinite values")
    codes = np.unique(values)
    bad = [c for c in codes.tolist() if c not in (0, 1, 2, 3, 4)]
    if bad:
        shown = ", ".join(f"{c:g}" for c in bad[:5])
        raise InputError(source, f"label map holds codes other than 0, 1, 2, 4 (BraTS): {shown}")
    out = values.astype(np.uint8)
    out[out == 3] = ET
    return out


def regions(label: np.ndarray) -> dict[str, np.ndarray]:
    """The WT, TC and ET masks of a BraTS label map.

    Parameters
    ----------
    label : numpy.ndarray
        Codes 0, 1, 2, 4.

    Returns
    -------
    dict of str to numpy.ndarray
        Boolean masks keyed ``"WT"``, ``"TC"``, ``"ET"``.

    Examples
    --------
    >>> {k: v.astype(int).tolist() for k, v in regions(np.array([0, 1, 2, 4])).items()}
    {'WT': [0, 1, 1, 1], 'TC': [0, 1, 0, 1], 'ET': [0, 0, 0, 1]}
    """
    label = np.asarray(label)
    return {name: np.isin(label, codes) for name, codes in REGIONS.items()}


def assemble(wt: np.ndarray, tc: np.ndarray, et: np.ndarray) -> np.ndarray:
    """A BraTS label map from region masks: ET where ET, NCR where TC but not ET, ED where WT
    but not TC (the label assembly of Liu et al.'s two stages).

    Parameters
    ----------
    wt, tc, et : numpy.ndarray
        Boolean masks of one shape; a voxel of TC or ET counts as WT even where ``wt`` is False.

    Returns
    -------
    numpy.ndarray
        ``uint8`` codes 0, 1, 2, 4.

    Examples
    --------
    >>> assemble(np.array([1, 1, 1, 0]), np.array([0, 1, 1, 0]), np.array([0, 0, 1, 0])).tolist()
    [2, 1, 4, 0]
    """
    wt, tc, et = (np.asarray(m, dtype=bool) for m in (wt, tc, et))
    out = np.zeros(wt.shape, np.uint8)
    out[wt | tc | et] = ED
    out[tc | et] = NCR
    out[et] = ET
    return out


def small_et_to_ncr(label: np.ndarray, min_voxels: int = 500) -> np.ndarray:
    """Relabel a predicted ET smaller than ``min_voxels`` as NCR/NET.

    A post-processing rule of the BraTS literature that Liu et al. apply (after Isensee et al.
    2020): a case predicted with fewer than 500 ET voxels most often has none, and a false ET
    costs its Dice fully.

    Parameters
    ----------
    label : numpy.ndarray
        A predicted BraTS label map.
    min_voxels : int, optional
        The threshold (default 500).

    Returns
    -------
    numpy.ndarray
        A copy with ET turned into NCR when the ET count is below the threshold.

    Examples
    --------
    >>> small_et_to_ncr(np.array([4, 4, 2]), min_voxels=3).tolist()
    [1, 1, 2]
    """
    out = np.array(label, dtype=np.uint8, copy=True)
    if np.count_nonzero(out == ET) < min_voxels:
        out[out == ET] = NCR
    return out
