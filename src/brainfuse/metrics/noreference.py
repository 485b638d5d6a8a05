"""Metrics of the fused image alone: EN, SD, SF, AG, EI.

All take one grey image (2D; EN, SD and SF also 3D volumes) on the 0..255 scale.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from ._common import check_choice, check_image, correlate_same

__all__ = [
    "average_gradient",
    "edge_intensity",
    "entropy",
    "grey_levels",
    "spatial_frequency",
    "standard_deviation",
]


def grey_levels(x: np.ndarray, quantise: Literal["round", "floor"] = "round") -> np.ndarray:
    r"""Integer grey levels 0..255 of an image on the 0..255 scale (the classes of the histograms).

    Parameters
    ----------
    x : numpy.ndarray
        Image or volume, any shape, on the 0..255 scale.
    quantise : {"round", "floor"}
        ``"round"``: NumPy's ``round`` (half to even), as CDDFuse's ``np.round`` then ``uint8``;
        ``"floor"``: as VIFB and MEFB.

    Returns
    -------
    numpy.ndarray
        ``int64`` levels of the same shape, clipped to 0..255.

    Raises
    ------
    InputError
        An unknown ``quantise``.

    Notes
    -----
    .. math:: l = \min(255, \max(0, q(x))),\qquad
              q = \operatorname{round}\ \text{or}\ \lfloor\cdot\rfloor

    References
    ----------
    X. Zhang, P. Ye, G. Xiao, "VIFB: a visible and infrared image fusion benchmark", CVPR
    Workshops 2020 (``floor``); Z. Zhao et al., "CDDFuse", CVPR 2023 (``round``).

    Examples
    --------
    >>> import numpy as np
    >>> grey_levels(np.array([0.5, 1.5, 254.7, 300.0])).tolist()
    [0, 2, 255, 255]
    >>> grey_levels(np.array([0.5, 1.5, 254.7]), "floor").tolist()
    [0, 1, 254]
    """
    check_choice(quantise, "quantise", "grey_levels", ("round", "floor"))
    x = np.asarray(x)
    q = np.floor(x) if quantise == "floor" else np.round(x)
    return np.clip(q, 0, 255).astype(np.int64)


def entropy(image: np.ndarray, *, quantise: Literal["round", "floor"] = "round") -> float:
    r"""Shannon entropy EN of the grey-level histogram, in bits (higher is better).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image or 3D volume on the 0..255 scale.
    quantise : {"round", "floor"}
        How values become the 256 levels (:func:`grey_levels`): ``"round"`` (CDDFuse,
        ``paper``, Tang) or ``"floor"`` (VIFB/MEFB). Both agree on 8-bit images.

    Returns
    -------
    float
        EN in bits, 0..8. A constant image has EN = 0.

    Raises
    ------
    InputError
        Not a real, finite, non-empty 2D or 3D array, or an unknown ``quantise``.

    Notes
    -----
    .. math:: EN = -\sum_{l=0}^{255} p_l \log_2 p_l

    with :math:`p_l` the fraction of pixels (voxels) at grey level :math:`l`. Values outside
    0..255 are clipped (CDDFuse's ``np.uint8`` cast would wrap them around; a documented
    deviation).

    References
    ----------
    J. W. Roberts, J. van Aardt, F. Ahmed, "Assessment of image fusion procedures using
    entropy, image quality, and multispectral classification", J. Appl. Remote Sens. 2,
    023522, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> entropy(np.array([[0, 0], [255, 255]]))
    1.0
    >>> entropy(np.tile(np.arange(64.0) * 4, (64, 1)))  # 64 equally frequent levels
    6.0
    """
    check_choice(quantise, "quantise", "entropy", ("round", "floor"))
    x = check_image(image)
    counts = np.bincount(grey_levels(x, quantise).ravel(), minlength=256)
    p = counts[counts > 0] / x.size
    return float(-np.sum(p * np.log2(p)))


def standard_deviation(image: np.ndarray) -> float:
    r"""Standard deviation SD of the intensities (population, divisor :math:`MN`; higher is
    better).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image or 3D volume on the 0..255 scale.

    Returns
    -------
    float
        SD, computed in the input's float precision (``float32`` as CDDFuse). A constant image
        has SD = 0.

    Raises
    ------
    InputError
        Not a real, finite, non-empty 2D or 3D array.

    Notes
    -----
    .. math:: SD = \sqrt{\frac{1}{MN}\sum_{i,j}(F_{ij} - \mu)^2}

    All toolkits agree (VIFB calls it "Variance" but returns this).

    References
    ----------
    J. Ma, Y. Ma, C. Li, "Infrared and visible image fusion methods and applications: a
    survey", Inf. Fusion 45, 153–178, 2019.

    Examples
    --------
    >>> import numpy as np
    >>> standard_deviation(np.array([[0.0, 10.0], [0.0, 10.0]]))
    5.0
    """
    x = check_image(image)
    return float(np.std(x))


def spatial_frequency(
    image: np.ndarray, *, normalise: Literal["pairs", "pixels"] = "pixels"
) -> float:
    r"""Spatial frequency SF: the root of the mean squared row and column differences (higher is
    better).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image or 3D volume on the 0..255 scale.
    normalise : {"pixels", "pairs"}
        ``"pixels"``: divide both sums by the number of pixels (the paper; VIFB, MEFB);
        ``"pairs"``: by the number of differences (CDDFuse, Tang: the mean of the squared
        differences).

    Returns
    -------
    float
        SF. A constant image has SF = 0; a 1-pixel-wide axis contributes 0.

    Raises
    ------
    InputError
        Not a real, finite, non-empty 2D or 3D array, or an unknown ``normalise``.

    Notes
    -----
    .. math:: SF = \sqrt{RF^2 + CF^2},\quad
              RF^2 = \frac{1}{D}\sum_{i,j}(F_{i,j} - F_{i,j-1})^2,\quad
              CF^2 = \frac{1}{D}\sum_{i,j}(F_{i,j} - F_{i-1,j})^2

    with :math:`D = MN` (``"pixels"``) or :math:`M(N-1)` and :math:`(M-1)N` (``"pairs"``). A
    volume adds the third axis.

    References
    ----------
    A. M. Eskicioglu, P. S. Fisher, "Image quality measures and their performance", IEEE
    Trans. Commun. 43(12), 2959–2965, 1995.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(64.0) * 4, (64, 1))  # steps of 4 along each row
    >>> spatial_frequency(ramp, normalise="pairs")
    4.0
    >>> round(spatial_frequency(ramp), 4)  # 63 of 64 columns have a left neighbour
    3.9686
    """
    check_choice(normalise, "normalise", "spatial_frequency", ("pairs", "pixels"))
    x = check_image(image)
    total = 0.0
    for axis in range(x.ndim):
        n = x.shape[axis]
        if n < 2:
            continue
        d = np.diff(x, axis=axis)
        sq = d * d
        total += float(np.mean(sq)) if normalise == "pairs" else float(np.sum(sq)) / x.size
    return float(np.sqrt(total))


def _central_gradient(x: np.ndarray, axis: int) -> np.ndarray:
    """MATLAB ``gradient`` along one axis: central differences, one-sided at the ends."""
    g = np.empty_like(x)
    n = x.shape[axis]
    sl = [slice(None)] * x.ndim

    def at(s: slice | int) -> tuple[slice | int, ...]:
        sl2 = list(sl)
        sl2[axis] = s
        return tuple(sl2)

    if n < 2:
        g[...] = 0
        return g
    g[at(0)] = x[at(1)] - x[at(0)]
    g[at(-1)] = x[at(-1)] - x[at(-2)]
    if n > 2:
        g[at(slice(1, -1))] = (x[at(slice(2, None))] - x[at(slice(None, -2))]) / 2
    return g


def average_gradient(
    image: np.ndarray,
    *,
    differences: Literal["central", "forward"] = "forward",
    denominator: Literal["pixels", "interior"] = "interior",
) -> float:
    r"""Average gradient AG: the mean local gradient magnitude (higher is better).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image on the 0..255 scale.
    differences : {"forward", "central"}
        ``"forward"``: forward differences (the paper); ``"central"``: MATLAB's ``gradient``
        (central differences inside, one-sided at the border; VIFB, MEFB, Tang, CDDFuse).
    denominator : {"interior", "pixels"}
        ``"interior"``: divide the sum by :math:`(M-1)(N-1)` (the paper, VIFB, MEFB, Tang);
        ``"pixels"``: take the mean over :math:`MN` (CDDFuse).

    Returns
    -------
    float
        AG. A constant image has AG = 0.

    Raises
    ------
    InputError
        Not a real, finite, non-empty 2D array, or an unknown option.

    Notes
    -----
    .. math:: AG = \frac{1}{D}\sum_{i,j}\sqrt{\frac{\nabla_x F_{ij}^2 + \nabla_y F_{ij}^2}{2}}

    With forward differences the sum runs over the :math:`(M-1)(N-1)` pixels that have both
    neighbours; with central differences over all pixels.

    References
    ----------
    G. Cui, H. Feng, Z. Xu, Q. Li, Y. Chen, "Detail preserved fusion of visible and infrared
    images using regional saliency extraction and multi-scale image decomposition", Opt.
    Commun. 341, 199–209, 2015.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> round(average_gradient(ramp), 4)  # sqrt(4**2 / 2)
    2.8284
    >>> round(average_gradient(ramp, differences="central", denominator="pixels"), 4)
    2.8284
    """
    check_choice(differences, "differences", "average_gradient", ("central", "forward"))
    check_choice(denominator, "denominator", "average_gradient", ("pixels", "interior"))
    x = check_image(image, dims=(2,))
    m, n = x.shape
    if differences == "forward":
        gx = x[:-1, 1:] - x[:-1, :-1]
        gy = x[1:, :-1] - x[:-1, :-1]
    else:
        gx = _central_gradient(x, 1)
        gy = _central_gradient(x, 0)
    s = np.sqrt((gx * gx + gy * gy) / 2)
    if denominator == "pixels":
        return float(np.mean(s))
    interior = (m - 1) * (n - 1)
    return float(np.sum(s)) / interior if interior else 0.0


def edge_intensity(image: np.ndarray) -> float:
    r"""Edge intensity EI: the mean Sobel gradient magnitude (higher is better).

    Parameters
    ----------
    image : numpy.ndarray
        Grey 2D image on the 0..255 scale.

    Returns
    -------
    float
        EI. A constant image has EI = 0.

    Raises
    ------
    InputError
        Not a real, finite, non-empty 2D array.

    Notes
    -----
    .. math:: EI = \frac{1}{MN}\sum_{i,j}\sqrt{s_x(i,j)^2 + s_y(i,j)^2}

    with the Sobel kernel ``[1 2 1; 0 0 0; -1 -2 -1]`` and its transpose applied with
    replicated borders (MATLAB ``imfilter(F, fspecial('sobel'), 'replicate')``, as VIFB and
    MEFB).

    References
    ----------
    B. Rajalingam, R. Priya, "Hybrid multimodality medical image fusion technique for
    feature enhancement in medical diagnosis", Int. J. Eng. Sci. Invent., 2018.

    Examples
    --------
    >>> import numpy as np
    >>> ramp = np.tile(np.arange(64.0) * 4, (64, 1))
    >>> round(edge_intensity(ramp), 4)  # 32 inside, 16 in the two border columns
    31.5
    """
    x = check_image(image, dims=(2,)).astype(np.float64)
    w = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])
    gx = correlate_same(x, w, border="replicate")
    gy = correlate_same(x, w.T, border="replicate")
    return float(np.mean(np.sqrt(gx * gx + gy * gy)))
