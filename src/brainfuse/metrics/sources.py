"""Metrics of the fused image against the two sources: CC, SCD, MSE, RMSE, PSNR, rSFe.

Two-source metrics take ``(fused, a, b)`` (``a`` anatomical, ``b`` functional or CT), all the
same shape, 2D or 3D (rSFe 2D only), on the 0..255 scale.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from ._common import check_choice, check_number, check_triple

__all__ = ["correlation_coefficient", "mse", "pearson", "psnr", "rmse", "rsfe", "scd"]


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    r"""Pearson correlation of two arrays (MATLAB ``corr2``), in their float precision.

    Parameters
    ----------
    x, y : numpy.ndarray
        Float arrays of the same shape.

    Returns
    -------
    float
        :math:`r` in −1..1; 0 when either array is constant (the formula gives 0/0).

    Notes
    -----
    .. math:: r = \frac{\sum (x-\bar x)(y-\bar y)}{\sqrt{\sum (x-\bar x)^2 \sum (y-\bar y)^2}}

    References
    ----------
    K. Pearson, "Notes on regression and inheritance in the case of two parents", Proc. R.
    Soc. Lond. 58, 240–242, 1895.

    Examples
    --------
    >>> import numpy as np
    >>> pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 7.0]))
    0.9933992677987828
    """
    dx = x - np.mean(x)
    dy = y - np.mean(y)
    den = np.sqrt(np.sum(dx * dx) * np.sum(dy * dy))
    if den == 0:
        return 0.0
    return float(np.sum(dx * dy) / den)


def correlation_coefficient(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""CC: the mean Pearson correlation of the fused image with each source (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources (A anatomical, B functional or CT), grey, the same
        shape, 2D or 3D, on the 0..255 scale.

    Returns
    -------
    float
        CC in −1..1, computed in the input precision (as CDDFuse's ``Evaluator.CC``). A
        constant image correlates 0 with anything (documented convention; the formula gives
        0/0).

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D or 3D arrays.

    Notes
    -----
    .. math:: CC = \tfrac12\,[r(A,F) + r(B,F)]

    with :math:`r` Pearson's correlation (:func:`pearson`).

    References
    ----------
    J. Ma, W. Yu, P. Liang, C. Li, J. Jiang, "FusionGAN: a generative adversarial network for
    infrared and visible image fusion", Inf. Fusion 48, 11–26, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(correlation_coefficient((a + b) / 2, a, b), 4)  # 1/sqrt(2)
    0.7071
    """
    f, a, b = check_triple(fused, a, b)
    return (pearson(a, f) + pearson(b, f)) / 2


