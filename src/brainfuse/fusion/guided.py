"""Guided-filter fusion: GFF (Li, Kang & Hu 2013), LEGFF and LEGFF0 (Zhang et al. 2022).

The guided filter of He, Sun & Tang (2013) fits, in every window ω_k of a guidance image G, a
linear model q = a_k G + b_k to the input P by least squares with a ridge ε on a_k:

    a_k = cov_ω(G, P) / (var_ω(G) + ε),    b_k = mean_ω(P) − a_k mean_ω(G),
    q_i = mean_{k: i ∈ ω_k}(a_k) · G_i + mean_{k: i ∈ ω_k}(b_k).

Every mean is a box mean, so the filter costs O(1) per sample whatever the window, and is
n-dimensional (a cube window for volumes). Two border conventions are used by the papers here:
``"clip"`` (He's reference code: the window is cut at the border and the mean is taken over the
samples inside; GFF's code) and ``"replicate"`` (MATLAB ``imguidedfilter``: the image is
extended by repeating its edge samples; LEGFF's code).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import cv2
import numpy as np
from scipy import ndimage

from ..color import rgb_to_ycbcr_studio, ycbcr_studio_to_rgb
from ..errors import InputError
from ..rounding import to_uint8_matlab
from .registry import param, register

__all__ = [
    "box_mean",
    "gff",
    "guided_filter",
    "legf_decompose",
    "legff",
    "legff0",
]

_BORDERS = ("clip", "replicate")


# --------------------------------------------------------------------------- box means


def _counts(n: int, size: int) -> np.ndarray:
    """Samples of a window of ``size`` centred at 0..n-1 that lie inside 0..n-1."""
    h = size // 2
    i = np.arange(n)
    return (np.minimum(i + h, n - 1) - np.maximum(i - h, 0) + 1).astype(np.float64)


def _inverse_counts(shape: tuple[int, ...], size: int, dtype: type = np.float64) -> np.ndarray:
    """1 / (samples of each clipped window): He's box filter of ones, inverted."""
    inv = np.ones((1,) * len(shape), dtype=dtype)
    for ax, n in enumerate(shape):
        c = _counts(n, size).reshape([n if k == ax else 1 for k in range(len(shape))])
        inv = inv / c.astype(dtype)
    return inv


def box_mean(
    x: np.ndarray, size: int, *, border: str = "replicate", out: np.ndarray | None = None
) -> np.ndarray:
    """Mean of ``x`` over a centred box of ``size`` samples per axis, any dimension.

    2D and 3D arrays use OpenCV's running-sum ``boxFilter`` (a volume as 1D passes along each
    axis), others :func:`scipy.ndimage.uniform_filter1d`; both cost O(1) per sample and agree
    with each other (and with MATLAB) to the last few bits.

    Parameters
    ----------
    x : numpy.ndarray
        The array, any dimension; float32 and float64 are kept, other types become float64.
    size : int
        The box side in samples, odd and positive.
    border : {"replicate", "clip"}, optional
        ``"replicate"`` (default) extends ``x`` by repeating its edge samples, as MATLAB
        ``imboxfilt`` and ``imguidedfilter`` do; ``"clip"`` averages only the samples of the box
        inside the array (He's ``boxfilter`` normalised by the box of ones).
    out : numpy.ndarray, optional
        An array of ``x``'s shape and dtype to write the result into.

    Returns
    -------
    mean : numpy.ndarray
        The box means, ``x``'s shape (``out`` when given).

    Raises
    ------
    ValueError
        If ``size`` is not odd and positive, or ``border`` is not one of the two names.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.guided import box_mean
    >>> x = np.arange(9, dtype=np.float64).reshape(3, 3)
    >>> box_mean(x, 3, border="clip")
    array([[2. , 2.5, 3. ],
           [3.5, 4. , 4.5],
           [5. , 5.5, 6. ]])
    >>> box_mean(x, 3).round(3)
    array([[1.333, 2.   , 2.667],
           [3.333, 4.   , 4.667],
           [5.333, 6.   , 6.667]])
    """
    if size < 1 or size % 2 == 0:
        raise ValueError(f"box size must be odd and positive, got {size}")
    if border not in _BORDERS:
        raise ValueError(f"border must be one of {_BORDERS}, got {border!r}")
    x = np.asarray(x)
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    if border == "replicate":
        return _box_mean_replicate(x, size, out)
    if x.ndim in (2, 3):
        return _box_mean_clip_cv(x, size, out, _inverse_counts(x.shape, size, x.dtype))
    res = x
    for ax in range(x.ndim):
        res = ndimage.uniform_filter1d(res, size, axis=ax, mode="constant", cval=0.0)
        shape = [1] * x.ndim
        shape[ax] = x.shape[ax]
        res *= (size / _counts(x.shape[ax], size)).reshape(shape)
    if out is not None:
        out[...] = res
        return out
    return res


def _box_mean_clip_cv(
    x: np.ndarray, size: int, out: np.ndarray | None, inverse_counts: np.ndarray
) -> np.ndarray:
    res = _box_cv(x, size, out, normalize=False, borderType=cv2.BORDER_CONSTANT)
    res *= inverse_counts
    return res


