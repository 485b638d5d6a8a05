"""Multiscale transform fusion: Laplacian and ratio pyramids, DWT and SWT — in any dimension.

Each method decomposes both images into detail bands and a coarse approximation, keeps at every
detail coefficient the one with the larger magnitude ("max-abs", the choose-max rule of Burt &
Kolczynski 1993), averages the approximations, and inverts the transform.

All four work on 2D images and 3D volumes alike (separable filters along every axis) and on any
size: the pyramids shrink odd sizes to ⌈n/2⌉ and expand back to the exact size; the DWT crops the
one extra sample PyWavelets may return; the SWT pads symmetrically to a multiple of 2^levels and
crops. ``levels`` is lowered to what the smallest axis allows (a pyramid stops when an axis would
drop below 2 samples; the wavelets follow :func:`pywt.dwt_max_level`).
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np
from scipy.ndimage import correlate1d

from ..errors import InputError
from .registry import param, register

__all__ = [
    "dwt",
    "gaussian_pyramid",
    "laplacian",
    "laplacian_pyramid",
    "ratio",
    "reconstruct_laplacian_pyramid",
    "swt",
]

# Burt & Adelson's generating kernel with a = 0.375: the binomial [1, 4, 6, 4, 1] / 16.
_KERNEL = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def _reduce(x: np.ndarray) -> np.ndarray:
    """REDUCE: blur with the 5-tap kernel along every axis, keep every other sample.

    Borders are mirrored (``d c b | a b c d``); an axis of n samples keeps ⌈n/2⌉. In 2D this
    is OpenCV's ``pyrDown`` (the same kernel and border), elsewhere separable ``correlate1d``.
    """
    return cv2.pyrDown(x) if x.ndim == 2 else _reduce_nd(x)


def _reduce_nd(x: np.ndarray) -> np.ndarray:
    for ax in range(x.ndim):
        x = correlate1d(x, _KERNEL, axis=ax, mode="mirror")
        x = x[(slice(None),) * ax + (slice(None, None, 2),)]
    return x


def _expand(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """EXPAND to ``shape`` (each axis 2m − 1 or 2m for m samples), the inverse step of REDUCE.

    Zeros are inserted between samples to length 2m, the result is filtered with 2·kernel
    under mirror borders, and an odd target length keeps the first 2m − 1 samples. In 2D this
    is OpenCV's ``pyrUp`` to the even size, elsewhere separable ``correlate1d``.
    """
    if x.ndim == 2:
        up = cv2.pyrUp(x, dstsize=(2 * x.shape[1], 2 * x.shape[0]))
        return up[: shape[0], : shape[1]]
    return _expand_nd(x, shape)


def _expand_nd(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    for ax, n in enumerate(shape):
        zeros = list(x.shape)
        zeros[ax] *= 2
        u = np.zeros(zeros, dtype=x.dtype)
        u[(slice(None),) * ax + (slice(None, None, 2),)] = x
        x = correlate1d(u, 2.0 * _KERNEL, axis=ax, mode="mirror")
        x = x[(slice(None),) * ax + (slice(0, n),)]
    return x


def _pyramid_levels(shape: tuple[int, ...], levels: int) -> int:
    """``levels``, lowered so that no axis of the top level has fewer than 2 samples."""
    n, smallest = 0, min(shape)
    while n < levels and (smallest + 1) // 2 >= 2:
        smallest = (smallest + 1) // 2
        n += 1
    return n


def gaussian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    """Gaussian pyramid ``[G0 = x, G1, …, G_levels]`` of Burt & Adelson [1]_, any dimension.

    Parameters
    ----------
    x : numpy.ndarray
        The image or volume.
    levels : int
        The number of reductions (≥ 0); the caller keeps it small enough for the smallest axis.

    Returns
    -------
    pyramid : list of numpy.ndarray
        ``levels + 1`` float64 arrays, ``x`` first. Each level is the previous one blurred by the
        separable binomial kernel [1, 4, 6, 4, 1]/16 (mirror borders) and subsampled by 2 along
        every axis (odd sizes keep ⌈n/2⌉ samples).

    References
    ----------
    .. [1] P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE
       Trans. Commun. 31(4):532-540, 1983. doi:10.1109/TCOM.1983.1095851

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.multiscale import gaussian_pyramid
    >>> x = np.arange(36, dtype=np.float32).reshape(6, 6)
    >>> [level.shape for level in gaussian_pyramid(x, 2)]
    [(6, 6), (3, 3), (2, 2)]
    >>> gaussian_pyramid(x, 1)[1].round(2)
    array([[ 5.25,  6.5 ,  8.38],
           [12.75, 14.  , 15.88],
           [24.  , 25.25, 27.12]])
    """
    out = [np.asarray(x, dtype=np.float64)]
    for _ in range(levels):
        out.append(_reduce(out[-1]))
    return out


def laplacian_pyramid(x: np.ndarray, levels: int) -> list[np.ndarray]:
    r"""Laplacian pyramid ``[L0, …, L_{levels-1}, G_levels]`` of Burt & Adelson [1]_.

    Parameters
    ----------
    x : numpy.ndarray
        The image or volume.
    levels : int
        The number of detail levels (≥ 0).

    Returns
    -------
    pyramid : list of numpy.ndarray
        The detail levels :math:`L_k = G_k - \mathrm{EXPAND}(G_{k+1})` and, last, the top
        Gaussian level; :func:`reconstruct_laplacian_pyramid` inverts it exactly (up to
        floating-point rounding).

    References
    ----------
    .. [1] P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE
       Trans. Commun. 31(4):532-540, 1983. doi:10.1109/TCOM.1983.1095851

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.multiscale import laplacian_pyramid, reconstruct_laplacian_pyramid
    >>> x = np.arange(36, dtype=np.float32).reshape(6, 6)
    >>> pyramid = laplacian_pyramid(x, 2)
    >>> [level.shape for level in pyramid]
    [(6, 6), (3, 3), (2, 2)]
    >>> float(np.abs(reconstruct_laplacian_pyramid(pyramid) - x).max())
    0.0
    """
    g = gaussian_pyramid(x, levels)
    return [g[k] - _expand(g[k + 1], g[k].shape) for k in range(levels)] + [g[-1]]


def reconstruct_laplacian_pyramid(pyr: list[np.ndarray]) -> np.ndarray:
    r"""Invert :func:`laplacian_pyramid`: :math:`G_k = L_k + \mathrm{EXPAND}(G_{k+1})` from the top.

    Parameters
    ----------
    pyr : list of numpy.ndarray
        Detail levels, finest first, then the top Gaussian level (as :func:`laplacian_pyramid`
        returns them, or fused ones).

    Returns
    -------
    image : numpy.ndarray
        The reconstruction, the shape of ``pyr[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.multiscale import laplacian_pyramid, reconstruct_laplacian_pyramid
    >>> x = np.eye(4)
    >>> bool(np.allclose(reconstruct_laplacian_pyramid(laplacian_pyramid(x, 1)), x))
    True
    """
    x = pyr[-1]
    for lap in reversed(pyr[:-1]):
        x = lap + _expand(x, lap.shape)
    return x


def _max_abs(c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """Coefficient of larger magnitude (ties keep the first, the anatomical image)."""
    return np.where(np.abs(c1) >= np.abs(c2), c1, c2)


@register(
    "laplacian",
    family="multiscale",
    dims=(2, 3),
    params={"levels": param("number of detail levels of the pyramid", minimum=1)},
    reference="Burt & Adelson 1983, IEEE Trans. Commun. 31(4); Burt & Kolczynski 1993, ICCV",
)
def laplacian(a: np.ndarray, b: np.ndarray, *, levels: int = 4) -> np.ndarray:
    r"""Laplacian pyramid fusion: max-abs detail coefficients, averaged top (Gaussian) level.

    The pyramid uses Burt & Adelson's 5-tap binomial kernel with mirror borders, separably along
    every axis, so volumes are fused in 3D. Four levels as the transform baselines of Amini &
    Mostaar 2022.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey images or volumes, one shape, on the 0..255 scale.
    levels : int, optional
        Number of detail levels (≥ 1, default 4), lowered to what the smallest axis allows.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale (not clipped: it can undershoot near edges).

    Notes
    -----
    For every detail level k < ``levels``, the choose-max rule of Burt & Kolczynski [2]_:

    .. math:: L^F_k = \begin{cases} L^A_k & |L^A_k| \ge |L^B_k| \\ L^B_k & \text{else}
              \end{cases}, \qquad G^F = (G^A + G^B)/2,

    and F is the reconstruction of the fused pyramid.

    References
    ----------
    .. [1] P. J. Burt and E. H. Adelson, "The Laplacian pyramid as a compact image code", IEEE
       Trans. Commun. 31(4):532-540, 1983. doi:10.1109/TCOM.1983.1095851
    .. [2] P. J. Burt and R. J. Kolczynski, "Enhanced image capture through fusion", Proc. ICCV
       1993, 173-182.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "laplacian")[6, ::3].round()
    array([-13., -15.,  89., 134.,  36.,  43.], dtype=float32)

    A source fused with itself comes back unchanged:

    >>> x = np.tile(np.r_[np.zeros(8), np.full(8, 200.0)], (16, 1)).astype(np.float32)
    >>> bool(np.allclose(laplacian(x, x), x, atol=1e-3))
    True
    """
    n = _pyramid_levels(a.shape, levels)
    pa, pb = laplacian_pyramid(a, n), laplacian_pyramid(b, n)
    fused = [_max_abs(la, lb) for la, lb in zip(pa[:-1], pb[:-1], strict=True)]
    fused.append(0.5 * (pa[-1] + pb[-1]))
    return reconstruct_laplacian_pyramid(fused).astype(np.float32)


@register(
    "ratio",
    family="multiscale",
    dims=(2, 3),
    params={"levels": param("number of ratio (contrast) levels of the pyramid", minimum=1)},
    reference="Toet 1989, Pattern Recognit. Lett. 9(4)",
)
def ratio(a: np.ndarray, b: np.ndarray, *, levels: int = 4) -> np.ndarray:
    r"""Ratio-of-low-pass (contrast) pyramid fusion: keep the larger local contrast.

    The ratio needs positive values, so both images are shifted by the same offset to a minimum
    of 1 before, and back after.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey images or volumes, one shape, on the 0..255 scale.
    levels : int, optional
        Number of ratio (contrast) levels (≥ 1, default 4), lowered to what the smallest axis
        allows.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale (not clipped).

    Notes
    -----
    :math:`R_k = G_k / \mathrm{EXPAND}(G_{k+1})` is the local luminance contrast plus one [1]_.
    At every level the coefficient with the larger :math:`|R_k - 1|` is kept, the top Gaussian
    levels are averaged, and the image is rebuilt as

    .. math:: G_k = R_k \cdot \mathrm{EXPAND}(G_{k+1}).

    References
    ----------
    .. [1] A. Toet, "Image fusion by a ratio of low-pass pyramid", Pattern Recognition Letters
       9(4):245-253, 1989. doi:10.1016/0167-8655(89)90003-2

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "ratio")[6, ::3].round()
    array([ -1.,  -1.,   1., 147.,   1.,   1.], dtype=float32)
    """
    n = _pyramid_levels(a.shape, levels)
    offset = 1.0 - min(float(a.min(initial=0.0)), float(b.min(initial=0.0)), 0.0)
    ga = gaussian_pyramid(a.astype(np.float64) + offset, n)
    gb = gaussian_pyramid(b.astype(np.float64) + offset, n)
    x = 0.5 * (ga[-1] + gb[-1])
    for k in range(n - 1, -1, -1):
        ra = ga[k] / _expand(ga[k + 1], ga[k].shape)
        rb = gb[k] / _expand(gb[k + 1], gb[k].shape)
        r = np.where(np.abs(ra - 1.0) >= np.abs(rb - 1.0), ra, rb)
        x = r * _expand(x, r.shape)
    return (x - offset).astype(np.float32)


def _wavelet(name: str, method: str):
    import pywt

    try:
        return pywt.Wavelet(name)
    except ValueError:
        raise InputError(
            None,
            f"parameter 'wavelet' of method '{method}': unknown wavelet '{name}' "
            "(PyWavelets discrete wavelets: db1..db38, sym2..sym20, coif1..coif17, bior*, ...)",
        ) from None


def _wavelet_levels(shape: tuple[int, ...], wavelet, levels: int) -> int:
    import pywt

    return max(1, min(levels, pywt.dwtn_max_level(shape, wavelet)))


def _fuse_details(da: dict[str, np.ndarray], db: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {key: _max_abs(da[key], db[key]) for key in da}


@register(
    "dwt",
    family="multiscale",
    dims=(2, 3),
    params={
        "wavelet": "PyWavelets wavelet name",
        "levels": param("number of decomposition levels", minimum=1),
    },
    reference="Li, Manjunath & Mitra 1995, Graph. Models Image Process. 57(3)",
)
def dwt(a: np.ndarray, b: np.ndarray, *, wavelet: str = "db2", levels: int = 4) -> np.ndarray:
    """Discrete wavelet transform fusion: max-abs detail coefficients, averaged approximation.

    Both images are decomposed by the n-dimensional DWT (PyWavelets ``wavedecn``, symmetric
    extension); every detail band keeps the coefficient of larger magnitude, the coarsest
    approximations are averaged, and ``waverecn`` inverts (in single precision). db2 and four
    levels follow the transform baselines of Amini & Mostaar 2022.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey images or volumes, one shape, on the 0..255 scale.
    wavelet : str, optional
        A PyWavelets discrete wavelet name (default ``"db2"``).
    levels : int, optional
        Number of decomposition levels (≥ 1, default 4), lowered to
        :func:`pywt.dwtn_max_level` of the shape.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale (not clipped).

    Raises
    ------
    InputError
        If ``wavelet`` is not a PyWavelets discrete wavelet.

    References
    ----------
    .. [1] H. Li, B. S. Manjunath and S. K. Mitra, "Multisensor image fusion using the wavelet
       transform", Graphical Models and Image Processing 57(3):235-245, 1995.
       doi:10.1006/gmip.1995.1022

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "dwt")[6, ::3].round()
    array([  5., -25.,  54., 111.,  24.,  39.], dtype=float32)
    """
    import pywt

    wav = _wavelet(wavelet, "dwt")
    n = _wavelet_levels(a.shape, wav, levels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # boundary effects on tiny images
        ca = pywt.wavedecn(a.astype(np.float32), wav, mode="symmetric", level=n)
        cb = pywt.wavedecn(b.astype(np.float32), wav, mode="symmetric", level=n)
    fused: list = [0.5 * (ca[0] + cb[0])]
    fused += [_fuse_details(da, db) for da, db in zip(ca[1:], cb[1:], strict=True)]
    out = pywt.waverecn(fused, wav, mode="symmetric")
    return out[tuple(slice(0, s) for s in a.shape)].astype(np.float32)


@register(
    "swt",
    family="multiscale",
    dims=(2, 3),
    params={
        "wavelet": "PyWavelets wavelet name",
        "levels": param("number of decomposition levels", minimum=1),
    },
    reference="Rockinger 1997, ICIP; Nason & Silverman 1995 (stationary wavelet transform)",
)
def swt(a: np.ndarray, b: np.ndarray, *, wavelet: str = "db2", levels: int = 4) -> np.ndarray:
    """Stationary (undecimated) wavelet transform fusion: max-abs details, averaged approximation.

    As :func:`dwt` but without subsampling (PyWavelets ``swtn``/``iswtn``), so the fusion is
    shift-invariant and free of the DWT's blocking. Each axis is padded symmetrically to a
    multiple of 2^levels and the result cropped back. Levels are decomposed one at a time and
    fused at once, in single precision, so memory holds one set of fused details, not both
    images' transforms (peak memory 1.8 GB for a 182×218×182 pair at four levels).

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey images or volumes, one shape, on the 0..255 scale.
    wavelet : str, optional
        A PyWavelets discrete wavelet name (default ``"db2"``).
    levels : int, optional
        Number of decomposition levels (≥ 1, default 4), lowered to what the shape allows.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale (not clipped).

    Raises
    ------
    InputError
        If ``wavelet`` is not a PyWavelets discrete wavelet.

    References
    ----------
    .. [1] O. Rockinger, "Image sequence fusion using a shift-invariant wavelet transform",
       Proc. ICIP 1997.
    .. [2] G. P. Nason and B. W. Silverman, "The stationary wavelet transform and some
       statistical applications", in Wavelets and Statistics, Lecture Notes in Statistics 103,
       281-299, Springer, 1995.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "swt")[6, ::3].round()
    array([-16., -16.,  46., 107.,  15.,  62.], dtype=float32)
    """
    import pywt

    wav = _wavelet(wavelet, "swt")
    n = _wavelet_levels(a.shape, wav, levels)
    step = 2**n
    pad = [(0, (-s) % step) for s in a.shape]
    xa = np.pad(a.astype(np.float32), pad, mode="symmetric")
    xb = np.pad(b.astype(np.float32), pad, mode="symmetric")
    details: list[dict[str, np.ndarray]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for level in range(n):
            (da,) = pywt.swtn(xa, wav, level=1, start_level=level, trim_approx=False)
            (db,) = pywt.swtn(xb, wav, level=1, start_level=level, trim_approx=False)
            approx = "a" * a.ndim
            xa, xb = da.pop(approx), db.pop(approx)
            details.append(_fuse_details(da, db))
    coeffs: list = [0.5 * (xa + xb), *reversed(details)]
    out = pywt.iswtn(coeffs, wav)
    return out[tuple(slice(0, s) for s in a.shape)].astype(np.float32)
