"""Phase congruency (Kovesi, as revised by Liu) and Zhao's Q_P metric built on it."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..errors import InputError
from ._common import check_triple, correlate_same, gaussian_1d

__all__ = ["phase_congruency", "zhao_qp"]

_NSCALE, _NORIENT, _MIN_WAVE, _MULT, _SIGMA_ONF = 4, 6, 3.0, 2.1, 0.55
_D_THETA_ON_SIGMA, _K, _CUTOFF, _G, _EPS = 1.2, 2.0, 0.5, 10.0, 0.0001
#: Smallest side: the filter bank's shortest wavelength (Kovesi's ``minWaveLength``).
_MIN_SIDE = 3


@cache
def _filters(rows: int, cols: int) -> tuple[list[list[np.ndarray]], list[float], list[float]]:
    """Log-Gabor filters per orientation and scale (frequency domain, zero frequency at the
    corner) and, per orientation, the noise-energy sums of their spatial responses."""
    if cols % 2:
        xr = np.arange(-(cols - 1) / 2, (cols - 1) / 2 + 1) / (cols - 1)
    else:
        xr = np.arange(-cols / 2, cols / 2) / cols
    if rows % 2:
        yr = np.arange(-(rows - 1) / 2, (rows - 1) / 2 + 1) / (rows - 1)
    else:
        yr = np.arange(-rows / 2, rows / 2) / rows
    x, y = np.meshgrid(xr, yr)
    radius = np.sqrt(x**2 + y**2)
    radius[rows // 2, cols // 2] = 1
    theta = np.arctan2(-y, x)
    radius = np.fft.ifftshift(radius)
    theta = np.fft.ifftshift(theta)
    sint, cost = np.sin(theta), np.cos(theta)
    # Butterworth low-pass, radius 0.45, order 15 (Kovesi's lowpassfilter).
    lx = (np.arange(1, cols + 1)[None, :] - (cols // 2 + 1)) / cols
    ly = (np.arange(1, rows + 1)[:, None] - (rows // 2 + 1)) / rows
    lp = np.fft.fftshift(1.0 / (1.0 + (np.sqrt(lx**2 + ly**2) / 0.45) ** 30))
    log_gabor = []
    for s in range(_NSCALE):
        fo = 1.0 / (_MIN_WAVE * _MULT**s)
        lg = np.exp((-(np.log(radius / fo) ** 2)) / (2 * math.log(_SIGMA_ONF) ** 2)) * lp
        lg[0, 0] = 0
        log_gabor.append(lg)
    theta_sigma = math.pi / _NORIENT / _D_THETA_ON_SIGMA
    filters, sum_an2, sum_aiaj = [], [], []
    for o in range(_NORIENT):
        angl = o * math.pi / _NORIENT
        ds = sint * math.cos(angl) - cost * math.sin(angl)
        dc = cost * math.cos(angl) + sint * math.sin(angl)
        spread = np.exp((-(np.abs(np.arctan2(ds, dc)) ** 2)) / (2 * theta_sigma**2))
        per_scale = [lg * spread for lg in log_gabor]
        spatial = [np.real(np.fft.ifft2(f)) * math.sqrt(rows * cols) for f in per_scale]
        sum_an2.append(float(np.sum(sum(s * s for s in spatial))))
        aiaj = sum(
            spatial[i] * spatial[j] for i in range(_NSCALE - 1) for j in range(i + 1, _NSCALE)
        )
        sum_aiaj.append(float(np.sum(aiaj)))
        filters.append(per_scale)
    return filters, sum_an2, sum_aiaj


def phase_congruency(image: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Phase congruency and the maximum and minimum moments of its covariance, as Liu's
    ``myphasecong3`` (Kovesi's ``phasecong3``).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image, at least 3 pixels per side (the shortest wavelength of the filter
        bank).

    Returns
    -------
    pc, M, m : numpy.ndarray
        Phase congruency and the maximum and minimum moments, each the shape of ``image``.

    Raises
    ------
    InputError
        An image smaller than 3 pixels on a side.

    Notes
    -----
    Log-Gabor filters of 4 scales and 6 orientations (minimum wavelength 3, multiplier 2.1,
    σ/f = 0.55, noise k = 2, cut-off 0.5, g = 10) give, per orientation o, the local energy
    :math:`E_o`, the amplitudes :math:`A_{n,o}`, a noise threshold :math:`T_o` and a frequency
    spread weight :math:`W_o`:

    .. math:: PC = \frac{\sum_o W_o\lfloor E_o - T_o\rfloor}{\sum_o\sum_n A_{n,o} + \varepsilon}

    Where no filter responds (:math:`\sum_n A_n = 0`, as on an all-zero image: every log-Gabor
    filter rejects the zero frequency) the phase congruency of an orientation is 0/0: it is
    taken as 0, the value of the overall congruency with Kovesi's ε, so such an image has
    P = 0 and moments ±ε/2 (the reference code gives NaN).

    References
    ----------
    P. Kovesi, "Image features from phase congruency", Videre: J. Comput. Vis. Res. 1(3),
    1–26, 1999.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> pc, big, small = phase_congruency(a)
    >>> pc.shape, bool((big >= small).all())
    ((64, 64), True)
    """
    im = np.asarray(image, dtype=np.float64)
    rows, cols = im.shape
    if min(rows, cols) < _MIN_SIDE:
        raise InputError(
            None,
            f"image {im.shape} is too small for phase congruency ({_MIN_SIDE} pixels per side min)",
        )
    filters, sum_an2, sum_aiaj = _filters(rows, cols)
    spectrum = np.fft.fft2(im)
    total_energy = np.zeros_like(im)
    total_an = np.zeros_like(im)
    covx2 = np.zeros_like(im)
    covy2 = np.zeros_like(im)
    covxy = np.zeros_like(im)
    for o in range(_NORIENT):
        angl = o * math.pi / _NORIENT
        eo = [np.fft.ifft2(spectrum * f) for f in filters[o]]
        an = [np.abs(e) for e in eo]
        sum_an = sum(an)
        sum_e = sum(e.real for e in eo)
        sum_o = sum(e.imag for e in eo)
        max_an = an[0]
        for a in an[1:]:
            max_an = np.maximum(max_an, a)
        x_energy = np.sqrt(sum_e**2 + sum_o**2) + _EPS
        mean_e = sum_e / x_energy
        mean_o = sum_o / x_energy
        energy = np.zeros_like(im)
        for e in eo:
            er, ei = e.real, e.imag
            energy = energy + er * mean_e + ei * mean_o - np.abs(er * mean_o - ei * mean_e)
        em_n = float(np.sum(filters[o][0] ** 2))
        median_e2n = float(np.median(an[0] ** 2))
        noise_power = (-median_e2n / math.log(0.5)) / em_n
        est2 = 2 * noise_power * sum_an2[o] + 4 * noise_power * sum_aiaj[o]
        tau = math.sqrt(est2 / 2)
        threshold = (
            tau * math.sqrt(math.pi / 2) + _K * math.sqrt((2 - math.pi / 2) * tau**2)
        ) / 1.7
        energy = np.maximum(energy - threshold, 0)
        width = sum_an / (max_an + _EPS) / _NSCALE
        weight = 1.0 / (1 + np.exp((_CUTOFF - width) * _G))
        total_an = total_an + sum_an
        total_energy = total_energy + weight * energy
        pc_o = np.divide(weight * energy, sum_an, out=np.zeros_like(im), where=sum_an > 0)
        covx = pc_o * math.cos(angl)
        covy = pc_o * math.sin(angl)
        covx2 = covx2 + covx**2
        covy2 = covy2 + covy**2
        covxy = covxy + covx * covy
    pc = total_energy / (total_an + _EPS)
    covx2 = covx2 / (_NORIENT / 2)
    covy2 = covy2 / (_NORIENT / 2)
    covxy = covxy / _NORIENT
    denom = np.sqrt(covxy**2 + (covx2 - covy2) ** 2) + _EPS
    return pc, (covy2 + covx2 + denom) / 2, (covy2 + covx2 - denom) / 2


