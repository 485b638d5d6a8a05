"""Metrics from files: one triple, or a batch over folders with a CSV and a mean ± std summary."""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path, check_output_path
from ..io.image import Image
from .evaluate import evaluate
from .profiles import get_profile
from .protocol import read_cddfuse_grey

__all__ = [
    "check_score_outputs",
    "evaluate_files",
    "evaluate_folders",
    "load_for_profile",
    "summarise",
    "write_scores",
]

_CV2_RASTERS = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}


def load_for_profile(
    path: str | os.PathLike[str], profile: str, max_pixels: int | None = None
) -> np.ndarray | Image:
    """Read a file the way the profile's reference code would see it.

    ``cddfuse`` reads 2D rasters with OpenCV (``BGR2GRAY`` on ``float32``, then round), as its
    ``image_read_cv2``. Every other file goes through :func:`brainfuse.io.load`, and
    :func:`~brainfuse.metrics.evaluate` puts it on the 0..255 scale by the rule fusion uses.
    """
    from ..io import load

    p = Path(path)
    if profile == "cddfuse" and p.suffix.lower() in _CV2_RASTERS:
        if not p.is_file():
            raise InputError(p, "no such file")
        return read_cddfuse_grey(p)
    return load(p, max_pixels=max_pixels)


def evaluate_files(
    fused: str | os.PathLike[str],
    a: str | os.PathLike[str],
    b: str | os.PathLike[str],
    *,
    metrics: Sequence[str] | str | None = None,
    profile: str = "paper",
    max_pixels: int | None = None,
) -> dict[str, float]:
    """:func:`~brainfuse.metrics.evaluate` on three files (see :func:`load_for_profile`).

    An :class:`~brainfuse.errors.InputError` about an image names its file: the roles
    ``fused``, ``A`` and ``B`` of :func:`~brainfuse.metrics.evaluate` become the paths, and a
    metric's refusal of the image size (the three share one shape) names the fused file.
    """
    get_profile(profile)
    imgs = [load_for_profile(p, profile, max_pixels) for p in (fused, a, b)]
    try:
        return evaluate(*imgs, metrics=metrics, profile=profile)
    except InputError as exc:
        files = {"fused": fused, "A": a, "B": b, None: fused}
        if exc.source not in files:
            raise
        raise InputError(files[exc.source], exc.problem) from exc


def summarise(
    rows: Sequence[dict[str, float]], names: Sequence[str]
) -> dict[str, tuple[float, float]]:
    """Mean and population standard deviation of each metric over the rows (``nan`` and
    ``inf`` values are left out; a metric with no finite value gives ``nan``)."""
    out = {}
    for n in names:
        vals = np.array([r[n] for r in rows], dtype=np.float64)
        vals = vals[np.isfinite(vals)]
        out[n] = (float(vals.mean()), float(vals.std())) if vals.size else (math.nan, math.nan)
    return out


def _pairs(fused_dir: Path, a_dir: Path, b_dir: Path) -> list[str]:
    for d in (fused_dir, a_dir, b_dir):
        if not d.is_dir():
            raise InputError(d, "is not a folder")
    names = sorted(p.name for p in a_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    if not names:
        raise InputError(a_dir, "holds no files")
    for n in names:
        for d in (b_dir, fused_dir):
            if not (d / n).is_file():
                raise InputError(
                    d / n, f"missing: every file of {a_dir} needs one of the same name"
                )
    return names


def _summary_path(output: str | os.PathLike[str]) -> Path:
    """``<output stem>-summary<suffix>`` beside ``output`` (``.csv`` when it has no suffix)."""
    out = Path(output)
    return out.with_name(out.stem + "-summary" + (out.suffix or ".csv"))


def check_score_outputs(
    output: str | os.PathLike[str], inputs: Sequence[str | os.PathLike[str]]
) -> Path:
    """Refuse ``output`` or its summary sibling if either is one of the ``inputs`` (also
    through a symbolic or hard link), a folder, or in a missing folder; returns the summary
    path."""
    summary = _summary_path(output)
    check_output_path(output, inputs)
    check_output_path(summary, inputs)
    return summary


def write_scores(
    output: str | os.PathLike[str],
    names: Sequence[str],
    rows: Sequence[dict[str, float]],
    profile: str,
) -> dict[str, tuple[float, float]]:
    """Write the per-pair CSV (``name`` then the metrics) to ``output`` and ``metric, mean,
    std, n, profile`` to its summary sibling, both atomically; returns the summary."""
    out = Path(output)
    metric_names = list(rows[0])
    summary = summarise(rows, metric_names)
    with atomic_path(out) as tmp, tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["name", *metric_names])
        for n, r in zip(names, rows, strict=True):
            w.writerow([n, *(repr(r[m]) for m in metric_names)])
    with atomic_path(_summary_path(out)) as tmp, tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["metric", "mean", "std", "n", "profile"])
        for m in metric_names:
            mean, std = summary[m]
            w.writerow([m, repr(mean), repr(std), len(rows), profile])
    return summary


def evaluate_folders(
    fused_dir: str | os.PathLike[str],
    a_dir: str | os.PathLike[str],
    b_dir: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    metrics: Sequence[str] | str | None = None,
    profile: str = "paper",
    max_pixels: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> tuple[list[dict[str, float]], dict[str, tuple[float, float]]]:
    """Evaluate every triple of three folders (same file names) and write two CSV files.

    ``output`` gets one row per pair (``name`` then the metrics); ``<output stem>-summary.csv``
    gets ``metric, mean, std``. Both are written atomically. ``progress(done, total, name)``
    is called after each pair. An output (or its summary) that is one of the files to be read
    or a folder is refused before anything is computed.
    """
    fdir, adir, bdir = Path(fused_dir), Path(a_dir), Path(b_dir)
    out = Path(output)
    names = _pairs(fdir, adir, bdir)
    check_score_outputs(out, [d / n for n in names for d in (fdir, adir, bdir)])
    rows: list[dict[str, float]] = []
    for i, n in enumerate(names, start=1):
        rows.append(
            evaluate_files(
                fdir / n,
                adir / n,
                bdir / n,
                metrics=metrics,
                profile=profile,
                max_pixels=max_pixels,
            )
        )
        if progress is not None:
            progress(i, len(names), n)
    return rows, write_scores(out, names, rows, profile)
