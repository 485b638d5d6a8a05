"""Edge-based metrics: Qabf / Q_G (Xydeas–Petrović) and its relatives."""

from __future__ import annotations

import math

import numpy as np

from ._common import check_number, check_triple, sobel_responses

__all__ = ["nabf", "qabf", "qabf_liu", "wang_qm"]


def _strength_orientation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel edge strength and orientation ``atan(sy/sx)`` (π/2 where ``sx == 0``)."""
    sx, sy = sobel_responses(x)
    g = sx * sx
    g += sy * sy
    np.sqrt(g, out=g)
    vertical = sx == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ang = np.divide(sy, sx, out=sy)
    np.arctan(ang, out=ang)
    np.copyto(ang, math.pi / 2, where=vertical, casting="same_kind")
    return g, ang


def _weighted_preservation(
    g_x: np.ndarray, a_x: np.ndarray, g_f: np.ndarray, a_f: np.ndarray
) -> float:
    r""":math:`\sum Q^{XF} g_X` with Petrović's :math:`Q^{XF} = Q_g Q_\alpha` and the constants
    of the reference code, over whole maps (pixels with :math:`g_X = 0` add 0)."""
    tg, kg, dg = 0.9994, -15.0, 0.5
    ta, ka, da = 0.9879, -22.0, 0.8
    # G = min/max, except where the strengths are equal: there the code sets G = g_F.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        qg = np.minimum(g_x, g_f)
        qg /= np.maximum(g_x, g_f)
        np.copyto(qg, g_f, where=g_x == g_f)
        qg -= dg
        qg *= kg
        np.exp(qg, out=qg)
        qg += 1
        np.divide(tg, qg, out=qg)
        qa = np.subtract(a_x, a_f)
        np.abs(qa, out=qa)
        qa /= math.pi / 2
        np.subtract(1, qa, out=qa)
        qa -= da
        qa *= ka
        np.exp(qa, out=qa)
        qa += 1
        np.divide(ta, qa, out=qa)
    qg *= qa
    qg *= g_x
    return float(np.sum(qg, dtype=np.float64))


def qabf(fused: np.ndarray, a: np.ndarray, b: np.ndarray, *, intensity_scale: float = 1.0) -> float:
    r"""Qabf (Q_G), Xydeas and Petrović's edge-preservation metric (0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255.
    intensity_scale : float
        Multiplies the images first, > 0 (VIFB and MEFB work on 255× their 0..255 input
        through ``255*im2double(double(img))``).

    Returns
    -------
    float
        :math:`Q^{AB/F}`, computed in the input's precision (``float32`` for ``cddfuse``, as
        its Evaluator). Two flat sources give 0/0, defined as 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D arrays, or a bad ``intensity_scale``.

    Notes
    -----
    Sobel strength :math:`g` and orientation :math:`\alpha = \arctan(s_y/s_x)` (π/2 where
    :math:`s_x = 0`; zero padding, MATLAB ``conv2(..., 'same')``) of each image give, per pixel,

    .. math:: G^{XF} = \begin{cases} g_F/g_X & g_X > g_F\\ g_X/g_F & g_X < g_F\\
              g_F & g_X = g_F\end{cases},\qquad A^{XF} = 1 - \frac{|\alpha_X - \alpha_F|}{\pi/2}

    .. math:: Q^{XF} = \frac{\Gamma_g}{1 + e^{k_g(G^{XF} - \sigma_g)}}
              \cdot\frac{\Gamma_\alpha}{1 + e^{k_\alpha(A^{XF} - \sigma_\alpha)}},\qquad
              Q^{AB/F} = \frac{\sum Q^{AF} g_A + Q^{BF} g_B}{\sum g_A + g_B}

    with :math:`\Gamma_g = 0.9994, k_g = -15, \sigma_g = 0.5, \Gamma_\alpha = 0.9879,
    k_\alpha = -22, \sigma_\alpha = 0.8`. The case :math:`g_X = g_F` (where the paper's ratio
    is 1) sets :math:`G = g_F` in every public implementation (CDDFuse, VIFB, MEFB, Tang),
    which makes the value depend slightly on the intensity scale; this function reproduces it.

    References
    ----------
    C. S. Xydeas, V. Petrović, "Objective image fusion performance measure", Electron. Lett.
    36(4), 308–309, 2000.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(qabf((a + b) / 2, a, b), 4)
    0.3982
    """
    check_number(intensity_scale, "intensity_scale", "qabf", minimum=0, exclusive_minimum=True)
    f, a, b = check_triple(fused, a, b, dims=(2,))
    s = float(intensity_scale)
    g_f, a_f = _strength_orientation(f * s if s != 1 else f)
    num = den = 0.0
    for x in (a, b):
        g_x, a_x = _strength_orientation(x * s if s != 1 else x)
        num += _weighted_preservation(g_x, a_x, g_f, a_f)
        den += float(np.sum(g_x, dtype=np.float64))
    return num / den if den else 0.0


def _sobel_liu(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``filter2([-1 0 1; -2 0 2; -1 0 1], x, 'same')`` and its transpose (zero padding)."""
    sx, sy = sobel_responses(x)
    return -sx, -sy


