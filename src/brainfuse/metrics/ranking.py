"""Measures two fusion papers rank methods by without defining them: the discrepancy and
overall performance (OP) of Amini & Mostaar 2022, and MdAFuse's normalisation of metric tables.

Amini & Mostaar (2022, J. Med. Signals Sens., MRI–PET fusion with VGG19 features in HSI
space) report entropy, MI, "discrepancy" and "overall performance (OP)", lower being better
for the last two, without a formula or a citation for them. The PET–MRI fusion literature
they build on (Daneshvar & Ghassemian 2010; Haddadpour, Daneshvar & Seyedarabi 2017, their
reference 25) pairs a *spectral* discrepancy :math:`D_k` with a *spatial* average gradient
:math:`AG_k` per colour band and an overall performance O.P combining them. We implement
:math:`D` as the mean absolute difference to the functional image and :math:`OP = D / AG`:
the paper's Table 1 is consistent with it (implied AG between 1.9 and 5.8 for its seven
methods, sharper transform-domain methods higher), but this is our reading, not a definition
the paper states. The MdAFuse paper (Wen et al. 2024, IEEE TIP) says "some metrics were
normalized" without saying how; :func:`normalise_scores` offers the usual min–max
normalisation across methods, again as an assumption.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import InputError
from .noreference import average_gradient

__all__ = ["discrepancy", "normalise_scores", "overall_performance"]


def _bands(x: np.ndarray) -> list[np.ndarray]:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 3 and x.shape[2] == 3:
        return [x[..., k] for k in range(3)]
    if x.ndim != 2:
        raise InputError(None, f"expected a 2D grey or HxWx3 colour image, got shape {x.shape}")
    return [x]


def discrepancy(fused: np.ndarray, functional: np.ndarray) -> float:
    r"""Spectral discrepancy of the fused image with the functional (PET/SPECT) image
    (lower keeps the functional colours better).

    Parameters
    ----------
    fused : numpy.ndarray
        ``HxW`` grey or ``HxWx3`` colour fused image, 0..255.
    functional : numpy.ndarray
        The functional image, with the same shape and colour bands.

    Returns
    -------
    float
        :math:`D \ge 0`; 0 when the two are equal.

    Raises
    ------
    InputError
        Not a 2D or ``HxWx3`` image, or the two differ in shape or bands.

    Notes
    -----
    Over the :math:`K` colour bands (:math:`K = 1` for grey) of :math:`M \times N` pixels:

    .. math:: D = \frac{1}{K}\sum_{k=1}^{K} \frac{1}{MN}\sum_{i,j} |F_k(i,j) - X_k(i,j)|

    Amini & Mostaar report this measure without defining it (see the module docstring);
    this is the spectral discrepancy of the PET–MRI fusion literature they follow.

    References
    ----------
    N. Amini, A. Mostaar, "Deep learning approach for fusion of MRI-PET image based on
    extract image features using pretrained network (VGG19)", J. Med. Signals Sens.
    12(1), 25–31, 2022; M. Haddadpour, S. Daneshvar, H. Seyedarabi, 2017 (their reference 25).

    Examples
    --------
    >>> import numpy as np
    >>> pet = np.zeros((4, 4, 3))
    >>> fused = pet.copy()
    >>> fused[..., 0] = 12.0  # only the red band moves
    >>> discrepancy(fused, pet)
    4.0
    """
    fb, xb = _bands(fused), _bands(functional)
    if len(fb) != len(xb) or fb[0].shape != xb[0].shape:
        raise InputError("B", "fused and functional images differ in shape or colour bands")
    return float(np.mean([np.mean(np.abs(f - x)) for f, x in zip(fb, xb, strict=True)]))


def overall_performance(fused: np.ndarray, functional: np.ndarray) -> float:
    r"""Overall performance OP: the spectral :func:`discrepancy` per unit of spatial detail
    (lower is better).

    Parameters
    ----------
    fused : numpy.ndarray
        ``HxW`` grey or ``HxWx3`` colour fused image, 0..255.
    functional : numpy.ndarray
        The functional image, with the same shape and colour bands.

    Returns
    -------
    float
        :math:`OP \ge 0`. A flat fused image (AG = 0) gives ``inf``, or 0 when D is 0 too.

    Raises
    ------
    InputError
        As :func:`discrepancy`.

    Notes
    -----
    .. math:: OP = \frac{D}{AG},\qquad AG = \frac{1}{K}\sum_{k=1}^{K} AG(F_k)

    with :func:`~brainfuse.metrics.noreference.average_gradient` (the paper's forward
    differences) of each band of F. Our reading of Amini & Mostaar's undefined "overall
    performance" (see the module docstring).

    References
    ----------
    N. Amini, A. Mostaar, J. Med. Signals Sens. 12(1), 25–31, 2022 (see :func:`discrepancy`).

    Examples
    --------
    >>> import numpy as np
    >>> pet = np.tile(np.arange(8.0) * 4, (8, 1))  # AG = 4 / sqrt(2)
    >>> round(overall_performance(pet + 5, pet), 6)  # D = 5
    1.767767
    """
    d = discrepancy(fused, functional)
    ag = float(np.mean([average_gradient(f) for f in _bands(fused)]))
    if ag == 0:
        return 0.0 if d == 0 else float("inf")
    return d / ag


def normalise_scores(
    table: Mapping[str, Mapping[str, float]],
) -> dict[str, dict[str, float]]:
    r"""Min–max normalise each metric across methods.

    Parameters
    ----------
    table : mapping
        ``{method: {metric: value}}``; every method has the metrics of the first.

    Returns
    -------
    dict
        The same table with every metric mapped to 0..1, its order kept (the method with
        the largest value gets 1). A metric equal for all methods maps to 0. An empty table
        gives ``{}``.

    Notes
    -----
    For metric :math:`m` and method :math:`j`:

    .. math:: \hat v_{jm} = \frac{v_{jm} - \min_i v_{im}}{\max_i v_{im} - \min_i v_{im}}

    The MdAFuse paper normalises "some metrics" for comparison without saying how; this is
    the common choice, stated as an assumption.

    References
    ----------
    J. Wen et al., "High-quality fusion and visualization for MR-PET brain tumor images via
    multi-dimensional features", IEEE TIP 33, 3550–3563, 2024 (MdAFuse).

    Examples
    --------
    >>> normalise_scores({"a": {"EN": 3.0}, "b": {"EN": 5.0}, "c": {"EN": 4.0}})
    {'a': {'EN': 0.0}, 'b': {'EN': 1.0}, 'c': {'EN': 0.5}}
    """
    methods = list(table)
    if not methods:
        return {}
    metrics = list(table[methods[0]])
    out: dict[str, dict[str, float]] = {m: {} for m in methods}
    for name in metrics:
        vals = np.array([table[m][name] for m in methods], dtype=np.float64)
        lo, hi = float(vals.min()), float(vals.max())
        for m, v in zip(methods, vals, strict=True):
            out[m][name] = 0.0 if hi == lo else float((v - lo) / (hi - lo))
    return out
