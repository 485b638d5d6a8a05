"""Axial 2D slices of a BraTS-layout cohort, for 2D segmentation networks (Xu et al. 2022).

Xu et al. train a 2D network on BraTS slices with the four modalities as channels; the article
does not say how slices are drawn. :class:`TumourSlices` reads the cases of one split of a cohort
(``split.csv`` as :func:`~brainfuse.segmentation.cases.write_cohort` writes it; every case of the
folder when there is none), z-scores each modality over the brain
(:func:`~brainfuse.segmentation.io.zscore`) and serves ``size × size`` windows of axial slices
with the WT, TC and ET masks (:func:`~brainfuse.segmentation.labels.regions`).

**Sampling rule** (batch ``k`` depends only on the seed and ``k``, drawn from
``numpy.random.default_rng([seed, k])``): for each item a case is drawn uniformly; with
probability ``tumour_fraction`` (default 0.8) a slice is drawn uniformly among that case's slices
holding whole tumour, otherwise among all its slices holding brain. A slice larger than the
window is cut to a window centred on the slice's tumour (on its brain when it has none), shifted
by a uniform jitter of up to a quarter window and kept inside the slice; a smaller one is padded
with zeros (the background value after z-scoring). Over-sampling tumour slices is what 2D BraTS
pipelines do: about 15 % of the axial slices of a BraTS case hold tumour.

Volumes are kept in memory as ``float16`` (z-scored values need no more), cropped to the slices
holding brain: a 2 mm case takes about 4 MB.
"""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from .cases import MODALITIES
from .io import find_cases, load_brats_case
from .labels import regions

__all__ = ["REGION_ORDER", "SliceCase", "TumourSlices", "cohort_listing", "read_split"]

#: The output channels of the 2D networks: the BraTS regions, nested.
REGION_ORDER = ("WT", "TC", "ET")


def read_split(folder: str | os.PathLike[str]) -> dict[str, str]:
    """Case name → split from ``folder/split.csv``; every case ``"train"`` when there is none.

    Parameters
    ----------
    folder : path
        A cohort folder.

    Returns
    -------
    dict of str to str

    Raises
    ------
    InputError
        If ``split.csv`` is unreadable or lacks the ``case`` and ``split`` columns, or the
        folder holds no case.
    """
    folder = Path(folder)
    path = folder / "split.csv"
    if not path.is_file():
        return {p.name: "train" for p in find_cases(folder)}
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"unreadable split file ({exc})") from None
    if not rows or not {"case", "split"} <= set(rows[0]):
        raise InputError(path, "needs the columns 'case' and 'split'")
    return {r["case"]: r["split"] for r in rows}


def cohort_listing(folder: str | os.PathLike[str], names: list[str]) -> dict[str, object]:
    """What a manifest records of the data: the folder, the cases and a SHA-256 of their files.

    Parameters
    ----------
    folder : path
        The cohort folder.
    names : list of str
        The cases used.

    Returns
    -------
    dict
        ``folder``, ``cases`` and ``sha256`` (over the file names and bytes, in sorted order,
        with ``split.csv`` when present).
    """
    folder = Path(folder)
    h = hashlib.sha256()
    files = sorted(p for n in names for p in (folder / n).iterdir() if p.is_file())
    if (folder / "split.csv").is_file():
        files.append(folder / "split.csv")
    for p in files:
        h.update(str(p.relative_to(folder)).encode())
        h.update(p.read_bytes())
    return {"folder": str(folder.resolve()), "cases": list(names), "sha256": h.hexdigest()}


@dataclass(frozen=True)
class SliceCase:
    """One case held for slicing.

    Attributes
    ----------
    name : str
        The case.
    image : numpy.ndarray
        ``(4, X, Y, Z)`` ``float16``, z-scored, modalities in :data:`~.cases.MODALITIES` order.
    masks : numpy.ndarray
        ``(3, X, Y, Z)`` ``bool``: WT, TC, ET.
    tumour_slices, brain_slices : numpy.ndarray
        Indices along Z of the slices holding whole tumour and brain.
    """

    name: str
    image: np.ndarray
    masks: np.ndarray
    tumour_slices: np.ndarray
    brain_slices: np.ndarray


def _slice_case(name: str, stack: np.ndarray, label: np.ndarray) -> SliceCase:
    brain = np.any(stack != 0, axis=0)
    z_brain = np.flatnonzero(brain.any(axis=(0, 1)))
    if z_brain.size == 0:
        raise InputError(name, "holds no brain (all modalities are 0)")
    r = regions(label)
    masks = np.stack([r[k] for k in REGION_ORDER])
    z_tumour = np.flatnonzero(masks[0].any(axis=(0, 1)))
    return SliceCase(name, stack.astype(np.float16), masks, z_tumour, z_brain)