def _box_cv(x: np.ndarray, size: int, out: np.ndarray | None, **kw) -> np.ndarray:
    """OpenCV box filter of a 2D array, or of a 3D one as three 1D passes on 2D views."""
    if x.ndim == 2:
        return cv2.boxFilter(x, -1, (size, size), dst=out, **kw)
    n0, n1, n2 = x.shape
    res = cv2.boxFilter(x.reshape(n0, n1 * n2), -1, (1, size), **kw).reshape(x.shape)
    for k in range(n0):  # axis 1 within each slab
        cv2.boxFilter(res[k], -1, (1, size), dst=res[k], **kw)
    dst = None if out is None else out.reshape(n0 * n1, n2)
    return cv2.boxFilter(res.reshape(n0 * n1, n2), -1, (size, 1), dst=dst, **kw).reshape(x.shape)


# --------------------------------------------------------------------------- guided filter


def guided_filter(
    p: np.ndarray, guide: np.ndarray, size: int, eps: float, *, border: str = "clip"
) -> np.ndarray:
    r"""He's guided filter of ``p`` under ``guide`` with a ``size``-wide window, any dimension.

    Parameters
    ----------
    p : numpy.ndarray
        The input to filter, any dimension.
    guide : numpy.ndarray
        The guidance image, ``p``'s shape.
    size : int
        The full window side, odd: He's radius r corresponds to ``size = 2r + 1`` and MATLAB's
        ``'NeighborhoodSize', [s s]`` to ``size = s``.
    eps : float
        The ridge ε on the slope, on the scale of the data (MATLAB's default is 0.01 times the
        squared range of the guidance's class).
    border : {"clip", "replicate"}, optional
        Window convention at the border, as in :func:`box_mean`: ``"clip"`` (default; He's code)
        or ``"replicate"`` (MATLAB ``imguidedfilter``).

    Returns
    -------
    q : numpy.ndarray
        The filtered array, float64, ``p``'s shape.

    Raises
    ------
    ValueError
        If ``size`` is not odd and positive, or ``border`` is not one of the two names.

    Notes
    -----
    In every window :math:`\omega_k` the filter fits :math:`q = a_k G + b_k` to P [1]_:

    .. math:: a_k = \frac{\mathrm{cov}_{\omega_k}(G, P)}{\mathrm{var}_{\omega_k}(G) + \epsilon},
              \quad b_k = \bar P_k - a_k \bar G_k,
              \quad q_i = \bar a_i G_i + \bar b_i,

    where :math:`\bar a_i, \bar b_i` are the means of the coefficients of the windows covering
    sample i.

    References
    ----------
    .. [1] K. He, J. Sun and X. Tang, "Guided image filtering", IEEE Trans. Pattern Anal. Mach.
       Intell. 35(6):1397-1409, 2013. doi:10.1109/TPAMI.2012.213

    Examples
    --------
    A small ε keeps a step edge of a self-guided input; a large one smooths it:

    >>> import numpy as np
    >>> from brainfuse.fusion.guided import guided_filter
    >>> p = np.zeros((5, 5)); p[:, 2:] = 100.0
    >>> guided_filter(p, p, 3, eps=1.0)[0].round(1)
    array([  0.,   0., 100., 100., 100.])
    >>> guided_filter(p, p, 3, eps=1e4)[0].round(1)
    array([ 13.6,  27.3,  72.7,  90.9, 100. ])
    """
    p = np.asarray(p, dtype=np.float64)
    g = np.asarray(guide, dtype=np.float64)
    ws = _Workspace(g.shape)
    return _guided(p, g, size, eps, border, ws, np.empty(g.shape))


class _Workspace:
    """Scratch arrays reused by the filters of a fusion, and by later fusions of images of the
    same shape in the same thread (see :func:`_workspace`): fresh large arrays cost page faults
    that on 256×256 images take as long as the arithmetic."""

    def __init__(self, shape: tuple[int, ...], dtype: type = np.float64) -> None:
        self.shape = shape
        self.dtype = np.dtype(dtype)
        self.buf = [np.empty(shape, dtype=dtype) for _ in range(5)]
        self._scratch: dict[tuple[object, np.dtype], np.ndarray] = {}
        self._cached: dict[object, np.ndarray] = {}

    def cached(self, name: object, make: Callable[[], np.ndarray]) -> np.ndarray:
        """The array ``name``, made by ``make()`` on first use."""
        if name not in self._cached:
            self._cached[name] = make()
        return self._cached[name]

    def scratch(self, name: object, like: np.ndarray) -> np.ndarray:
        """The scratch array ``name`` of ``like``'s shape and dtype (the same on every call)."""
        key = (name, like.dtype)
        arr = self._scratch.get(key)
        if arr is None or arr.shape != like.shape:
            arr = self._scratch[key] = np.empty_like(like)
        return arr


_LOCAL = threading.local()
#: Images up to this many samples keep their workspace between calls (≤ ~40 MB per thread).
_KEEP_WORKSPACE_SAMPLES = 1 << 18


def _workspace(shape: tuple[int, ...], dtype: type = np.float64) -> _Workspace:
    """This thread's workspace for ``shape`` and ``dtype`` (kept for small images only)."""
    if math.prod(shape) > _KEEP_WORKSPACE_SAMPLES:
        return _Workspace(shape, dtype)
    kept = _LOCAL.__dict__.setdefault("workspaces", {})
    key = (shape, np.dtype(dtype))
    if key not in kept:
        if len(kept) >= 2:
            kept.clear()
        kept[key] = _Workspace(shape, dtype)
    return kept[key]


