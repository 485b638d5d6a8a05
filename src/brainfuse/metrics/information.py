"""Information-theoretic metrics: MI, NMI (Q_MI), Tsallis MI (TE), NCIE, CE.

Two-source metrics take ``(fused, a, b)``; MI, NMI and CE also accept 3D volumes (the
histograms are over all voxels).
"""

from __future__ import annotations

import math
from typing import Literal

import cv2
import numpy as np

from ..rounding import round_half_away
from ._common import check_choice, check_flag, check_number, check_triple, normalize1
from .noreference import grey_levels

__all__ = [
    "cross_entropy",
    "joint_histogram",
    "mutual_information",
    "mutual_information_pair",
    "nava_mutual_information",
    "ncie",
    "normalized_mutual_information",
    "tsallis_mutual_information",
]

MIBins = Literal["values", "grey", "minmax"]


def _labels(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Class index of every sample (ascending with the value) and the number of indices."""
    flat = x.ravel()
    if flat.dtype.kind == "f":
        codes = flat.astype(np.int64)
        lo, hi = int(codes.min()), int(codes.max())
        if lo >= 0 and hi < 65536 and np.array_equal(codes, flat):
            # Values as class indices: absent values leave empty rows/columns, which the
            # MI formula never reads, and the order of the classes is kept.
            return codes, hi + 1
    # Ranks of the values (equal values share a rank): one sort, no searching.
    order = np.argsort(flat)
    ordered = flat[order]
    starts = np.empty(ordered.size, dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    ranks = np.cumsum(starts) - 1
    labels = np.empty(ordered.size, dtype=np.int64)
    labels[order] = ranks
    return labels, int(ranks[-1]) + 1


def joint_histogram(x: np.ndarray, y: np.ndarray, levels: int = 256) -> np.ndarray:
    r"""Joint histogram of two integer images: ``h[i, j]`` counts the samples with ``x == i`` and
    ``y == j``.

    Parameters
    ----------
    x, y : numpy.ndarray
        Integer arrays of the same shape, values in ``0..levels-1``.
    levels : int
        Number of classes per image.

    Returns
    -------
    numpy.ndarray
        ``(levels, levels)`` float counts.

    Notes
    -----
    .. math:: h_{ij} = \#\{k : x_k = i,\ y_k = j\}

    References
    ----------
    C. E. Shannon, "A mathematical theory of communication", Bell Syst. Tech. J. 27, 379–423,
    1948 (the joint distribution of two sources).

    Examples
    --------
    >>> import numpy as np
    >>> joint_histogram(np.array([0, 1, 1]), np.array([2, 2, 0]), levels=3).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    codes = x.ravel().astype(np.int64) * levels + y.ravel().astype(np.int64)
    return np.bincount(codes, minlength=levels * levels).reshape(levels, levels).astype(float)


def _bytes_of(x: np.ndarray) -> np.ndarray | None:
    """``x`` as ``uint8`` when every value is an integer in 0..255 (8-bit images), else None."""
    if x.dtype == np.uint8:
        return x
    b = x.astype(np.uint8)
    return b if np.array_equal(b, x) else None


def _mi_from_table(cont: np.ndarray) -> float:
    """MI in nats of a contingency table (counts; classes may be empty), with
    scikit-learn's ``mutual_info_score`` arithmetic: non-zero cells in row-major order,
    terms below machine epsilon set to 0, the result clipped at 0."""
    pi = cont.sum(axis=1)
    pj = cont.sum(axis=0)
    if np.count_nonzero(pi) == 1 or np.count_nonzero(pj) == 1:
        return 0.0
    cells = np.flatnonzero(cont != 0)  # faster than on the counts themselves
    nzx, nzy = np.divmod(cells, cont.shape[1])
    return _mi_terms(cont.ravel()[cells].astype(np.float64), pi[nzx], pi.sum(), pj[nzy], pj.sum())


def _mi_terms(
    nz: np.ndarray, pi_nz: np.ndarray, pi_sum: float, pj_nz: np.ndarray, pj_sum: float
) -> float:
    total = nz.sum()
    outer = pi_nz.astype(np.int64) * pj_nz.astype(np.int64)
    log_outer = -np.log(outer) + math.log(pi_sum) + math.log(pj_sum)
    p = nz / total
    mi = p * (np.log(nz) - math.log(total)) + p * log_outer
    mi = np.where(np.abs(mi) < np.finfo(np.float64).eps, 0.0, mi)
    return float(max(mi.sum(), 0.0))


def _mi_values(x: np.ndarray | tuple[np.ndarray, int], y: np.ndarray) -> float:
    """MI in nats of two arrays where every distinct value is a class (``x`` may be given as
    its precomputed :func:`_labels`), as scikit-learn's ``mutual_info_score``."""
    lx, nx = x if isinstance(x, tuple) else _labels(x)
    ly, ny = _labels(y)
    codes = lx * ny
    codes += ly
    if nx * ny <= 1 << 24:
        return _mi_from_table(np.bincount(codes, minlength=nx * ny).reshape(nx, ny))
    # Many classes (float volumes): the sparse table, in the same row-major order.
    pi = np.bincount(lx, minlength=nx)
    pj = np.bincount(ly, minlength=ny)
    if np.count_nonzero(pi) == 1 or np.count_nonzero(pj) == 1:
        return 0.0
    codes.sort()
    firsts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    nz = np.diff(np.append(firsts, codes.size)).astype(np.float64)
    nzx, nzy = np.divmod(codes[firsts], ny)
    return _mi_terms(nz, pi[nzx], pi.sum(), pj[nzy], pj.sum())


def _mi_bytes(x: np.ndarray, y: np.ndarray) -> float:
    """:func:`_mi_values` of two ``uint8`` arrays: the joint histogram from OpenCV."""
    rows = x.shape[0] if x.ndim > 1 else 1
    hist = cv2.calcHist(
        [x.reshape(rows, -1), y.reshape(rows, -1)], [0, 1], None, [256, 256], [0, 256, 0, 256]
    )
    return _mi_from_table(hist)  # float32 counts: exact below 2**24 samples


def _entropy_terms(h: np.ndarray, base: float) -> tuple[float, float, float]:
    """Marginal entropies of rows and columns and the joint entropy of a count table."""
    p = h / h.sum()
    log = np.log if base == math.e else (lambda v: np.log(v) / math.log(base))
    pr = p.sum(axis=1)
    pc = p.sum(axis=0)
    hr = -float(np.sum(pr[pr > 0] * log(pr[pr > 0])))
    hc = -float(np.sum(pc[pc > 0] * log(pc[pc > 0])))
    nz = p[p > 0]
    hj = -float(np.sum(nz * log(nz)))
    return hr, hc, hj


def _minmax_levels(x: np.ndarray) -> np.ndarray:
    """VIFB's quantisation: min–max to 0..1, ``int16(x*255)`` (round half away)."""
    lo, hi = float(x.min()), float(x.max())
    if hi == lo:
        return np.zeros(x.shape, dtype=np.int64)
    return round_half_away((x - lo) / (hi - lo) * 255).astype(np.int64)


def mutual_information_pair(
    x: np.ndarray, y: np.ndarray, *, bins: MIBins = "grey", base: float = 2.0
) -> float:
    r"""Mutual information of two images.

    Parameters
    ----------
    x, y : numpy.ndarray
        Grey images (or volumes) of the same shape on the 0..255 scale.
    bins : {"grey", "values", "minmax"}
        How samples become histogram classes: ``"grey"`` (256 grey levels, rounded and
        clipped), ``"values"`` (every distinct value is a class: scikit-learn's
        ``mutual_info_score``, as CDDFuse), ``"minmax"`` (min–max stretch, then 256 levels
        rounded half away from zero, as VIFB's ``mutinf``).
    base : float
        The logarithm base (2: bits, e: nats); > 0, other than 1.

    Returns
    -------
    float
        :math:`I(X;Y) \ge 0`.

    Raises
    ------
    InputError
        An unknown ``bins`` or a ``base`` that is not a number > 0 other than 1.

    Notes
    -----
    .. math:: I(X;Y) = H(X) + H(Y) - H(X,Y) = \sum_{x,y} p(x,y)\log\frac{p(x,y)}{p(x)p(y)}

    References
    ----------
    G. Qu, D. Zhang, P. Yan, "Information measure for performance of image fusion", Electron.
    Lett. 38(7), 313–315, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(64.0) * 4, (64, 1))  # 64 equally frequent levels
    >>> mutual_information_pair(ramp, ramp)  # an image shares all of its entropy with itself
    6.0
    """
    check_choice(bins, "bins", "mutual_information_pair", ("values", "grey", "minmax"))
    check_number(
        base, "base", "mutual_information_pair", minimum=0, exclusive_minimum=True, not_equal=1
    )
    if bins == "values":
        mi = _mi_values(x, y)
        return mi / math.log(base) if base != math.e else mi
    if bins == "minmax":
        qx, qy = _minmax_levels(x), _minmax_levels(y)
    else:
        qx, qy = grey_levels(x), grey_levels(y)
    hx, hy, hxy = _entropy_terms(joint_histogram(qx, qy), base)
    return hx + hy - hxy


def mutual_information(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    bins: MIBins = "grey",
    base: float = 2.0,
) -> float:
    r"""MI: the information the fused image shares with the sources (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    bins : {"grey", "values", "minmax"}
        Histogram classes (see :func:`mutual_information_pair`): ``paper``: ``"grey"``;
        ``cddfuse``: ``"values"``; ``vifb``: ``"minmax"``.
    base : float
        Logarithm base: 2 (bits; ``paper``) or e (nats; ``cddfuse``, ``vifb``).

    Returns
    -------
    float
        MI ≥ 0; at most :math:`H(A) + H(B)`. A constant image shares 0 information.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, or a bad option.

    Notes
    -----
    .. math:: MI = I(A;F) + I(B;F),\qquad
              I(X;F) = \sum_{x,f} p(x,f)\log\frac{p(x,f)}{p(x)p(f)}

    The paper and every reference implementation add the two terms.

    References
    ----------
    G. Qu, D. Zhang, P. Yan, "Information measure for performance of image fusion", Electron.
    Lett. 38(7), 313–315, 2002.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(mutual_information((a + b) / 2, a, b), 4)
    1.4419
    >>> mutual_information(a, a, a)  # 6 bits shared with each source
    12.0
    """
    check_choice(bins, "bins", "mutual_information", ("values", "grey", "minmax"))
    check_number(base, "base", "mutual_information", minimum=0, exclusive_minimum=True, not_equal=1)
    f, a, b = check_triple(fused, a, b)
    if bins == "values":
        as_bytes = [_bytes_of(x) for x in (f, a, b)]
        if all(x is not None for x in as_bytes) and f.size < 1 << 24:  # exact float32 counts
            fb, ab, bb = as_bytes
            mi = _mi_bytes(fb, ab) + _mi_bytes(fb, bb)
        else:
            labels = _labels(f)
            mi = _mi_values(labels, a) + _mi_values(labels, b)
        return mi / math.log(base) if base != math.e else mi
    return mutual_information_pair(f, a, bins=bins, base=base) + mutual_information_pair(
        f, b, bins=bins, base=base
    )


def _liu_mutual_info(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """Liu's ``mutual_info`` (log2): MI, joint entropy, entropy of y, entropy of x."""
    h = joint_histogram(x.astype(np.int64), y.astype(np.int64))
    h = h / h.sum()
    mx = h.sum(axis=0)  # marginal of y (MATLAB sum over rows)
    my = h.sum(axis=1)  # marginal of x
    hx = -float(np.sum(mx * np.log2(mx + (mx == 0))))
    hy = -float(np.sum(my * np.log2(my + (my == 0))))
    hxy = -float(np.sum(h * np.log2(h + (h == 0))))
    return hx + hy - hxy, hxy, hx, hy


def normalized_mutual_information(
    fused: np.ndarray, a: np.ndarray, b: np.ndarray, *, normalise: bool = False
) -> float:
    r"""NMI / Q_MI, Hossny's normalised mutual information (0..2, bits; higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    normalise : bool
        First stretch each image to 0..255 and round (Liu's ``normalize1``, as Liu's toolbox
        and MEFB).

    Returns
    -------
    float
        :math:`Q_{MI}`; two constant images give 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, or ``normalise`` not a
        bool.

    Notes
    -----
    .. math:: Q_{MI} = 2\left[\frac{I(A;F)}{H(A)+H(F)} + \frac{I(B;F)}{H(B)+H(F)}\right]

    on 256 grey levels.

    References
    ----------
    M. Hossny, S. Nahavandi, D. Creighton, "Comments on 'Information measure for performance
    of image fusion'", Electron. Lett. 44(18), 1066–1067, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> round(normalized_mutual_information(a, a, a), 4)  # 2 (1/2 + 1/2)
    2.0
    """
    check_flag(normalise, "normalise", "normalized_mutual_information")
    f, a, b = check_triple(fused, a, b)
    if normalise:
        f, a, b = normalize1(f), normalize1(a), normalize1(b)
    else:
        f, a, b = grey_levels(f), grey_levels(a), grey_levels(b)
    total = 0.0
    for x in (a, b):
        i, _, h_f, h_x = _liu_mutual_info(x, f)
        den = h_x + h_f
        total += i / den if den > 0 else 0.0
    return 2 * total


def _tsallis(x: np.ndarray, y: np.ndarray, q: float, liu_marginals: bool) -> float:
    r"""Tsallis mutual information :math:`\frac{1}{1-q}(1 - \sum p(x,y)^q / (p(x)p(y))^{q-1})`
    on 256 levels. ``liu_marginals`` pairs h(i, j) with P(y = i)·P(x = j), as Liu's
    ``tsallis.m`` does (its row and column marginals are swapped)."""
    h = joint_histogram(x.astype(np.int64), y.astype(np.int64))
    h = h / h.sum()
    px = h.sum(axis=1)
    py = h.sum(axis=0)
    buff = py[:, None] * px[None, :] if liu_marginals else px[:, None] * py[None, :]
    ok = (buff != 0) & (h != 0)
    result = float(np.sum(h[ok] ** q / buff[ok] ** (q - 1)))
    return (1 - result) / (1 - q)


def tsallis_mutual_information(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    q: float = 1.85,
    liu_marginals: bool = False,
) -> float:
    r"""TE, Cvejić's Tsallis mutual information of F with the sources (higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    q : float
        The Tsallis order; > 0, other than 1 (1.85 in the paper).
    liu_marginals : bool
        Reproduce Liu's ``tsallis.m`` (Liu's toolbox, MEFB ``metricsTE``), which divides
        :math:`p(x{=}i, f{=}j)` by :math:`(p(f{=}i)\,p(x{=}j))^{q-1}`: the marginals are
        swapped, so its values (often in the hundreds or thousands) are not the paper's.

    Returns
    -------
    float
        :math:`I_q(A;F) + I_q(B;F)`.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, or a bad option.

    Notes
    -----
    .. math:: I_q(X;F) = \frac{1}{1-q}\left(1 - \sum_{x,f}
              \frac{p(x,f)^q}{(p(x)\,p(f))^{q-1}}\right)

    on 256 grey levels of Liu's ``normalize1``-stretched images.

    References
    ----------
    N. Cvejić, C. N. Canagarajah, D. R. Bull, "Image fusion metric based on mutual
    information and Tsallis entropy", Electron. Lett. 42(11), 626–627, 2006.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(tsallis_mutual_information((a + b) / 2, a, b), 4)
    1.7241
    """
    check_number(
        q, "q", "tsallis_mutual_information", minimum=0, exclusive_minimum=True, not_equal=1
    )
    check_flag(liu_marginals, "liu_marginals", "tsallis_mutual_information")
    f, a, b = check_triple(fused, a, b, dims=(2, 3))
    f, a, b = normalize1(f), normalize1(a), normalize1(b)
    return _tsallis(a, f, q, liu_marginals) + _tsallis(b, f, q, liu_marginals)


def nava_mutual_information(
    fused: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    *,
    q: float = 0.43137,
    liu_marginals: bool = False,
) -> float:
    r"""Nava's normalised Tsallis measure (Liu's "Q_TE", ``metricMI`` switch 3; higher is
    better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.
    q : float
        The Tsallis order; > 0, other than 1 (0.43137 in Liu's code).
    liu_marginals : bool
        Swap the marginals as Liu's ``tsallis.m`` does (see
        :func:`tsallis_mutual_information`).

    Returns
    -------
    float
        :math:`Q`; 0 when its denominator is 0.

    Raises
    ------
    InputError
        Shapes differ, not real, finite, non-empty 2D or 3D arrays, or a bad option.

    Notes
    -----
    .. math:: Q = \frac{I_q(A;F) + I_q(B;F)}{H_q(A) + H_q(B) - I_q(A;B)}

    as implemented by Liu: :math:`H(A)^q + H(B)^q + I_q(A;B)` in the denominator, with
    Shannon entropies in bits. A constant source's entropy, computed as −3e-16, is taken as 0
    (its fractional power would be complex).

    References
    ----------
    R. Nava, G. Cristóbal, B. Escalante-Ramírez, "Mutual information improves image fusion
    quality assessments", SPIE Newsroom, 2007.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(nava_mutual_information((a + b) / 2, a, b), 4)
    0.1797
    """
    check_number(q, "q", "nava_mutual_information", minimum=0, exclusive_minimum=True, not_equal=1)
    check_flag(liu_marginals, "liu_marginals", "nava_mutual_information")
    f, a, b = check_triple(fused, a, b, dims=(2, 3))
    f, a, b = normalize1(f), normalize1(a), normalize1(b)
    num = _tsallis(a, f, q, liu_marginals) + _tsallis(b, f, q, liu_marginals)
    _, _, h_x, h_y = _liu_mutual_info(a, b)
    # An entropy is >= 0: a constant image's is 0, computed as -3e-16 when its marginal sums
    # to 1 + 2e-16, whose fractional power would be complex.
    h_x, h_y = max(h_x, 0.0), max(h_y, 0.0)
    den = h_x**q + h_y**q + _tsallis(a, b, q, liu_marginals)
    return num / den if den != 0 else 0.0


def _ncc(x: np.ndarray, y: np.ndarray) -> float:
    """Wang's nonlinear correlation coefficient on 256 levels (log base 256)."""
    i, _, _, _ = _liu_mutual_info(x, y)
    return i / math.log2(256)


def ncie(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""NCIE / Q_NCIE, the nonlinear correlation information entropy (0..1, higher is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.

    Returns
    -------
    float
        :math:`Q_{NCIE}`.

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D or 3D arrays.

    Notes
    -----
    The 3×3 matrix :math:`R` of nonlinear correlation coefficients
    :math:`NCC(X,Y) = [H(X)+H(Y)-H(X,Y)]/\log_2 256` between A, B and F (256 grey levels
    after Liu's ``normalize1``) has eigenvalues :math:`\lambda_i`;

    .. math:: Q_{NCIE} = 1 + \sum_{i=1}^{3}\frac{\lambda_i}{3}\log_{256}\frac{\lambda_i}{3}

    As Liu's ``metricWang`` and MEFB ``metricsQncie``.

    References
    ----------
    Q. Wang, Y. Shen, J. Jin, "Performance evaluation of image fusion techniques", in Image
    Fusion: Algorithms and Applications, T. Stathaki (ed.), ch. 19, 469–492, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(ncie((a + b) / 2, a, b), 4)
    0.8029
    """
    f, a, b = check_triple(fused, a, b, dims=(2, 3))
    f, a, b = normalize1(f), normalize1(a), normalize1(b)
    nxy, nxf, nyf = _ncc(a, b), _ncc(a, f), _ncc(b, f)
    r = np.array([[1.0, nxy, nxf], [nxy, 1.0, nyf], [nxf, nyf, 1.0]])
    lam = np.linalg.eigvalsh(r)
    k = 3.0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(lam > 0, lam * np.log2(lam / k) / k, 0.0)
    hr = -float(np.sum(terms)) / math.log2(256)
    return 1 - hr


def cross_entropy(fused: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    r"""CE, the cross entropy of the sources' grey-level histograms to the fused image's, averaged
    over the two sources (bits; lower is better).

    Parameters
    ----------
    fused, a, b : numpy.ndarray
        Fused image and the two sources, grey, the same shape, 2D or 3D, on the 0..255 scale.

    Returns
    -------
    float
        CE ≥ 0 (finite: see the Notes).

    Raises
    ------
    InputError
        Shapes differ, or not real, finite, non-empty 2D or 3D arrays.

    Notes
    -----
    .. math:: CE = \tfrac12\,[D(p_A\|p_F) + D(p_B\|p_F)],\qquad
              D(p\|q) = \sum_{l:\,p_l q_l > 0} p_l \log_2\frac{p_l}{q_l}

    Levels present in only one histogram are skipped, as in VIFB/MEFB
    ``metricsCross_entropy`` (so the value stays finite). 256 grey levels (floored, clipped).

    References
    ----------
    D. M. Bulanon, T. F. Burks, V. Alchanatis, "Image fusion of visible and thermal images
    for fruit detection", Biosyst. Eng. 103(1), 12–22, 2009.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> round(cross_entropy((a + b) / 2, a, b), 4)
    1.4271
    >>> cross_entropy(a, a, a)
    0.0
    """
    f, a, b = check_triple(fused, a, b)
    pf = np.bincount(grey_levels(f, "floor").ravel(), minlength=256) / f.size
    total = 0.0
    for x in (a, b):
        px = np.bincount(grey_levels(x, "floor").ravel(), minlength=256) / x.size
        ok = (px != 0) & (pf != 0)
        total += float(np.sum(px[ok] * np.log2(px[ok] / pf[ok])))
    return total / 2
