"""Colour-space substitution fusion: IHS (HSI) and HSV.

The oldest way to put anatomy into a pseudo-colour PET or SPECT: convert the functional colour
image to a hue/saturation/intensity space, replace its intensity by the anatomical image (or by
a weighted mix of the two), keep hue and saturation, and convert back. It is the "HSI based"
spatial-domain baseline of Amini & Mostaar 2022 (J. Med. Signals Sens. 12(1):25-31, after
Daneshvar & Ghassemian 2010) and the colour step of many later methods.

On grey inputs there is no hue or saturation to keep: a grey image has S = 0 and I = V = its
value, so the substitution reduces to the intensity rule itself, w·A + (1 − w)·B. With the
default w = 1 (pure substitution) a grey pair therefore returns the anatomical image unchanged;
these methods are meant for colour functional images.
"""

from __future__ import annotations

import numpy as np

from ..color import fuse_luminance
from .registry import param, register

__all__ = ["hsv", "ihs"]

_W = param(
    "weight of the anatomical image in the new intensity; 1 = pure substitution (I ← A)",
    minimum=0,
    maximum=1,
)


def _intensity(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    return (np.float32(w) * a + np.float32(1.0 - w) * b).astype(np.float32, copy=False)


def _ihs_color(a: np.ndarray, b_rgb: np.ndarray, *, w: float = 1.0) -> np.ndarray:
    return fuse_luminance(a, b_rgb, lambda x, y: _intensity(x, y, w), space="hsi")


def _hsv_color(a: np.ndarray, b_rgb: np.ndarray, *, w: float = 1.0) -> np.ndarray:
    return fuse_luminance(a, b_rgb, lambda x, y: _intensity(x, y, w), space="hsv")


@register(
    "ihs",
    family="color-space",
    dims=(2, 3),
    params={"w": _W},
    reference=(
        "Daneshvar & Ghassemian 2010, Inf. Fusion 11(2); "
        "Amini & Mostaar 2022, J. Med. Signals Sens. 12(1)"
    ),
    color=_ihs_color,
)
def ihs(a: np.ndarray, b: np.ndarray, *, w: float = 1.0) -> np.ndarray:
    """IHS substitution: the functional image's HSI intensity is replaced by the anatomy.

    A colour B is converted to HSI, its intensity is replaced by a mix of A and that
    intensity, hue and saturation are kept, and the result is converted back to RGB and clipped to
    0..255. A grey B has no hue or saturation, so the grey result is the intensity rule itself.

    Parameters
    ----------
    a : numpy.ndarray
        The anatomical image (MRI), grey, on the 0..255 scale.
    b : numpy.ndarray
        The functional image on the 0..255 scale, ``a``'s shape (grey) or ``a.shape + (3,)``
        (pseudo-colour RGB; the colour path is taken through :func:`brainfuse.fuse`).
    w : float, optional
        Weight of the anatomical image in the new intensity, in [0, 1]; 1 (the default) is pure
        substitution, I ← A.

    Returns
    -------
    fused : numpy.ndarray
        The grey result :math:`w A + (1 - w) B`, float32, ``a``'s shape; for a colour ``b``,
        :func:`brainfuse.fuse` returns the RGB image.

    Notes
    -----
    With the HSI model of Gonzalez & Woods, :math:`I = (R + G + B)/3`, the new intensity is

    .. math:: I' = w A + (1 - w) I_B.

    This is the IHS fusion baseline of Daneshvar & Ghassemian [1]_ and the "HSI based"
    spatial-domain row of Amini & Mostaar [2]_.

    References
    ----------
    .. [1] S. Daneshvar and H. Ghassemian, "MRI and PET image fusion by combining IHS and
       retina-inspired models", Information Fusion 11(2):114-123, 2010.
    .. [2] S. Amini and P. Mostaar, "Deep learning approach for fusion of magnetic resonance
       imaging-positron emission tomography image based on extract image features using
       pretrained network (VGG19)", J. Med. Signals Sens. 12(1):25-31, 2022.
       doi:10.4103/jmss.JMSS_80_20

    Examples
    --------
    A grey pair gives the intensity rule:

    >>> import numpy as np, brainfuse
    >>> a = np.array([[0, 100], [200, 50]], np.float32)
    >>> b = np.array([[100, 0], [0, 250]], np.float32)
    >>> brainfuse.fuse(a, b, "ihs", w=0.5)
    array([[ 50.,  50.],
           [100., 150.]], dtype=float32)

    A colour B keeps its hues under the anatomy's brightness (clipped to 255):

    >>> b_rgb = np.array([[[200, 0, 0], [0, 0, 90]]], np.float32)
    >>> brainfuse.fuse(np.array([[100, 30]], np.float32), b_rgb, "ihs").round().astype(int)
    array([[[255,   0,   0],
            [  0,   0,  90]]])
    """
    return _intensity(a, b, w)


@register(
    "hsv",
    family="color-space",
    dims=(2, 3),
    params={"w": _W},
    reference="Smith 1978, SIGGRAPH (HSV); value substitution as IHS fusion",
    color=_hsv_color,
)
def hsv(a: np.ndarray, b: np.ndarray, *, w: float = 1.0) -> np.ndarray:
    """HSV substitution: the functional image's value V = max(R, G, B) is replaced by the anatomy.

    As :func:`ihs` but in HSV space. Because V is the largest channel, a bright anatomical pixel
    under a saturated hue stays saturated instead of washing out to white as it can in HSI.

    Parameters
    ----------
    a : numpy.ndarray
        The anatomical image (MRI), grey, on the 0..255 scale.
    b : numpy.ndarray
        The functional image on the 0..255 scale, grey (``a``'s shape) or pseudo-colour RGB
        (``a.shape + (3,)``, through :func:`brainfuse.fuse`).
    w : float, optional
        Weight of the anatomical image in the new value, in [0, 1]; 1 (the default) is pure
        substitution, V ← A.

    Returns
    -------
    fused : numpy.ndarray
        The grey result :math:`w A + (1 - w) B`, float32, ``a``'s shape; for a colour ``b``,
        :func:`brainfuse.fuse` returns the RGB image.

    Notes
    -----
    The new value is :math:`V' = w A + (1 - w) V_B`, hue and saturation of B kept. HSV is the
    model of Smith [1]_; value substitution is its analogue of IHS fusion.

    References
    ----------
    .. [1] A. R. Smith, "Color gamut transform pairs", Proc. SIGGRAPH 1978, 12-19.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> b_rgb = np.array([[[200, 0, 0], [0, 0, 90]]], np.float32)
    >>> brainfuse.fuse(np.array([[100, 30]], np.float32), b_rgb, "hsv")
    array([[[100.,   0.,   0.],
            [  0.,   0.,  30.]]], dtype=float32)
    """
    return _intensity(a, b, w)