class TumourSlices:
    """Seeded batches of axial slices of one split of a BraTS-layout cohort.

    Parameters
    ----------
    folder : path
        The cohort folder (case folders and ``split.csv``).
    split : str, optional
        The split to read (default ``"train"``).
    size : int, optional
        Side of the square window served (default 128; ≥ 32).
    tumour_fraction : float, optional
        Probability that an item is drawn among the slices holding tumour (default 0.8).
    seed : int, optional
        Seed of the draws (default 0).

    Raises
    ------
    InputError
        If the split names no case, a case is unreadable or holds no label map.

    Examples
    --------
    >>> import tempfile
    >>> from brainfuse.segmentation.cases import write_cohort
    >>> folder = tempfile.mkdtemp()
    >>> _ = write_cohort(folder, 1, resolution=2)  # doctest: +SKIP
    >>> x, y = TumourSlices(folder, size=64).batch(0, 2)  # doctest: +SKIP
    >>> x.shape, y.shape  # doctest: +SKIP
    ((2, 4, 64, 64), (2, 3, 64, 64))
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        split: str = "train",
        *,
        size: int = 128,
        tumour_fraction: float = 0.8,
        seed: int = 0,
    ) -> None:
        if not isinstance(size, int) or size < 32:
            raise InputError("size", f"must be a whole number ≥ 32, got {size!r}")
        if not 0.0 <= tumour_fraction <= 1.0:
            raise InputError("tumour_fraction", f"must be in [0, 1], got {tumour_fraction!r}")
        self.folder = Path(folder)
        self.split = split
        self.size = size
        self.tumour_fraction = float(tumour_fraction)
        self.seed = int(seed)
        names = sorted(n for n, s in read_split(self.folder).items() if s == split)
        if not names:
            raise InputError(self.folder, f"no case of split '{split}'")
        self.names = names
        self.cases: list[SliceCase] = []
        for name in names:
            case = load_brats_case(self.folder / name)
            if case.label is None:
                raise InputError(self.folder / name, "has no label map (NAME_seg.nii.gz)")
            self.cases.append(_slice_case(name, case.stack(MODALITIES), case.label))

    def __len__(self) -> int:
        return len(self.cases)

    def describe(self) -> dict[str, object]:
        """The data as a manifest records it (:func:`cohort_listing` and the split)."""
        return {"split": self.split, **cohort_listing(self.folder, self.names)}

    def _window(self, case: SliceCase, z: int, rng: np.random.Generator) -> tuple:
        """``(image, masks)`` of slice ``z`` cut or padded to ``size × size``."""
        img = case.image[..., z].astype(np.float32)
        msk = case.masks[..., z]
        focus = msk[0] if msk[0].any() else np.any(img != 0, axis=0)
        centre = np.argwhere(focus).mean(axis=0)
        out_img = np.zeros((img.shape[0], self.size, self.size), np.float32)
        out_msk = np.zeros((msk.shape[0], self.size, self.size), np.float32)
        src, dst = [], []
        for ax in (0, 1):
            n = img.shape[1 + ax]
            if n <= self.size:
                lo = (self.size - n) // 2
                src.append(slice(0, n))
                dst.append(slice(lo, lo + n))
            else:
                jitter = rng.uniform(-0.25, 0.25) * self.size
                start = round(centre[ax] + jitter - self.size / 2)
                start = min(max(start, 0), n - self.size)
                src.append(slice(start, start + self.size))
                dst.append(slice(0, self.size))
        out_img[:, dst[0], dst[1]] = img[:, src[0], src[1]]
        out_msk[:, dst[0], dst[1]] = msk[:, src[0], src[1]]
        return out_img, out_msk

    def items(self, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` windows drawn by the sampling rule from ``rng``: images ``(n, 4, S, S)`` and
        masks ``(n, 3, S, S)``, ``float32``."""
        xs, ys = [], []
        for _ in range(n):
            case = self.cases[int(rng.integers(len(self.cases)))]
            pool = case.brain_slices
            if case.tumour_slices.size and rng.random() < self.tumour_fraction:
                pool = case.tumour_slices
            x, y = self._window(case, int(pool[rng.integers(pool.size)]), rng)
            xs.append(x)
            ys.append(y)
        return np.stack(xs), np.stack(ys)

    def batch(self, step: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Batch number ``step``: a function of the seed and ``step`` only.

        Parameters
        ----------
        step : int
            The batch's number.
        batch_size : int
            Items in it.

        Returns
        -------
        tuple of numpy.ndarray
            Images ``(B, 4, S, S)`` and masks ``(B, 3, S, S)``.
        """
        return self.items(np.random.default_rng([self.seed, int(step)]), batch_size)

    def fixed(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``n`` windows that stay the same for a seed (a validation set).

        Parameters
        ----------
        n : int
            Number of windows.

        Returns
        -------
        tuple of numpy.ndarray
            Images ``(n, 4, S, S)`` and masks ``(n, 3, S, S)``.
        """
        return self.items(np.random.default_rng([self.seed, 2**32]), n)
