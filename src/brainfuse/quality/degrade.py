"""Controlled degradations of a fused image, five levels each (0 = untouched).

They play the part of the bad fusion results that radiologists scored low in Tang et al.'s
MMIFID: the training database of :mod:`brainfuse.quality.database` applies one of them, at a
known level, to each fused image. All work on grey images on the 0..255 scale, return
``float32`` clipped to 0..255 and are deterministic (the noise is drawn from the given seed).

=============  ===============================================================================
kind           what level ``k`` (1..4) does
=============  ===============================================================================
``blur``       Gaussian blur, σ = 0.75·k pixels (``scipy.ndimage.gaussian_filter``)
``noise``      additive Gaussian noise, σ = 5·k grey levels
``contrast``   contrast towards the image mean by the factor 1 − 0.2·k
``colour``     the image shown with the ``hot`` palette (as PET is), its hue rotated by 10°·k,
               and reduced back to BT.601 luminance: the grey channel the model and the metrics
               see of a colour shift
``block``      JPEG compression (Pillow, grey) at quality 30, 15, 8, 4: blockiness
=============  ===============================================================================
"""

from __future__ import annotations

import io

import numpy as np
from scipy import ndimage

from ..color import apply_palette, hsv_to_rgb, rgb_to_grey, rgb_to_hsv
from ..errors import InputError

__all__ = ["DEGRADATIONS", "LEVELS", "degrade"]

#: Degradation kinds, in the order the database cycles through them.
DEGRADATIONS: tuple[str, ...] = ("blur", "noise", "contrast", "colour", "block")

#: Levels: 0 (untouched) to 4 (worst).
LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)

_JPEG_QUALITY = {1: 30, 2: 15, 3: 8, 4: 4}


def _jpeg(x: np.ndarray, quality: int) -> np.ndarray:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.clip(np.rint(x), 0, 255).astype(np.uint8), mode="L").save(
        buf, format="JPEG", quality=quality
    )
    buf.seek(0)
    return np.asarray(Image.open(buf), dtype=np.float32)


def _colour_shift(x: np.ndarray, level: int) -> np.ndarray:
    rgb = apply_palette(x, "hot", vmin=0.0, vmax=255.0)
    base = rgb_to_grey(rgb)
    hsv = rgb_to_hsv(rgb)
    hsv[..., 0] = (hsv[..., 0] + 10.0 * level / 360.0) % 1.0
    shifted = rgb_to_grey(hsv_to_rgb(hsv))
    # the change of luminance the hue rotation causes, applied to the grey image
    return x + (shifted - base)


def degrade(image: np.ndarray, kind: str, level: int, *, seed: int = 0) -> np.ndarray:
    """``image`` degraded by ``kind`` at ``level``.

    Parameters
    ----------
    image : numpy.ndarray
        A grey 2D image on 0..255.
    kind : str
        One of :data:`DEGRADATIONS`.
    level : int
        0 (returns the image, clipped) to 4.
    seed : int, optional
        Seed of the noise (``noise`` only).

    Returns
    -------
    degraded : numpy.ndarray
        ``float32`` on 0..255, the shape of ``image``.

    Raises
    ------
    InputError
        For an unknown kind, a level outside 0..4 or an image that is not 2D.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.quality.degrade import degrade
    >>> x = np.tile(np.linspace(0, 255, 32, dtype=np.float32), (32, 1))
    >>> [round(float(degrade(x, "contrast", k).std()), 1) for k in (0, 2, 4)]
    [75.9, 45.6, 15.2]
    """
    if kind not in DEGRADATIONS:
        raise InputError(None, f"unknown degradation '{kind}'; valid: {', '.join(DEGRADATIONS)}")
    if level not in LEVELS:
        raise InputError(None, f"degradation level must be 0..4, got {level!r}")
    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 2:
        raise InputError(None, f"degradations work on 2D grey images, got shape {x.shape}")
    x = np.clip(x, 0.0, 255.0)
    if level == 0:
        return x.astype(np.float32)
    if kind == "blur":
        y = ndimage.gaussian_filter(x, 0.75 * level, mode="reflect")
    elif kind == "noise":
        rng = np.random.default_rng(seed)
        y = x + rng.normal(0.0, 5.0 * level, x.shape).astype(np.float32)
    elif kind == "contrast":
        m = float(x.mean())
        y = m + (1.0 - 0.2 * level) * (x - m)
    elif kind == "colour":
        y = _colour_shift(x, level)
    else:
        y = _jpeg(x, _JPEG_QUALITY[level])
    return np.clip(y, 0.0, 255.0).astype(np.float32)