def qabf_liu(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_G as Zheng Liu's ``metricXydeas`` computes it (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255.

    Returns
    -------
    float
        Q_G.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D arrays.

    Notes
    -----
    Xydeas–Petrović edge preservation with other constants and averaging, as used by Liu's
    TPAMI 2012 study and FunFuseAn: strengths from the Sobel filters, orientations
    :math:`\arctan(s_y/s_x)` (1e-5 added to zero :math:`s_x`), :math:`G^{XF}` the min/max
    strength ratio (1e-5 added to zero strengths), :math:`A^{XF} = |\,|\alpha_X - \alpha_F| -
    \pi/2|\cdot 2/\pi` (1 for orthogonal orientations in this code), and

    .. math:: Q^{XF} = \frac{1}{1 + e^{-10(G^{XF}-0.5)}}\cdot\frac{1}{1 + e^{-20(A^{XF}-0.75)}},
              \qquad Q_G = \operatorname{mean}\frac{Q^{AF}g_A + Q^{BF}g_B}{g_A + g_B}

    References
    ----------
    C. S. Xydeas, V. Petrović, "Objective pixel-level image fusion performance measure", Proc.
    SPIE 4051, 89–98, 2000; Z. Liu et al., "Objective assessment of multiresolution image
    fusion algorithms for context enhancement in night vision: a comparative study", IEEE
    TPAMI 34(1), 94–109, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(qabf_liu((a + b) / 2, a, b), 4)
    0.0472
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))

    def grad(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gx, gy = _sobel_liu(x)
        g = np.sqrt(gx * gx + gy * gy)
        gx = gx + (gx == 0) * 0.00001
        return g, np.arctan(gy / gx)

    g_f, a_f = grad(f)
    out = []
    weights = []
    for x in (a, b):
        g_x, a_x = grad(x)
        bimap = g_x > g_f
        g_x = g_x + (g_x == 0) * 0.00001
        buffer1 = g_f / g_x
        g_f = g_f + (g_f == 0) * 0.00001
        buffer2 = g_x / g_f
        rel = bimap * buffer1 + (1 - bimap) * buffer2
        orient = np.abs(np.abs(a_x - a_f) - math.pi / 2) * 2 / math.pi
        qg = 1 / (1 + np.exp(-10 * (rel - 0.5)))
        qa = 1 / (1 + np.exp(-20 * (orient - 0.75)))
        out.append(qg * qa)
        weights.append(g_x)
    wa, wb = weights
    return float(np.mean((out[0] * wa + out[1] * wb) / (wa + wb)))


def _sobel_kumar(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kumar's ``sobel_fn``: Sobel/8 correlation on a reflect-101 extended image."""
    p = np.pad(np.asarray(x, dtype=np.float64), 1, mode="reflect")
    rows = p[:-2, :] + 2.0 * p[1:-1, :] + p[2:, :]
    gv = (rows[:, 2:] - rows[:, :-2]) / 8
    cols = p[:, :-2] + 2.0 * p[:, 1:-1] + p[:, 2:]
    gh = (cols[2:, :] - cols[:-2, :]) / 8
    return gv, gh


def nabf(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""N_AB/F, fusion artefacts: edges stronger in F than in both sources (lower is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255.

    Returns
    -------
    float
        :math:`N_{AB/F} \ge 0`.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D arrays.

    Notes
    -----
    Petrović's edge-preservation terms (Sobel/8 on a reflected image,
    :math:`Q^{XF} = \sqrt{Q_g Q_\alpha}` with Γg = 0.9999, kg = 19, σg = 0.5, Γα = 0.9995,
    kα = 22, σα = 0.5) weighted by :math:`w_X = g_X^{1.5}` (0.001 where :math:`g_X < 2`):

    .. math:: N_{AB/F} = \frac{\sum_{g_F > g_A,\,g_F > g_B}(1 - Q^{AF})w_A + (1 - Q^{BF})w_B}
              {\sum w_A + w_B}

    Kumar's modified artefact measure (``objective_fusion_perform_fn``), as Tang's
    ``analysis_nabf`` computes it when called with the arguments in its signature order.

    References
    ----------
    B. K. Shreyamsha Kumar, "Multifocus and multispectral image fusion based on pixel
    significance using discrete cosine harmonic wavelet transform", Signal Image Video
    Process. 7, 1125–1143, 2013; V. Petrović, C. Xydeas, "Objective image fusion performance
    characterisation", ICCV 2005.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> nabf((a + b) / 2, a, b)  # the average adds no edge stronger than both sources'
    0.0
    >>> round(nabf(2 * a, a, a), 4)  # doubled contrast
    0.2931
    """
    f, a, b = (np.asarray(x, dtype=np.float64) for x in check_triple(fused, a, b, dims=(2,)))
    td, wt_min, lg = 2.0, 0.001, 1.5
    nrg, kg, sg = 0.9999, 19.0, 0.5
    nra, ka, sa = 0.9995, 22.0, 0.5

    def strength(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        gv, gh = _sobel_kumar(x)
        g = np.sqrt(gh * gh + gv * gv)
        with np.errstate(divide="ignore", invalid="ignore"):
            ang = np.where((gv == 0) & (gh == 0), 0.0, np.arctan(gv / gh))
        return g, ang

    g_f, a_f = strength(f)
    q, w, g = [], [], []
    for x in (a, b):
        g_x, a_x = strength(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where((g_x == 0) | (g_f == 0), 0.0, np.where(g_x > g_f, g_f / g_x, g_x / g_f))
        orient = np.abs(np.abs(a_x - a_f) - math.pi / 2) * 2 / math.pi
        qg = nrg / (1 + np.exp(-kg * (rel - sg)))
        qa = nra / (1 + np.exp(-ka * (orient - sa)))
        q.append(np.sqrt(qg * qa))
        w.append(np.where(g_x >= td, g_x**lg, wt_min))
        g.append(g_x)
    wt_sum = float(np.sum(w[0] + w[1]))
    na = (g_f > g[0]) & (g_f > g[1])
    return float(np.sum(na * ((1 - q[0]) * w[0] + (1 - q[1]) * w[1]))) / wt_sum


def _haar_level(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One level of matlabPyrTools ``buildWpyr(x, 1, 'haar')``: lolo and the three bands."""
    s = 1 / math.sqrt(2)
    x = np.asarray(x, dtype=np.float64)
    if x.shape[0] % 2 or x.shape[1] % 2:
        x = np.pad(x, ((0, x.shape[0] % 2), (0, x.shape[1] % 2)), mode="reflect")
    lo = s * x[0::2] + s * x[1::2]
    hi = -s * x[0::2] + s * x[1::2]
    lolo = s * lo[:, 0::2] + s * lo[:, 1::2]
    lohi = s * hi[:, 0::2] + s * hi[:, 1::2]
    hilo = -s * lo[:, 0::2] + s * lo[:, 1::2]
    hihi = -s * hi[:, 0::2] + s * hi[:, 1::2]
    return lolo, lohi, hilo, hihi


def wang_qm(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""Q_M, Wang and Liu's multiscale edge-preservation metric (Liu's ``metricPWW``; higher is
    better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey 2D images of the same shape, 0..255.

    Returns
    -------
    float
        Q_M, 0..3 as computed here (each of the three detail bands adds up to 1; F equal to
        both sources gives 3). Sources without detail at a level count 1 there.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D arrays.

    Notes
    -----
    Two-level Haar decomposition of each image; at level s, with the detail bands H, V, D:
    :math:`W_X = H_X^2 + V_X^2 + D_X^2`, :math:`EP_X = e^{-|H_X-H_F|} + e^{-|V_X-V_F|} +
    e^{-|D_X-D_F|}`,

    .. math:: Q_s = \frac{\sum(EP_A W_A + EP_B W_B)}{\sum(W_A + W_B)},\qquad
              Q_M = Q_1^{2/3} Q_2^{1/3}

    Odd sizes are extended by reflection.

    References
    ----------
    P.-W. Wang, B. Liu, "A novel image fusion metric based on multi-scale analysis", ICSP
    2008, 965–968.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(wang_qm((a + b) / 2, a, b), 4)
    1.1734
    >>> round(wang_qm(a, a, a), 4)
    3.0
    """
    f, a, b = check_triple(fused, a, b, dims=(2,))
    xs = [np.asarray(v, dtype=np.float64) for v in (a, b, f)]
    q = []
    for _ in range(2):
        levels = [_haar_level(x) for x in xs]
        (_, *d1), (_, *d2), (_, *df) = levels
        w1 = sum(band * band for band in d1)
        w2 = sum(band * band for band in d2)
        ep1 = sum(np.exp(-np.abs(x - y)) for x, y in zip(d1, df, strict=True))
        ep2 = sum(np.exp(-np.abs(x - y)) for x, y in zip(d2, df, strict=True))
        den = float(np.sum(w1 + w2))
        q.append(float(np.sum(ep1 * w1 + ep2 * w2)) / den if den else 1.0)
        xs = [lv[0] for lv in levels]
    return q[0] ** (2 / 3) * q[1] ** (1 / 3)
