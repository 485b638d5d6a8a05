"""Structural metrics: SSIM (and its fusion variants Q_S, Q_W, Q_E, Q_C, Q_Y, MEF-SSIM).

SSIM works on 2D images and 3D volumes; the fusion variants on 2D images.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from scipy import ndimage

from ..errors import InputError
from ._common import (
    check_triple,
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
    """Local SSIM map of two images (see :func:`ssim`), without the border windows."""
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
    r"""SSIM of the fused image with each source, averaged (or summed) over the sources.

    .. math:: SSIM(X,F) = \operatorname{mean}_w
              \frac{(2\mu_X\mu_F + C_1)(2\sigma_{XF} + C_2)}
                   {(\mu_X^2 + \mu_F^2 + C_1)(\sigma_X^2 + \sigma_F^2 + C_2)},\quad
              C_1 = (0.01L)^2,\ C_2 = (0.03L)^2

    over local windows :math:`w`. ``paper`` (Wang et al.; VIFB): Gaussian window 11×11,
    σ = 1.5, population statistics, :math:`L` = 255, only windows fully inside the image.
    ``cddfuse``: scikit-image's ``structural_similarity`` defaults — uniform 7×7 window,
    sample covariance (×49/48), reflected borders, the 3-pixel border cropped — with
    ``data_range=2`` (what scikit-image ≤ 0.19 inferred for float input), in the input's
    ``float32`` precision, summed over the sources (range up to 2). With :math:`L = 2` the
    constants are ≈ 0, so flat regions score 1 only where F matches the source exactly.
    ``window="gaussian-replicate"`` keeps every window, padding by replication (MATLAB's
    built-in ``ssim``, which Tang's toolbox calls with its default ``DynamicRange`` of 1 for
    ``double`` input: ``data_range=1``). Volumes use cubic windows. Identical images score 1
    (2 when summed).

    Reference: Z. Wang, A. C. Bovik, H. R. Sheikh, E. P. Simoncelli, "Image quality
    assessment: from error visibility to structural similarity", IEEE TIP 13(4), 600–612, 2004.
    """
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
    r"""Piella and Heijmans' fusion quality indices Q_S, Q_W and Q_E (0..1).

    With local SSIM (Wang's 11×11 Gaussian window, L = 255) and the local variance saliency
    :math:`\lambda = \sigma_A^2/(\sigma_A^2 + \sigma_B^2)`:

    .. math:: Q_S = \operatorname{mean}_w [\lambda\,SSIM(A,F) + (1-\lambda)\,SSIM(B,F)]

    :math:`Q_W` weights the windows by :math:`c_w = \max(\sigma_A^2, \sigma_B^2)/\sum`
    instead of averaging; :math:`Q_E = Q_W(A,B,F) \cdot Q_W(A',B',F')^{\alpha}` (α = 1) adds the
    same index on the edge images (Prewitt-like magnitude). Liu's ``metricPeilla`` gives
    ``Q_S`` (switch 1) and ``Q_W`` (switch 2); its switch 3 fails (``Q`` undefined), MEFB's
    ``metricsQw`` returns only the edge factor (see the ``mefb`` profile). Local variances
    of flat windows are round-off; they are clipped at 0 so that λ stays in 0..1 (the
    paper's definition); ``clip_variances=False`` keeps them as Liu's code does (the
    ``liu2012`` and ``mefb`` profiles, which then match it to 1e-13; on flat images their
    Q_S can leave -1..1). 2D only.

    Reference: G. Piella, H. Heijmans, "A new quality metric for image fusion", ICIP 2003,
    vol. 3, 173–176.
    """
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
    from ._common import correlate_same

    k1 = np.array([[1.0, 0, -1], [1, 0, -1], [1, 0, -1]])
    k2 = np.array([[1.0, 1, 1], [0, 0, 0], [-1, -1, -1]])
    gx = correlate_same(x, k1)
    gy = correlate_same(x, k2)
    return np.sqrt(gx * gx + gy * gy)


def edge_piella_mefb(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """MEFB ``metricsQw``: Piella's weighted index on the edge images only (the Q_E code
    path without its Q_W factor, which is what that file returns)."""
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    return _weighted_piella(*(_prewitt_magnitude(x) for x in (f, a, b)), clip_variances=False)


def cvejic(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_C, Cvejić's similarity metric (0..1).

    Local SSIM maps of F with A and with B (7×7 Gaussian window σ = 1.5, stabilising
    constants 2e-16) are mixed with :math:`s = \sigma_{AF}/(\sigma_{AF} + \sigma_{BF})`,
    clipped: :math:`Q = \operatorname{mean}[s\,SSIM(A,F) + (1-s)\,SSIM(B,F)]` with the
    window value set to 0 where s < 0 and to 1 where s > 1. Windows where the formula is
    0/0 (flat black background) are left out, as MEFB ``metricsQc`` does; Liu's
    ``metricCvejic`` (switch 2) keeps them and returns NaN on such images. A triple with no
    defined window gives 0. 2D only.

    Reference: N. Cvejić, A. Łoza, D. Bull, N. Canagarajah, "A similarity metric for
    assessment of image fusion algorithms", Int. J. Signal Process. 2(3), 178–182, 2005.
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
    r"""Q_Y, Yang et al.'s SSIM-based metric (0..1).

    Where the sources are similar (:math:`SSIM(A,B) \ge 0.75`, 7×7 Gaussian window)
    :math:`\lambda\,SSIM(A,F) + (1-\lambda)\,SSIM(B,F)` with
    :math:`\lambda = \sigma_A^2/(\sigma_A^2+\sigma_B^2)`; elsewhere
    :math:`\max(SSIM(A,F), SSIM(B,F))`; averaged over the windows where it is defined
    (MEFB ``metricsQy``; Liu's ``metricYang`` returns NaN when any window is 0/0). A triple
    with no defined window gives 0. 2D only.

    Reference: C. Yang, J.-Q. Zhang, X.-R. Wang, X. Liu, "A novel similarity based quality
    metric for image fusion", Inf. Fusion 9(2), 156–160, 2008.
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
    from numpy.lib.stride_tricks import sliding_window_view

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
    structure built from the sources (0..1), multi-scale.

    Per 11×11 window the sources' mean-removed patches are combined into a reference patch
    weighted by their contrast :math:`\|x_k - \mu_k\|` raised to a power set by the
    structural consistency of the sources, rescaled to the largest source contrast; it is
    compared with F's patch by the structure term of SSIM (Gaussian window σ = 1.5,
    :math:`C = (0.03\cdot255)^2`). Three scales (2×2 mean and subsampling between them),
    combined as :math:`\prod_l Q_l^{\beta_l}` with β ∝ (0.0448, 0.2856, 0.3001). As
    ``mef_ms_ssim.m``, used by Tang's ``analysis_ms_ssim`` ("MS_SSIM") and MEFB
    ``metricsMEF_SSIM``. A negative scale value is clipped to 0 (its fractional power is
    undefined; ``mef_ms_ssim.m`` returns a complex number). 2D only; each side must be at least
    11·2^(levels−1) pixels.

    Reference: K. Ma, K. Zeng, Z. Wang, "Perceptual quality assessment for multi-exposure
    image fusion", IEEE TIP 24(11), 3345–3356, 2015.
    """
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
    r"""MS-SSIM, Wang's multi-scale SSIM of F with each source, averaged over the sources.

    .. math:: MS\text{-}SSIM(X,F) = [l_5]^{\beta_5}\prod_{j=1}^{5}[cs_j]^{\beta_j}

    with the contrast–structure term :math:`cs_j` at 5 dyadic scales (2×2 mean, subsample),
    the luminance term at the coarsest, Wang's 11×11 Gaussian window (σ = 1.5, L = 255) and
    β = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). A negative scale term is clipped to 0 (its
    fractional power is undefined). 2D only; sides of at least 176 pixels.

    Reference: Z. Wang, E. P. Simoncelli, A. C. Bovik, "Multiscale structural similarity for
    image quality assessment", Asilomar Conf. Signals, Systems and Computers, 2003.
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    if min(f.shape) < 11 * 2**4:
        raise InputError(None, f"image {f.shape} is too small for 5-scale MS-SSIM (176 min)")
    return (_ms_ssim_pair(a, f) + _ms_ssim_pair(b, f)) / 2
