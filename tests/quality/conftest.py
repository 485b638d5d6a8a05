"""A small synthetic MOS database written as PNG files with its CSV (no shared data needed)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from brainfuse.quality.degrade import degrade


def _smooth(rng: np.random.Generator, size: int) -> np.ndarray:
    x = ndimage.gaussian_filter(rng.random((size, size)), 6.0)
    x = (x - x.min()) / (x.max() - x.min())
    return (255 * x).astype(np.float32)


def _png(x: np.ndarray, path: Path) -> str:
    Image.fromarray(np.clip(np.rint(x), 0, 255).astype(np.uint8), mode="L").save(path)
    return path.name


def write_db(folder: Path, *, pairs: int = 4, size: int = 128, seed: int = 0) -> Path:
    """``pairs`` source pairs, each fused by averaging and blurred at the five levels
    (MOS = 5 − level); the last pair is ``test``, the one before ``val``, the rest ``train``."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for p in range(pairs):
        a, b = _smooth(rng, size), _smooth(rng, size)
        na = _png(a, folder / f"p{p}_a.png")
        nb = _png(b, folder / f"p{p}_b.png")
        split = "test" if p == pairs - 1 else "val" if p == pairs - 2 else "train"
        for level in range(5):
            f = degrade((a + b) / 2, "blur", level)
            nf = _png(f, folder / f"p{p}_f{level}.png")
            rows.append([na, nb, nf, 5 - level, split])
    table = folder / "mos.csv"
    with open(table, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["source_a", "source_b", "fused", "mos", "split"])
        w.writerows(rows)
    return table


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    return write_db(tmp_path / "db")
