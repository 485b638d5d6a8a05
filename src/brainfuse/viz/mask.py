"""Where a pair of registered images holds signal: the pixels a view colours, the rest black.

Scanner and template images are rarely exactly 0 outside the head: an emission image carries
Poisson counts of scattered and blurred activity there, and a resampled MRI template carries
values of the order of 1e-40 along its interpolation lattice. Testing ``x != 0`` therefore
takes background for tissue (speckle and stripes in a view). :func:`signal_mask` instead keeps a
pixel when either image reaches a fraction of its window (from its minimum to its maximum)
and then fills the holes of that region, so that structures darker than the threshold *inside*
the head (ventricles, a hypometabolic lesion) stay part of it.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..errors import InputError

__all__ = ["SIGNAL_THRESHOLD", "signal_mask"]

#: Default fraction of an image's window below which a pixel counts as background.
SIGNAL_THRESHOLD = 0.1

Window = tuple[float | None, float | None]


def _level(image: np.ndarray, window: Window | None) -> np.ndarray:
    """``(x − lo)/(hi − lo)`` with [lo, hi] = ``window`` (default the image's min and max)."""
    x = np.asarray(image, dtype=np.float64)
    lo, hi = window or (None, None)
    lo = float(x.min()) if lo is None else float(lo)
    hi = float(x.max()) if hi is None else float(hi)
    if hi <= lo:
        return np.zeros(x.shape)
    return (x - lo) / (hi - lo)


def signal_mask(
    anatomical: np.ndarray,
    functional: np.ndarray,
    *,
    threshold: float = SIGNAL_THRESHOLD,
    windows: tuple[Window | None, Window | None] = (None, None),
) -> np.ndarray:
    """Pixels where either image reaches ``threshold`` of its window, holes filled.

    Parameters
    ----------
    anatomical, functional : numpy.ndarray
        Two images of one shape (2D or 3D; a colour image is passed as its luminance).
    threshold : float, optional
        The fraction of each window a pixel must reach, in [0, 1].
    windows : tuple of (lo, hi) or None, optional
        Each image's window (``None`` or a ``None`` bound: its minimum or maximum).

    Returns
    -------
    numpy.ndarray
        Boolean, the images' shape. A constant image contributes no pixel.

    Examples
    --------
    >>> a = np.zeros((5, 5)); a[1:4, 1:4] = 100; a[2, 2] = 0   # a dark centre inside
    >>> b = np.full((5, 5), 1e-40)                               # no signal anywhere
    >>> signal_mask(a, b).astype(int)
    array([[0, 0, 0, 0, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    """
    if not 0.0 <= threshold <= 1.0:
        raise InputError(
            None, f"threshold must lie in [0, 1] (a fraction of the window), got {threshold}"
        )
    if np.shape(anatomical) != np.shape(functional):
        raise InputError(
            None, f"images differ in shape: {np.shape(anatomical)} and {np.shape(functional)}"
        )
    inside = np.zeros(np.shape(anatomical), dtype=bool)
    for image, window in zip((anatomical, functional), windows, strict=True):
        level = _level(image, window)
        if level.any():
            inside |= level >= threshold
    return ndimage.binary_fill_holes(inside)
