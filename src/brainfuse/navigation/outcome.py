"""Outcome statistics of puncture and drainage (Peng et al. 2022): evacuation rate, paired test.

The hematoma evacuation rate of a case is ``HER = (V_pre − V_post) / V_pre``; values are
reported as mean ± SD (sample SD, n − 1, which is what reproduces the article's numbers) and
pre- against post-operative volumes are compared by a paired t-test
(:func:`scipy.stats.ttest_rel`). :func:`peng_table1` reads the eight cases printed in the
article's Table 1 (shipped with the package, ``data/peng2022_table1.csv``).
"""

from __future__ import annotations

import csv
import os
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import stats

from ..errors import InputError

__all__ = ["evacuation_rate", "peng_table1", "read_cases", "summarise"]


def evacuation_rate(pre_ml: np.ndarray, post_ml: np.ndarray) -> np.ndarray:
    """HER in percent, per case.

    Parameters
    ----------
    pre_ml, post_ml : numpy.ndarray
        Volumes, ml.

    Returns
    -------
    numpy.ndarray
        ``100 · (pre − post) / pre``.

    Examples
    --------
    >>> evacuation_rate(np.array([32.17]), np.array([17.23])).round(2).tolist()
    [46.44]
    """
    pre = np.asarray(pre_ml, dtype=np.float64)
    post = np.asarray(post_ml, dtype=np.float64)
    return 100.0 * (pre - post) / pre


def read_cases(path: str | os.PathLike[str]) -> list[dict]:
    """Cases from a CSV with columns ``pre_ml`` and ``post_ml`` (others kept as text or numbers).

    Parameters
    ----------
    path : str or os.PathLike
        The CSV (lines starting with ``#`` are comments).

    Returns
    -------
    list of dict

    Raises
    ------
    InputError
        Missing file, missing columns, non-numeric or non-positive volumes.
    """
    p = Path(path)
    try:
        lines = [ln for ln in p.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(p, f"cannot be read ({getattr(exc, 'strerror', None) or exc})") from None
    rows = list(csv.DictReader(lines))
    if not rows or not {"pre_ml", "post_ml"} <= set(rows[0]):
        raise InputError(p, "expected a CSV with columns pre_ml and post_ml")
    out = []
    for i, row in enumerate(rows, start=2):
        case: dict = {}
        for k, v in row.items():
            try:
                case[k] = float(v)
            except (TypeError, ValueError):
                case[k] = v
        pre, post = case["pre_ml"], case["post_ml"]
        if not all(isinstance(x, float) and np.isfinite(x) for x in (pre, post)) or pre <= 0:
            raise InputError(p, f"line {i}: pre_ml and post_ml must be numbers, pre_ml > 0")
        out.append(case)
    return out


def peng_table1() -> list[dict]:
    """The eight cases of Peng et al. (2022), Table 1.

    Returns
    -------
    list of dict
        Keys ``case, age, sex, location, pre_ml, post_ml, her_percent, deviation_mm``.

    Examples
    --------
    >>> [c["pre_ml"] for c in peng_table1()][:3]
    [32.17, 33.1, 5.45]
    """
    ref = resources.files("brainfuse.navigation") / "data" / "peng2022_table1.csv"
    with resources.as_file(ref) as path:
        return read_cases(path)


def summarise(cases: list[dict]) -> dict:
    """HER per case, mean ± SD of HER and deviation, paired t-test of pre vs post volume.

    Parameters
    ----------
    cases : list of dict
        With ``pre_ml`` and ``post_ml`` (and ``deviation_mm``, optional).

    Returns
    -------
    dict
        ``her_percent`` (per case), ``her_mean``, ``her_sd``, ``deviation_mean``,
        ``deviation_sd``, ``t``, ``df``, ``p``.

    Examples
    --------
    >>> s = summarise(peng_table1())
    >>> round(s["her_mean"], 2), round(s["her_sd"], 2), round(s["p"], 4)
    (47.36, 9.16, 0.0015)
    """
    pre = np.array([c["pre_ml"] for c in cases])
    post = np.array([c["post_ml"] for c in cases])
    her = evacuation_rate(pre, post)
    test = stats.ttest_rel(pre, post)
    out = {
        "n": len(cases),
        "her_percent": [round(float(v), 2) for v in her],
        "her_mean": float(her.mean()),
        "her_sd": float(her.std(ddof=1)),
        "pre_mean_ml": float(pre.mean()),
        "post_mean_ml": float(post.mean()),
        "t": float(test.statistic),
        "df": len(cases) - 1,
        "p": float(test.pvalue),
    }
    dev = [c.get("deviation_mm") for c in cases]
    if all(isinstance(d, float) for d in dev):
        out["deviation_mean"] = float(np.mean(dev))
        out["deviation_sd"] = float(np.std(dev, ddof=1))
    return out
