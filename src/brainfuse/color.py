"""Colour spaces, palettes and the luminance wrapper for colour functional images.

PET and SPECT images are usually shown in pseudo-colour. Fusion methods work on grey
intensities, so a colour image is split into a luminance channel, which is fused with the
anatomical image, and chroma channels, which are kept from the functional image and put back
(:func:`fuse_luminance`). This is the practice of nearly every fusion paper on the Harvard atlas
(e.g. Zhang et al. 2022, LEGFF; Amini & Mostaar 2022, in HSI space).

All functions take and return arrays on the 0-255 scale with channels last (``(..., 3)``) unless
their docstring says otherwise.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import cache

import numpy as np

from .errors import InputError
from .rounding import round_half_away

__all__ = [
    "DICOM_PALETTES",
    "LUMINANCE_SPACES",
    "apply_palette",
    "check_palette",
    "fuse_luminance",
    "hsi_to_rgb",
    "hsv_to_rgb",
    "is_grey_rgb",
    "palette_names",
    "rgb_to_grey",
    "rgb_to_hsi",
    "rgb_to_hsv",
    "rgb_to_principal_grey",
    "rgb_to_ycbcr",
    "rgb_to_ycbcr_studio",
    "ycbcr_studio_to_rgb",
    "ycbcr_to_rgb",
]

# ITU-R BT.601 luma weights.
_KR, _KG, _KB = 0.299, 0.587, 0.114

# Full-range ("JPEG/JFIF", OpenCV) BT.601: Y in 0..255, Cb/Cr centred on 128.
_FULL = np.array(
    [
        [_KR, _KG, _KB],
        [-0.5 * _KR / (1 - _KB), -0.5 * _KG / (1 - _KB), 0.5],
        [0.5, -0.5 * _KG / (1 - _KR), -0.5 * _KB / (1 - _KR)],
    ]
)
_FULL_INV = np.linalg.inv(_FULL)

# Studio-swing BT.601 as MATLAB's rgb2ycbcr (Y in 16..235, Cb/Cr in 16..240), for RGB in 0..1.
_STUDIO_T = np.array(
    [[65.481, 128.553, 24.966], [-37.797, -74.203, 112.0], [112.0, -93.786, -18.214]]
)
_STUDIO_OFFSET = np.array([16.0, 128.0, 128.0])


def _channels(x: np.ndarray, name: str) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim < 1 or x.shape[-1] != 3:
        raise InputError(None, f"{name} expects channels last (..., 3), got shape {x.shape}")
    return x


def rgb_to_grey(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma, as ``float32``, without rounding.

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    grey : numpy.ndarray
        :math:`Y = 0.299 R + 0.587 G + 0.114 B`, ``float32``, shape ``rgb.shape[:-1]``.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_grey
    >>> rgb_to_grey(np.array([[255.0, 0, 0], [0, 255, 0], [128, 128, 128]]))
    array([ 76.245, 149.685, 128.   ], dtype=float32)
    """
    rgb = _channels(rgb, "rgb_to_grey").astype(np.float64)
    return (rgb @ np.array([_KR, _KG, _KB])).astype(np.float32)


