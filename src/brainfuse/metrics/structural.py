"""Structural metrics: SSIM (and its fusion variants Q_S, Q_W, Q_E, Q_C, Q_Y, MEF-SSIM).

SSIM works on 2D images and 3D volumes; the fusion variants on 2D images.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import ndimage

from ..errors import InputError
from ._common import (
    check_choice,
    check_flag,
    check_number,
    check_triple,
    correlate_same,
    correlate_valid,
    filter2_valid_octave,
    gaussian_1d,
    octave_gaussian_window,
    uniform_mean,
)

__all__ = [
    "cvejic",
    "edge_piella_mefb",
    "mef_ssim",
    "ms_ssim",
    "piella",
    "ssim",
    "ssim_map",
    "yang",
]

SSIMWindow = Literal["gaussian", "uniform", "gaussian-replicate"]
_WINDOWS = ("gaussian", "uniform", "gaussian-replicate")


def _check_ssim_options(
    owner: str,
    window: object,
    win_size: object,
    sigma: object,
    data_range: object,
    sample_covariance: object,
) -> None:
    check_choice(window, "window", owner, _WINDOWS)
    check_number(win_size, "win_size", owner, minimum=3, integer=True, odd=True)
    check_number(sigma, "sigma", owner, minimum=0, exclusive_minimum=True)
    check_number(data_range, "data_range", owner, minimum=0, exclusive_minimum=True)
    check_flag(sample_covariance, "sample_covariance", owner)


def _gaussian_valid(x: np.ndarray, size: int, sigma: float) -> np.ndarray:
    g = gaussian_1d(size, sigma)
    if x.ndim == 2:
        return correlate_valid(x, (g, g))
    # A volume: the in-plane window slice by slice, then the first axis, all with OpenCV's
    # separable filter (the first-axis pass filters the columns of an (X, Y*Z) view).
    x = np.ascontiguousarray(x, dtype=np.float64)
    r = size // 2
    planes = np.stack([correlate_valid(sl, (g, g)) for sl in x])
    flat = np.ascontiguousarray(planes).reshape(planes.shape[0], -1)
    one = np.ones(1)
    along = cv2.sepFilter2D(flat, cv2.CV_64F, one, g, borderType=cv2.BORDER_CONSTANT)
    return along[r : flat.shape[0] - r].reshape(-1, *planes.shape[1:])


class _Moments:
    """Local means and second moments of images, for SSIM maps that share an image."""

    def __init__(self, window: SSIMWindow, size: int, sigma: float) -> None:
        self.window, self.size, self.sigma = window, size, sigma

    def filt(self, x: np.ndarray) -> np.ndarray:
        if self.window == "uniform":
            # scikit-image's structural_similarity: uniform_filter in the input precision,
            # reflected borders; the border of width size//2 is cropped from the map later.
            return uniform_mean(x, self.size)
        if self.window == "gaussian-replicate":
            g = gaussian_1d(self.size, self.sigma)
            out = x
            for axis in range(x.ndim):
                out = ndimage.correlate1d(out, g, axis=axis, mode="nearest")
            return out
        return _gaussian_valid(x, self.size, self.sigma)


def ssim_map(
    x: np.ndarray,
    y: np.ndarray,
    *,
    window: SSIMWindow = "gaussian",
    win_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 255.0,
    k1: float = 0.01,
    k2: float = 0.03,
    sample_covariance: bool = False,
) -> np.ndarray:
    r"""Local SSIM map of two images, without the border windows.

    Parameters
    ----------
    x, y : numpy.ndarray
        Grey images (or volumes) of the same shape on the 0..255 scale, at least ``win_size``
        per side.
    window : {"gaussian", "uniform", "gaussian-replicate"}
        Window and borders, as in :func:`ssim`.
    win_size : int
        Window side, odd, ≥ 3.
    sigma : float
        Standard deviation of a Gaussian window, > 0.
    data_range : float
        Dynamic range :math:`L`, > 0.
    k1, k2 : float
        Constants of :math:`C_1 = (k_1 L)^2`, :math:`C_2 = (k_2 L)^2`, ≥ 0.
    sample_covariance : bool
        Sample (divisor :math:`n - 1`) rather than population statistics.

    Returns
    -------
    numpy.ndarray
        The map: 'valid' windows for ``"gaussian"``, the border of width ``win_size // 2``
        cropped for ``"uniform"``, every window for ``"gaussian-replicate"``.

    Raises
    ------
    InputError
        An image smaller than the window or a bad option.

    Notes
    -----
    .. math:: SSIM_w(X,Y) = \frac{(2\mu_X\mu_Y + C_1)(2\sigma_{XY} + C_2)}
              {(\mu_X^2 + \mu_Y^2 + C_1)(\sigma_X^2 + \sigma_Y^2 + C_2)}

    References
    ----------
    Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from
    error visibility to structural similarity", IEEE TIP 13(4), 600–612, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> m = ssim_map(a, a)
    >>> m.shape, float(m.min())
    ((54, 54), 1.0)
    """
    _check_ssim_options("ssim_map", window, win_size, sigma, data_range, sample_covariance)
    check_number(k1, "k1", "ssim_map", minimum=0)
    check_number(k2, "k2", "ssim_map", minimum=0)
    return _ssim_maps(x, [y], window, win_size, sigma, data_range, k1, k2, sample_covariance)[0]


def _ssim_maps(
    x: np.ndarray,
    ys: list[np.ndarray],
    window: SSIMWindow,
    win_size: int,
    sigma: float,
    data_range: float,
    k1: float,
    k2: float,
    sample_covariance: bool,
) -> list[np.ndarray]:
    if min(x.shape) < win_size:
        raise InputError(None, f"image {x.shape} is smaller than the {win_size}-pixel SSIM window")
    mom = _Moments(window, win_size, sigma)
    npix = win_size**x.ndim
    cov_norm = npix / (npix - 1) if sample_covariance else 1.0
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    # In-place arithmetic (volumes are large) in scikit-image's order of operations, so
    # float32 results stay bit-identical: 2*u*v == (u*v)*2 exactly.
    ux = mom.filt(x)
    vx = mom.filt(x * x)
    ux_sq = ux * ux
    vx -= ux_sq
    if cov_norm != 1.0:
        vx *= cov_norm
    maps = []
    for y in ys:
        uy = mom.filt(y)
        vy = mom.filt(y * y)
        vxy = mom.filt(x * y)
        b1 = uy * uy
        vy -= b1
        uxuy = ux * uy
        vxy -= uxuy
        if cov_norm != 1.0:
            vy *= cov_norm
            vxy *= cov_norm
        a1 = uxuy
        a1 *= 2
        a1 += c1
        a2 = vxy
        a2 *= 2
        a2 += c2
        b1 += ux_sq  # uy**2 + ux**2 == ux**2 + uy**2 exactly
        b1 += c1
        b2 = vy
        b2 += vx  # vx + vy
        b2 += c2
        a1 *= a2
        b1 *= b2
        a1 /= b1
        s = a1
        if window == "uniform":
            pad = (win_size - 1) // 2
            s = s[tuple(slice(pad, n - pad) for n in s.shape)]
        maps.append(s)
    return maps


def ssim(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    window: SSIMWindow = "gaussian",
    win_size: int = 11,
    sigma: float = 1.5,
    data_range: float = 255.0,
    sample_covariance: bool = False,
    combine: Literal["mean", "sum"] = "mean",
) -> float:
    r"""SSIM of the fused image with each source, averaged (or summed) over the sources (higher is
    better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale,
        at least ``win_size`` per side.
    window : {"gaussian", "uniform", "gaussian-replicate"}
        ``"gaussian"`` (the paper; VIFB): only windows fully inside the image;
        ``"uniform"`` (scikit-image's ``structural_similarity``, CDDFuse): reflected borders,
        the border of width ``win_size // 2`` cropped; ``"gaussian-replicate"`` (MATLAB's
        built-in ``ssim``, Tang): every window, borders replicated.
    win_size : int
        Window side, odd, ≥ 3 (11 for the paper, 7 for scikit-image).
    sigma : float
        Standard deviation of the Gaussian window, > 0.
    data_range : float
        Dynamic range :math:`L`, > 0: 255 (the paper); CDDFuse passes 2 (what scikit-image ≤
        0.19 inferred for float input), Tang 1 (MATLAB's default for ``double``).
    sample_covariance : bool
        Sample statistics (×49/48 for a 7×7 window), as scikit-image.
    combine : {"mean", "sum"}
        Average the two sources' SSIM (the paper, Tang) or add them (VIFB, CDDFuse: range up
        to 2).

    Returns
    -------
    float
        SSIM; identical images score 1 (2 when summed).

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, an image smaller than the
        window, or a bad option.

    Notes
    -----
    .. math:: SSIM(X,F) = \operatorname{mean}_w
              \frac{(2\mu_X\mu_F + C_1)(2\sigma_{XF} + C_2)}
                   {(\mu_X^2 + \mu_F^2 + C_1)(\sigma_X^2 + \sigma_F^2 + C_2)},\quad
              C_1 = (0.01L)^2,\ C_2 = (0.03L)^2

    over local windows :math:`w`. The ``cddfuse`` convention runs in the input's ``float32``
    precision; with :math:`L = 2` its constants are ≈ 0, so flat regions score 1 only where F
    matches the source exactly. Volumes use cubic windows.

    References
    ----------
    Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality assessment: from
    error visibility to structural similarity", IEEE TIP 13(4), 600–612, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(ssim((a + b) / 2, a, b), 4)
    0.7702
    >>> ssim(a, a, a, combine="sum")
    2.0
    """
    _check_ssim_options("ssim", window, win_size, sigma, data_range, sample_covariance)
    check_choice(combine, "combine", "ssim", ("mean", "sum"))
    f, a, b = check_triple(fused, a, b)
    if window != "uniform":
        f, a, b = (np.asarray(v, dtype=np.float64) for v in (f, a, b))
    maps = _ssim_maps(f, [a, b], window, win_size, sigma, data_range, 0.01, 0.03, sample_covariance)
    vals = [float(m.mean(dtype=np.float64)) for m in maps]
    total = vals[0] + vals[1]
    return total if combine == "sum" else total / 2


def _wang_stats(
    x: np.ndarray,
    y: np.ndarray,
    size: int,
    sigma: float,
    c1: float,
    c2: float,
    exact: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Wang's ``ssim_index`` on a Gaussian window ('valid'): map, σx², σy², σxy.

    ``exact=True`` reproduces Octave's window and ``filter2`` rounding bit for bit (needed
    when the constants are ~1e-16); otherwise a fast separable filter is used."""
    if exact:
        w = octave_gaussian_window(size, sigma)

        def filt(v: np.ndarray) -> np.ndarray:
            return filter2_valid_octave(w, v)
    else:
        g = gaussian_1d(size, sigma)

        def filt(v: np.ndarray) -> np.ndarray:
            return correlate_valid(v, (g, g))

    mu1 = filt(x)
    mu2 = filt(y)
    mu1_sq, mu2_sq, mu1_mu2 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    s1 = filt(x * x) - mu1_sq
    s2 = filt(y * y) - mu2_sq
    s12 = filt(x * y) - mu1_mu2
    with np.errstate(divide="ignore", invalid="ignore"):
        m = ((2 * mu1_mu2 + c1) * (2 * s12 + c2)) / ((mu1_sq + mu2_sq + c1) * (s1 + s2 + c2))
    return m, s1, s2, s12


_WANG = (11, 1.5, (0.01 * 255) ** 2, (0.03 * 255) ** 2)
_YANG = (7, 1.5, 2e-16, 2e-16)


def _piella_terms(
    f: np.ndarray, a: np.ndarray, b: np.ndarray, clip_variances: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Piella's saliency λ = σA²/(σA² + σB²) (0.5 added where both are 0), the SSIM maps
    of F with A and B, and σA², σB² (after the 0.5), all on Wang's 11×11 window."""
    _, s1, s2, _ = _wang_stats(a, b, *_WANG)
    if clip_variances:
        # Variances of flat windows are round-off and may be negative, which puts λ
        # outside 0..1 (Liu's code keeps them); a variance is at least 0.
        np.maximum(s1, 0.0, out=s1)
        np.maximum(s2, 0.0, out=s2)
    both = (s1 + s2) == 0
    s1 = s1 + 0.5 * both
    s2 = s2 + 0.5 * both
    lam = s1 / (s1 + s2)
    m1 = _wang_stats(f, a, *_WANG)[0]
    m2 = _wang_stats(f, b, *_WANG)[0]
    return lam, m1, m2, s1, s2


def piella(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    variant: Literal["Q_S", "Q_W", "Q_E"] = "Q_S",
    clip_variances: bool = True,
) -> float:
    r"""Piella and Heijmans' fusion quality indices Q_S, Q_W and Q_E (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least
        11 pixels per side.
    variant : {"Q_S", "Q_W", "Q_E"}
        The index.
    clip_variances : bool
        Clip the round-off negative local variances of flat windows at 0, so that λ stays in
        0..1 (the paper's definition); False keeps them as Liu's code does (the ``liu2012``
        and ``mefb`` profiles, which then match it to 1e-13; on flat images their Q_S can leave
        −1..1).

    Returns
    -------
    float
        The index, 0..1 on ordinary images.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, an image smaller than the
        window, or a bad option.

    Notes
    -----
    With local SSIM (Wang's 11×11 Gaussian window, L = 255) and the local variance saliency
    :math:`\lambda = \sigma_A^2/(\sigma_A^2 + \sigma_B^2)`:

    .. math:: Q_S = \operatorname{mean}_w [\lambda\,SSIM(A,F) + (1-\lambda)\,SSIM(B,F)]

    :math:`Q_W` weights the windows by :math:`c_w = \max(\sigma_A^2, \sigma_B^2)/\sum` instead
    of averaging; :math:`Q_E = Q_W(A,B,F) \cdot Q_W(A',B',F')^{\alpha}` (α = 1) adds the same
    index on the edge images (Prewitt-like magnitude). Liu's ``metricPeilla`` gives ``Q_S``
    (switch 1) and ``Q_W`` (switch 2); its switch 3 fails (``Q`` undefined), MEFB's
    ``metricsQw`` returns only the edge factor (:func:`edge_piella_mefb`). Flat sources (no
    window with variance) fall back to the unweighted mean.

    References
    ----------
    G. Piella, H. Heijmans, "A new quality metric for image fusion", ICIP 2003, vol. 3,
    173–176.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(piella((a + b) / 2, a, b), 4)
    0.7702
    >>> round(piella((a + b) / 2, a, b, variant="Q_E"), 4)
    0.6689
    """
    check_choice(variant, "variant", "piella", ("Q_S", "Q_W", "Q_E"))
    check_flag(clip_variances, "clip_variances", "piella")
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    if variant == "Q_S":
        lam, m1, m2, _, _ = _piella_terms(f, a, b, clip_variances)
        return float(np.mean(lam * m1 + (1 - lam) * m2))
    qw = _weighted_piella(f, a, b, clip_variances)
    if variant == "Q_W":
        return qw
    edges = (_prewitt_magnitude(x) for x in (f, a, b))
    return qw * _weighted_piella(*edges, clip_variances)


def _weighted_piella(f: np.ndarray, a: np.ndarray, b: np.ndarray, clip_variances: bool) -> float:
    lam, m1, m2, s1, s2 = _piella_terms(f, a, b, clip_variances)
    cw = np.maximum(s1, s2)
    local = lam * m1 + (1 - lam) * m2
    total = float(np.sum(cw))
    if not total > 0:
        # Flat sources (no window with variance; 0/0 in the reference code): plain mean.
        return float(np.mean(local))
    return float(np.sum(cw / total * local))


def _prewitt_magnitude(x: np.ndarray) -> np.ndarray:
    """Edge magnitude with ``[1 0 -1; 1 0 -1; 1 0 -1]`` and its transpose ('same', zero pad)."""
    k1 = np.array([[1.0, 0, -1], [1, 0, -1], [1, 0, -1]])
    k2 = np.array([[1.0, 1, 1], [0, 0, 0], [-1, -1, -1]])
    gx = correlate_same(x, k1)
    gy = correlate_same(x, k2)
    return np.sqrt(gx * gx + gy * gy)


def edge_piella_mefb(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""MEFB ``metricsQw``: Piella's weighted index on the edge images only (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least
        11 pixels per side.

    Returns
    -------
    float
        :math:`Q_W(A',B',F')` of the edge images, Liu's arithmetic (variances not clipped).

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D arrays.

    Notes
    -----
    .. math:: Q = Q_W(A', B', F'),\qquad X' = \sqrt{(k * X)^2 + (k^T * X)^2},\quad
              k = \begin{bmatrix}1 & 0 & -1\\ 1 & 0 & -1\\ 1 & 0 & -1\end{bmatrix}

    The Q_E code path without its Q_W factor, which is what that MEFB file returns (see
    :func:`piella`).

    References
    ----------
    G. Piella, H. Heijmans, ICIP 2003 (see :func:`piella`); X. Zhang, "Benchmarking and
    comparing multi-exposure image fusion algorithms", Inf. Fusion 74, 111–131, 2021 (MEFB).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(edge_piella_mefb((a + b) / 2, a, b), 4)
    0.867
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    return _weighted_piella(*(_prewitt_magnitude(x) for x in (f, a, b)), clip_variances=False)


def cvejic(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_C, Cvejić's similarity metric (0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least 7
        pixels per side.

    Returns
    -------
    float
        Q_C; a triple with no defined window gives 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, or an image smaller than the
        window.

    Notes
    -----
    Local SSIM maps of F with A and with B (7×7 Gaussian window σ = 1.5, stabilising
    constants 2e-16) are mixed with :math:`s = \sigma_{AF}/(\sigma_{AF} + \sigma_{BF})`:

    .. math:: Q_C = \operatorname{mean}_w\,[s\,SSIM(A,F) + (1-s)\,SSIM(B,F)]

    with the window value set to 0 where s < 0 and to 1 where s > 1. Windows where the formula
    is 0/0 (flat black background) are left out, as MEFB ``metricsQc`` does; Liu's
    ``metricCvejic`` (switch 2) keeps them and returns NaN on such images. The filtering
    reproduces Octave's rounding bit for bit (the constants are ~1e-16).

    References
    ----------
    N. Cvejić, A. Łoza, D. Bull, N. Canagarajah, "A similarity metric for assessment of image
    fusion algorithms", Int. J. Signal Process. 2(3), 178–182, 2005.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(cvejic((a + b) / 2, a, b), 4)
    0.5988
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    m2, _, _, s_af = _wang_stats(a, f, *_YANG, exact=True)
    m3, _, _, s_bf = _wang_stats(b, f, *_YANG, exact=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = s_af / (s_af + s_bf)
        sim = s * m2 + (1 - s) * m3
    sim[s < 0] = 0
    sim[s > 1] = 1
    sim = sim[~np.isnan(sim)]
    return float(sim.mean()) if sim.size else 0.0


def yang(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_Y, Yang et al.'s SSIM-based metric (0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least 7
        pixels per side.

    Returns
    -------
    float
        Q_Y; a triple with no defined window gives 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, or an image smaller than the
        window.

    Notes
    -----
    With local SSIM on a 7×7 Gaussian window and
    :math:`\lambda = \sigma_A^2/(\sigma_A^2+\sigma_B^2)`:

    .. math:: Q_Y = \operatorname{mean}_w \begin{cases}
              \lambda\,SSIM(A,F) + (1-\lambda)\,SSIM(B,F) & SSIM(A,B) \ge 0.75\\
              \max(SSIM(A,F), SSIM(B,F)) & \text{otherwise}\end{cases}

    averaged over the windows where it is defined (MEFB ``metricsQy``; Liu's ``metricYang``
    returns NaN when any window is 0/0).

    References
    ----------
    C. Yang, J.-Q. Zhang, X.-R. Wang, X. Liu, "A novel similarity based quality metric for
    image fusion", Inf. Fusion 9(2), 156–160, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(yang((a + b) / 2, a, b), 4)
    0.6331
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    m1, s1, s2, _ = _wang_stats(a, b, *_YANG, exact=True)
    m2 = _wang_stats(a, f, *_YANG, exact=True)[0]
    m3 = _wang_stats(b, f, *_YANG, exact=True)[0]
    similar = m1 >= 0.75
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = s1 / (s1 + s2)
        q = (lam * m2 + (1 - lam) * m3) * similar + np.maximum(m2, m3) * ~similar
    q = q[~np.isnan(q)]
    return float(q.mean()) if q.size else 0.0


def _mef_ssim_scale(seq: list[np.ndarray], fimg: np.ndarray, k: float = 0.03) -> float:
    """One scale of Ma et al.'s MEF-SSIM (``mef_ssim.m``), vectorised over windows."""
    size = 11
    eps = np.finfo(np.float64).eps
    gw = gaussian_1d(size, 1.5)
    window = np.outer(gw, gw).ravel()
    box = np.full(size, 1.0 / size)
    mus, eds = [], []
    for img in seq:
        mu = correlate_valid(img, (box, box))
        var = correlate_valid(img * img, (box, box)) - mu * mu
        mus.append(mu)
        eds.append(np.sqrt(np.maximum(size * size * var, 0)) + 0.001)
    rows, cols = mus[0].shape
    patches = [sliding_window_view(img, (size, size)) for img in seq]
    fpatch = sliding_window_view(fimg, (size, size))
    c = (k * 255) ** 2
    q = np.empty((rows, cols))
    step = max(1, 200_000 // (cols * size * size))
    for r0 in range(0, rows, step):
        sl = slice(r0, min(rows, r0 + step))
        n = (sl.stop - sl.start) * cols
        dev = [
            (p[sl].reshape(n, -1) - mu[sl].reshape(n, 1))
            for p, mu in zip(patches, mus, strict=True)
        ]
        ed = np.stack([e[sl].reshape(n) for e in eds])
        denominator = sum(np.sqrt(np.sum(d * d, axis=1)) for d in dev)
        total = sum(p[sl].reshape(n, -1) for p in patches)
        centred = total - total.mean(axis=1, keepdims=True)
        numerator = np.sqrt(np.sum(centred * centred, axis=1))
        consistency = (numerator + eps) / (denominator + eps)
        consistency[consistency > 1] = 1 - eps
        consistency[consistency < 0] = eps
        with np.errstate(over="ignore"):
            power = np.minimum(np.tan(np.pi / 2 * consistency), 10.0)
        w = (ed / size) ** power + eps
        w = w / w.sum(axis=0)
        block = sum(w[i][:, None] * dev[i] / ed[i][:, None] for i in range(len(seq)))
        norm = np.sqrt(np.sum(block * block, axis=1))
        scale = np.where(norm > 0, ed.max(axis=0) / np.where(norm > 0, norm, 1.0), 1.0)
        block = block * scale[:, None]
        fv = fpatch[sl].reshape(n, -1)
        mu1 = block @ window
        mu2 = fv @ window
        d1 = block - mu1[:, None]
        d2 = fv - mu2[:, None]
        s1 = (d1 * d1) @ window
        s2 = (d2 * d2) @ window
        s12 = (d1 * d2) @ window
        q[sl] = ((2 * s12 + c) / (s1 + s2 + c)).reshape(-1, cols)
    return float(q.mean())


def mef_ssim(fused: np.ndarray, a: np.ndarray, b: np.ndarray, *, levels: int = 3) -> float:
    r"""MEF-SSIM, Ma, Zeng and Wang's structural similarity of a fused image with a desired
    structure built from the sources (0..1, higher is better), multi-scale.

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, each side
        at least :math:`11 \cdot 2^{levels-1}` pixels.
    levels : int
        Number of scales, 1..3.

    Returns
    -------
    float
        MEF-SSIM.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, an image too small, or a bad
        ``levels``.

    Notes
    -----
    Per 11×11 window the sources' mean-removed patches are combined into a reference patch
    weighted by their contrast :math:`\|x_k - \mu_k\|` raised to a power set by the structural
    consistency of the sources, rescaled to the largest source contrast; it is compared with
    F's patch by the structure term of SSIM (Gaussian window σ = 1.5,
    :math:`C = (0.03\cdot255)^2`), giving :math:`Q_l` at scale :math:`l` (2×2 mean and
    subsampling between scales):

    .. math:: Q = \prod_l Q_l^{\beta_l},\qquad \beta \propto (0.0448, 0.2856, 0.3001)

    As ``mef_ms_ssim.m``, used by Tang's ``analysis_ms_ssim`` ("MS_SSIM") and MEFB
    ``metricsMEF_SSIM``. A negative scale value is clipped to 0 (its fractional power is
    undefined; ``mef_ms_ssim.m`` returns a complex number).

    References
    ----------
    K. Ma, K. Zeng, Z. Wang, "Perceptual quality assessment for multi-exposure image fusion",
    IEEE TIP 24(11), 3345–3356, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(mef_ssim((a + b) / 2, a, b), 4)
    0.9522
    """
    check_number(levels, "levels", "mef_ssim", minimum=1, maximum=3, integer=True)
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    if min(f.shape) / 2 ** (levels - 1) < 11:
        side = 11 * 2 ** (levels - 1)
        raise InputError(
            None, f"image {f.shape} is too small for {levels}-scale MEF-SSIM ({side} pixels min)"
        )
    weights = np.array([0.0448, 0.2856, 0.3001])[:levels]
    weights = weights / weights.sum()
    seq = [a, b]
    q = []
    for level in range(levels):
        # A scale whose mean structure term is negative (F anti-correlated with the desired
        # structure) is clipped to 0, as in :func:`ms_ssim`: its fractional power is undefined.
        q.append(max(_mef_ssim_scale(seq, f), 0.0))
        if level < levels - 1:
            seq = [_downsample2(x) for x in seq]
            f = _downsample2(f)
    return float(np.prod(np.array(q) ** weights))


def _downsample2(x: np.ndarray) -> np.ndarray:
    """``imfilter(x, ones(2)/4, 'symmetric', 'same')`` then every second sample."""
    p = np.pad(x, ((0, 1), (0, 1)), mode="symmetric")
    m = (p[:-1, :-1] + p[1:, :-1] + p[:-1, 1:] + p[1:, 1:]) / 4
    return m[::2, ::2]


_MS_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _ms_ssim_pair(x: np.ndarray, y: np.ndarray) -> float:
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = gaussian_1d(11, 1.5)
    value = 1.0
    for level, w in enumerate(_MS_WEIGHTS):
        mu1 = correlate_valid(x, (g, g))
        mu2 = correlate_valid(y, (g, g))
        s1 = correlate_valid(x * x, (g, g)) - mu1 * mu1
        s2 = correlate_valid(y * y, (g, g)) - mu2 * mu2
        s12 = correlate_valid(x * y, (g, g)) - mu1 * mu2
        cs = float(np.mean((2 * s12 + c2) / (s1 + s2 + c2)))
        value *= max(cs, 0.0) ** w
        if level == len(_MS_WEIGHTS) - 1:
            lum = float(np.mean((2 * mu1 * mu2 + c1) / (mu1 * mu1 + mu2 * mu2 + c1)))
            value *= max(lum, 0.0) ** w
        else:
            x, y = _downsample2(x), _downsample2(y)
    return value


def ms_ssim(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""MS-SSIM, Wang's multi-scale SSIM of F with each source, averaged over the sources (higher
    is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, sides of at
        least 176 pixels.

    Returns
    -------
    float
        MS-SSIM; identical images score 1.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, or an image too small.

    Notes
    -----
    .. math:: MS\text{-}SSIM(X,F) = [l_5]^{\beta_5}\prod_{j=1}^{5}[cs_j]^{\beta_j}

    with the contrast–structure term :math:`cs_j` at 5 dyadic scales (2×2 mean, subsample),
    the luminance term at the coarsest, Wang's 11×11 Gaussian window (σ = 1.5, L = 255) and
    β = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). A negative scale term is clipped to 0 (its
    fractional power is undefined).

    References
    ----------
    Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multiscale structural similarity for image
    quality assessment", Asilomar Conf. Signals, Systems and Computers, 2003.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(176.0), (176, 1))
    >>> b = a.T.copy()
    >>> round(ms_ssim((a + b) / 2, a, b), 4)
    0.8244
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    if min(f.shape) < 11 * 2**4:
        raise InputError(None, f"image {f.shape} is too small for 5-scale MS-SSIM (176 min)")
    return (_ms_ssim_pair(a, f) + _ms_ssim_pair(b, f)) / 2
