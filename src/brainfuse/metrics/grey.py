"""How each reference codebase turns an image into the grey samples its metrics see.

The same colour image gives different grey values in different codebases, and so different
metric values. Each :class:`~brainfuse.metrics.profiles.Profile` names one of these
reductions:

- :func:`grey_bt601`: BT.601 luma without rounding (the ``paper`` profile);
- :func:`grey_matlab`: MATLAB's ``rgb2gray`` of a ``uint8`` image (VIFB, MEFB, Liu, Tang);
- :func:`cddfuse_grey`: OpenCV's ``BGR2GRAY`` on ``float32``, then ``np.round`` (CDDFuse).

CDDFuse's evaluation script also reads its files with OpenCV (:func:`read_cddfuse_grey`) and
quantises a fused result to 8 bits the way it saves and reads it back
(:func:`cddfuse_quantise_fused`).
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np

from ..color import rgb_to_grey
from ..errors import InputError
from ..rounding import round_half_away

__all__ = [
    "cddfuse_grey",
    "cddfuse_quantise_fused",
    "grey_bt601",
    "grey_matlab",
    "read_cddfuse_grey",
]

#: MATLAB ``rgb2gray``'s weights: the rows of the inverse of its NTSC (YIQ) matrix.
_MATLAB_WEIGHTS = np.array([0.298936021293775, 0.587043074451121, 0.114020904255103])


def _rgb(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 3 or x.shape[2] != 3:
        raise InputError(None, f"expected an HxWx3 RGB array, got shape {x.shape}")
    return x


def grey_bt601(rgb: np.ndarray) -> np.ndarray:
    r"""BT.601 luma of an RGB image, not rounded: the ``paper`` profile's colour reduction.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``HxWx3`` RGB image (channels last) on the 0..255 scale.

    Returns
    -------
    numpy.ndarray
        ``HxW`` ``float64`` luma (computed in ``float32`` as :func:`brainfuse.color.rgb_to_grey`).

    Notes
    -----
    .. math:: Y = 0.299\,R + 0.587\,G + 0.114\,B

    References
    ----------
    ITU-R Recommendation BT.601, "Studio encoding parameters of digital television for
    standard 4:3 and wide-screen 16:9 aspect ratios".

    Examples
    --------
    >>> import numpy as np
    >>> grey_bt601(np.array([[[255, 0, 0], [0, 0, 255]]])).round(3).tolist()
    [[76.245, 29.07]]
    """
    return rgb_to_grey(_rgb(rgb)).astype(np.float64)


def grey_matlab(rgb: np.ndarray) -> np.ndarray:
    r"""MATLAB ``rgb2gray`` of a ``uint8`` image: the MATLAB toolboxes' colour reduction.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``HxWx3`` RGB image (channels last) on the 0..255 scale.

    Returns
    -------
    numpy.ndarray
        ``HxW`` ``float64`` integer grey levels 0..255.

    Notes
    -----
    .. math:: Y = \operatorname{round}(0.298936\,R + 0.587043\,G + 0.114021\,B)

    with MATLAB's weights (to 15 digits) and rounding (half away from zero), clipped to
    0..255 as ``uint8`` saturates.

    References
    ----------
    MathWorks, MATLAB Image Processing Toolbox, ``rgb2gray``.

    Examples
    --------
    >>> import numpy as np
    >>> grey_matlab(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]])).tolist()
    [[76.0, 150.0, 29.0]]
    """
    y = np.asarray(_rgb(rgb), dtype=np.float64) @ _MATLAB_WEIGHTS
    return np.clip(round_half_away(y), 0, 255)


def cddfuse_grey(rgb: np.ndarray) -> np.ndarray:
    r"""OpenCV ``BGR2GRAY`` of a ``float32`` RGB image, then ``np.round``: the grey value
    CDDFuse's ``image_read_cv2(path, 'GRAY')`` produces.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``HxWx3`` RGB image (channels last) on the 0..255 scale.

    Returns
    -------
    numpy.ndarray
        ``HxW`` ``float32`` grey levels, rounded half to even.

    Notes
    -----
    .. math:: Y = \operatorname{round}(0.299\,R + 0.587\,G + 0.114\,B)

    in ``float32`` arithmetic (OpenCV's weights), rounded as NumPy does (half to even).

    References
    ----------
    Z. Zhao et al., "CDDFuse: Correlation-driven dual-branch feature decomposition for
    multi-modality image fusion", CVPR 2023 (``utils/img_read_save.py``).

    Examples
    --------
    >>> import numpy as np
    >>> cddfuse_grey(np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]])).tolist()
    [[76.0, 150.0, 29.0]]
    """
    bgr = np.ascontiguousarray(_rgb(rgb)[..., ::-1], dtype=np.float32)
    return np.round(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY))


def read_cddfuse_grey(path: str | os.PathLike[str]) -> np.ndarray:
    r"""Read an image file exactly as CDDFuse's ``image_read_cv2(path, 'GRAY')``.

    Parameters
    ----------
    path : str or os.PathLike
        An image file OpenCV reads (PNG, JPEG, BMP, TIFF ...).

    Returns
    -------
    numpy.ndarray
        ``HxW`` ``float32`` grey levels.

    Raises
    ------
    InputError
        The file is missing or OpenCV cannot read it.

    Notes
    -----
    ``cv2.imread`` (8-bit BGR; a grey file gives three equal channels), then
    :func:`cddfuse_grey`'s arithmetic:

    .. math:: Y = \operatorname{round}(0.299\,R + 0.587\,G + 0.114\,B)

    References
    ----------
    Z. Zhao et al., "CDDFuse", CVPR 2023 (``utils/img_read_save.py``).

    Examples
    --------
    >>> import cv2, tempfile, numpy as np
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "red.png"
    >>> cv2.imwrite(str(path), np.array([[[0, 0, 255]]], dtype=np.uint8))  # BGR: red
    True
    >>> read_cddfuse_grey(path).tolist()
    [[76.0]]
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(p, "file not found")
    bgr = cv2.imread(str(p), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError(p, "cannot be read as an image by OpenCV")
    return np.round(cv2.cvtColor(bgr.astype(np.float32), cv2.COLOR_BGR2GRAY))


def cddfuse_quantise_fused(fused: np.ndarray) -> np.ndarray:
    r"""A fused result as CDDFuse's ``test_MIF.py`` saves it and reads it back: ``uint8``.

    Parameters
    ----------
    fused : numpy.ndarray
        The fusion result, ``HxW`` or ``HxWx3`` RGB (reduced with :func:`cddfuse_grey`), any
        range, finite.

    Returns
    -------
    numpy.ndarray
        ``HxW`` ``uint8``. A constant image (0/0 in CDDFuse) becomes all zeros.

    Raises
    ------
    InputError
        Not a 2D image, or NaN or infinite values.

    Notes
    -----
    The script stretches the network output in ``float32`` (as its PyTorch code),
    :math:`S = 255\,(F - \min F)/(\max F - \min F)`; ``skimage.io.imsave`` (imageio) then
    maps the float image to ``uint8`` by a second stretch, in ``float64``:

    .. math:: Q = \left\lfloor 255\,\frac{S - \min S}{\max S - \min S} + 0.499999999
              \right\rfloor

    so a value half-way between two levels goes down.

    References
    ----------
    Z. Zhao et al., "CDDFuse", CVPR 2023 (``test_MIF.py``).

    Examples
    --------
    >>> import numpy as np
    >>> cddfuse_quantise_fused(np.array([[0.0, 0.5, 1.0]])).tolist()
    [[0, 127, 255]]
    """
    f = np.asarray(fused)
    if f.ndim == 3 and f.shape[2] == 3:
        f = cddfuse_grey(f)
    if f.ndim != 2:
        raise InputError("fused", f"expected a 2D image, got shape {f.shape}")
    f = f.astype(np.float32)
    if not np.isfinite(f).all():
        raise InputError("fused", "contains NaN or infinite values")
    lo, hi = f.min(), f.max()
    if hi == lo:
        return np.zeros(f.shape, dtype=np.uint8)
    s = (f - lo) / (hi - lo) * np.float32(255)
    mi, ma = float(s.min()), float(s.max())
    if ma == mi:
        return s.astype(np.uint8)
    q = (s.astype(np.float64) - mi) / (ma - mi) * 255.0 + 0.499999999
    return q.astype(np.uint8)