def _guided(
    p: np.ndarray,
    g: np.ndarray,
    size: int,
    eps: float,
    border: str,
    ws: _Workspace,
    out: np.ndarray,
    *,
    u8: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """The guided filter of ``p`` under ``g`` into ``out``, with ``ws``'s scratch arrays.

    ``u8``: uint8 arrays equal to ``(p, g)`` (2D, replicate border), given when both hold
    integers 0..255, as LEGFF's re-quantised images and their erosions do. The means of p, g,
    g·p and g² are then box filters of 8- and 16-bit images: OpenCV sums them exactly in int32
    and scales the sum as it scales the (equally exact) float64 sum of the same integers, so the
    result is the same to the last bit, with a quarter of the memory traffic.
    """
    mg, mp, cov, var, t = ws.buf
    if border == "clip" and g.ndim in (2, 3):
        inv = ws.cached(("inverse counts", size), lambda: _inverse_counts(g.shape, size, g.dtype))

        def box(x: np.ndarray, dst: np.ndarray) -> np.ndarray:
            return _box_mean_clip_cv(x, size, dst, inv)
    else:

        def box(x: np.ndarray, dst: np.ndarray) -> np.ndarray:
            return box_mean(x, size, border=border, out=dst)

    if u8 is None:
        box(g, mg)
        box(p, mp)
        box(np.multiply(g, p, out=t), cov)
        box(np.multiply(g, g, out=t), var)
    else:
        pu, gu = u8
        square = ws.cached(("u16", gu.shape), lambda: np.empty(gu.shape, np.uint16))

        def box_int(x: np.ndarray, dst: np.ndarray) -> None:
            cv2.boxFilter(x, cv2.CV_64F, (size, size), dst=dst, borderType=cv2.BORDER_REPLICATE)

        box_int(gu, mg)
        box_int(np.multiply(gu, gu, out=square, dtype=np.uint16), var)
        if pu is gu:  # self-guided: the same two means
            np.copyto(mp, mg)
            np.copyto(cov, var)
        else:
            box_int(pu, mp)
            box_int(np.multiply(gu, pu, out=square, dtype=np.uint16), cov)
    cov -= np.multiply(mg, mp, out=t)
    var -= np.multiply(mg, mg, out=t)
    var += eps
    np.divide(cov, var, out=cov)  # a
    np.multiply(cov, mg, out=t)
    np.subtract(mp, t, out=mp)  # b
    box(cov, var)  # mean of a
    box(mp, mg)  # mean of b
    np.multiply(var, g, out=out)
    out += mg
    return out


def _box_mean_replicate(x: np.ndarray, size: int, out: np.ndarray | None) -> np.ndarray:
    """Box mean with replicated borders: OpenCV in 2D and 3D, SciPy otherwise."""
    if x.ndim in (2, 3):
        return _box_cv(x, size, out, borderType=cv2.BORDER_REPLICATE)
    return ndimage.uniform_filter(x, size, mode="nearest", output=out)


# --------------------------------------------------------------------------- GFF


@register(
    "gff",
    family="guided-filter",
    dims=(2, 3),
    params={
        "r1": param(
            "radius of the guided filter refining the base-layer weights (window 2·r1+1)",
            minimum=1,
        ),
        "eps1": param(
            "regularisation of the base-layer guided filter, on [0, 1] intensities",
            minimum=0,
            exclusive_minimum=True,
        ),
        "r2": param("radius of the guided filter refining the detail-layer weights", minimum=1),
        "eps2": param(
            "regularisation of the detail-layer guided filter, on [0, 1] intensities",
            minimum=0,
            exclusive_minimum=True,
        ),
    },
    reference="Li, Kang & Hu 2013, IEEE TIP 22(7)",
)
def gff(
    a: np.ndarray,
    b: np.ndarray,
    *,
    r1: int = 45,
    eps1: float = 0.3,
    r2: int = 7,
    eps2: float = 1e-6,
) -> np.ndarray:
    r"""Guided filtering fusion (GFF): saliency weights refined by guided filters, two scales.

    Every filter is n-dimensional (cubes and a 7-point Laplacian for volumes). Computed in single
    precision (twice as fast on volumes; ε1, ε2 stay far above its rounding), returned on the
    0..255 scale, not clipped.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey images or volumes, one shape, on the 0..255 scale (taken to [0, 1] inside).
    r1 : int, optional
        Radius (≥ 1) of the guided filter refining the base-layer weights; window 2·r1 + 1.
        Default 45.
    eps1 : float, optional
        Regularisation (> 0) of the base-layer guided filter, on [0, 1] intensities. Default 0.3.
    r2 : int, optional
        Radius (≥ 1) of the guided filter refining the detail-layer weights. Default 7.
    eps2 : float, optional
        Regularisation (> 0) of the detail-layer guided filter. Default 1e-6.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale.

    Notes
    -----
    On intensities in [0, 1]: base layers :math:`B_n` are 31×31 means (replicate borders),
    details :math:`D_n = I_n - B_n`; saliency :math:`S_n = |\Delta I_n|` (3×3 Laplacian)
    smoothed by an 11×11 Gaussian with σ = 5; binary weights :math:`P_n = [S_n` is the
    largest] (ties go to A), refined as :math:`W^B_n = G_{r_1,\epsilon_1}(P_n, I_n)` and
    :math:`W^D_n = G_{r_2,\epsilon_2}(P_n, I_n)`, each clipped to [0, 1] and quantised to 1/255
    as the authors' code does, plus 1e-12, normalised to sum 1; then

    .. math:: F = \sum_n W^B_n B_n + \sum_n W^D_n D_n.

    The defaults are the parameters of Li, Kang & Hu [1]_.

    References
    ----------
    .. [1] S. Li, X. Kang and J. Hu, "Image fusion with guided filtering", IEEE Trans. Image
       Process. 22(7):2864-2875, 2013. doi:10.1109/TIP.2013.2244222

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> float(np.abs(brainfuse.fuse(a, a, "gff") - a).max())  # a source fused with itself
    0.0
    >>> brainfuse.fuse(a, b, "gff")[6, ::3].round(1)
    array([  0.,   0., 120., 120.,   0.,   0.], dtype=float32)
    """
    imgs = [np.asarray(x, dtype=np.float32) / np.float32(255.0) for x in (a, b)]
    sal = [_gff_saliency(x) for x in imgs]
    p_a = (sal[0] >= sal[1]).astype(np.float32)
    masks = (p_a, 1.0 - p_a)
    ws = _workspace(imgs[0].shape, np.float32)
    w_base = [_gff_weight(m, x, r1, eps1, ws) for m, x in zip(masks, imgs, strict=True)]
    w_detail = [_gff_weight(m, x, r2, eps2, ws) for m, x in zip(masks, imgs, strict=True)]
    fused = np.zeros_like(imgs[0])
    tot_b, tot_d = w_base[0] + w_base[1], w_detail[0] + w_detail[1]
    for x, wb, wd in zip(imgs, w_base, w_detail, strict=True):
        base = box_mean(x, 31, border="replicate")
        wb /= tot_b
        wd /= tot_d
        fused += wb * base
        x -= base  # the detail layer
        fused += wd * x
    fused *= np.float32(255.0)
    return fused


def _gff_saliency(x: np.ndarray) -> np.ndarray:
    """|Laplacian| smoothed by an 11-tap Gaussian of σ = 5, replicate borders."""
    if x.ndim == 2:
        lap = np.abs(cv2.Laplacian(x, -1, ksize=1, borderType=cv2.BORDER_REPLICATE))
        return cv2.GaussianBlur(lap, (11, 11), 5.0, borderType=cv2.BORDER_REPLICATE)
    lap = np.abs(ndimage.laplace(x, mode="nearest"))
    if x.ndim == 3:  # the same separable Gaussian, as OpenCV passes along each axis
        g = cv2.getGaussianKernel(
            11, 5.0, ktype=cv2.CV_32F if x.dtype == np.float32 else cv2.CV_64F
        )
        one = np.ones(1, dtype=g.dtype)
        n0, n1, n2 = x.shape
        rep = {"borderType": cv2.BORDER_REPLICATE}
        res = cv2.sepFilter2D(lap.reshape(n0, n1 * n2), -1, one, g, **rep).reshape(x.shape)
        for k in range(n0):
            cv2.sepFilter2D(res[k], -1, one, g, dst=res[k], **rep)
        flat = res.reshape(n0 * n1, n2)
        return cv2.sepFilter2D(flat, -1, g, one, dst=flat, **rep).reshape(x.shape)
    return ndimage.gaussian_filter(lap, 5.0, mode="nearest", radius=5)


def _gff_weight(
    mask: np.ndarray, guide: np.ndarray, r: int, eps: float, ws: _Workspace
) -> np.ndarray:
    w = _guided(mask, guide, 2 * r + 1, eps, "clip", ws, np.empty_like(mask))
    w *= np.float32(255.0)
    w = _uint8(w).astype(np.float32)
    w /= np.float32(255.0)
    w += np.float32(1e-12)
    return w


# --------------------------------------------------------------------------- LEGFF

#: MATLAB imguidedfilter's default smoothing for a double guide (0.01 · range², range 1),
#: applied to intensities on the 0..255 scale as in the authors' code.
_LEGFF_EPS = 0.01
#: MATLAB's default for a uint8 image (0.01 · 255²): the plain guided filter of LEGFF0.
_LEGFF0_EPS = 0.01 * 255.0**2


def _extreme(x: np.ndarray, radius: int, op: Callable, ws: _Workspace | None = None) -> np.ndarray:
    """Erosion (``op=np.minimum``) or dilation (``np.maximum``) by the Euclidean ball of ``radius``.

    The ball {d: |d|² ≤ radius²} is MATLAB's ``strel('disk', r, 0)`` in 2D; samples outside the
    array are ignored (±inf padding). Exact for any dtype: only comparisons are made. Computed
    as 1D extrema along the last axis for every needed half-width (:func:`_line_extrema`),
    combined by shifted extrema along the other axes; uint8 images in 2D go to OpenCV's
    erode/dilate with the disk kernel. With a workspace the result is one of its scratch
    arrays (valid until the next call).
    """
    if x.ndim == 2 and x.dtype == np.uint8:
        kernel = _disk(radius)
        if op is np.minimum:
            return cv2.erode(x, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=255)
        return cv2.dilate(x, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    r2 = radius * radius
    used = {0}  # squared offsets |d|² over the leading axes that lie in the ball
    for _ in range(x.ndim - 1):
        used = {s + d * d for s in used for d in range(radius + 1) if s + d * d <= r2}
    widths = {math.isqrt(r2 - s) for s in used}
    scratch = ws.scratch if ws is not None else (lambda name, like: np.empty_like(like))
    if x.size <= _KEEP_WORKSPACE_SAMPLES:  # its tables add ~log2(2r) arrays: small images only
        lines = _line_extrema(np.ascontiguousarray(x), widths, op, scratch)
    else:
        lines = _line_extrema_running(x, widths, op, scratch)
    if x.ndim == 1:
        return lines[radius]
    return _ball(lines, r2, 0, op, {}, out=scratch("ball", x))


def _line_extrema(
    x: np.ndarray, widths: set[int], op: Callable, scratch: Callable
) -> dict[int, np.ndarray]:
    """For each w in ``widths``: the extremum of ``x`` over [i − w, i + w] along its last axis,
    samples outside ignored.

    A sparse table of range extrema: level k holds the extrema over 2^k consecutive samples of
    the padded rows (one comparison pass per level, from the level below), and a window of
    2w + 1 samples is the extremum of the two level-k windows (2^k ≤ 2w + 1 < 2^(k+1)) at its
    two ends, which overlap and cover it. Padding with the extremum's identity (−inf or the
    dtype's minimum for a maximum) ignores the outside exactly. ⌊log2(2·max w + 1)⌋ passes plus
    one per width, instead of two per unit of the largest width.
    """
    n = x.shape[-1]
    top = max(widths)
    if x.dtype.kind == "f":
        fill = -np.inf if op is np.maximum else np.inf
    else:
        info = np.iinfo(x.dtype)
        fill = info.min if op is np.maximum else info.max
    rows = x.reshape(-1, n)
    cv_op = cv2.min if op is np.minimum else cv2.max
    shape = (rows.shape[0], n + 2 * top)
    level = scratch(("level", 0, shape), np.broadcast_to(np.zeros((), x.dtype), shape))
    level[:, :top] = level[:, top + n :] = fill
    level[:, top : top + n] = rows
    levels = [level]
    for k in range(1, (2 * top + 1).bit_length()):
        below, half = levels[-1], 1 << (k - 1)
        shape = (shape[0], shape[1] - half)
        level = scratch(("level", k, shape), np.broadcast_to(np.zeros((), x.dtype), shape))
        levels.append(cv_op(below[:, :-half], below[:, half:], dst=level))
    lines: dict[int, np.ndarray] = {0: x}
    for w in sorted(widths - {0}):
        length = 2 * w + 1
        k = length.bit_length() - 1
        start, end = top - w, top - w + length - (1 << k)
        line = scratch(("line", w), x)
        cv_op(levels[k][:, start : start + n], levels[k][:, end : end + n], dst=line.reshape(-1, n))
        lines[w] = line
    return lines


def _line_extrema_running(
    x: np.ndarray, widths: set[int], op: Callable, scratch: Callable
) -> dict[int, np.ndarray]:
    """:func:`_line_extrema` with one running extremum widened one sample at a time (two
    passes per unit of the largest width; no tables: for large arrays)."""
    top = max(widths)
    lines: dict[int, np.ndarray] = {0: x}
    h = scratch(("line", 0), x)
    np.copyto(h, x)
    for w in range(1, top + 1):
        _shift_op(op, h, x, x.ndim - 1, w)
        if w == top:
            lines[w] = h
        elif w in widths:
            lines[w] = scratch(("line", w), x)
            np.copyto(lines[w], h)
    return lines


def _shift_op(op: Callable, out: np.ndarray, src: np.ndarray, axis: int, d: int) -> None:
    """out[i] = op(out[i], src[i − d], src[i + d]) along ``axis``, ignoring indices outside."""
    if axis == out.ndim - 1 and out.ndim >= 2 and out.flags.c_contiguous:
        # strided column slices: OpenCV's min/max on 2D views is much faster than NumPy here
        out2, src2 = out.reshape(-1, out.shape[-1]), src.reshape(-1, src.shape[-1])
        cv_op = cv2.min if op is np.minimum else cv2.max
        cv_op(out2[:, d:], src2[:, :-d], dst=out2[:, d:])
        cv_op(out2[:, :-d], src2[:, d:], dst=out2[:, :-d])
        return
    lo = (slice(None),) * axis + (slice(d, None),)
    hi = (slice(None),) * axis + (slice(None, -d),)
    op(out[lo], src[hi], out=out[lo])
    op(out[hi], src[lo], out=out[hi])


def _ball(
    lines: dict[int, np.ndarray],
    r2: int,
    axis: int,
    op: Callable,
    memo: dict,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Extremum over {d: |d|² ≤ r2} for the axes from ``axis`` on (the last axis via ``lines``)."""
    ndim = lines[0].ndim
    if axis == ndim - 1:
        return lines[math.isqrt(r2)]
    key = (axis, r2)
    if out is None and key in memo:
        return memo[key]
    res = np.empty_like(lines[0]) if out is None else out
    np.copyto(res, _ball(lines, r2, axis + 1, op, memo))
    for d in range(1, math.isqrt(r2) + 1):
        _shift_op(op, res, _ball(lines, r2 - d * d, axis + 1, op, memo), axis, d)
    if out is None:
        memo[key] = res
    return res


def _disk(radius: int) -> np.ndarray:
    d = np.arange(-radius, radius + 1)
    return (d[:, None] ** 2 + d[None, :] ** 2 <= radius * radius).astype(np.uint8)


def _uint8(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """MATLAB ``uint8(x)`` for finite float arrays: round half away from zero, saturate.

    ``rint`` rounds halves to even; adding 1 where it went down by exactly 0.5 rounds positive
    halves up (x − rint(x) is exact). Negative values saturate to 0 whichever way they round.
    Equal to :func:`brainfuse.rounding.to_uint8_matlab` on finite input, in fewer passes. If
    ``out`` (float64, not ``x``) is given it receives the rounded values as floats.
    """
    y = np.rint(x, out=out)
    tie = np.subtract(x, y)
    y += np.equal(tie, 0.5, out=tie)
    return np.clip(y, 0, 255, out=y).astype(np.uint8)


def _check_scales(scales: int, method: str) -> None:
    if scales < 1:
        raise InputError(None, f"parameter 'scales' of method '{method}' must be ≥ 1, got {scales}")


def legf_decompose(
    x: np.ndarray,
    scales: int = 5,
    *,
    guidance: str = "extreme",
    eps: float = _LEGFF_EPS,
    requantize: bool = True,
) -> tuple[list[np.ndarray], np.ndarray]:
    r"""Multiscale decomposition by the local-extreme-map guided filter (LEGFF, eqs. 1–7).

    Parameters
    ----------
    x : numpy.ndarray
        A grey image or volume on the 0..255 scale.
    scales : int, optional
        Number of scales n (default 5); scale i uses r = 2i + 1.
    guidance : {"extreme", "self"}, optional
        ``"extreme"`` (default): the local-extreme-map guided filter; ``"self"`` (LEGFF0): one
        self-guided filter per scale.
    eps : float, optional
        The guided filters' ε on the 0..255 scale (default 0.01, as the authors' code).
    requantize : bool, optional
        Round each scale's input to uint8 with MATLAB rounding (default True, as the authors'
        code).

    Returns
    -------
    features : list of numpy.ndarray
        The feature maps :math:`F_i = I - I_f^i`, i = 1..n (bright parts ≥ 0, dark parts ≤ 0).
    base : numpy.ndarray
        The base :math:`I_f^n`. Without re-quantisation they telescope: x = Σ F_i + base.

    Raises
    ------
    ValueError
        If ``guidance`` is not ``"extreme"`` or ``"self"``.

    Notes
    -----
    At scale i with r = 2i + 1: :math:`I = \mathrm{uint8}(I_f^{i-1})`, :math:`I_{min}` = erosion
    of I by the disk (ball in 3D) of radius r, :math:`T = GF(P=I, G=I_{min})`, :math:`I_{max}` =
    dilation of T, :math:`I_f^i = GF(P=T, G=I_{max})`, all guided filters with an r×r window and
    replicate borders [1]_. With ``guidance="self"``, :math:`I_f^i = GF(P=I, G=I)`.

    References
    ----------
    .. [1] Y. Zhang, W. Xiang, S. Zhang, J. Shen, R. Wei, X. Bai, L. Zhang and Q. Zhang, "Local
       extreme map guided multi-modal brain image fusion", Frontiers in Neuroscience
       16:1055451, 2022. doi:10.3389/fnins.2022.1055451

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.guided import legf_decompose
    >>> x = np.zeros((16, 16)); x[4:12, 4:12] = 120
    >>> features, base = legf_decompose(x, 2, requantize=False)
    >>> len(features), bool(np.allclose(sum(features) + base, x))
    (2, True)
    """
    if guidance not in ("extreme", "self"):
        raise ValueError(f"guidance must be 'extreme' or 'self', got {guidance!r}")
    _check_scales(scales, "legff")
    bg = np.asarray(x, dtype=np.float64)
    ws = _Workspace(bg.shape)
    feats = []
    for i in range(1, scales + 1):
        feat, new = np.empty(bg.shape), np.empty(bg.shape)
        _legf_step(bg, 2 * i + 1, guidance, eps, requantize, ws, feat, new)
        feats.append(feat)
        bg = new
    return feats, bg


def _legf_step(
    bg: np.ndarray,
    r: int,
    guidance: str,
    eps: float,
    requantize: bool,
    ws: _Workspace,
    feat: np.ndarray,
    new: np.ndarray,
) -> None:
    """One scale of :func:`legf_decompose`: ``feat`` = I − I_f and ``new`` = I_f (outputs)."""
    if requantize:
        inp = _uint8(bg, out=feat)  # feat holds the float image I, inp its uint8 copy
    else:
        np.copyto(feat, bg)
        inp = bg
    img = feat
    exact = requantize and img.ndim == 2  # integer images: their box means from uint8 sums
    if guidance == "self":
        _guided(img, img, r, eps, "replicate", ws, new, u8=(inp, inp) if exact else None)
    else:
        low_u8 = _extreme(inp, r, np.minimum, ws)
        low = ws.scratch("low", img)
        np.copyto(low, low_u8)
        smooth = _guided(img, low, r, eps, "replicate", ws, ws.scratch("smooth", img),
                         u8=(inp, low_u8) if exact else None)  # fmt: skip
        high = _extreme(smooth, r, np.maximum, ws)
        _guided(smooth, high, r, eps, "replicate", ws, new)
    feat -= new


def _entropy_u8(x: np.ndarray) -> float:
    """MATLAB ``entropy(uint8(x))``: Shannon entropy (bits) of the 256-bin histogram."""
    u = _uint8(x)
    if u.size < 1 << 24:  # OpenCV's float32 counts are exact below 2^24 samples
        counts = cv2.calcHist([u.reshape(-1, 1)], [0], None, [256], [0, 256]).ravel()
        counts = counts.astype(np.int64)
    else:
        counts = np.bincount(u.ravel(), minlength=256)
    p = counts[counts > 0] / x.size
    return float(-np.sum(p * np.log2(p)))


def _entropy_weights(maps: list[np.ndarray]) -> np.ndarray:
    """w_i = (e_i + eps)/(min_j e_j + eps) with e_i = MATLAB ``entropy(uint8(map_i))`` (eq. 10)."""
    e = np.array([_entropy_u8(m) for m in maps])
    tiny = np.finfo(np.float64).eps
    return (e + tiny) / (e.min() + tiny)


def _legff_luma(x1: np.ndarray, x2: np.ndarray, scales: int, guidance: str, eps: float):
    """LEGFF's grey fusion before the final uint8 (eqs. 8–12 as in the authors' code)."""
    x1 = np.asarray(x1, dtype=np.float64)
    ws = _workspace(x1.shape)
    bg = [np.copyto(ws.scratch(("bg", j, 0), x1), x) or ws.scratch(("bg", j, 0), x1)
          for j, x in enumerate((x1, np.asarray(x2, dtype=np.float64)))]  # fmt: skip
    bright, dark = [], []
    for i in range(1, scales + 1):
        feats = []
        for j in (0, 1):
            feat, new = ws.scratch(("feat", j), x1), ws.scratch(("bg", j, i % 2), x1)
            _legf_step(bg[j], 2 * i + 1, guidance, eps, True, ws, feat, new)
            feats.append(feat)
            bg[j] = new
        # max(max(f1, 0), max(f2, 0)) and min(min(f1, 0), min(f2, 0)), exactly
        b = np.maximum(feats[0], feats[1], out=ws.scratch(("bright", i), x1))
        bright.append(np.maximum(b, 0.0, out=b))
        d = np.minimum(feats[0], feats[1], out=ws.scratch(("dark", i), x1))
        dark.append(np.minimum(d, 0.0, out=d))
    w_b = _entropy_weights(bright)
    w_d = _entropy_weights(
        [np.negative(m, out=ws.scratch(("neg", k), m)) for k, m in enumerate(dark)]
    )
    fb, fd, t = np.zeros(x1.shape), np.zeros(x1.shape), ws.scratch("term", x1)
    for i in range(scales):
        fb += np.multiply(bright[i], w_b[i], out=t)
        fd += np.multiply(dark[i], w_d[i], out=t)
    fb += fd
    return np.add(fb, np.maximum(bg[0], bg[1], out=t), out=fb)


def _legff_ycbcr(
    a: np.ndarray, b_rgb: np.ndarray, scales: int, chroma: str, guidance: str, eps: float
) -> np.ndarray:
    """The authors' colour fusion up to the uint8 studio-swing YCbCr result (before ycbcr2rgb).

    MATLAB ``rgb2ycbcr`` of B and of the grey A in three channels (its Cb = Cr = 128), Y fused
    by :func:`_legff_luma`, Cb and Cr by the code's weighted rule
    (C_A|C_A − 127.5| + C_B|C_B − 127.5|)/(|C_A − 127.5| + |C_B − 127.5|) or kept from B.
    """
    a8 = to_uint8_matlab(a)
    ycc_a = rgb_to_ycbcr_studio(np.stack([a8, a8, a8], axis=-1))
    ycc_b = rgb_to_ycbcr_studio(to_uint8_matlab(b_rgb))
    out = np.empty(ycc_b.shape, dtype=np.uint8)
    out[..., 0] = _uint8(_legff_luma(ycc_a[..., 0], ycc_b[..., 0], scales, guidance, eps))
    for c in (1, 2):
        if chroma == "article":
            out[..., c] = ycc_b[..., c]
            continue
        ca, cb = ycc_a[..., c].astype(np.float64), ycc_b[..., c].astype(np.float64)
        wa, wb = np.abs(ca - 127.5), np.abs(cb - 127.5)
        out[..., c] = _uint8((ca * wa + cb * wb) / (wa + wb))
    return out


def _legff_rgb(a: np.ndarray, b_rgb: np.ndarray, *, scales: int = 5, chroma: str = "code"):
    ycc = _legff_ycbcr(a, b_rgb, scales, chroma, "extreme", _LEGFF_EPS)
    return ycbcr_studio_to_rgb(ycc).astype(np.float32)


def _legff0_rgb(a: np.ndarray, b_rgb: np.ndarray, *, scales: int = 5, chroma: str = "code"):
    ycc = _legff_ycbcr(a, b_rgb, scales, chroma, "self", _LEGFF0_EPS)
    return ycbcr_studio_to_rgb(ycc).astype(np.float32)


_LEGFF_PARAMS = {
    "scales": param(
        "number of scales; scale i uses an r×r window and a disk of radius r = 2i + 1",
        minimum=1,
    ),
    "chroma": param(
        "colour inputs: 'code' (the released code's weighted Cb/Cr, default) or 'article' "
        "(keep the functional image's Cb/Cr)",
        choices=("code", "article"),
    ),
}
_LEGFF_REF = "Zhang et al. 2022, Front. Neurosci. 16:1055451"


@register(
    "legff",
    family="guided-filter",
    dims=(2, 3),
    params=_LEGFF_PARAMS,
    reference=_LEGFF_REF,
    color=_legff_rgb,
)
def legff(a: np.ndarray, b: np.ndarray, *, scales: int = 5, chroma: str = "code") -> np.ndarray:
    r"""Local extreme map guided filter fusion (LEGFF), bit-exact with the authors' MATLAB code.

    Each image is decomposed by :func:`legf_decompose` (windows 3, 5, 7, 9, 11, ε = 0.01 on
    0..255, uint8 re-quantisation between scales). Per scale the bright features are fused by
    maximum and the dark ones by minimum, scales are weighted by the entropy of the fused maps,
    bases are fused by maximum, and the result is rounded to uint8 as the released outputs. In 3D
    the disk becomes a ball and the window a cube (an extension; the paper is 2D). The authors'
    code is github.com/uzeful/LEGFF.

    Parameters
    ----------
    a : numpy.ndarray
        The MRI (image 1 of the paper), grey, on the 0..255 scale.
    b : numpy.ndarray
        The CT, PET or SPECT image, grey (``a``'s shape) or pseudo-colour RGB
        (``a.shape + (3,)``, through :func:`brainfuse.fuse`), on the 0..255 scale.
    scales : int, optional
        Number of scales (≥ 1, default 5); scale i uses an r×r window and a disk of radius
        r = 2i + 1.
    chroma : {"code", "article"}, optional
        Colour inputs only: ``"code"`` (default) fuses Cb/Cr by the released code's weighted rule,
        ``"article"`` keeps the functional image's Cb/Cr.

    Returns
    -------
    fused : numpy.ndarray
        float32 with integer values in 0..255, ``a``'s shape (RGB for a colour ``b``).

    Notes
    -----
    With bright features :math:`F_b`, dark features :math:`F_d` and the entropy weights
    :math:`w_i = e_i / \min_j e_j` (MATLAB ``entropy`` of the uint8 map),

    .. math:: F = \mathrm{uint8}\Big(\sum_i w_{b,i} \max(F^A_{b,i}, F^B_{b,i})
              + \sum_i w_{d,i} \min(F^A_{d,i}, F^B_{d,i}) + \max(\mathrm{base}_A,
              \mathrm{base}_B)\Big).

    A colour B goes through MATLAB ``rgb2ycbcr`` (studio swing), as does the grey A repeated in
    three channels; Y is fused as above and, with ``chroma="code"``,

    .. math:: C = \frac{C_A |C_A - 127.5| + C_B |C_B - 127.5|}{|C_A - 127.5| + |C_B - 127.5|},

    then ``ycbcr2rgb``.

    References
    ----------
    .. [1] Y. Zhang, W. Xiang, S. Zhang, J. Shen, R. Wei, X. Bai, L. Zhang and Q. Zhang, "Local
       extreme map guided multi-modal brain image fusion", Frontiers in Neuroscience
       16:1055451, 2022. doi:10.3389/fnins.2022.1055451

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "legff")[6, ::3]
    array([  0.,   0., 106., 175.,  20.,  48.], dtype=float32)
    """
    return _uint8(_legff_luma(a, b, scales, "extreme", _LEGFF_EPS)).astype(np.float32)


@register(
    "legff0",
    family="guided-filter",
    dims=(2, 3),
    params=_LEGFF_PARAMS,
    reference=_LEGFF_REF + ", LEGFF0 ablation",
    color=_legff0_rgb,
)
def legff0(a: np.ndarray, b: np.ndarray, *, scales: int = 5, chroma: str = "code") -> np.ndarray:
    r"""LEGFF0: LEGFF with plain self-guided filters instead of local-extreme-map guidance.

    The ablation of Zhang et al. [1]_ that "uses the original guided filter solely": each scale
    is one guided filter of the image by itself (r×r window, r = 2i + 1), everything else
    (re-quantisation, max/min feature fusion, entropy weights, max base, uint8 output, colour
    path) as :func:`legff`.

    Parameters
    ----------
    a : numpy.ndarray
        The MRI, grey, on the 0..255 scale.
    b : numpy.ndarray
        The CT, PET or SPECT image, grey or pseudo-colour RGB, on the 0..255 scale.
    scales : int, optional
        Number of scales (≥ 1, default 5).
    chroma : {"code", "article"}, optional
        Colour inputs only, as in :func:`legff`.

    Returns
    -------
    fused : numpy.ndarray
        float32 with integer values in 0..255, ``a``'s shape (RGB for a colour ``b``).

    Notes
    -----
    The article does not give its ε; this uses MATLAB ``imguidedfilter``'s default for an 8-bit
    image, :math:`0.01 \cdot 255^2` on the 0..255 scale (the 0.01 of LEGFF would make a
    self-guided filter nearly the identity).

    References
    ----------
    .. [1] Y. Zhang, W. Xiang, S. Zhang, J. Shen, R. Wei, X. Bai, L. Zhang and Q. Zhang, "Local
       extreme map guided multi-modal brain image fusion", Frontiers in Neuroscience
       16:1055451, 2022. doi:10.3389/fnins.2022.1055451

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> b = np.zeros((16, 16), np.float32); b[:, 8:] = 80
    >>> brainfuse.fuse(a, b, "legff0")[6, ::3]
    array([  0.,   0., 122., 162.,  54.,  64.], dtype=float32)
    """
    return _uint8(_legff_luma(a, b, scales, "self", _LEGFF0_EPS)).astype(np.float32)
