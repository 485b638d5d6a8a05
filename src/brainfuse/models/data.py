"""Training data for fusion networks: registered slice pairs from a split, and random patches.

The folder layout is that of the Harvard Whole Brain Atlas collection (``harvard-aanlib``):
``<root>/<pairset>/<MODALITY>/<file>.png`` with pair sets ``CT-MRI``, ``PET-MRI`` and
``SPECT-MRI`` (the name lists the functional modality, then ``MRI``), and a ``split.csv`` with
columns ``pairset,file,case,slice,split`` that assigns every case to ``train``, ``val`` or
``benchmark-overlap`` (cases whose slices also occur in the public CDDFuse test set; training on
them would leak test images, so :func:`load_pairs` refuses that split).

Each pair becomes two ``float32`` arrays on the 0..1 scale: ``a`` the MRI, ``b`` the functional
image or CT, pseudo-colour images reduced to their BT.601 luminance (the channel the colour path
of :func:`brainfuse.color.fuse_luminance` fuses).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import InputError
from ..io.tables import read_table

__all__ = [
    "FORBIDDEN_SPLITS",
    "PAIRSETS",
    "PairSet",
    "PatchSampler",
    "load_pairs",
]

#: Pair sets of ``harvard-aanlib``: folder name -> (anatomical folder, functional/CT folder).
PAIRSETS: dict[str, tuple[str, str]] = {
    "CT-MRI": ("MRI", "CT"),
    "PET-MRI": ("MRI", "PET"),
    "SPECT-MRI": ("MRI", "SPECT"),
}

#: Splits that must never be used for training or model selection.
FORBIDDEN_SPLITS = ("benchmark-overlap",)


@dataclass
class PairSet:
    """Registered pairs in memory, on the 0..1 scale.

    Parameters
    ----------
    a : list of numpy.ndarray
        The MRIs, float32 on 0..1.
    b : list of numpy.ndarray
        The PET, SPECT or CT images, float32 on 0..1, each of its MRI's shape.
    names : list of str
        ``"<pair set>/<file>"`` of each pair.
    description : dict, optional
        What the manifest records about the data.
    files : list of pathlib.Path, optional
        The image files read (both of each pair), when the pairs came from files.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.models.data import PairSet
    >>> pairs = PairSet([np.zeros((4, 4), np.float32)], [np.ones((4, 4), np.float32)], ["x/1.png"])
    >>> len(pairs), pairs.pixels()
    (1, 16)
    """

    a: list[np.ndarray]
    b: list[np.ndarray]
    names: list[str]
    description: dict[str, Any] = field(default_factory=dict)
    #: The image files read (both of each pair), when the pairs came from files.
    files: list[Path] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.a)

    def pixels(self) -> int:
        """Total number of pixels over all pairs (one image of each pair).

        Returns
        -------
        pixels : int
        """
        return int(sum(x.size for x in self.a))


def _grey01(path: Path) -> np.ndarray:
    from ..io import load

    img = load(path)
    if img.is_volume:
        raise InputError(path, "training pairs must be 2D slices")
    return (img.grey() / np.float32(255.0)).astype(np.float32)


def load_pairs(
    root: str | Path,
    split: str = "train",
    pairsets: Sequence[str] = tuple(PAIRSETS),
) -> PairSet:
    """All pairs of ``split`` in ``pairsets`` from a ``harvard-aanlib``-style folder.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder, with ``split.csv`` (columns ``pairset``, ``file``, ``split``) and one folder
        per pair set.
    split : str, optional
        The split to load (default ``"train"``; ``benchmark-overlap`` is refused).
    pairsets : sequence of str, optional
        Pair sets to load (default all: ``CT-MRI``, ``PET-MRI``, ``SPECT-MRI``).

    Returns
    -------
    pairs : PairSet
        Grey images (colour ones reduced to luma) on 0..1.

    Raises
    ------
    InputError
        For a missing folder or ``split.csv``, a ``split.csv`` that is not UTF-8 CSV text with the
        columns ``pairset``, ``file`` and ``split``, an unknown pair set, the forbidden split
        ``benchmark-overlap``, a split with no pairs, or a listed image that is missing or
        unreadable.
    """
    root = Path(root)
    if split in FORBIDDEN_SPLITS:
        raise InputError(
            root / "split.csv",
            f"split '{split}' overlaps the CDDFuse test set and is never used for training",
        )
    table = root / "split.csv"
    if not table.is_file():
        raise InputError(table, "split table not found (expected pairset,file,case,slice,split)")
    unknown = [p for p in pairsets if p not in PAIRSETS]
    if unknown:
        raise InputError(None, f"unknown pair set {unknown[0]!r}; valid: {', '.join(PAIRSETS)}")
    rows = [
        r
        for _, r in read_table(table, _SPLIT_COLUMNS)
        if r["split"] == split and r["pairset"] in pairsets
    ]
    if not rows:
        raise InputError(table, f"no pairs of split '{split}' in pair sets {list(pairsets)}")
    rows.sort(key=lambda r: (r["pairset"], r["file"]))
    a, b, names, files = [], [], [], []
    for r in rows:
        anat, func = PAIRSETS[r["pairset"]]
        pa = root / r["pairset"] / anat / r["file"]
        pb = root / r["pairset"] / func / r["file"]
        for path in (pa, pb):
            if not path.is_file():
                raise InputError(path, f"listed in {table.name} but not found")
        xa, xb = _grey01(pa), _grey01(pb)
        if xa.shape != xb.shape:
            raise InputError(pb, f"shape {xb.shape} differs from {pa} shape {xa.shape}")
        a.append(xa)
        b.append(xb)
        names.append(f"{r['pairset']}/{r['file']}")
        files += [pa, pb]
    counts = {p: sum(n.startswith(p + "/") for n in names) for p in pairsets}
    desc = {"root": root.name, "split": split, "pairsets": counts, "pairs": len(names)}
    return PairSet(a, b, names, desc, files)


#: Columns of ``split.csv`` that :func:`load_pairs` reads.
_SPLIT_COLUMNS = ("pairset", "file", "split")


class PatchSampler:
    """Random square patches of registered pairs, reproducible from ``(seed, step)`` alone.

    Batch ``k`` is drawn with a generator seeded by ``[seed, k]``, so a resumed run sees the
    same batches as an uninterrupted one. Each patch comes from a random pair at a random
    position, under a random one of the 8 flips/rotations of the square; patches where both
    images are entirely 0 (pure background) are redrawn up to 8 times.

    Parameters
    ----------
    pairs : PairSet
        The pairs to cut patches from; every image must be at least ``patch`` on each side.
    patch : int
        Side of the square patches in pixels.
    batch_size : int
        Patches per batch.
    seed : int, optional
        Seed of the patch positions and orientations (default 0).

    Raises
    ------
    InputError
        If there are no pairs, or an image is smaller than the patch.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.models.data import PairSet, PatchSampler
    >>> pairs = PairSet([np.ones((32, 32), np.float32)], [np.ones((32, 32), np.float32)], ["x"])
    >>> a, b = PatchSampler(pairs, patch=16, batch_size=2).batch(0)
    >>> a.shape, float(a.max())
    (torch.Size([2, 1, 16, 16]), 1.0)
    """

    def __init__(self, pairs: PairSet, *, patch: int, batch_size: int, seed: int = 0) -> None:
        if len(pairs) == 0:
            raise InputError(None, "no training pairs")
        small = [n for n, x in zip(pairs.names, pairs.a, strict=True) if min(x.shape) < patch]
        if small:
            raise InputError(small[0], f"image is smaller than the {patch}x{patch} patch size")
        self.pairs = pairs
        self.patch = patch
        self.batch_size = batch_size
        self.seed = seed

    def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Batch number ``step``.

        Parameters
        ----------
        step : int
            The batch index; the batch depends only on ``(seed, step)``.

        Returns
        -------
        a, b : torch.Tensor
            ``(batch_size, 1, patch, patch)`` float32 each.
        """
        rng = np.random.default_rng([self.seed, step])
        p = self.patch
        out_a = np.empty((self.batch_size, 1, p, p), np.float32)
        out_b = np.empty_like(out_a)
        for n in range(self.batch_size):
            for _ in range(8):
                i = int(rng.integers(len(self.pairs)))
                h, w = self.pairs.a[i].shape
                y, x = int(rng.integers(h - p + 1)), int(rng.integers(w - p + 1))
                pa = self.pairs.a[i][y : y + p, x : x + p]
                pb = self.pairs.b[i][y : y + p, x : x + p]
                if pa.any() or pb.any():
                    break
            k, flip = int(rng.integers(4)), bool(rng.integers(2))
            for src, dst in ((pa, out_a), (pb, out_b)):
                q = np.rot90(src, k)
                dst[n, 0] = q[:, ::-1] if flip else q
        return torch.from_numpy(out_a), torch.from_numpy(out_b)

    def fixed_batches(self, count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """``count`` batches that depend only on the seed (for validation).

        Parameters
        ----------
        count : int
            The number of batches.

        Returns
        -------
        batches : list of tuple of torch.Tensor
        """
        return [self.batch(k) for k in range(count)]

    def epochs(self, steps: int) -> float:
        """Epochs seen in ``steps`` batches: their pixels divided by the pixels of all pairs.

        Parameters
        ----------
        steps : int
            Optimiser steps.

        Returns
        -------
        epochs : float

        Examples
        --------
        >>> import numpy as np
        >>> from brainfuse.models.data import PairSet, PatchSampler
        >>> pairs = PairSet([np.ones((32, 32), np.float32)], [np.ones((32, 32), np.float32)], ["x"])
        >>> PatchSampler(pairs, patch=16, batch_size=2).epochs(4)
        2.0
        """
        return steps * self.batch_size * self.patch**2 / self.pairs.pixels()
