"""The CDDFuse evaluation protocol (``test_MIF.py`` of Zhao et al., CVPR 2023), reproduced.

CDDFuse's numbers on the Harvard test pairs — and those of every paper that reuses its
``Evaluator`` (EMMA, DDFM, FusionMamba ...) — come from this pipeline:

1. sources read with OpenCV (``cv2.imread``: BGR, 8 bit), ``cvtColor(BGR2GRAY)`` on the
   ``float32`` image, then ``np.round``; the MRI goes to the "VIS" slot, CT/PET/SPECT to "IR";
2. the network output min–max stretched to 0..1, times 255, saved as PNG with
   ``skimage.io.imsave`` (imageio maps a float image to ``uint8`` by a second min–max stretch
   and ``floor(x + 0.499999999)``) and read back the same way as the sources;
3. EN, SD, SF, MI, SCD, VIF, Qabf and SSIM of ``Evaluator`` averaged over the pairs.

:func:`evaluate_cddfuse_protocol` does 1–3 for one triple, on files or arrays, so any fusion
result can be scored exactly as the published tables were. Its reading and quantising steps
are :func:`~brainfuse.metrics.grey.read_cddfuse_grey`,
:func:`~brainfuse.metrics.grey.cddfuse_grey` and
:func:`~brainfuse.metrics.grey.cddfuse_quantise_fused`.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import InputError
from ..io.image import Image
from .evaluate import evaluate
from .grey import cddfuse_grey, cddfuse_quantise_fused, read_cddfuse_grey

__all__ = ["CDDFUSE_PROTOCOL_METRICS", "evaluate_cddfuse_protocol"]

#: The eight metrics ``test_MIF.py`` prints, in its order.
CDDFUSE_PROTOCOL_METRICS = ("EN", "SD", "SF", "MI", "SCD", "VIF", "Qabf", "SSIM")

ImageLike = str | os.PathLike[str] | np.ndarray | Image


def _source_grey(x: ImageLike, name: str) -> np.ndarray:
    if isinstance(x, (str, os.PathLike)):
        return read_cddfuse_grey(x)
    if isinstance(x, Image):
        arr, rgb = x.array, x.rgb
    else:
        arr = np.asarray(x)
        rgb = arr.ndim == 3 and arr.shape[2] == 3
    if rgb:
        return cddfuse_grey(arr)
    if arr.ndim != 2:
        raise InputError(name, f"expected a 2D image, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise InputError(name, "contains NaN or infinite values")
    return np.round(np.clip(arr, 0, 255)).astype(np.float32)


def evaluate_cddfuse_protocol(
    fused: ImageLike, a: ImageLike, b: ImageLike, *, metrics: tuple[str, ...] | None = None
) -> dict[str, float]:
    r"""Score one fusion result exactly as CDDFuse's ``test_MIF.py`` does.

    Parameters
    ----------
    fused : str, os.PathLike, numpy.ndarray or Image
        The fusion result. A path is read as a saved image (OpenCV, ``BGR2GRAY``, round), as
        the script reads its own PNG outputs; an array (any range, grey or RGB) is first
        min–max stretched and quantised to ``uint8`` as the script saves it
        (:func:`~brainfuse.metrics.grey.cddfuse_quantise_fused`).
    a : str, os.PathLike, numpy.ndarray or Image
        The anatomical source (MRI, the "VIS" image).
    b : str, os.PathLike, numpy.ndarray or Image
        The functional or CT source (the "IR" image); colour PET/SPECT are reduced with
        OpenCV's ``BGR2GRAY`` and rounded, as the script does.
    metrics : tuple of str, optional
        Metric names of the ``cddfuse`` profile; default :data:`CDDFUSE_PROTOCOL_METRICS`.

    Returns
    -------
    dict
        ``{"EN": ..., "SD": ..., "SF": ..., "MI": ..., "SCD": ..., "VIF": ..., "Qabf": ...,
        "SSIM": ...}`` equal to CDDFuse's ``Evaluator`` to ~1e-7 relative.

    Raises
    ------
    InputError
        An unreadable file, arrays that are not 2D images or hold NaN or infinite values,
        shapes that differ, or an unknown metric.

    Notes
    -----
    A grey source array is rounded and clipped to 0..255 as the 8-bit file would be; a fused
    array :math:`F` is quantised as the script saves it,
    :math:`Q = \lfloor 255\,(S - \min S)/(\max S - \min S) + 0.499999999\rfloor` with
    :math:`S = 255\,(F - \min F)/(\max F - \min F)`; then the metrics of the ``cddfuse``
    profile (:func:`~brainfuse.metrics.evaluate`).

    References
    ----------
    Z. Zhao et al., "CDDFuse: Correlation-driven dual-branch feature decomposition for
    multi-modality image fusion", CVPR 2023 (``test_MIF.py``, ``utils/Evaluator.py``).

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> b = a.T.copy()
    >>> scores = evaluate_cddfuse_protocol((a + b) / 2, a, b)
    >>> list(scores)
    ['EN', 'SD', 'SF', 'MI', 'SCD', 'VIF', 'Qabf', 'SSIM']
    """
    ga = _source_grey(a, "A")
    gb = _source_grey(b, "B")
    if isinstance(fused, (str, os.PathLike)):
        gf = read_cddfuse_grey(fused)
    else:
        arr = fused.array if isinstance(fused, Image) else fused
        gf = cddfuse_quantise_fused(arr).astype(np.float32)
    names = list(metrics) if metrics is not None else list(CDDFUSE_PROTOCOL_METRICS)
    return evaluate(gf, ga, gb, metrics=names, profile="cddfuse")
