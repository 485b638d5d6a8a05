"""Finding the image pairs of a benchmark folder.

A *pair set* is a folder with one anatomical sub-folder (``MRI``) and one other modality
sub-folder (``CT``, ``PET`` or ``SPECT``); files with the same name in both form a pair. A folder
given to the benchmark is a pair set itself or holds pair sets, named after their modalities in
either order and with ``_`` or ``-`` (``MRI_PET``, ``PET-MRI``). This covers the layouts of

- ``harvard-cddfuse-test``: ``MRI_CT/{MRI,CT}``, ``MRI_PET/{MRI,PET}``, ``MRI_SPECT/{MRI,SPECT}``;
- ``harvard-aanlib``: ``CT-MRI/{CT,MRI}``, ``PET-MRI/{PET,MRI}``, ``SPECT-MRI/{SPECT,MRI}`` with a
  ``split.csv`` (columns ``pairset,file,case,slice,split``) that :func:`find_pairs` can filter on.

Pair sets are always named anatomical first (``MRI-PET``), whatever the folder is called.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .published import TEST_SET_DIGESTS

__all__ = ["PairFiles", "find_pairs", "pair_set_digest", "published_set"]

_FUNCTIONAL = ("CT", "PET", "SPECT")
_ANATOMICAL = "MRI"


@dataclass(frozen=True)
class PairFiles:
    """The two files of one registered pair of a pair set.

    :func:`brainfuse.pair.prepare_pair` turns them into a prepared pair.

    Parameters
    ----------
    pair_set : str
        The pair set, anatomical first, e.g. ``"MRI-PET"``.
    name : str
        The file name shared by both images, e.g. ``"11.png"``.
    a : pathlib.Path
        The anatomical image (MRI).
    b : pathlib.Path
        The CT, PET or SPECT image.

    Examples
    --------
    >>> from pathlib import Path
    >>> from brainfuse.bench.pairs import PairFiles
    >>> PairFiles("MRI-PET", "11.png", Path("MRI/11.png"), Path("PET/11.png")).key
    'MRI-PET/11.png'
    """

    pair_set: str  # e.g. "MRI-PET"
    name: str  # the file name shared by both images, e.g. "11.png"
    a: Path
    b: Path

    @property
    def key(self) -> str:
        """``"<pair_set>/<name>"``: unique within a benchmark."""
        return f"{self.pair_set}/{self.name}"


def _subdir(folder: Path, name: str) -> Path | None:
    for child in folder.iterdir():
        if child.is_dir() and child.name.upper() == name:
            return child
    return None


def _as_pair_set(folder: Path) -> tuple[str, Path, Path] | None:
    """``(name, MRI folder, other folder)`` when ``folder`` is a pair set, else None."""
    mri = _subdir(folder, _ANATOMICAL)
    if mri is None:
        return None
    others = [(m, d) for m in _FUNCTIONAL if (d := _subdir(folder, m)) is not None]
    if len(others) != 1:
        return None
    modality, other = others[0]
    return f"{_ANATOMICAL}-{modality}", mri, other


def _files(folder: Path) -> dict[str, Path]:
    return {
        p.name: p
        for p in folder.iterdir()
        if (p.is_file() or p.is_dir()) and not p.name.startswith(".")
    }


def _read_split(path: Path) -> dict[tuple[str, str], str]:
    """``split.csv`` as ``{(pair-set folder name, file name): split}``."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(path, f"cannot read the split file ({exc})") from None
    if not rows or not {"pairset", "file", "split"} <= set(rows[0]):
        raise InputError(path, "expected the columns pairset, file, split")
    return {(r["pairset"], r["file"]): r["split"] for r in rows}


def _pair_sets(root: Path) -> list[tuple[str, Path, Path, Path]]:
    """``(name, set folder, MRI folder, other folder)`` for ``root`` or its sub-folders."""
    found = _as_pair_set(root)
    if found is not None:
        return [(found[0], root, found[1], found[2])]
    out = []
    for child in sorted(p for p in root.iterdir() if p.is_dir()):
        found = _as_pair_set(child)
        if found is not None:
            out.append((found[0], child, found[1], found[2]))
    return out


