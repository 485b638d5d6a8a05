"""Rounding and saturation with MATLAB's semantics.

MATLAB's ``round`` rounds half away from zero (NumPy's ``rint`` rounds half to even) and its
``uint8()`` conversion rounds that way and saturates to 0..255. Reproducing published MATLAB
code bit for bit (LEGFF, ``rgb2ycbcr``) needs exactly this.
"""

from __future__ import annotations

import numpy as np

__all__ = ["round_half_away", "to_uint8_matlab"]


def round_half_away(x: np.ndarray) -> np.ndarray:
    r"""Round to the nearest integer, halves away from zero (MATLAB ``round``).

    Parameters
    ----------
    x : numpy.ndarray
        Values.

    Returns
    -------
    rounded : numpy.ndarray
        float64, ``x``'s shape.

    Notes
    -----
    Computed as :math:`\mathrm{trunc}(x) + \mathrm{sign}(x) \, [|x - \mathrm{trunc}(x)| \ge
    0.5]`; the difference :math:`x - \mathrm{trunc}(x)` is exact in binary floating point, so no
    value near a half is misrounded.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.rounding import round_half_away
    >>> round_half_away(np.array([0.5, 1.5, -0.5, 2.4999]))
    array([ 1.,  2., -1.,  2.])
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.trunc(x)
    return t + np.sign(x) * (np.abs(x - t) >= 0.5)


def to_uint8_matlab(x: np.ndarray) -> np.ndarray:
    """MATLAB ``uint8(x)`` for a double array: round half away from zero, saturate to 0..255.

    Parameters
    ----------
    x : numpy.ndarray
        Values; NaN becomes 0 and ±inf saturate, as in MATLAB.

    Returns
    -------
    pixels : numpy.ndarray
        uint8, ``x``'s shape.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.rounding import to_uint8_matlab
    >>> to_uint8_matlab(np.array([-1.0, 0.5, 254.5, 300.0, np.nan]))
    array([  0,   1, 255, 255,   0], dtype=uint8)
    """
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0, posinf=255.0, neginf=0.0)
    return np.clip(round_half_away(x), 0, 255).astype(np.uint8)
