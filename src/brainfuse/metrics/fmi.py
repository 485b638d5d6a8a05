"""FMI, Haghighat's feature mutual information (fast-FMI), with its feature extractors."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pywt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.fft import dctn

from ..errors import InputError
from ._common import check_choice, check_number, check_triple, correlate_same

__all__ = ["feature_mutual_information", "octave_sobel_edges"]

Feature = Literal["none", "edge", "dct", "wavelet", "gradient"]
_FEATURES = ("none", "edge", "dct", "wavelet", "gradient")


def octave_sobel_edges(image: np.ndarray) -> np.ndarray:
    r"""Octave's ``edge(im)`` (image package 2.x, Sobel method): a binary edge map.

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image.

    Returns
    -------
    numpy.ndarray
        ``float64`` map of 0 and 1, the shape of ``image``.

    Notes
    -----
    Squared Sobel strength with the kernel divided by 8 and replicated borders,

    .. math:: s^2 = (h * I)^2 + (h^T * I)^2,\qquad h = \tfrac18
              \begin{bmatrix}1 & 2 & 1\\ 0 & 0 & 0\\ -1 & -2 & -1\end{bmatrix}

    thresholded at :math:`4\,\overline{s^2}`, then Octave's simple thinning: a pixel is an edge
    where its strength is above the threshold and larger than both neighbours horizontally or
    both vertically. MATLAB's ``edge`` thins differently, so MATLAB gives other FMI values.

    References
    ----------
    I. Sobel, G. Feldman, "A 3x3 isotropic gradient operator for image processing",
    Stanford Artificial Intelligence Project, 1968; GNU Octave image package, ``edge.m``.

    Examples
    --------
    >>> import numpy as np
    >>> step = np.zeros((8, 8))
    >>> step[:, 4], step[:, 5:] = 100, 255  # the steepest change is at column 4
    >>> octave_sobel_edges(step).sum(axis=0).tolist()
    [0.0, 0.0, 0.0, 0.0, 8.0, 0.0, 0.0, 0.0]
    """
    x = np.asarray(image, dtype=np.float64)
    h = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]) / 8
    s2 = (
        correlate_same(x, h, border="replicate") ** 2
        + correlate_same(x, h.T, border="replicate") ** 2
    )
    thresh2 = 4 * float(np.mean(s2))
    s2[s2 <= thresh2] = 0
    p = np.pad(s2, 1)
    horiz = (s2 > p[1:-1, :-2]) & (s2 > p[1:-1, 2:])
    vert = (s2 > p[:-2, 1:-1]) & (s2 > p[2:, 1:-1])
    return (horiz | vert).astype(np.float64)


def _rerange(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return np.ones_like(x) if hi == lo else (x - lo) / (hi - lo)


def _features(x: np.ndarray, feature: Feature) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if feature == "none":
        return x
    if feature == "edge":
        return octave_sobel_edges(x)
    if feature == "gradient":
        g = np.empty_like(x)
        g[:, 0] = x[:, 1] - x[:, 0]
        g[:, -1] = x[:, -1] - x[:, -2]
        g[:, 1:-1] = (x[:, 2:] - x[:, :-2]) / 2
        return g
    if feature == "dct":
        return dctn(x, type=2, norm="ortho")
    ca, (ch, cv, cd) = pywt.dwt2(x, "dmey", mode="symmetric")
    return _rerange(np.block([[ca, ch], [cv, cd]]))


def _windows(x: np.ndarray, w: int) -> np.ndarray:
    """All w×w windows, each flattened column-major (MATLAB ``sub(:)``): (n, w*w)."""
    v = sliding_window_view(x, (w, w))
    return np.ascontiguousarray(v.transpose(0, 1, 3, 2)).reshape(-1, w * w)


def _seq_sum(cols: np.ndarray) -> np.ndarray:
    """Sequential sum along axis 1 (Octave's ``sum`` of a vector)."""
    out = np.zeros(cols.shape[0])
    for k in range(cols.shape[1]):
        out = out + cols[:, k]
    return out


def _normalise(sub: np.ndarray) -> np.ndarray:
    lo = sub.min(axis=1, keepdims=True)
    hi = sub.max(axis=1, keepdims=True)
    flat = hi == lo
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (sub - lo) / (hi - lo)
    return np.where(flat, 1.0, out)


def _pair_fmi(xs: np.ndarray, fs: np.ndarray, side: int) -> np.ndarray:
    """The normalised MI of one source with F in every window (Haghighat's ``fmi.m``
    arithmetic: sequential sums, the Nelsen copula bound written as in the code)."""
    ell = xs.shape[1]
    xs = _normalise(xs)
    fs = _normalise(fs)

    # sum(sum(sub)): column sums, then their sum, sequentially.
    def total(sub: np.ndarray) -> np.ndarray:
        colsums = [_seq_sum(sub[:, c * side : (c + 1) * side]) for c in range(side)]
        return _seq_sum(np.stack(colsums, axis=1))

    xp = xs / total(xs)[:, None]
    fp = fs / total(fs)[:, None]
    xc = np.cumsum(xp, axis=1)
    fc = np.cumsum(fp, axis=1)
    xt = xp - (_seq_sum(xp) / ell)[:, None]
    ft = fp - (_seq_sum(fp) / ell)[:, None]
    cross = _seq_sum(xt * ft)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(cross == 0, 0.0, cross / np.sqrt(_seq_sum(xt * xt) * _seq_sum(ft * ft)))
    idx = np.arange(1, ell + 1, dtype=np.float64)
    ex = _seq_sum(idx * xp)
    ex2 = _seq_sum(idx**2 * xp)
    ef = _seq_sum(idx * fp)
    ef2 = _seq_sum(idx**2 * fp)
    xsd = np.sqrt(np.maximum(ex2 - ex**2, 0))
    fsd = np.sqrt(np.maximum(ef2 - ef**2, 0))
    upper = c >= 0
    fci = fc[:, :, None]
    xcj = xc[:, None, :]
    # Frechet bounds as the code writes them: 0.5(f + a - |f - a|) (c >= 0) and
    # 0.5(f + a - 1 + |f + a - 1|) (c < 0).
    bound = fci + xcj
    up, lo = np.nonzero(upper)[0], np.nonzero(~upper)[0]
    if up.size:
        bound[up] -= np.abs(fci[up] - xcj[up])
    if lo.size:
        shifted = bound[lo] - 1
        bound[lo] = shifted + np.abs(shifted)
    bound *= 0.5
    # Smooth sums (no branch depends on their last bits) use NumPy's summation.
    cov = np.sum(bound, axis=(1, 2)) - np.sum(fc, axis=1) * np.sum(xc, axis=1)
    # The covariance of the upper bound is >= 0 and that of the lower bound <= 0, with 0 only
    # when one marginal is a point mass; then both bounds are the product of the marginals and
    # the joint pdf is that product whatever the mix. A computed covariance of zero or of the
    # wrong sign is round-off of that case (in fmi.m, c/0 gives a NaN joint entropy).
    flat_bound = np.where(upper, cov <= 0, cov >= 0)
    degenerate = (xsd == 0) | (fsd == 0) | (upper & (c == 0)) | flat_bound
    with np.errstate(divide="ignore", invalid="ignore"):
        mix = np.where(degenerate, 0.0, c / (cov / (fsd * xsd)))
    # jpdf of the bound by inclusion-exclusion on the cdf grid
    jbound = bound
    jbound[:, 1:, :] -= bound[:, :-1, :].copy()
    jbound[:, :, 1:] -= jbound[:, :, :-1].copy()
    jpdf = jbound * mix[:, None, None]
    jpdf += (1 - mix)[:, None, None] * (fp[:, :, None] * xp[:, None, :])
    mag = np.abs(jpdf)
    np.maximum(mag, np.finfo(np.float64).tiny, out=mag)
    joint = -np.sum(jpdf * np.log2(mag), axis=(1, 2))

    def entropy(p: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(p != 0, -p * np.log2(p), 0.0)
        return _seq_sum(t)

    hx, hf = entropy(xp), entropy(fp)
    mi = hx + hf - joint
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mi == 0, 0.0, 2 * mi / (hx + hf))


def feature_mutual_information(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    feature: Feature = "none",
    window: int = 3,
) -> float:
    r"""FMI, Haghighat's feature mutual information (fast-FMI; 0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least
        ``window`` pixels per side.
    feature : {"none", "edge", "gradient", "dct", "wavelet"}
        The feature maps compared: ``"none"``: the pixels (FunFuseAn's ``fmi.m``);
        ``"edge"``: Octave's Sobel edge map (:func:`octave_sobel_edges`; MEFB ``metricsFMI``,
        Tang's ``analysis_fmi``); ``"gradient"``: MATLAB ``gradient`` (x); ``"dct"``:
        orthonormal 2D DCT; ``"wavelet"``: one-level Meyer DWT, rescaled to 0..1.
    window : int
        Side of the sliding window, ≥ 2.

    Returns
    -------
    float
        FMI.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, an image smaller than the
        window, or a bad option.

    Notes
    -----
    In every ``window``×``window`` window each feature map is min–max normalised and divided
    by its sum to give a distribution over the window's pixels; the joint distribution of the
    source's and F's follows Nelsen's method (a mix of the independent and the Fréchet-bound
    copula matching their correlation), and

    .. math:: FMI = \operatorname{mean}_w \tfrac12\left[\frac{2I(A;F)}{H(A)+H(F)}
              + \frac{2I(B;F)}{H(B)+H(F)}\right]

    A window equal in the source and F counts 1. The arithmetic (sequential sums, order of
    the terms, the reuse of F's normalised window for B) follows ``fmi.m`` so the 0/0 and tie
    cases resolve as in the reference, except one: when one of the two distributions is a
    point mass (a float fused image: one bright pixel among round-off values of 1e-17, next to
    a flat source window) the correlation of the Fréchet bound is 0 and the bound *is* the
    product of the marginals, so the joint pdf is that product and the window shares no
    information (MI 0, up to round-off); ``fmi.m`` divides by 0 and returns NaN.

    References
    ----------
    M. B. A. Haghighat, A. Aghagolzadeh, H. Seyedarabi, "A non-reference image fusion metric
    based on mutual information of image features", Comput. Electr. Eng. 37(5), 744–756,
    2011; M. Haghighat, M. A. Razian, "Fast-FMI: non-reference image fusion metric", AICT
    2014.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(feature_mutual_information((a + b) / 2, a, b), 4)
    0.3969
    >>> feature_mutual_information(a, a, a)  # every window equal in the source and F
    1.0
    """
    check_choice(feature, "feature", "feature_mutual_information", _FEATURES)
    check_number(window, "window", "feature_mutual_information", minimum=2, integer=True)
    f, a, b = check_triple(fused, a, b, dims=(2,))
    if min(f.shape) < window:
        raise InputError(None, f"image {f.shape} is too small for the {window}x{window} FMI window")
    fa, fb, ff = (_features(x, feature) for x in (a, b, f))
    aw, bw, fw = (_windows(x, window) for x in (fa, fb, ff))
    same_a = np.all(aw == fw, axis=1)
    fmi_a = np.ones(len(aw))
    todo = ~same_a
    fmi_a[todo] = _pair_fmi(aw[todo], fw[todo], window)
    # The code compares B's window with F's window as left by the A branch (normalised
    # when that branch ran).
    f_after = fw.copy()
    f_after[todo] = _normalise(fw[todo])
    same_b = np.all(bw == f_after, axis=1)
    fmi_b = np.ones(len(bw))
    todo = ~same_b
    fmi_b[todo] = _pair_fmi(bw[todo], f_after[todo], window)
    return float(np.mean((fmi_a + fmi_b) / 2))
