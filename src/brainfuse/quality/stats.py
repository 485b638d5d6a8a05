"""Agreement of objective quality scores with MOS: SRCC, KRCC, PLCC and RMSE.

The four criteria of Tang et al.'s Table 1 (and of the VQEG reports on image and video quality
assessment): Spearman's rank correlation (SRCC) and Kendall's τ (KRCC) measure monotonic
agreement; Pearson's linear correlation (PLCC) and the root mean square error (RMSE) measure
agreement after the objective scores have been mapped onto the MOS scale. Scores on another
scale than MOS (every traditional fusion metric) are first mapped by a logistic function fitted
by least squares (``scipy.optimize.curve_fit``), as VQEG prescribes:

- 4 parameters:
  :math:`q(x) = \\beta_2 + (\\beta_1 - \\beta_2) / (1 + e^{-(x - \\beta_3)/\\beta_4})`
- 5 parameters (Sheikh et al. 2006):
  :math:`q(x) = \\beta_1 (\\tfrac12 - 1/(1 + e^{\\beta_2 (x - \\beta_3)})) + \\beta_4 x + \\beta_5`

SRCC and KRCC are invariant to any monotonic mapping and are computed on the raw scores.
``scipy.stats`` computes the correlations (Kendall's τ-b, which accounts for ties: the learned
score of Tang et al. takes five values only).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import optimize, stats

from ..errors import InputError

__all__ = ["Agreement", "agreement", "logistic4", "logistic5", "map_scores"]

Mapping = Literal["none", "logistic4", "logistic5"]


def logistic4(x: np.ndarray, b1: float, b2: float, b3: float, b4: float) -> np.ndarray:
    """The 4-parameter logistic of VQEG: from ``b2`` (low ``x``) to ``b1`` (high ``x``).

    Parameters
    ----------
    x : numpy.ndarray
        Objective scores.
    b1, b2, b3, b4 : float
        Upper and lower asymptotes (for a positive scale), centre, scale.

    Returns
    -------
    q : numpy.ndarray

    Examples
    --------
    >>> from brainfuse.quality.stats import logistic4
    >>> float(logistic4(0.0, 1.0, 0.0, 0.0, 1.0))
    0.5
    """
    z = np.clip(-(np.asarray(x, dtype=float) - b3) / (b4 if b4 != 0 else 1e-12), -500, 500)
    return b2 + (b1 - b2) / (1.0 + np.exp(z))


def logistic5(x: np.ndarray, b1: float, b2: float, b3: float, b4: float, b5: float) -> np.ndarray:
    """The 5-parameter logistic of Sheikh, Sabir & Bovik (IEEE TIP 15(11), 2006).

    Parameters
    ----------
    x : numpy.ndarray
        Objective scores.
    b1, b2, b3, b4, b5 : float
        Parameters.

    Returns
    -------
    q : numpy.ndarray

    Examples
    --------
    >>> from brainfuse.quality.stats import logistic5
    >>> float(logistic5(2.0, 1.0, 1.0, 2.0, 0.5, 0.1))
    1.1
    """
    z = np.clip(b2 * (np.asarray(x, dtype=float) - b3), -500, 500)
    return b1 * (0.5 - 1.0 / (1.0 + np.exp(z))) + b4 * x + b5


def map_scores(scores: np.ndarray, mos: np.ndarray, mapping: Mapping = "logistic4") -> np.ndarray:
    """Scores mapped onto the MOS scale by a fitted logistic (or unchanged).

    Parameters
    ----------
    scores, mos : numpy.ndarray
        Objective scores and MOS, same length.
    mapping : {"none", "logistic4", "logistic5"}
        The mapping. When the fit does not converge, the best linear fit is used instead.

    Returns
    -------
    mapped : numpy.ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.stats import map_scores
    >>> x = np.linspace(-3, 3, 13)
    >>> mos = 1 / (1 + np.exp(-2 * x))
    >>> bool(np.abs(map_scores(x, mos) - mos).max() < 1e-3)
    True
    """
    x = np.asarray(scores, dtype=float)
    y = np.asarray(mos, dtype=float)
    if mapping == "none":
        return x
    slope, intercept = np.polyfit(x, y, 1) if np.ptp(x) > 0 else (0.0, float(y.mean()))
    linear = slope * x + intercept
    sd = float(np.std(x)) or 1.0
    if mapping == "logistic4":
        up = slope >= 0
        p0 = [y.max() if up else y.min(), y.min() if up else y.max(), float(np.median(x)), sd / 2]
        func = logistic4
    elif mapping == "logistic5":
        p0 = [
            float(np.ptp(y)),
            np.sign(slope or 1.0) / sd,
            float(np.median(x)),
            0.0,
            float(y.mean()),
        ]
        func = logistic5
    else:
        raise InputError(None, f"unknown mapping '{mapping}'; valid: none, logistic4, logistic5")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            params, _ = optimize.curve_fit(func, x, y, p0=p0, maxfev=20000)
        fitted = func(x, *params)
    except (RuntimeError, ValueError, optimize.OptimizeWarning):
        return linear
    if not np.all(np.isfinite(fitted)) or np.sum((fitted - y) ** 2) > np.sum((linear - y) ** 2):
        return linear
    return fitted


@dataclass(frozen=True)
class Agreement:
    """SRCC, KRCC, PLCC and RMSE of one score against MOS.

    Parameters
    ----------
    srcc, krcc, plcc, rmse : float
        The criteria (PLCC and RMSE after the mapping).
    n : int
        Number of images.
    mapping : str
        The mapping used before PLCC and RMSE.
    """

    srcc: float
    krcc: float
    plcc: float
    rmse: float
    n: int
    mapping: str

    def as_dict(self) -> dict[str, float | int | str]:
        """The fields.

        Returns
        -------
        fields : dict
        """
        return {
            "SRCC": self.srcc,
            "KRCC": self.krcc,
            "PLCC": self.plcc,
            "RMSE": self.rmse,
            "n": self.n,
            "mapping": self.mapping,
        }


def agreement(scores: np.ndarray, mos: np.ndarray, mapping: Mapping = "none") -> Agreement:
    """SRCC, KRCC, PLCC and RMSE of ``scores`` against ``mos``.

    Parameters
    ----------
    scores, mos : array_like
        Same length, at least 3, finite.
    mapping : {"none", "logistic4", "logistic5"}, optional
        Mapping of the scores onto the MOS scale before PLCC and RMSE (default none: for scores
        already on the MOS scale, like Tang et al.'s).

    Returns
    -------
    result : Agreement
        A constant score has SRCC, KRCC and PLCC 0 (no agreement), not NaN.

    Raises
    ------
    InputError
        For different lengths, fewer than 3 values or non-finite values.

    Examples
    --------
    >>> from brainfuse.quality.stats import agreement
    >>> r = agreement([0.2, 0.4, 0.6, 0.8], [0.2, 0.6, 0.4, 0.8])
    >>> round(r.srcc, 3), round(r.krcc, 3), round(r.plcc, 3), round(r.rmse, 4)
    (0.8, 0.667, 0.8, 0.1414)
    """
    x = np.asarray(scores, dtype=float).ravel()
    y = np.asarray(mos, dtype=float).ravel()
    if x.shape != y.shape:
        raise InputError(None, f"{x.size} scores but {y.size} MOS values")
    if x.size < 3:
        raise InputError(None, f"agreement needs at least 3 scores, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise InputError(None, "scores and MOS must be finite numbers")
    mapped = map_scores(x, y, mapping)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        srcc = krcc = 0.0
    else:
        srcc = float(stats.spearmanr(x, y).statistic)
        krcc = float(stats.kendalltau(x, y).statistic)
    plcc = 0.0 if np.ptp(mapped) == 0 or np.ptp(y) == 0 else float(stats.pearsonr(mapped, y)[0])
    rmse = float(np.sqrt(np.mean((mapped - y) ** 2)))
    return Agreement(srcc, krcc, plcc, rmse, int(x.size), mapping)
