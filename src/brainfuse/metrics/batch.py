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
from ..io.readers import load
from .evaluate import evaluate
from .grey import read_cddfuse_grey
from .profiles import get_profile

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
    r"""Read a file the way the profile's reference code would see it.

    Parameters
    ----------
    path : str or os.PathLike
        An image or volume file.
    profile : str
        A profile name (:data:`~brainfuse.metrics.PROFILES`).
    max_pixels : int, optional
        Refuse larger images (see :func:`brainfuse.io.load`).

    Returns
    -------
    numpy.ndarray or Image
        ``cddfuse`` and a 2D raster (PNG, JPEG, BMP, TIFF): the ``float32`` grey image OpenCV
        gives (``BGR2GRAY`` on ``float32``, then round), as its ``image_read_cv2``. Otherwise
        the :class:`~brainfuse.Image` :func:`brainfuse.io.load` reads, which
        :func:`~brainfuse.metrics.evaluate` puts on the 0..255 scale by the rule fusion uses.

    Raises
    ------
    InputError
        An unknown profile, a missing or unreadable file.

    Notes
    -----
    For ``cddfuse`` a colour file becomes :math:`\operatorname{round}(0.299R + 0.587G +
    0.114B)` in ``float32`` (:func:`~brainfuse.metrics.grey.read_cddfuse_grey`).

    References
    ----------
    Z. Zhao et al., "CDDFuse", CVPR 2023 (``utils/img_read_save.py``).

    Examples
    --------
    >>> import cv2, tempfile, numpy as np
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "a.png"
    >>> cv2.imwrite(str(path), np.full((4, 4), 7, dtype=np.uint8))
    True
    >>> load_for_profile(path, "cddfuse").dtype
    dtype('float32')
    >>> load_for_profile(path, "paper").shape
    (4, 4)
    """
    get_profile(profile)
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
    r""":func:`~brainfuse.metrics.evaluate` on three files (read by :func:`load_for_profile`).

    Parameters
    ----------
    fused, a, b : str or os.PathLike
        The fused result, the anatomical source and the functional or CT source.
    metrics : str or sequence of str, optional
        Metric names, or ``"all"`` (default: the profile's default set).
    profile : str
        A profile name (default ``paper``).
    max_pixels : int, optional
        Refuse larger images.

    Returns
    -------
    dict
        ``{name: value}`` in the order asked for.

    Raises
    ------
    InputError
        As :func:`~brainfuse.metrics.evaluate`, about a file: the roles ``fused``, ``A`` and
        ``B`` become the paths, and a metric's refusal of the image size (the three share one
        shape) names the fused file.

    Notes
    -----
    The values are those of :func:`~brainfuse.metrics.evaluate` on the images read, e.g.
    :math:`EN = -\sum_l p_l \log_2 p_l` of the fused file.

    References
    ----------
    Each metric's paper is its entry's ``reference`` (:func:`~brainfuse.metrics.list_metrics`).

    Examples
    --------
    >>> import cv2, tempfile, numpy as np
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> ramp = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    >>> for name in ("f.png", "a.png", "b.png"):
    ...     _ = cv2.imwrite(str(folder / name), ramp)
    >>> evaluate_files(folder / "f.png", folder / "a.png", folder / "b.png", metrics="EN,MI")
    {'EN': 6.0, 'MI': 12.0}
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
    r"""Mean and population standard deviation of each metric over the rows.

    Parameters
    ----------
    rows : sequence of dict
        ``{metric: value}`` per pair.
    names : sequence of str
        The metrics to summarise.

    Returns
    -------
    dict
        ``{metric: (mean, std)}``; ``nan`` and ``inf`` values are left out, and a metric with
        no finite value gives ``(nan, nan)``.

    Notes
    -----
    Over the :math:`n` finite values :math:`v_i` of a metric:

    .. math:: \bar v = \frac1n\sum_i v_i,\qquad s = \sqrt{\frac1n\sum_i (v_i - \bar v)^2}

    References
    ----------
    NumPy, ``numpy.mean`` and ``numpy.std`` (``ddof=0``).

    Examples
    --------
    >>> summarise([{"EN": 1.0}, {"EN": 3.0}, {"EN": float("inf")}], ["EN"])
    {'EN': (2.0, 1.0)}
    """
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
    """Refuse an output CSV, or its summary sibling, that is one of the inputs (also through a
    symbolic or hard link), a folder, or in a missing folder.

    Parameters
    ----------
    output : str or os.PathLike
        The per-pair CSV to be written.
    inputs : sequence of str or os.PathLike
        The files that will be read.

    Returns
    -------
    pathlib.Path
        The summary path, ``<output stem>-summary<suffix>`` beside ``output`` (``.csv`` when it
        has no suffix).

    Raises
    ------
    InputError
        Naming the output that would overwrite an input or cannot be written.

    Notes
    -----
    Checked before anything is computed, so ``brainfuse metrics`` never writes over an input.

    References
    ----------
    :func:`brainfuse.io.atomic.check_output_path`, which checks each of the two paths.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_score_outputs(folder / "scores.csv", [folder / "a.png"]).name
    'scores-summary.csv'
    """
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
    r"""Write the per-pair CSV and its summary, both atomically; returns the summary.

    Parameters
    ----------
    output : str or os.PathLike
        The per-pair CSV: ``name`` then the metrics, one row per pair, values as ``repr``.
    names : sequence of str
        The pair names, one per row.
    rows : sequence of dict
        ``{metric: value}`` per pair, all with the metrics of the first.
    profile : str
        The profile, written in the summary.

    Returns
    -------
    dict
        ``{metric: (mean, std)}`` (:func:`summarise`), also written to
        ``<output stem>-summary.csv`` as ``metric, mean, std, n, profile``.

    Notes
    -----
    Mean and population standard deviation of the finite values (see :func:`summarise`):

    .. math:: \bar v = \frac1n\sum_i v_i,\qquad s = \sqrt{\frac1n\sum_i (v_i - \bar v)^2}

    References
    ----------
    RFC 4180, "Common format and MIME type for comma-separated values (CSV) files".

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "scores.csv"
    >>> write_scores(out, ["11.png", "12.png"], [{"EN": 5.0}, {"EN": 7.0}], "paper")
    {'EN': (6.0, 1.0)}
    >>> out.read_text().splitlines()
    ['name,EN', '11.png,5.0', '12.png,7.0']
    """
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
    r"""Evaluate every triple of three folders (same file names) and write two CSV files.

    Parameters
    ----------
    fused_dir, a_dir, b_dir : str or os.PathLike
        Folders of fused results, anatomical and functional or CT sources; every file of
        ``a_dir`` needs one of the same name in the two others.
    output : str or os.PathLike
        The per-pair CSV (``name`` then the metrics); ``<output stem>-summary.csv`` gets
        ``metric, mean, std, n, profile``. Both are written atomically.
    metrics : str or sequence of str, optional
        Metric names, or ``"all"`` (default: the profile's default set).
    profile : str
        A profile name (default ``paper``).
    max_pixels : int, optional
        Refuse larger images.
    progress : callable, optional
        ``progress(done, total, name)``, called after each pair.

    Returns
    -------
    rows : list of dict
        ``{metric: value}`` per pair, in file-name order.
    summary : dict
        ``{metric: (mean, std)}``.

    Raises
    ------
    InputError
        A missing folder or file, an output that is one of the files to be read or a folder
        (refused before anything is computed), or any error of :func:`evaluate_files`.

    Notes
    -----
    Mean and population standard deviation over the pairs, as :func:`summarise`:

    .. math:: \bar v = \frac1n\sum_i v_i,\qquad s = \sqrt{\frac1n\sum_i (v_i - \bar v)^2}

    References
    ----------
    Z. Zhao et al., "CDDFuse", CVPR 2023 (``test_MIF.py`` averages its metrics over the
    pairs of a folder in the same way).

    Examples
    --------
    >>> import cv2, tempfile, numpy as np
    >>> from pathlib import Path
    >>> root = Path(tempfile.mkdtemp())
    >>> ramp = np.tile(np.arange(64, dtype=np.uint8) * 4, (64, 1))
    >>> for d in ("F", "A", "B"):
    ...     (root / d).mkdir()
    ...     _ = cv2.imwrite(str(root / d / "11.png"), ramp)
    >>> rows, summary = evaluate_folders(
    ...     root / "F", root / "A", root / "B", root / "scores.csv", metrics="EN"
    ... )
    >>> rows, summary
    ([{'EN': 6.0}], {'EN': (6.0, 0.0)})
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