def rgb_to_principal_grey(rgb: np.ndarray) -> np.ndarray:
    r"""Grey values of a colour image along the direction in which its colours vary most.

    A pseudo-colour PET or SPECT image codes activity along a colour scale that luma folds over:
    on matplotlib's ``jet`` scale the lowest and the highest entries (dark blue, dark red) are
    0.19 of the luma range apart, and 0.47 of the range along the principal direction. On the
    Harvard atlas the weights are about (0.7, 0.7, 0.2) for the PET images and (0.8, 0.4, 0.4)
    for the SPECT images, against luma's (0.30, 0.59, 0.11). Registration uses it
    (:func:`brainfuse.registration.grid.grid_of`).

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    grey : numpy.ndarray
        float64, shape ``rgb.shape[:-1]``, within :math:`[-255\sqrt 3, 255\sqrt 3]`. A grey
        image stored as colour gives :math:`\sqrt 3` times its grey; an image of one colour (no
        variance) gives its luma (:func:`rgb_to_grey`).

    Notes
    -----
    With C the 3×3 covariance of the image's colours (all pixels) and w its unit eigenvector of
    the largest eigenvalue (the first principal component [1]_), signed so that its weights sum to
    at least 0 (white stays above black), each pixel becomes :math:`w \cdot (R, G, B)`.

    References
    ----------
    .. [1] H. Hotelling, "Analysis of a complex of statistical variables into principal
       components", J. Educ. Psychol. 24(6):417-441, 1933. doi:10.1037/h0071325

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_principal_grey
    >>> rgb = np.array([[[0.0, 0.0, 0.0], [100.0, 50.0, 0.0], [200.0, 100.0, 0.0]]])
    >>> np.round(rgb_to_principal_grey(rgb), 2).tolist()
    [[0.0, 111.8, 223.61]]
    """
    rgb = _channels(rgb, "rgb_to_principal_grey").astype(np.float64)
    colors = rgb.reshape(-1, 3)
    centred = colors - colors.mean(axis=0)
    values, vectors = np.linalg.eigh(centred.T @ centred)
    if values[-1] <= 0.0:
        return rgb_to_grey(rgb).astype(np.float64)
    w = vectors[:, -1]
    if w.sum() < 0.0:
        w = -w
    return rgb @ w


def is_grey_rgb(rgb: np.ndarray) -> bool:
    """True when an RGB array is grey stored as colour (all three channels equal).

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    grey : bool

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import is_grey_rgb
    >>> is_grey_rgb(np.full((2, 2, 3), 7.0)), is_grey_rgb(np.array([[255.0, 0, 0]]))
    (True, False)
    """
    rgb = _channels(rgb, "is_grey_rgb")
    return bool(
        np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    )


def rgb_to_ycbcr(rgb: np.ndarray) -> np.ndarray:
    r"""RGB → full-range BT.601 YCbCr (JPEG/JFIF; OpenCV's ``COLOR_RGB2YCrCb`` up to channel order).

    No rounding, so :func:`ycbcr_to_rgb` inverts it exactly. OpenCV's uint8
    conversion equals this rounded, within one grey level (it uses 14-bit fixed point).

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    ycbcr : numpy.ndarray
        Y, Cb, Cr (in that order), float32, ``rgb``'s shape.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Notes
    -----
    .. math:: Y = 0.299 R + 0.587 G + 0.114 B, \quad
              C_b = 128 + \frac{0.5 (B - Y)}{1 - 0.114}, \quad
              C_r = 128 + \frac{0.5 (R - Y)}{1 - 0.299}.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_ycbcr
    >>> rgb_to_ycbcr(np.array([[255.0, 0, 0], [128, 128, 128]])).round(2)
    array([[ 76.25,  84.97, 255.5 ],
           [128.  , 128.  , 128.  ]], dtype=float32)
    """
    rgb = _channels(rgb, "rgb_to_ycbcr").astype(np.float64)
    out = rgb @ _FULL.T
    out[..., 1:] += 128.0
    return out.astype(np.float32)


def ycbcr_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
    """Full-range BT.601 YCbCr → RGB, the exact inverse of :func:`rgb_to_ycbcr` (not clipped).

    Parameters
    ----------
    ycbcr : numpy.ndarray
        Y, Cb, Cr channels last, on the 0..255 scale.

    Returns
    -------
    rgb : numpy.ndarray
        float32, ``ycbcr``'s shape.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_ycbcr, ycbcr_to_rgb
    >>> ycbcr_to_rgb(rgb_to_ycbcr(np.array([[255.0, 0, 0]]))).round(3) + 0.0
    array([[255.,   0.,   0.]], dtype=float32)
    """
    ycc = _channels(ycbcr, "ycbcr_to_rgb").astype(np.float64).copy()
    ycc[..., 1:] -= 128.0
    return (ycc @ _FULL_INV.T).astype(np.float32)


