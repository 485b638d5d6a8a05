"""Building the proxy-MOS database "like MMIFID" (see :mod:`brainfuse.quality.database`)."""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .database import DEFAULT_METHODS, SourcePair, to_model_grid
from .degrade import DEGRADATIONS, degrade
from .proxy import mos_levels, task_score

__all__ = ["SELECTION_CASES", "build_database", "harvard_pairs"]


#: Cases of the ``harvard-aanlib`` ``train`` split held out of training to select the checkpoint.
SELECTION_CASES: dict[str, int] = {"CT-MRI": 33, "PET-MRI": 41, "SPECT-MRI": 35}


def harvard_pairs(root: str | Path, per_pairset: Sequence[int] = (40, 10, 10)) -> list[SourcePair]:
    """Harvard Whole Brain Atlas pairs for the database, at 128×128.

    Per pair set, evenly spaced in file order: ``per_pairset[0]`` pairs of the ``train`` split
    (without the case of :data:`SELECTION_CASES`) for training, ``per_pairset[1]`` of that
    held-out case (split ``val``: checkpoint selection) and ``per_pairset[2]`` of the
    ``harvard-aanlib`` ``val`` split, whose cases are never trained on (split ``test``: held
    out). The ``benchmark-overlap`` split is never read.

    Parameters
    ----------
    root : str or pathlib.Path
        The ``harvard-aanlib`` folder.
    per_pairset : sequence of 3 int, optional
        Pairs per pair set for train, val and test (default 40, 10, 10).

    Returns
    -------
    pairs : list of SourcePair
    """
    from ..models.data import PAIRSETS, load_pairs

    def case(name: str) -> int:
        return int(Path(name).stem[:-3])

    out: list[SourcePair] = []
    for pairset in PAIRSETS:
        train = load_pairs(root, "train", (pairset,))
        held = load_pairs(root, "val", (pairset,))
        keep = SELECTION_CASES[pairset]
        groups = {
            "train": (train, [i for i, n in enumerate(train.names) if case(n) != keep]),
            "val": (train, [i for i, n in enumerate(train.names) if case(n) == keep]),
            "test": (held, list(range(len(held)))),
        }
        for (split, (src, idx)), count in zip(groups.items(), per_pairset, strict=True):
            take = [idx[k] for k in np.linspace(0, len(idx) - 1, min(count, len(idx))).astype(int)]
            for i in dict.fromkeys(take):
                stem = src.names[i].replace("/", "_").removesuffix(".png")
                out.append(
                    SourcePair(
                        f"h_{stem}",
                        to_model_grid(src.a[i] * 255.0) * 255.0,
                        to_model_grid(src.b[i] * 255.0) * 255.0,
                        split,
                        "harvard",
                    )
                )
    return out


def _write_png(x: np.ndarray, path: Path) -> None:
    from PIL import Image

    Image.fromarray(np.clip(np.rint(x), 0, 255).astype(np.uint8), mode="L").save(path)


def _pair_seed(seed: int, name: str) -> int:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "little")


def build_database(
    out: str | Path,
    pairs: Sequence[SourcePair],
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Fuse every pair with every method, degrade, give each image a proxy MOS, write the CSV.

    Each (pair, method) gets one degradation: the kind cycles through
    :data:`~brainfuse.quality.degrade.DEGRADATIONS` over the methods from a start drawn for the
    pair, the level (0..4) and the noise are drawn from ``seed`` and the pair's name (so a pair
    gets the same images whatever else is in the database). Harvard images get
    ``MOS = 5 − level``; phantom images the quintile level of their task score
    (:mod:`brainfuse.quality.proxy`), the quintiles taken over the phantom images of the
    ``train`` split.

    Parameters
    ----------
    out : str or pathlib.Path
        A new or empty folder; receives ``sources/``, ``fused/`` and ``mos.csv``.
    pairs : sequence of SourcePair
        The source pairs (:func:`harvard_pairs`, :func:`brainfuse.quality.proxy.phantom_pairs`).
    methods : sequence of str, optional
        Registered fusion methods (default :data:`DEFAULT_METHODS`).
    seed : int, optional
        Seed of the degradation kinds, levels and noise.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    table : pathlib.Path
        ``out/mos.csv``.

    Raises
    ------
    InputError
        If ``out`` exists and is not an empty folder, a method is unknown, or phantom cases
        come without phantom training cases to take the quintiles from.
    """
    from tqdm.auto import tqdm

    from ..fusion.registry import get_method

    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(out, "database folder must be new or empty")
    funcs = [get_method(m).func for m in methods]
    (out / "sources").mkdir(parents=True, exist_ok=True)
    (out / "fused").mkdir(exist_ok=True)
    lines: list[dict[str, Any]] = []
    for pair in tqdm(pairs, desc="database", disable=not progress):
        rng = np.random.default_rng(_pair_seed(seed, pair.name))
        first = int(rng.integers(0, len(DEGRADATIONS)))
        pa, pb = f"sources/{pair.name}_a.png", f"sources/{pair.name}_b.png"
        _write_png(pair.a, out / pa)
        _write_png(pair.b, out / pb)
        a = np.rint(pair.a).astype(np.float32)
        b = np.rint(pair.b).astype(np.float32)
        for m_idx, (method, func) in enumerate(zip(methods, funcs, strict=True)):
            kind = DEGRADATIONS[(first + m_idx) % len(DEGRADATIONS)]
            level = int(rng.integers(0, 5))
            noise_seed = int(rng.integers(0, 2**31))
            fused = np.clip(np.asarray(func(a, b), dtype=np.float32), 0, 255)
            fused = np.rint(degrade(fused, kind, level, seed=noise_seed))
            task = task_score(fused, pair) if pair.origin == "phantom" else math.nan
            pf = f"fused/{pair.name}__{method}__{kind}{level}.png"
            _write_png(fused, out / pf)
            lines.append(
                {
                    "source_a": pa,
                    "source_b": pb,
                    "fused": pf,
                    "mos": 5 - level,
                    "split": pair.split,
                    "origin": pair.origin,
                    "pair": pair.name,
                    "method": method,
                    "degradation": kind,
                    "level": level,
                    "task_score": "" if math.isnan(task) else f"{task:.6f}",
                }
            )
    phantom = [r for r in lines if r["origin"] == "phantom"]
    if phantom:
        reference = [float(r["task_score"]) for r in phantom if r["split"] == "train"]
        if not reference:
            raise InputError(None, "phantom cases need phantom cases of the train split")
        levels = mos_levels(
            np.array([float(r["task_score"]) for r in phantom]), np.array(reference)
        )
        for r, level in zip(phantom, levels, strict=True):
            r["mos"] = int(level)
    table = out / "mos.csv"
    with open(table, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(lines[0]))
        writer.writeheader()
        writer.writerows(lines)
    return table