def _feature_correlation(
    f1: np.ndarray,
    f2: np.ndarray,
    fmax: np.ndarray,
    ff: np.ndarray,
    masks: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> float:
    """Zhao's masked local correlation of feature maps (11×11 Gaussian, C = 1e-4)."""
    g = gaussian_1d(11, 1.5)
    k = (g, g)
    c = 0.0001
    m1, m2, m3 = masks
    x1, x2, x3 = m1 * f1, m2 * f2, m3 * fmax
    mu_f = correlate_same(ff, k)
    var_f = correlate_same(ff * ff, k) - mu_f * mu_f
    res = []
    for x, m in ((x1, m1), (x2, m2), (x3, m3)):
        mu = correlate_same(x, k)
        var = correlate_same(x * x, k) - mu * mu
        cov = correlate_same(x * ff, k) - mu * mu_f
        r = np.zeros_like(x)
        sel = m == 1
        r[sel] = (cov[sel] + c) / (np.sqrt(np.abs(var[sel] * var_f[sel])) + c)
        res.append(r)
    total = float(np.sum(np.maximum(np.maximum(res[0], res[1]), res[2])))
    area = float(np.sum(m3))
    return total / area if area else 0.0


def zhao_qp(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_P, Zhao et al.'s phase-congruency feature metric (0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255, at least
        3 pixels per side.

    Returns
    -------
    float
        Q_P. A source without any feature above the threshold gives 0; so does a constant
        fused image (see the Notes).

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, or an image too small.

    Notes
    -----
    Phase congruency :math:`P` and its maximum and minimum moments :math:`M`, :math:`m` of
    each image (:func:`phase_congruency`); for each feature, masked local correlations
    (features above 0.1 in A, in B, and in the pointwise stronger source) of the sources'
    features with F's, the larger taken per pixel and averaged over the mask of the stronger
    source: :math:`C_P`, :math:`C_M`, :math:`C_m`;

    .. math:: Q_P = C_P\,C_M\,C_m

    As Liu's ``metricZhao`` and MEFB ``metricsQp``. For a constant fused image the local
    correlation coefficient with the sources' features is 0/0, taken as 0 as for CC (with
    Zhao's stabilising constant alone it would be :math:`(0 + C)/(0 + C) = 1`, a perfect score
    for a blank image; the reference code returns NaN).

    References
    ----------
    J. Zhao, R. Laganière, Z. Liu, "Performance assessment of combinative pixel-level image
    fusion based on an absolute feature measurement", Int. J. Innov. Comput. Inf. Control
    3(6A), 1433–1447, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(zhao_qp((a + b) / 2, a, b), 4)
    0.826
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    if min(f.shape) < _MIN_SIDE:
        raise InputError(
            None, f"image {f.shape} is too small for Q_P ({_MIN_SIDE} pixels per side min)"
        )
    if f.min() == f.max():
        return 0.0
    pc1, big1, small1 = phase_congruency(a)
    pc2, big2, small2 = phase_congruency(b)
    pcf, bigf, smallf = phase_congruency(f)
    first = pc1 > pc2
    masks = (
        (pc1 > 0.1).astype(np.float64),
        (pc2 > 0.1).astype(np.float64),
        (np.where(first, pc1, pc2) > 0.1).astype(np.float64),
    )
    out = 1.0
    for x1, x2, xf in ((pc1, pc2, pcf), (big1, big2, bigf), (small1, small2, smallf)):
        out *= _feature_correlation(x1, x2, np.where(first, x1, x2), xf, masks)
    return out