def rgb_to_ycbcr_studio(rgb: np.ndarray) -> np.ndarray:
    r"""RGB → studio-swing BT.601 YCbCr, exactly as MATLAB ``rgb2ycbcr``.

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB channels last: ``uint8``, or any other dtype taken as 0..255 floats.

    Returns
    -------
    ycbcr : numpy.ndarray
        For ``uint8`` input, ``uint8`` rounded half away from zero and saturated, as MATLAB's
        ``imlincomb`` does; otherwise unrounded ``float64``. Grey input (R = G = B = v) gives
        Y = 16 + 219 v/255, Cb = Cr = 128.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Notes
    -----
    .. math:: [Y, C_b, C_r] = [16, 128, 128] + T [R, G, B] / 255, \quad
              T = \begin{bmatrix} 65.481 & 128.553 & 24.966 \\ -37.797 & -74.203 & 112 \\
              112 & -93.786 & -18.214 \end{bmatrix}.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_ycbcr_studio
    >>> rgb_to_ycbcr_studio(np.array([[0, 0, 0], [255, 255, 255], [255, 0, 0]], np.uint8))
    array([[ 16, 128, 128],
           [235, 128, 128],
           [ 81,  90, 240]], dtype=uint8)
    """
    rgb = _channels(rgb, "rgb_to_ycbcr_studio")
    is_u8 = rgb.dtype == np.uint8
    x = rgb.astype(np.float64)
    t = _STUDIO_T / 255.0
    out = np.empty(x.shape, dtype=np.float64)
    for p in range(3):
        out[..., p] = t[p, 0] * x[..., 0] + t[p, 1] * x[..., 1] + t[p, 2] * x[..., 2]
        out[..., p] += _STUDIO_OFFSET[p]
    if is_u8:
        return np.clip(round_half_away(out), 0, 255).astype(np.uint8)
    return out


def ycbcr_studio_to_rgb(ycbcr: np.ndarray) -> np.ndarray:
    r"""Studio-swing BT.601 YCbCr → RGB, exactly as MATLAB ``ycbcr2rgb``.

    Parameters
    ----------
    ycbcr : numpy.ndarray
        Y, Cb, Cr channels last: ``uint8``, or any other dtype taken as floats.

    Returns
    -------
    rgb : numpy.ndarray
        :math:`255 \, T^{-1} ([Y, C_b, C_r] - [16, 128, 128])` (T as in
        :func:`rgb_to_ycbcr_studio`): ``uint8`` for ``uint8`` input, rounded half away from zero
        and saturated; otherwise unrounded ``float64``.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import ycbcr_studio_to_rgb
    >>> ycbcr_studio_to_rgb(np.array([[16, 128, 128], [235, 128, 128]], np.uint8))
    array([[  0,   0,   0],
           [255, 255, 255]], dtype=uint8)
    """
    ycc = _channels(ycbcr, "ycbcr_studio_to_rgb")
    is_u8 = ycc.dtype == np.uint8
    x = ycc.astype(np.float64)
    tinv = np.linalg.inv(_STUDIO_T)
    t = 255.0 * tinv
    off = 255.0 * (tinv @ _STUDIO_OFFSET)
    out = np.empty(x.shape, dtype=np.float64)
    for p in range(3):
        out[..., p] = t[p, 0] * x[..., 0] + t[p, 1] * x[..., 1] + t[p, 2] * x[..., 2]
        out[..., p] -= off[p]
    if is_u8:
        return np.clip(round_half_away(out), 0, 255).astype(np.uint8)
    return out


def rgb_to_hsi(rgb: np.ndarray) -> np.ndarray:
    r"""RGB → HSI, the model of Gonzalez & Woods [1]_.

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    hsi : numpy.ndarray
        H and S in [0, 1] (H as a fraction of a full turn) and I on the 0..255 scale, float64.
        Black pixels get S = 0, grey pixels H = 0.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Notes
    -----
    .. math:: I = \frac{R + G + B}{3}, \quad S = 1 - \frac{3 \min(R, G, B)}{R + G + B},
              \quad H = \begin{cases} \theta & B \le G \\ 2\pi - \theta & B > G
              \end{cases},

    .. math:: \theta = \arccos \frac{\tfrac12 [(R - G) + (R - B)]}
              {\sqrt{(R - G)^2 + (R - B)(G - B)}}.

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, Prentice Hall, section
       6.2.3 (the HSI colour model).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_hsi
    >>> rgb_to_hsi(np.array([[255.0, 0, 0], [0, 255, 0], [128, 128, 128]])).round(4)
    array([[  0.    ,   1.    ,  85.    ],
           [  0.3333,   1.    ,  85.    ],
           [  0.    ,   0.    , 128.    ]])
    """
    x = _channels(rgb, "rgb_to_hsi").astype(np.float64)
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    total = r + g + b
    i = total / 3.0
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(total > 0, 1.0 - 3.0 * np.minimum(np.minimum(r, g), b) / total, 0.0)
        num = 0.5 * ((r - g) + (r - b))
        den = np.sqrt((r - g) ** 2 + (r - b) * (g - b))
        theta = np.arccos(np.clip(np.where(den > 0, num / den, 1.0), -1.0, 1.0))
    h = np.where(b <= g, theta, 2 * np.pi - theta) / (2 * np.pi)
    h = np.where(den > 0, h, 0.0) % 1.0
    return np.stack([h, s, i], axis=-1)


