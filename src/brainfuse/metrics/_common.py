"""Shared building blocks of the metrics: input checks, MATLAB-style windows and filters.

Every metric works on grey samples on the 0..255 scale, 2D ``(H, W)`` or, where the metric
generalises, 3D ``(X, Y, Z)``. Arithmetic follows the floating type of the inputs (``float32``
stays ``float32``, as in NumPy code such as CDDFuse's ``Evaluator``; anything else is computed
in ``float64``), so a profile that mirrors a ``float32`` reference passes ``float32`` arrays.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import cv2
import numpy as np

from ..errors import InputError
from ..rounding import round_half_away

__all__ = [
    "already_checked",
    "as_float",
    "check_choice",
    "check_flag",
    "check_image",
    "check_number",
    "check_triple",
    "correlate_same",
    "correlate_valid",
    "filter2_valid_octave",
    "gaussian_1d",
    "gaussian_window",
    "normalize1",
    "octave_gaussian_window",
    "sobel_responses",
    "uniform_mean",
]


T = TypeVar("T")


def _refuse(name: str, owner: str, allowed: str, value: object) -> InputError:
    return InputError(None, f"option '{name}' of {owner}() must {allowed}, got {value!r}")


def check_choice(value: T, name: str, owner: str, choices: Sequence[str]) -> T:
    """``value`` unchanged when it is one of ``choices``; else an :class:`InputError` naming
    the option ``name`` of the function ``owner`` and the allowed values."""
    if not isinstance(value, str) or value not in choices:
        raise _refuse(name, owner, "be " + " or ".join(repr(c) for c in choices), value)
    return value


def check_flag(value: T, name: str, owner: str) -> T:
    """``value`` unchanged when it is a bool (NumPy's too); else an :class:`InputError`."""
    if not isinstance(value, bool | np.bool_):
        raise _refuse(name, owner, "be True or False", value)
    return value


def check_number(
    value: T,
    name: str,
    owner: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    integer: bool = False,
    odd: bool = False,
    not_equal: float | None = None,
    words: Sequence[str] = (),
) -> T:
    """``value`` unchanged when it is a finite real number (an integer if ``integer``, odd if
    ``odd``) within the bounds and other than ``not_equal``, or one of ``words``; else an
    :class:`InputError` naming the option ``name`` of the function ``owner`` and what it must
    be. A bool is not a number here."""
    if isinstance(value, str) and value in words:
        return value
    noun = ("an odd integer" if odd else "an integer") if integer else "a finite number"
    low = None if minimum is None else f"{minimum:g}"
    high = None if maximum is None else f"{maximum:g}"
    if low is not None and high is not None:
        noun += f" in {'(' if exclusive_minimum else '['}{low}, {high}]"
    elif low is not None:
        noun += f" {'>' if exclusive_minimum else '≥'} {low}"
    elif high is not None:
        noun += f" ≤ {high}"
    if not_equal is not None:
        noun += f" other than {not_equal:g}"
    allowed = "be " + " or ".join([*(repr(w) for w in words), noun])
    kinds: tuple[type, ...] = (
        (int, np.integer) if integer else (int, float, np.integer, np.floating)
    )
    if isinstance(value, bool | np.bool_) or not isinstance(value, kinds):
        raise _refuse(name, owner, allowed, value)
    v = float(value)  # type: ignore[arg-type]
    bad = (
        not math.isfinite(v)
        or (minimum is not None and (v <= minimum if exclusive_minimum else v < minimum))
        or (maximum is not None and v > maximum)
        or (not_equal is not None and v == not_equal)
        or (odd and v % 2 != 1)
    )
    if bad:
        raise _refuse(name, owner, allowed, value)
    return value


def as_float(x: np.ndarray) -> np.ndarray:
    """``float32``/``float64`` arrays unchanged; anything else as ``float64``."""
    x = np.asarray(x)
    if x.dtype in (np.float32, np.float64):
        return x
    return x.astype(np.float64)


_CHECKED: ContextVar[bool] = ContextVar("brainfuse_metrics_checked", default=False)


@contextmanager
def already_checked() -> Iterator[None]:
    """Within this block the inputs were validated by the caller (``evaluate``): metric
    functions skip their NaN/inf scan, which would otherwise run once per metric."""
    token = _CHECKED.set(True)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def check_image(x: np.ndarray, name: str = "image", dims: Sequence[int] = (2, 3)) -> np.ndarray:
    """A real, finite, non-empty 2D image or 3D volume as a float array (see :func:`as_float`)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise InputError(name, f"expected a real-valued array, got dtype {arr.dtype}")
    if arr.ndim not in dims:
        wanted = " or ".join(f"{d}D" for d in dims)
        raise InputError(name, f"expected a {wanted} grey array, got shape {arr.shape}")
    if arr.size == 0:
        raise InputError(name, "is empty")
    arr = as_float(arr)
    if not _CHECKED.get() and not np.isfinite(arr).all():
        raise InputError(name, "contains NaN or infinite values")
    return arr


def check_triple(
    fused: np.ndarray, a: np.ndarray, b: np.ndarray, dims: Sequence[int] = (2, 3)
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check a (fused, A, B) triple: same shape, finite; returns float arrays."""
    f = check_image(fused, "fused", dims)
    a = check_image(a, "A", dims)
    b = check_image(b, "B", dims)
    for arr, name in ((a, "A"), (b, "B")):
        if arr.shape != f.shape:
            raise InputError(name, f"shape {arr.shape} differs from the fused shape {f.shape}")
    return f, a, b


def gaussian_window(size: int, sigma: float) -> np.ndarray:
    """MATLAB ``fspecial('gaussian', size, sigma)``: normalised, tiny tails set to 0."""
    r = (size - 1) / 2.0
    t = np.arange(-r, r + 1)
    h = np.exp(-(t[:, None] ** 2 + t[None, :] ** 2) / (2.0 * sigma * sigma))
    h[h < np.finfo(np.float64).eps * h.max()] = 0
    return h / h.sum()


def gaussian_1d(size: int, sigma: float) -> np.ndarray:
    """1D factor ``g`` of :func:`gaussian_window`: ``outer(g, g)`` equals it (up to round-off)."""
    r = (size - 1) / 2.0
    t = np.arange(-r, r + 1)
    g = np.exp(-(t**2) / (2.0 * sigma * sigma))
    return g / g.sum()


def _pad_for(x: np.ndarray, ky: int, kx: int) -> tuple[int, int]:
    if x.shape[0] < ky or x.shape[1] < kx:
        raise InputError(None, f"image {x.shape} is smaller than the {ky}x{kx} window")
    return ky, kx


def correlate_valid(
    x: np.ndarray, kernel: np.ndarray | tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """MATLAB ``filter2(kernel, x, 'valid')`` of a 2D float64 array.

    ``kernel`` is a 2D array or a ``(column, row)`` pair of 1D factors of a separable one.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    if isinstance(kernel, tuple):
        ky, kx = len(kernel[0]), len(kernel[1])
        _pad_for(x, ky, kx)
        full = cv2.sepFilter2D(
            x,
            cv2.CV_64F,
            np.asarray(kernel[1]),
            np.asarray(kernel[0]),
            anchor=(0, 0),
            borderType=cv2.BORDER_CONSTANT,
        )
    else:
        k = np.asarray(kernel, dtype=np.float64)
        ky, kx = k.shape
        _pad_for(x, ky, kx)
        full = cv2.filter2D(x, cv2.CV_64F, k, anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
    return full[: x.shape[0] - ky + 1, : x.shape[1] - kx + 1]


def correlate_same(
    x: np.ndarray,
    kernel: np.ndarray | tuple[np.ndarray, np.ndarray],
    border: str = "zero",
) -> np.ndarray:
    """MATLAB ``filter2(kernel, x, 'same')`` (``border='zero'``) or ``imfilter`` with
    ``'replicate'``/``'symmetric'`` borders, for odd-sized kernels of a 2D array."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    modes = {
        "zero": cv2.BORDER_CONSTANT,
        "replicate": cv2.BORDER_REPLICATE,
        "symmetric": cv2.BORDER_REFLECT,
    }
    mode = modes.get(border) if isinstance(border, str) else None
    if mode is None:
        check_choice(border, "border", "correlate_same", tuple(modes))
    if isinstance(kernel, tuple):
        return cv2.sepFilter2D(
            x, cv2.CV_64F, np.asarray(kernel[1]), np.asarray(kernel[0]), borderType=mode
        )
    return cv2.filter2D(x, cv2.CV_64F, np.asarray(kernel, np.float64), borderType=mode)


def uniform_mean(x: np.ndarray, size: int) -> np.ndarray:
    """``scipy.ndimage.uniform_filter(x, size)`` ('reflect' borders) of a 2D image or 3D
    volume, as one OpenCV box pass per axis in SciPy's order (axis 0 first), each rounded to
    the input's precision as SciPy's are.

    OpenCV sums in float64 and scales once; SciPy keeps a float64 running mean. On
    ``float32`` 8-bit images and their products (the SSIM moments of the ``cddfuse``
    profile) the two agree bit for bit (checked on 35.6 million filtered values of the
    harvard-cddfuse-test pairs); OpenCV's is 3-6 times faster.
    """
    x = np.ascontiguousarray(x)
    if x.ndim == 2:
        out = cv2.blur(x, (1, size), borderType=cv2.BORDER_REFLECT)
        return cv2.blur(out, (size, 1), borderType=cv2.BORDER_REFLECT)
    n0, n1, n2 = x.shape
    out = cv2.blur(x.reshape(n0, n1 * n2), (1, size), borderType=cv2.BORDER_REFLECT)
    out = out.reshape(n0, n1, n2)
    for plane in out:
        cv2.blur(plane, (1, size), dst=plane, borderType=cv2.BORDER_REFLECT)
    flat = out.reshape(n0 * n1, n2)
    return cv2.blur(flat, (size, 1), borderType=cv2.BORDER_REFLECT).reshape(n0, n1, n2)


def sobel_responses(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel responses of a 2D array with zero padding: ``conv2(x, h, 'same')`` for
    ``h3 = [-1 0 1; -2 0 2; -1 0 1]`` (x) and ``h1 = [1 2 1; 0 0 0; -1 -2 -1]`` (y).

    Exact for integer-valued images (OpenCV's Sobel sums small integer multiples); ``float32``
    input gives ``float32`` responses, anything else ``float64``.
    """
    x = as_float(x)
    x = np.ascontiguousarray(x)
    depth = cv2.CV_32F if x.dtype == np.float32 else cv2.CV_64F
    # conv2 flips the kernels: h3 gives minus OpenCV's d/dx, h1 gives OpenCV's d/dy.
    sx = cv2.Sobel(x, depth, 1, 0, ksize=3, borderType=cv2.BORDER_CONSTANT)
    np.negative(sx, out=sx)
    sy = cv2.Sobel(x, depth, 0, 1, ksize=3, borderType=cv2.BORDER_CONSTANT)
    return sx, sy


def normalize1(x: np.ndarray) -> np.ndarray:
    """Liu's ``normalize1``: min–max stretch to 0..255 and round (MATLAB ``round``).

    An all-zero image is returned unchanged; any other constant image gives NaN in the
    MATLAB code (0/0), here all zeros (documented deviation: never NaN).
    """
    x = np.asarray(x, dtype=np.float64)
    hi, lo = float(x.max()), float(x.min())
    if hi == 0 and lo == 0:
        return x.copy()
    if hi == lo:
        return np.zeros_like(x)
    return round_half_away((x - lo) / (hi - lo) * 255.0)


def _sequential_sum(values: np.ndarray) -> float:
    total = 0.0
    for v in values:
        total += float(v)
    return total


def octave_gaussian_window(size: int, sigma: float) -> np.ndarray:
    """Octave ``fspecial('gaussian', size, sigma)`` normalised again by ``sum(sum(w))``,
    bit for bit: both sums are sequential, over columns (column-major order)."""
    r = (size - 1) / 2.0
    t = np.arange(-r, r + 1)
    x, y = np.meshgrid(t, t)
    f = np.exp(-(x**2 + y**2) / (2 * sigma**2))
    f = f / _sequential_sum(f.ravel(order="F"))
    return f / _sequential_sum(np.array([_sequential_sum(f[:, j]) for j in range(size)]))


def filter2_valid_octave(window: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Octave ``filter2(window, x, 'valid')`` bit for bit.

    Octave computes ``conv2(x, rot90(window, 2), 'valid')`` by adding, for every kernel
    column j and then row i, ``b(i, j) * x(shifted)`` to the output (``dconv2i`` with
    ``daxpy``, without fused multiply-add). Metrics whose stabilising constants are ~1e-16
    (Cvejić's and Yang's) depend on that exact rounding; this reproduces it.
    """
    x = np.asarray(x, dtype=np.float64)
    b = np.asarray(window, dtype=np.float64)[::-1, ::-1]
    mb, nb = b.shape
    ma, na = x.shape
    if ma < mb or na < nb:
        raise InputError(None, f"image {x.shape} is smaller than the {mb}x{nb} window")
    out = np.zeros((ma - mb + 1, na - nb + 1))
    for j in range(nb):
        for i in range(mb):
            r0, c0 = mb - 1 - i, nb - 1 - j
            out += b[i, j] * x[r0 : r0 + ma - mb + 1, c0 : c0 + na - nb + 1]
    return out
