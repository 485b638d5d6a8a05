"""Scores of a segmentation against its truth, per BraTS region, as the challenge reports them.

Dice and the 95th-percentile Hausdorff distance come from MONAI
(:func:`monai.metrics.compute_dice`, :func:`monai.metrics.compute_hausdorff_distance` with the
voxel spacing); IoU, sensitivity and specificity are voxel counts. Empty regions follow the
BraTS evaluation (Bakas et al. 2018, arXiv:1811.02629): a region absent from both the truth and
the prediction scores Dice 1 and HD95 0; absent from only one, Dice 0 and HD95 373.13 mm, the
diagonal of the 240 × 240 × 155 mm BraTS box.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .._extras import require
from ..errors import InputError
from .labels import REGIONS, check_labels, regions

__all__ = ["EMPTY_HD95_MM", "SCORES", "RegionScores", "score_case", "summarise_cases"]

#: HD95 of a region present in only one of truth and prediction (BraTS convention, mm).
EMPTY_HD95_MM = 373.128664
#: The scores of :class:`RegionScores`, in report order.
SCORES = ("dice", "hd95", "iou", "sensitivity", "specificity")


@dataclass(frozen=True)
class RegionScores:
    """The scores of one region of one case.

    Attributes
    ----------
    dice, iou, sensitivity, specificity : float
        In [0, 1].
    hd95 : float
        Millimetres.
    """

    dice: float
    hd95: float
    iou: float
    sensitivity: float
    specificity: float


def _monai(pred: np.ndarray, truth: np.ndarray, spacing: Sequence[float]) -> tuple[float, float]:
    """Dice and HD95 of two non-empty boolean masks, by MONAI."""
    torch = require("torch", extra="segmentation", what="segmentation scores")
    metrics = require("monai.metrics", extra="segmentation", what="segmentation scores")
    p = torch.from_numpy(pred[None, None].astype(np.float32))
    t = torch.from_numpy(truth[None, None].astype(np.float32))
    with warnings.catch_warnings():  # MONAI's own deprecation notices, nothing about the data
        warnings.simplefilter("ignore", FutureWarning)
        dice = float(metrics.compute_dice(p, t, include_background=True)[0, 0])
        hd95 = float(
            metrics.compute_hausdorff_distance(
                p, t, include_background=True, percentile=95, spacing=list(spacing)
            )[0, 0]
        )
    return dice, hd95


def _region(pred: np.ndarray, truth: np.ndarray, spacing: Sequence[float]) -> RegionScores:
    tp = int(np.count_nonzero(pred & truth))
    fp = int(np.count_nonzero(pred & ~truth))
    fn = int(np.count_nonzero(~pred & truth))
    tn = pred.size - tp - fp - fn
    if tp + fn == 0 and tp + fp == 0:
        return RegionScores(1.0, 0.0, 1.0, 1.0, 1.0)
    if tp + fn == 0 or tp + fp == 0:
        sens = 1.0 if tp + fn == 0 else 0.0
        return RegionScores(0.0, EMPTY_HD95_MM, 0.0, sens, tn / (tn + fp) if tn + fp else 1.0)
    dice, hd95 = _monai(pred, truth, spacing)
    return RegionScores(
        dice=dice,
        hd95=hd95,
        iou=tp / (tp + fp + fn),
        sensitivity=tp / (tp + fn),
        specificity=tn / (tn + fp) if tn + fp else 1.0,
    )


def score_case(
    prediction: np.ndarray,
    truth: np.ndarray,
    spacing: Sequence[float] = (1.0, 1.0, 1.0),
) -> dict[str, RegionScores]:
    """Dice, HD95, IoU, sensitivity and specificity of each region (WT, TC, ET) of one case.

    Parameters
    ----------
    prediction, truth : numpy.ndarray
        BraTS label maps (codes 0, 1, 2, 4; 3 read as 4), one shape.
    spacing : sequence of float, optional
        The voxel size in mm, per axis (default 1 mm).

    Returns
    -------
    dict of str to RegionScores
        Keyed ``"WT"``, ``"TC"``, ``"ET"``.

    Raises
    ------
    InputError
        If the shapes differ or a map holds other codes.

    Examples
    --------
    >>> truth = np.zeros((20, 20, 20), np.uint8); truth[5:15, 5:15, 5:15] = 2
    >>> truth[8:12, 8:12, 8:12] = 4
    >>> s = score_case(truth, truth)
    >>> s["WT"].dice, s["WT"].hd95, s["ET"].sensitivity
    (1.0, 0.0, 1.0)
    """
    pred = check_labels(prediction, "prediction")
    true = check_labels(truth, "truth")
    if pred.shape != true.shape:
        raise InputError(None, f"prediction shape {pred.shape} differs from truth {true.shape}")
    if len(spacing) != pred.ndim or not all(math.isfinite(s) and s > 0 for s in spacing):
        raise InputError(None, f"spacing must be {pred.ndim} positive numbers, got {spacing}")
    p, t = regions(pred), regions(true)
    return {name: _region(p[name], t[name], spacing) for name in REGIONS}


def summarise_cases(
    scores: Sequence[Mapping[str, RegionScores]],
) -> dict[str, dict[str, tuple[float, float]]]:
    """Mean and sample standard deviation of every score of every region over cases.

    Parameters
    ----------
    scores : sequence of dict
        :func:`score_case` results.

    Returns
    -------
    dict
        ``{region: {score: (mean, sd)}}``; sd is 0 for a single case.

    Examples
    --------
    >>> one = {r: RegionScores(0.8, 2.0, 0.7, 0.9, 1.0) for r in REGIONS}
    >>> two = {r: RegionScores(0.6, 4.0, 0.5, 0.7, 1.0) for r in REGIONS}
    >>> [round(v, 4) for v in summarise_cases([one, two])["WT"]["dice"]]
    [0.7, 0.1414]
    """
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for region in REGIONS:
        out[region] = {}
        for name in SCORES:
            values = np.array([getattr(case[region], name) for case in scores], np.float64)
            sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            out[region][name] = (float(values.mean()), sd)
    return out