def hsi_to_rgb(hsi: np.ndarray) -> np.ndarray:
    """HSI → RGB, the inverse of :func:`rgb_to_hsi` (not clipped).

    Parameters
    ----------
    hsi : numpy.ndarray
        H, S in [0, 1] and I on the 0..255 scale, channels last.

    Returns
    -------
    rgb : numpy.ndarray
        float64 on the 0..255 scale.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    References
    ----------
    .. [1] R. C. Gonzalez and R. E. Woods, *Digital Image Processing*, Prentice Hall, section
       6.2.3 (the HSI colour model).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import hsi_to_rgb
    >>> hsi_to_rgb(np.array([[1 / 3, 1.0, 85.0]])).round(6) + 0.0
    array([[  0., 255.,   0.]])
    """
    x = _channels(hsi, "hsi_to_rgb").astype(np.float64)
    h = (x[..., 0] % 1.0) * 2 * np.pi
    s, i = x[..., 1], x[..., 2]
    third = 2 * np.pi / 3
    sector = np.minimum((h // third).astype(int), 2)
    hh = h - sector * third
    low = i * (1 - s)
    high = i * (1 + s * np.cos(hh) / np.cos(np.pi / 3 - hh))
    rest = 3 * i - (low + high)
    out = np.empty(x.shape, dtype=np.float64)
    # sector 0: (R, G, B) = (high, rest, low); 1: (low, high, rest); 2: (rest, low, high)
    order = {0: (high, rest, low), 1: (low, high, rest), 2: (rest, low, high)}
    for k, (cr, cg, cb) in order.items():
        m = sector == k
        out[..., 0][m], out[..., 1][m], out[..., 2][m] = cr[m], cg[m], cb[m]
    return out


def rgb_to_hsv(rgb: np.ndarray) -> np.ndarray:
    """RGB → HSV via scikit-image.

    Parameters
    ----------
    rgb : numpy.ndarray
        RGB on the 0..255 scale, channels last ``(..., 3)``.

    Returns
    -------
    hsv : numpy.ndarray
        H, S in [0, 1] and V = max(R, G, B) on the 0..255 scale, float64.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import rgb_to_hsv
    >>> rgb_to_hsv(np.array([[0.0, 255, 0], [128, 128, 128]])).round(4)
    array([[  0.3333,   1.    , 255.    ],
           [  0.    ,   0.    , 128.    ]])
    """
    from skimage.color import rgb2hsv

    x = _channels(rgb, "rgb_to_hsv").astype(np.float64)
    out = rgb2hsv(x / 255.0, channel_axis=-1)
    out[..., 2] *= 255.0
    return out


def hsv_to_rgb(hsv: np.ndarray) -> np.ndarray:
    """HSV → RGB, the inverse of :func:`rgb_to_hsv`.

    Parameters
    ----------
    hsv : numpy.ndarray
        H, S in [0, 1] and V on the 0..255 scale, channels last.

    Returns
    -------
    rgb : numpy.ndarray
        float64 on the 0..255 scale.

    Raises
    ------
    InputError
        If the last axis does not hold three channels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import hsv_to_rgb
    >>> hsv_to_rgb(np.array([[0.0, 1.0, 200.0]])).round(6) + 0.0
    array([[200.,   0.,   0.]])
    """
    from skimage.color import hsv2rgb

    x = _channels(hsv, "hsv_to_rgb").astype(np.float64).copy()
    x[..., 2] = x[..., 2] / 255.0
    return hsv2rgb(np.clip(x, 0.0, None), channel_axis=-1) * 255.0


#: Colour spaces :func:`fuse_luminance` can split a colour image in, and the channel it fuses.
LUMINANCE_SPACES = ("ycbcr", "hsi", "hsv")

_TO = {"ycbcr": rgb_to_ycbcr, "hsi": rgb_to_hsi, "hsv": rgb_to_hsv}
_FROM = {"ycbcr": ycbcr_to_rgb, "hsi": hsi_to_rgb, "hsv": hsv_to_rgb}
_LUMA_INDEX = {"ycbcr": 0, "hsi": 2, "hsv": 2}


def fuse_luminance(
    a: np.ndarray,
    b_rgb: np.ndarray,
    fuse_grey: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    space: str = "ycbcr",
) -> np.ndarray:
    """Turn a grey fusion rule into a colour one: fuse the luminance, keep the functional chroma.

    ``b_rgb`` (e.g. a pseudo-colour PET) is converted to ``space``; its luminance channel (Y of
    YCbCr, I of HSI, V of HSV) is fused with the grey anatomical image ``a`` by ``fuse_grey``;
    the fused channel replaces it and the result is converted back to RGB.

    The functional chroma is kept exactly: a saturated palette colour can only be shown within a
    range of luminance (pure red only at Y = 76), so where the fused luminance falls outside the
    range in which ``b``'s chroma (Cb, Cr; or H, S) fits the RGB cube, the luminance is clamped
    to that range rather than the colour being distorted by clipping RGB. Hence with
    ``space="ycbcr"`` the Cb and Cr of the result equal those of ``b_rgb`` at every pixel (up to
    the rounding of a later conversion to 8 bits).

    Parameters
    ----------
    a : numpy.ndarray
        The grey anatomical image, ``(H, W)``, on the 0..255 scale.
    b_rgb : numpy.ndarray
        The colour functional image, ``(H, W, 3)``, on the 0..255 scale.
    fuse_grey : callable
        ``fuse_grey(a, luminance)`` → fused luminance, ``(H, W)``.
    space : {"ycbcr", "hsi", "hsv"}, optional
        The colour space whose luminance is fused (default ``"ycbcr"``; see
        :data:`LUMINANCE_SPACES`).

    Returns
    -------
    fused : numpy.ndarray
        ``float32`` ``(H, W, 3)`` on the 0..255 scale.

    Raises
    ------
    InputError
        If ``space`` is unknown or the shapes do not match.

    Examples
    --------
    Fusing by maximum keeps the red pixel's colour and brightens the blue one only as far as
    blue can go (its Cb and Cr are kept):

    >>> import numpy as np
    >>> from brainfuse.color import fuse_luminance
    >>> a = np.array([[50.0, 200.0]])
    >>> b = np.array([[[200.0, 0, 0], [0, 0, 200.0]]])
    >>> fuse_luminance(a, b, np.maximum).round(1)
    array([[[200.,   0.,   0.],
            [ 55.,  55., 255.]]], dtype=float32)
    """
    if space not in _TO:
        raise InputError(None, f"unknown colour space '{space}'; valid: {', '.join(_TO)}")
    b_rgb = _channels(b_rgb, "fuse_luminance")
    if b_rgb.shape[:-1] != np.shape(a):
        raise InputError(
            None, f"grey image {np.shape(a)} and colour image {b_rgb.shape[:-1]} differ in shape"
        )
    split = _TO[space](b_rgb).astype(np.float64)
    k = _LUMA_INDEX[space]
    fused = fuse_grey(np.asarray(a, dtype=np.float32), split[..., k].astype(np.float32))
    lo, hi = _luminance_range(split, space)
    split[..., k] = np.clip(np.asarray(fused, dtype=np.float64), lo, hi)
    return np.clip(_FROM[space](split), 0.0, 255.0).astype(np.float32)


def _luminance_range(split: np.ndarray, space: str) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel, the luminance interval in which the chroma of ``split`` stays in the RGB cube."""
    if space == "ycbcr":
        # RGB = Y + c with c the RGB of the chroma at Y = 0; need 0 <= Y + c <= 255.
        at_zero = split.copy()
        at_zero[..., 0] = 0.0
        c = ycbcr_to_rgb(at_zero).astype(np.float64)
        lo, hi = np.max(-c, axis=-1), np.min(255.0 - c, axis=-1)
        return lo, np.maximum(hi, lo)
    if space == "hsi":
        # RGB scales linearly with I at fixed H, S: the largest channel at I = 1 bounds I.
        unit = split.copy()
        unit[..., 2] = 1.0
        peak = np.max(hsi_to_rgb(unit), axis=-1)
        return np.zeros(peak.shape), np.where(peak > 0, 255.0 / np.maximum(peak, 1e-12), 255.0)
    return np.zeros(split.shape[:-1]), np.full(split.shape[:-1], 255.0)


#: The standard DICOM palettes shipped with pydicom (PS3.6 Annex B well-known palettes).
DICOM_PALETTES = {
    "pet": "PET",
    "hotiron": "HOT_IRON",
    "hotmetalblue": "HOT_METAL_BLUE",
    "pet20step": "PET_20_STEP",
}


@cache
def _dicom_lut(name: str) -> np.ndarray:
    from pydicom.pixels import apply_color_lut

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lut = apply_color_lut(np.arange(256, dtype=np.uint8), palette=DICOM_PALETTES[name])
    return lut.astype(np.float32)


def palette_names() -> list[str]:
    """Names accepted by :func:`apply_palette`: the DICOM palettes, then matplotlib's maps.

    Returns
    -------
    names : list of str

    Examples
    --------
    >>> from brainfuse.color import palette_names
    >>> palette_names()[:4]
    ['pet', 'hotiron', 'hotmetalblue', 'pet20step']
    """
    import matplotlib

    return [*DICOM_PALETTES, *sorted(matplotlib.colormaps)]


def check_palette(name: str) -> str:
    """``name`` if :func:`apply_palette` knows it, else an :class:`InputError` naming the valid
    palettes.

    Parameters
    ----------
    name : str
        A DICOM palette (any case) or a matplotlib colour map name.

    Returns
    -------
    str
        ``name``, unchanged.

    Examples
    --------
    >>> check_palette("hot")
    'hot'
    """
    if name.lower() in DICOM_PALETTES or name in palette_names():
        return name
    raise InputError(
        "palette",
        f"unknown palette '{name}'; valid: {', '.join(DICOM_PALETTES)} or a matplotlib colour map",
    )


def apply_palette(
    grey: np.ndarray,
    name: str = "pet",
    *,
    vmin: float | None = None,
    vmax: float | None = None,
) -> np.ndarray:
    """Show a grey functional image in colour with a palette.

    Parameters
    ----------
    grey : numpy.ndarray
        The grey image, any shape.
    name : str, optional
        A DICOM palette (``pet`` (default), ``hotiron``, ``hotmetalblue``, ``pet20step``, as
        shipped by pydicom) or any matplotlib colour map (``hot``, ``jet``, ``inferno`` ...);
        :func:`palette_names` lists them.
    vmin, vmax : float, optional
        The window mapped to the palette's 256 entries (default: the image's minimum and
        maximum).

    Returns
    -------
    rgb : numpy.ndarray
        ``float32`` RGB on 0..255, ``grey.shape + (3,)``.

    Raises
    ------
    InputError
        If the palette name is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.color import apply_palette
    >>> apply_palette(np.array([[0.0, 0.5, 1.0]]), "pet")
    array([[[  0.,   0.,   0.],
            [128.,   0., 255.],
            [255., 255., 255.]]], dtype=float32)
    """
    check_palette(name)
    g = np.asarray(grey, dtype=np.float64)
    lo = float(np.min(g)) if vmin is None else float(vmin)
    hi = float(np.max(g)) if vmax is None else float(vmax)
    scale = 255.0 / (hi - lo) if hi > lo else 0.0
    idx = np.clip(np.rint((g - lo) * scale), 0, 255).astype(np.intp)
    key = name.lower()
    if key in DICOM_PALETTES:
        return _dicom_lut(key)[idx]
    import matplotlib

    lut = matplotlib.colormaps[name].resampled(256)(np.arange(256))[:, :3] * 255.0
    return lut.astype(np.float32)[idx]
