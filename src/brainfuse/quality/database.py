"""MOS databases: the CSV format, its loader, and a database "like MMIFID" built here.

**The format** (what a site with radiologists' scores writes): a CSV file with a header and the
columns ``source_a``, ``source_b``, ``fused`` and ``mos``, one fused image per line. Paths are
relative to the CSV's folder (absolute paths work too); ``mos`` is the mean opinion score on
the radiologists' scale of Tang et al., 1 (worst) to 5 (best), any real number in between. An
optional ``split`` column (``train``, ``val``, ``test``) says which lines train, select the
checkpoint and test; without it every line trains. Other columns are kept but not read. Images
may be any size and grey or colour: they are reduced to BT.601 luminance and resampled to
128×128 (the size of Tang et al.'s networks) when loaded.

**The database built here** (:func:`brainfuse.quality.builder.build_database`), because
MMIFID (Tang et al.: 120 AANLIB pairs × 10 fusion algorithms, scored by radiologists) is not
public:

- source pairs: Harvard Whole Brain Atlas slices of ``harvard-aanlib`` — its ``train`` split
  for training, except one case per pair set kept for checkpoint selection; its ``val`` split,
  whose cases are never trained on, for held-out testing; never ``benchmark-overlap`` — and
  phantom cases with known truth (:mod:`brainfuse.quality.proxy`);
- fused by :data:`DEFAULT_METHODS` (12 registered classical methods of BrainFuse) and then
  degraded by one of :data:`~brainfuse.quality.degrade.DEGRADATIONS` at a level 0..4 drawn
  from the seed (level 0: left as fused);
- **a proxy MOS, not radiologists' scores**: for Harvard pairs, which have no ground truth,
  ``MOS = 5 − level`` of the degradation applied to the method's output (so the proxy says
  nothing about the differences between the fusion methods themselves); for phantom cases, the
  quintile of a task-based score of the fused image against the phantom's truth
  (:func:`brainfuse.quality.proxy.task_score`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.tables import read_table

__all__ = [
    "COLUMNS",
    "DEFAULT_METHODS",
    "SIZE",
    "MosDatabase",
    "SourcePair",
    "load_database",
    "to_model_grid",
]

#: Columns every MOS database CSV must have.
COLUMNS: tuple[str, ...] = ("source_a", "source_b", "fused", "mos")

#: Side of the images the model sees.
SIZE = 128

#: Fusion methods of the built database (classical methods of :mod:`brainfuse.fusion`).
DEFAULT_METHODS: tuple[str, ...] = (
    "average",
    "maximum",
    "weighted",
    "pca",
    "laplacian",
    "ratio",
    "dwt",
    "swt",
    "gff",
    "legff",
    "papcnn",
    "lpsr",
)

_SPLITS = ("train", "val", "test")


@dataclass
class MosDatabase:
    """Fused images with their sources and MOS, in memory, ready for the model.

    Parameters
    ----------
    a, b, fused : numpy.ndarray
        ``(N, 128, 128)`` ``float32`` on 0..1.
    mos : numpy.ndarray
        ``(N,)`` MOS divided by 5 (0.2..1.0), the condition scale of Tang et al.
    split : list of str
        ``train``, ``val`` or ``test`` of each line.
    rows : list of dict
        The CSV lines as read (every column).
    source : str, optional
        The CSV file.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.database import MosDatabase
    >>> z = np.zeros((2, 128, 128), np.float32)
    >>> db = MosDatabase(z, z, z, np.array([0.2, 1.0]), ["train", "test"], [{}, {}])
    >>> len(db), len(db.subset("test"))
    (2, 1)
    """

    a: np.ndarray
    b: np.ndarray
    fused: np.ndarray
    mos: np.ndarray
    split: list[str]
    rows: list[dict[str, str]] = field(repr=False)
    source: str = ""

    def __len__(self) -> int:
        return len(self.mos)

    def subset(self, split: str) -> MosDatabase:
        """The lines of one split.

        Parameters
        ----------
        split : str
            ``train``, ``val`` or ``test``.

        Returns
        -------
        db : MosDatabase
        """
        return self.take([i for i, s in enumerate(self.split) if s == split])

    def take(self, idx: Sequence[int]) -> MosDatabase:
        """The lines ``idx``, in that order.

        Parameters
        ----------
        idx : sequence of int
            Line indices.

        Returns
        -------
        db : MosDatabase
        """
        idx = list(idx)
        return MosDatabase(
            self.a[idx],
            self.b[idx],
            self.fused[idx],
            self.mos[idx],
            [self.split[i] for i in idx],
            [self.rows[i] for i in idx],
            self.source,
        )


def to_model_grid(image: np.ndarray) -> np.ndarray:
    """A grey image on 0..255 as the model sees it: 128×128, ``float32`` on 0..1.

    A 256×256 image is averaged over 2×2 blocks (exact); other sizes are resampled with
    anti-aliasing (``skimage.transform.resize``, order 1).

    Parameters
    ----------
    image : numpy.ndarray
        2D grey image on 0..255.

    Returns
    -------
    grid : numpy.ndarray
        ``(128, 128)`` on 0..1.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.database import to_model_grid
    >>> to_model_grid(np.full((256, 256), 255.0)).shape
    (128, 128)
    >>> round(float(to_model_grid(np.full((64, 80), 51.0)).max()), 6)
    0.2
    """
    x = np.clip(np.asarray(image, dtype=np.float64), 0.0, 255.0) / 255.0
    if x.shape == (2 * SIZE, 2 * SIZE):
        y = x.reshape(SIZE, 2, SIZE, 2).mean((1, 3))
    elif x.shape == (SIZE, SIZE):
        y = x
    else:
        from skimage.transform import resize

        y = resize(x, (SIZE, SIZE), order=1, anti_aliasing=True, preserve_range=True)
    return np.clip(y, 0.0, 1.0).astype(np.float32)


def _read_grey(path: Path) -> np.ndarray:
    from ..io import load

    img = load(path)
    if img.is_volume:
        raise InputError(path, "a MOS database holds 2D images; this is a volume")
    return img.grey()


def _parse_mos(value: str, table: Path, line: int) -> float:
    try:
        mos = float(value)
    except ValueError:
        mos = math.nan
    if not (math.isfinite(mos) and 1.0 <= mos <= 5.0):
        raise InputError(table, f"line {line}: MOS '{value}' is not a number from 1 to 5")
    return mos


def _read_rows(table: Path) -> list[tuple[int, dict[str, str]]]:
    if not table.is_file():
        raise InputError(table, "MOS database not found")
    rows = read_table(table, COLUMNS)
    if not rows:
        raise InputError(table, "no fused images listed")
    return rows


def load_database(table: str | Path) -> MosDatabase:
    """Read a MOS database CSV (see the module docstring for the format).

    Every line is checked before anything is returned: one :class:`InputError` names the CSV
    (with the line) or the image file and the problem.

    Parameters
    ----------
    table : str or pathlib.Path
        The CSV file.

    Returns
    -------
    db : MosDatabase

    Raises
    ------
    InputError
        For a missing or unreadable CSV, a missing column, an empty cell, a MOS that is not a
        number from 1 to 5, an unknown split, a listed image that is missing or unreadable, or
        a fused image whose size differs from its sources'.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.errors import InputError
    >>> from brainfuse.quality.database import load_database
    >>> table = Path(tempfile.mkdtemp()) / "mos.csv"
    >>> _ = table.write_text("source_a,source_b,fused,mos\\na.png,b.png,f.png,seven\\n")
    >>> try:
    ...     load_database(table)
    ... except InputError as exc:
    ...     print(exc.problem)
    line 2: MOS 'seven' is not a number from 1 to 5
    """
    table = Path(table)
    rows = _read_rows(table)
    root = table.parent
    mos, split = [], []
    for line, r in rows:
        mos.append(_parse_mos(r["mos"], table, line) / 5.0)
        s = r.get("split", "") or "train"
        if s not in _SPLITS:
            raise InputError(table, f"line {line}: split '{s}' is not one of {', '.join(_SPLITS)}")
        split.append(s)
        for c in COLUMNS[:3]:
            path = root / r[c]
            if not path.is_file():
                raise InputError(path, f"listed on line {line} of {table.name} but not found")
    cache: dict[Path, tuple[tuple[int, ...], np.ndarray]] = {}

    def grid(path: Path) -> tuple[tuple[int, ...], np.ndarray]:
        if path not in cache:
            grey = _read_grey(path)
            cache[path] = (grey.shape, to_model_grid(grey))
        return cache[path]

    a, b, f = [], [], []
    for _line, r in rows:
        (sa, ga), (sb, gb), (sf, gf) = (grid(root / r[c]) for c in COLUMNS[:3])
        if not sa == sb == sf:
            raise InputError(
                root / r["fused"], f"size {sf} differs from its sources' ({sa} and {sb})"
            )
        a.append(ga)
        b.append(gb)
        f.append(gf)
    return MosDatabase(
        np.stack(a),
        np.stack(b),
        np.stack(f),
        np.asarray(mos, dtype=np.float32),
        split,
        [r for _, r in rows],
        str(table),
    )


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class SourcePair:
    """A registered source pair of the built database.

    Parameters
    ----------
    name : str
        Unique name (used in file names).
    a, b : numpy.ndarray
        Grey images on 0..255, 128×128.
    split : str
        ``train``, ``val`` or ``test``.
    origin : str
        ``harvard`` or ``phantom``.
    truth : Any, optional
        What the proxy MOS of a phantom case is computed against.
    """

    name: str
    a: np.ndarray
    b: np.ndarray
    split: str
    origin: str
    truth: Any = None