def find_pairs(
    roots: Sequence[str | Path], *, split: Iterable[str] | None = None
) -> list[PairFiles]:
    """All pairs under the folders ``roots``, sorted by pair set and file name.

    Parameters
    ----------
    roots : sequence of str or pathlib.Path
        Pair-set folders, or folders holding pair sets (see the module docstring).
    split : iterable of str, optional
        Keep only the pairs whose ``split.csv`` row (in a root) has one of these splits, e.g.
        ``{"val"}``; a root without ``split.csv`` is then an error.

    Returns
    -------
    pairs : list of PairFiles
        Sorted by pair set, then by file name (``2.png`` before ``10.png``).

    Raises
    ------
    InputError
        A root that is missing, holds no pair set, or whose pair sets hold no pair; a file name
        present in one modality folder but not the other; the same pair set found twice; an
        unknown split.

    Examples
    --------
    >>> pairs = find_pairs(["../shared/data/harvard-cddfuse-test"])  # doctest: +SKIP
    >>> len(pairs), pairs[0].key                                      # doctest: +SKIP
    (136, 'MRI-CT/11.png')
    """
    wanted = None if split is None else set(split)
    pairs: list[PairFiles] = []
    seen: dict[str, Path] = {}
    for root in map(Path, roots):
        if not root.is_dir():
            raise InputError(root, "no such folder" if not root.exists() else "not a folder")
        sets = _pair_sets(root)
        if not sets:
            raise InputError(
                root,
                "holds no pair set: expected sub-folders MRI and one of CT, PET, SPECT, or "
                "folders such as MRI_PET/{MRI,PET} (harvard-cddfuse-test) or "
                "PET-MRI/{PET,MRI} (harvard-aanlib)",
            )
        splits = None
        if wanted is not None:
            split_csv = root / "split.csv"
            if not split_csv.is_file():
                raise InputError(root, "--split given but the folder has no split.csv")
            splits = _read_split(split_csv)
            known = set(splits.values())
            if not wanted <= known:
                unknown = ", ".join(sorted(wanted - known))
                raise InputError(
                    split_csv, f"unknown split {unknown}; valid: {', '.join(sorted(known))}"
                )
        for name, folder, mri, other in sets:
            if name in seen:
                raise InputError(folder, f"pair set {name} also found in {seen[name]}")
            seen[name] = folder
            fa, fb = _files(mri), _files(other)
            missing = sorted(set(fa) ^ set(fb))
            if missing:
                where = mri if missing[0] not in fa else other
                raise InputError(where / missing[0], "has no partner in the other modality folder")
            for fname in sorted(fa, key=_natural):
                if splits is not None and splits.get((folder.name, fname)) not in wanted:
                    continue
                pairs.append(PairFiles(name, fname, fa[fname], fb[fname]))
        if not pairs:
            raise InputError(root, "holds no pair (after the split filter)")
    pairs.sort(key=lambda p: (p.pair_set, _natural(p.name)))
    return pairs


def _natural(name: str) -> tuple:
    """Sort key that orders ``2.png`` before ``10.png``."""
    stem = name.split(".")[0]
    return (0, int(stem), name) if stem.isdigit() else (1, 0, name)


def pair_set_digest(pairs: Sequence[PairFiles]) -> str:
    r"""SHA-256 identifying a pair set by content (see :data:`~.published.TEST_SET_DIGESTS`).

    Parameters
    ----------
    pairs : sequence of PairFiles
        The pairs of one set.

    Returns
    -------
    digest : str
        Hex SHA-256 of the lines ``"<file name>\t<sha256 of a>\t<sha256 of b>\n"`` in
        file-name order.
    """
    h = hashlib.sha256()
    for p in sorted(pairs, key=lambda p: p.name):
        da = hashlib.sha256(p.a.read_bytes()).hexdigest()
        db = hashlib.sha256(p.b.read_bytes()).hexdigest()
        h.update(f"{p.name}\t{da}\t{db}\n".encode())
    return h.hexdigest()


def published_set(pair_set: str, pairs: Sequence[PairFiles]) -> bool:
    """True when ``pairs`` are exactly the CDDFuse test pairs of ``pair_set``, file for file.

    Parameters
    ----------
    pair_set : str
        ``"MRI-CT"``, ``"MRI-PET"`` or ``"MRI-SPECT"`` (any other gives False).
    pairs : sequence of PairFiles
        The pairs found for it.

    Returns
    -------
    published : bool
    """
    expected = TEST_SET_DIGESTS.get(pair_set)
    if expected is None or any(p.a.is_dir() or p.b.is_dir() for p in pairs):
        return False
    return pair_set_digest(pairs) == expected
