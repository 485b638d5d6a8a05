"""A comparison in the form of Tang et al.'s Table 1: each score's agreement with the MOS.

The traditional fusion-quality metrics of the table, as BrainFuse computes them (the
conventions of Zheng Liu's toolbox, profile ``liu2012`` of :mod:`brainfuse.metrics`), on the
grey 128×128 images on 0..255:

=========  ===========================================================================
Q_MI       normalised mutual information of Hossny et al. 2008
Q_NCIE     nonlinear correlation information entropy (Wang, Shen & Jin 2005)
Q_G        Xydeas & Petrović 2000 gradient-based edge preservation
Q_rSFe     ratio of spatial frequency error (Zheng et al. 2007), scored as −|rSFe| so that
           larger is better (0 is ideal; the signed value ranks over- and under-sharpening
           alike)
Q_Y        Yang et al. 2008 SSIM-based metric
Q_EP       Wang & Liu 2008 multiscale edge preservation — the reference Tang et al. give for
           Q_EP; BrainFuse's ``Q_M`` (:func:`brainfuse.metrics.wang_qm`)
Q_P        Zhao et al. 2007 phase-congruency metric
=========  ===========================================================================

PLCC and RMSE of the traditional metrics are computed after the 4-parameter logistic mapping
(:func:`brainfuse.quality.stats.map_scores`; their scales are not the MOS scale); the learned
score is on the MOS scale already (its 0.2..1.0) and is also reported with the same mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np

from ..metrics import edges, information, phase, sources, structural
from .stats import Agreement, agreement
from .stats import Mapping as MapName

__all__ = ["TRADITIONAL", "comparison_table", "traditional_scores"]


def _neg_abs_rsfe(f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return -abs(sources.rsfe(f, a, b))


#: The traditional metrics of Tang et al.'s Table 1: name → ``metric(fused, a, b)`` on 0..255.
TRADITIONAL: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], float]] = {
    "Q_MI": partial(information.normalized_mutual_information, normalise=True),
    "Q_NCIE": information.ncie,
    "Q_G": edges.qabf_liu,
    "Q_rSFe": _neg_abs_rsfe,
    "Q_Y": structural.yang,
    "Q_EP": edges.wang_qm,
    "Q_P": phase.zhao_qp,
}


def traditional_scores(
    a: np.ndarray, b: np.ndarray, fused: np.ndarray, *, progress: bool = False
) -> dict[str, np.ndarray]:
    """Every metric of :data:`TRADITIONAL` on every image.

    Parameters
    ----------
    a, b, fused : numpy.ndarray
        ``(N, H, W)`` on 0..1 (as :class:`~brainfuse.quality.database.MosDatabase` holds them);
        the metrics see them on 0..255, rounded to whole grey levels as the PNG files were.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    scores : dict of str to numpy.ndarray
        ``(N,)`` per metric.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.compare import traditional_scores
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.random((1, 32, 32)), rng.random((1, 32, 32))
    >>> scores = traditional_scores(a, b, (a + b) / 2)
    >>> sorted(scores) == sorted(["Q_MI", "Q_NCIE", "Q_G", "Q_rSFe", "Q_Y", "Q_EP", "Q_P"])
    True
    """
    from tqdm.auto import tqdm

    out = {k: np.zeros(len(fused)) for k in TRADITIONAL}
    for i in tqdm(range(len(fused)), desc="metrics", disable=not progress):
        fa, fb, ff = (np.rint(np.asarray(x[i], np.float64) * 255.0) for x in (a, b, fused))
        for k, fn in TRADITIONAL.items():
            out[k][i] = fn(ff, fa, fb)
    return out


def comparison_table(
    scores: Mapping[str, np.ndarray], mos: np.ndarray, *, mapping: MapName = "logistic4"
) -> dict[str, Agreement]:
    """SRCC, KRCC, PLCC and RMSE of each score against the MOS (on 0..1).

    Parameters
    ----------
    scores : mapping of str to numpy.ndarray
        Name → one score per image.
    mos : numpy.ndarray
        The MOS on 0..1 (``MOS / 5``).
    mapping : {"none", "logistic4", "logistic5"}, optional
        Mapping before PLCC and RMSE (default the 4-parameter logistic).

    Returns
    -------
    table : dict of str to Agreement

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.compare import comparison_table
    >>> mos = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    >>> table = comparison_table({"good": mos**2, "bad": -mos}, mos)
    >>> round(table["good"].srcc, 6), round(table["bad"].srcc, 6)
    (1.0, -1.0)
    """
    return {k: agreement(np.asarray(v), mos, mapping) for k, v in scores.items()}
