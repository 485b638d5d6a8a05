"""One-way repeated-measures ANOVA with the Greenhouse-Geisser correction, Bonferroni post hoc.

statsmodels' :class:`~statsmodels.stats.anova.AnovaRM` gives the F test but no sphericity
correction, so the Greenhouse-Geisser epsilon is computed here (Greenhouse & Geisser 1959,
Psychometrika 24:95; Box 1954): with ``S`` the k × k covariance of the conditions over
subjects and ``C`` the centring matrix ``I − 1/k``, ``S̃ = C S C`` and

    ε = (tr S̃)² / ((k − 1) · tr(S̃²)),

which lies in [1/(k − 1), 1]; both degrees of freedom are multiplied by ε. The post hoc tests
are paired t-tests (:func:`scipy.stats.ttest_rel`) of each condition against the reference,
Bonferroni-adjusted (p × number of tests, capped at 1), as in Gallego-Rudolf et al. (2022).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

__all__ = ["RMAnova", "gg_epsilon", "posthoc_vs_reference", "rm_anova"]


@dataclass(frozen=True)
class RMAnova:
    """The F test, uncorrected and Greenhouse-Geisser corrected."""

    f: float
    df1: float
    df2: float
    p: float
    epsilon: float
    df1_gg: float
    df2_gg: float
    p_gg: float


def gg_epsilon(data: np.ndarray) -> float:
    """Greenhouse-Geisser epsilon of (subjects × conditions) data.

    Parameters
    ----------
    data : numpy.ndarray
        (n_subjects, k).

    Returns
    -------
    float
        Epsilon in [1/(k-1), 1].

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = gg_epsilon(rng.standard_normal((200, 4)))
    >>> 0.9 < e <= 1.0
    True
    """
    k = data.shape[1]
    s = np.cov(data, rowvar=False)
    c = np.eye(k) - 1.0 / k
    st = c @ s @ c
    return float(np.trace(st) ** 2 / ((k - 1) * np.trace(st @ st)))


def rm_anova(data: np.ndarray) -> RMAnova:
    """One-way repeated-measures ANOVA (statsmodels AnovaRM) with the GG correction.

    Parameters
    ----------
    data : numpy.ndarray
        (n_subjects, k conditions), no NaN.

    Returns
    -------
    RMAnova
        F, degrees of freedom, p, epsilon and the corrected degrees of freedom and p.

    Raises
    ------
    InputError
        Fewer than 2 subjects or conditions, or NaN.
    """
    import pandas as pd
    from scipy import stats
    from statsmodels.stats.anova import AnovaRM

    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or min(data.shape) < 2 or not np.isfinite(data).all():
        raise InputError(None, "RM-ANOVA needs finite (subjects × conditions) data, 2 or more each")
    n, k = data.shape
    frame = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), k),
            "condition": np.tile(np.arange(k), n),
            "value": data.ravel(),
        }
    )
    table = AnovaRM(frame, "value", "subject", within=["condition"]).fit().anova_table
    f = float(table["F Value"].iloc[0])
    df1, df2 = float(table["Num DF"].iloc[0]), float(table["Den DF"].iloc[0])
    eps = gg_epsilon(data)
    return RMAnova(
        f=f,
        df1=df1,
        df2=df2,
        p=float(table["Pr > F"].iloc[0]),
        epsilon=eps,
        df1_gg=eps * df1,
        df2_gg=eps * df2,
        p_gg=float(stats.f.sf(f, eps * df1, eps * df2)),
    )


def posthoc_vs_reference(data: np.ndarray, reference: int = 0) -> list[tuple[float, float]]:
    """Paired t-tests of each condition against ``reference``, Bonferroni-adjusted.

    Parameters
    ----------
    data : numpy.ndarray
        (n_subjects, k).
    reference : int
        The reference column (the outside recording).

    Returns
    -------
    list of (t, p_adjusted)
        One per other condition, in column order.
    """
    from scipy import stats

    k = data.shape[1]
    out = []
    for j in range(k):
        if j == reference:
            continue
        t, p = stats.ttest_rel(data[:, j], data[:, reference])
        out.append((float(t), float(min(1.0, p * (k - 1)))))
    return out