def scd(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """SCD, the sum of the correlations of differences (−2..2, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.

    Returns
    -------
    float
        SCD. Constant differences correlate 0.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D or 3D arrays.

    Notes
    -----
    .. math:: SCD = r(A, F - B) + r(B, F - A)

    The difference F − B is what F took from A (and F − A what it took from B). Identical in
    CDDFuse and Tang's toolbox.

    References
    ----------
    V. Aslantas, E. Bendes, "A new image quality metric for image fusion: the sum of the
    correlations of differences", AEU Int. J. Electron. Commun. 69(12), 1890–1896, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(scd((a + b) / 2, a, b), 4)  # 2/sqrt(2)
    1.4142
    """
    f, a, b = check_triple(fused, a, b)
    return pearson(a, f - b) + pearson(b, f - a)


def _mse(x: np.ndarray, y: np.ndarray) -> float:
    d = x - y
    return float(np.mean(d * d))


def mse(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""MSE, the mean squared error of F to each source, averaged (lower is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.

    Returns
    -------
    float
        MSE ≥ 0, in the input precision.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D or 3D arrays.

    Notes
    -----
    .. math:: MSE = \tfrac12\left[\tfrac{1}{MN}\sum(A-F)^2 + \tfrac{1}{MN}\sum(B-F)^2\right]

    References
    ----------
    P. Jagalingam, A. V. Hegde, "A review of quality metrics for fused image", Aquatic
    Procedia 4, 133–142, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((4, 4))
    >>> mse(a + 3, a, a + 10)  # (9 + 49) / 2
    29.0
    """
    f, a, b = check_triple(fused, a, b)
    return (_mse(a, f) + _mse(b, f)) / 2


def rmse(
    fused: np.ndarray, a: np.ndarray, b: np.ndarray, *, per_source: Literal["rmse", "vifb"] = "rmse"
) -> float:
    r"""RMSE, the root mean squared error of F to each source, averaged (lower is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    per_source : {"rmse", "vifb"}
        ``"rmse"``: the root of each source's MSE (the paper); ``"vifb"``: VIFB/MEFB
        ``metricsRmse``, whose per-source term is :math:`\sqrt{\sum (X-F)^2}/(MN)` (square root
        of the sum, divided by the pixel count: a bug that shrinks the value by
        :math:`\sqrt{MN}`).

    Returns
    -------
    float
        RMSE ≥ 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, or an unknown
        ``per_source``.

    Notes
    -----
    .. math:: RMSE = \tfrac12\left[\sqrt{MSE_{AF}} + \sqrt{MSE_{BF}}\right],\qquad
              MSE_{XF} = \tfrac{1}{MN}\sum (X - F)^2

    References
    ----------
    P. Jagalingam, A. V. Hegde, Aquatic Procedia 4, 133–142, 2015 (see :func:`mse`);
    X. Zhang, P. Ye, G. Xiao, "VIFB", CVPR Workshops 2020 (``per_source="vifb"``).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((4, 4))
    >>> rmse(a + 3, a, a + 10)  # (3 + 7) / 2
    5.0
    >>> rmse(a + 3, a, a + 10, per_source="vifb")  # divided by sqrt(16) more
    1.25
    """
    check_choice(per_source, "per_source", "rmse", ("rmse", "vifb"))
    f, a, b = check_triple(fused, a, b)
    if per_source == "vifb":
        n = f.size
        return (_root_sse(a, f) / n + _root_sse(b, f) / n) / 2
    return (math.sqrt(_mse(a, f)) + math.sqrt(_mse(b, f))) / 2


def _root_sse(x: np.ndarray, y: np.ndarray) -> float:
    d = x - y
    return math.sqrt(float(np.sum(d * d)))


def psnr(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    peak: float | Literal["max"] = 255.0,
    per_source: Literal["mse", "vifb"] = "mse",
) -> float:
    r"""PSNR in dB, from the source-averaged MSE (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    peak : float or "max"
        The peak :math:`P`: a positive number (255: the paper, VIFB, Tang) or ``"max"``, the
        maximum of the fused image (CDDFuse: ``10·log10(max(F)²/MSE)``; ``-inf`` for an
        all-zero F).
    per_source : {"mse", "vifb"}
        ``"vifb"`` replaces the MSE by VIFB's :math:`\tfrac12\sum_X \sqrt{\sum(X-F)^2}/(MN)` in
        :math:`20\log_{10}(P/\sqrt{\cdot})` (see :func:`rmse`; its peak is 255 for ``"max"``).

    Returns
    -------
    float
        PSNR in dB. A fused image equal to both sources (MSE = 0) gives ``inf``.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, ``peak`` neither
        ``"max"`` nor a finite number > 0, or an unknown ``per_source``.

    Notes
    -----
    .. math:: PSNR = 10\log_{10}\frac{P^2}{MSE}

    with the :func:`mse` averaged over the two sources.

    References
    ----------
    P. Jagalingam, A. V. Hegde, Aquatic Procedia 4, 133–142, 2015 (see :func:`mse`).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.zeros((4, 4))
    >>> round(psnr(a + 3, a, a + 10), 4)  # 10 log10(255**2 / 29)
    33.5068
    >>> round(psnr(a + 3, a, a + 10, peak="max"), 4)  # 10 log10(3**2 / 29)
    -5.0816
    """
    check_choice(per_source, "per_source", "psnr", ("mse", "vifb"))
    check_number(peak, "peak", "psnr", minimum=0, exclusive_minimum=True, words=("max",))
    f, a, b = check_triple(fused, a, b)
    if per_source == "vifb":
        n = f.size
        err = (_root_sse(a, f) / n + _root_sse(b, f) / n) / 2
        p = 255.0 if peak == "max" else float(peak)
        return 20 * math.log10(p / math.sqrt(err)) if err > 0 else math.inf
    m = (_mse(a, f) + _mse(b, f)) / 2
    if peak == "max":
        p2 = float(np.max(f)) ** 2
        if m == 0:
            return math.inf
        return 10 * math.log10(p2 / m) if p2 > 0 else -math.inf
    return 10 * math.log10(float(peak) ** 2 / m) if m > 0 else math.inf


def _sf_terms(im: np.ndarray) -> tuple[float, float, float, float]:
    """Liu's squared row, column, main- and secondary-diagonal frequencies of one image."""
    n = im.size
    wd = math.sqrt(2) / 2
    rf = float(np.sum(np.diff(im, axis=1) ** 2)) / n
    cf = float(np.sum(np.diff(im, axis=0) ** 2)) / n
    mdf = wd * float(np.sum((im[1:, 1:] - im[:-1, :-1]) ** 2)) / n
    sdf = wd * float(np.sum((im[1:, :-1] - im[:-1, 1:]) ** 2)) / n
    return rf, cf, mdf, sdf


def rsfe(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""rSFe, the ratio of spatial-frequency error (signed; 0 is ideal).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255.

    Returns
    -------
    float
        rSFe. Negative values mean an under-fused (blurred) image, positive values
        over-fusion (noise, artefacts). Sources without any gradient give 0/0: defined here as
        0 when the fused image is also flat, ``inf`` otherwise.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D arrays.

    Notes
    -----
    .. math:: rSFe = \frac{SF_F - SF_R}{SF_R}

    :math:`SF_F = \sqrt{RF^2 + CF^2 + MDF^2 + SDF^2}` adds the two diagonal first-order
    frequencies (weight :math:`\sqrt2/2`) to the row and column ones, all divided by
    :math:`MN`. The reference :math:`SF_R` uses, at every pixel and direction, the larger of the
    two sources' absolute differences. Liu's implementation (``metricZheng``, which the MdAFuse
    paper uses) modifies the paper's equations (7)–(8): it is what this function follows.

    References
    ----------
    Y. Zheng, E. A. Essock, B. C. Hansen, A. M. Haun, "A new metric based on extended spatial
    frequency and its application to DWT based fusion algorithms", Inf. Fusion 8, 177–192,
    2007.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(rsfe((a + b) / 2, a, b), 4)  # the average blurs the edges of both
    -0.4062
    >>> rsfe(a, a, a)  # a source's own detail, matched exactly
    0.0
    """
    f, a, b = check_triple(fused, a, b, dims=(2,))
    f, a, b = (x.astype(np.float64) for x in (f, a, b))
    sf_f = math.sqrt(sum(_sf_terms(f)))
    n = f.size
    wd = math.sqrt(2) / 2

    def grad(d1: np.ndarray, d2: np.ndarray) -> float:
        g = np.maximum(np.abs(d1), np.abs(d2))
        return float(np.sum(g * g))

    rfr = grad(np.diff(a, axis=1), np.diff(b, axis=1)) / n
    cfr = grad(np.diff(a, axis=0), np.diff(b, axis=0)) / n
    mdfr = wd * grad(a[1:, 1:] - a[:-1, :-1], b[1:, 1:] - b[:-1, :-1]) / n
    sdfr = wd * grad(a[1:, :-1] - a[:-1, 1:], b[1:, :-1] - b[:-1, 1:]) / n
    sf_r = math.sqrt(rfr + cfr + mdfr + sdfr)
    if sf_r == 0:
        return 0.0 if sf_f == 0 else math.inf
    return (sf_f - sf_r) / sf_r
