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
    family="colour-space",
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

    A colour B is converted to HSI (Gonzalez & Woods: I = (R + G + B)/3), its intensity is
    replaced by I' = w·A + (1 − w)·I_B, hue and saturation are kept, and the result is converted
    back to RGB and clipped to 0..255. A grey B has no hue or saturation, so the grey result is
    w·A + (1 − w)·B (A itself with the default w = 1).

    Reference: S. Daneshvar and H. Ghassemian, "MRI and PET image fusion by combining IHS and
    retina-inspired models", Information Fusion 11(2):114-123, 2010 (the IHS baseline); the
    "HSI based" row of Amini & Mostaar 2022.
    """
    return _intensity(a, b, w)


@register(
    "hsv",
    family="colour-space",
    dims=(2, 3),
    params={"w": _W},
    reference="Smith 1978, SIGGRAPH (HSV); value substitution as IHS fusion",
    color=_hsv_color,
)
def hsv(a: np.ndarray, b: np.ndarray, *, w: float = 1.0) -> np.ndarray:
    """HSV substitution: the functional image's value V = max(R, G, B) is replaced by the anatomy.

    As :func:`ihs` but in HSV space: V' = w·A + (1 − w)·V_B, hue and saturation of B kept.
    Because V is the largest channel, a bright anatomical pixel under a saturated hue stays
    saturated instead of washing out to white as it can in HSI. A grey B gives
    w·A + (1 − w)·B.

    Reference: A. R. Smith, "Color gamut transform pairs", SIGGRAPH 1978 (the HSV model); value
    substitution is the HSV analogue of IHS fusion.
    """
    return _intensity(a, b, w)
