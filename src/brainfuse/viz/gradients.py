"""FunFuseAn's gradient visualisation, for any fusion method.

Kumar et al. (2020, FunFuseAn, MBIA/MFCA@MICCAI 2019, LNCS 11846) show *where the fused image
comes from*: for every input pixel, how much the whole fused image changes with it,

    ∇_{F,I1}(n, m) = Σ_{i,j} ∂F[i, j] / ∂I1[n, m],    ∇_{F,I2}(n, m) = Σ_{i,j} ∂F[i, j] / ∂I2[n, m]

(Eq. 5; I1 anatomical, I2 functional). The paper colour-codes ∇_{F,I2} with the jet map and
builds an HSV image, the saturation multiplied by Ω ∈ [0, 1] (default 0.6, the paper's best) so
that the colour does not hide the anatomy. Ω = 0 gives the grey fused image.

The colour view, where the paper (min-max of each map, jet hue and saturation from ∇_{F,I2},
value from ∇_{F,I1}) leaves freedom or does not carry over:

- hue and saturation come from the functional *share* of the gradient,
  s = G_σ ∗ |∇_{F,I2}| / (G_σ ∗ |∇_{F,I1}| + G_σ ∗ |∇_{F,I2}|) (:func:`functional_share`), a
  number in [0, 1] at every pixel: 0 where only the anatomical image drives F, 1 where only the
  functional one does. Hue = jet(s), saturation = Ω · s · S(jet(s)). Column sums of a network's
  Jacobian or of a choose-max rule change sign and size from one pixel to the next (salt and
  pepper); the Gaussian G_σ (σ = 2 pixels by default) pools them over a neighbourhood, and the
  ratio makes the colour a share rather than a magnitude, so it does not depend on how a map's
  few extreme pixels set its range (normalising ∇_{F,I2} alone by its 99.5th percentile left a
  brain almost grey: mean saturation 0.04 on an MRI-PET pair);
- value (brightness) is the fused image F itself (0.5-99.5 percentile range,
  :func:`normalise`), so the anatomy stays readable under the colour: ∇_{F,I1} of a good fusion
  is nearly flat inside tissue and hid it;
- only the pixels with signal (:attr:`Gradients.signal`, :func:`brainfuse.viz.mask.signal_mask`:
  either input above 10 % of its range, holes filled) count and are drawn; the others are
  black. Testing ``!= 0`` instead counts the Poisson counts of an emission image's background
  and the ~1e-40 interpolation residue of a resampled MRI template as signal (speckle and
  stripes around the head).

How the derivatives are obtained (:func:`gradient_path` says which applies to a method):

- ``exact``: a method that declares its gradients (the ``gradients`` field of
  :class:`~brainfuse.fusion.FusionMethod`, capability ``"exact-gradients"``) computes them
  itself: analytically for the pixel rules ``average``, ``maximum``, ``minimum``, ``weighted``
  (for a pixel-wise rule the column sum is ∂F[n, m]/∂I[n, m]; at ties of ``maximum`` and
  ``minimum`` the derivative is split equally between the inputs), by automatic
  differentiation for FunFuseAn. The first line of that function's docstring says how, and
  is the caption of the maps (:attr:`Gradients.detail`).
- ``finite-difference``: every other registered method, by forward finite differences on a
  lattice (the Curtis-Powell-Reid grouping for sparse Jacobians, 1974): the pixels
  ``(oy + s·p, ox + s·q)`` of one input are raised together by ``step`` grey levels (so a
  sample may reach 255 + ``step``), the change of the fused image is summed over the square
  cell of side ``s`` around each moved pixel, and divided by ``step``;
  the ``s²`` offsets cover every pixel, so the cost is ``2 s² + 1`` fusions. This equals the
  finite-difference column sums exactly when a pixel influences the output only within
  ``(s − 1)/2`` pixels (true of pixel rules for any ``s``); with a wider influence (pyramids,
  large guided filters) a change leaking into a neighbour's cell is credited to that
  neighbour, which blurs the map over ``s`` pixels but keeps its total. Where a method makes
  hard choices (choose-max rules), a ``step`` that flips a choice shows as a spike.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import ndimage

from ..color import apply_palette, hsv_to_rgb, rgb_to_grey, rgb_to_hsv
from ..errors import InputError
from ..fusion import FusionMethod, get_method
from .inputs import ImageLike, file_inputs, prepare_pair_2d
from .mask import signal_mask
from .overlay import PALETTE
from .render import (
    FOREGROUND,
    add_colorbar,
    figure_doc,
    finish,
    new_figure,
    output_path,
    show_image,
)
from .views import bind_view, param, register_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEFAULT_OMEGA",
    "DEFAULT_SIGMA",
    "Gradients",
    "color_code",
    "display_range",
    "finite_difference_gradients",
    "functional_grey",
    "functional_share",
    "gradient_color",
    "gradient_color_figure",
    "gradient_path",
    "gradients_figure",
    "input_gradients",
    "normalise",
]

#: Ω of the paper (the value with the best scores in its evaluation).
DEFAULT_OMEGA = 0.6
#: σ (pixels) of the Gaussian that pools the gradient magnitudes of the colour view.
DEFAULT_SIGMA = 2.0

FUNFUSEAN = "Kumar et al. 2020, FunFuseAn, MBIA/MFCA@MICCAI 2019, LNCS 11846"
OMEGA = param("Ω: saturation factor of the functional colour", minimum=0, maximum=1)
STEP = param(
    "finite-difference step (grey levels), for methods without exact gradients",
    minimum=0,
    maximum=64,
    exclusive_minimum=True,
)
SIGMA = param("σ (pixels) of the Gaussian pooling |∇F| before the functional share", minimum=0)
STRIDE = param("finite-difference lattice stride (pixels): 2·stride²+1 fusions", minimum=1)


@dataclass(frozen=True)
class Gradients:
    """∇_{F,I1} and ∇_{F,I2} of one method on one pair.

    Attributes
    ----------
    anatomical : numpy.ndarray
        ∇_{F,I1}, ``float32``, the pair's shape.
    functional : numpy.ndarray
        ∇_{F,I2}, ``float32``.
    fused : numpy.ndarray
        The grey fused image F these maps differentiate, ``float32`` on 0..255.
    method : str
        The fusion method.
    path : str
        ``"exact"`` or ``"finite-difference"``.
    detail : str
        How exactly, for captions and reports.
    signal : numpy.ndarray or None
        The pixels with signal in either input (:func:`~brainfuse.viz.mask.signal_mask`).
    params : dict
        The method's parameters, as bound.
    """

    anatomical: np.ndarray
    functional: np.ndarray
    fused: np.ndarray
    method: str
    path: str
    detail: str
    signal: np.ndarray | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def color(self, omega: float = DEFAULT_OMEGA, sigma: float = DEFAULT_SIGMA) -> np.ndarray:
        """FunFuseAn's colour image of these maps over their signal (:func:`gradient_color`).

        Parameters
        ----------
        omega : float, optional
            Ω, the saturation factor, in [0, 1].
        sigma : float, optional
            σ in pixels of the Gaussian pooling the gradient magnitudes.

        Returns
        -------
        numpy.ndarray
            ``float32`` RGB on 0..255.

        Examples
        --------
        >>> a = np.zeros((4, 4)); a[1:3, 1:3] = 100.0             # signal in the centre
        >>> g = input_gradients(a, np.zeros((4, 4)), "average")
        >>> g.color(0.0)[1:, 1:, 0].tolist()  # Ω = 0: the grey F (constant), black without signal
        [[127.5, 127.5, 0.0], [127.5, 127.5, 0.0], [0.0, 0.0, 0.0]]
        """
        return gradient_color(
            self.anatomical, self.functional, self.fused, omega=omega, sigma=sigma, mask=self.signal
        )


def gradient_path(method: str) -> str:
    """How :func:`input_gradients` differentiates ``method``.

    Parameters
    ----------
    method : str
        A registered fusion method.

    Returns
    -------
    str
        ``"exact"`` for a method that declares its gradients (capability
        ``"exact-gradients"``), ``"finite-difference"`` otherwise.

    Examples
    --------
    >>> gradient_path("maximum"), gradient_path("laplacian")
    ('exact', 'finite-difference')
    """
    return "exact" if get_method(method).gradients is not None else "finite-difference"


def _exact_detail(method: FusionMethod) -> str:
    """The first line of the docstring of ``method.gradients``: how they are computed."""
    lines = (inspect.getdoc(method.gradients) or "").strip().splitlines()
    return lines[0].rstrip(".") if lines else "exact"


def finite_difference_gradients(
    fuse: Callable[[np.ndarray, np.ndarray], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    *,
    step: float = 1.0,
    stride: int = 8,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Column sums Σ_ij ∂F[i, j]/∂I_k[n, m] of a 2D fusion by lattice finite differences.

    See the module docstring for the lattice; ``2·stride² + 1`` calls of ``fuse``.

    Parameters
    ----------
    fuse : callable
        ``fuse(a, b) -> F``, a 2D fusion of two grey images.
    a, b : numpy.ndarray
        Two grey 2D images of one shape, on 0..255.
    step : float, optional
        The step, in grey levels of the inputs' 0..255 scale, in (0, 64].
    stride : int, optional
        The lattice stride in pixels (≥ 1).
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    tuple of numpy.ndarray
        ∂F/∂a and ∂F/∂b column sums, ``float32``.

    References
    ----------
    A. R. Curtis, M. J. D. Powell and J. K. Reid, "On the estimation of sparse Jacobian
    matrices", IMA J. Appl. Math. 13(1):117-119, 1974.

    Examples
    --------
    >>> a = np.array([[10.0, 200.0]]); b = np.array([[50.0, 100.0]])
    >>> [g.tolist() for g in finite_difference_gradients(np.maximum, a, b, stride=1)]
    [[[0.0, 1.0]], [[1.0, 0.0]]]
    """
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if a.ndim != 2 or a.shape != b.shape:
        raise InputError(
            None, f"finite differences need two 2D images of one shape, got {a.shape}, {b.shape}"
        )
    if not 0.0 < step <= 64.0:
        raise InputError(None, f"step must lie in (0, 64] grey levels, got {step}")
    if stride < 1:
        raise InputError(None, f"stride must be at least 1, got {stride}")
    h, w = a.shape
    base = np.asarray(fuse(a, b), dtype=np.float64)
    grads = (np.zeros((h, w), np.float64), np.zeros((h, w), np.float64))
    offsets = [(oy, ox) for oy in range(min(stride, h)) for ox in range(min(stride, w))]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=2 * len(offsets), desc="finite differences", unit="fusion", leave=False)
    for oy, ox in offsets:
        n_r, n_c = (h - 1 - oy) // stride + 1, (w - 1 - ox) // stride + 1
        k_r = np.clip(np.rint((np.arange(h) - oy) / stride), 0, n_r - 1).astype(np.intp)
        k_c = np.clip(np.rint((np.arange(w) - ox) / stride), 0, n_c - 1).astype(np.intp)
        cell = (k_r[:, None] * n_c + k_c[None, :]).ravel()
        for k, x in enumerate((a, b)):
            moved = x.copy()
            moved[oy::stride, ox::stride] += np.float32(step)
            out = fuse(moved, b) if k == 0 else fuse(a, moved)
            change = np.asarray(out, dtype=np.float64) - base
            sums = np.bincount(cell, weights=change.ravel(), minlength=n_r * n_c)
            grads[k][oy::stride, ox::stride] = sums.reshape(n_r, n_c) / step
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    return grads[0].astype(np.float32), grads[1].astype(np.float32)


def input_gradients(
    anatomical: ImageLike,
    functional: ImageLike,
    method: str = "funfusean",
    *,
    step: float = 1.0,
    stride: int = 8,
    progress: bool = False,
    max_pixels: int | None = None,
    **params: Any,
) -> Gradients:
    """∇_{F,I1} and ∇_{F,I2} (Eq. 5 of FunFuseAn) of ``method`` on a 2D pair.

    Exact where the method declares its gradients, else by lattice finite differences (see the
    module docstring). The maps are dimensionless (grey levels of F per grey level of the
    input): a pixel-wise average gives 0.5 everywhere in both.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        I1 and I2, on 0..255 (arrays as they are, files by
        :func:`brainfuse.pair.prepare_pair`); a colour functional image counts by its
        luminance, which is what colour fusion fuses.
    method : str, optional
        A registered fusion method.
    step : float, optional
        Finite-difference step in grey levels (ignored for exact gradients).
    stride : int, optional
        Finite-difference lattice stride in pixels (ignored for exact gradients).
    progress : bool, optional
        Show a progress bar of the finite differences.
    max_pixels : int, optional
        Refuse files with more pixels than this.
    **params
        The method's parameters.

    Returns
    -------
    Gradients
        The two maps, how they were obtained and the pixels with signal.

    Raises
    ------
    InputError
        An unknown method or parameter, images that are not a 2D pair of one shape, NaN.

    References
    ----------
    N. Kumar, N. Hoffmann, M. Oelschlägel, E. Koch, M. Kirsch, S. Gumhold, "Structural
    Similarity based Anatomical and Functional Brain Imaging Fusion", MBIA/MFCA 2019,
    LNCS 11846 (FunFuseAn).

    Examples
    --------
    >>> a = np.array([[10.0, 200.0]]); b = np.array([[50.0, 100.0]])
    >>> g = input_gradients(a, b, "maximum")
    >>> g.anatomical.tolist(), g.functional.tolist(), g.path
    ([[0.0, 1.0]], [[1.0, 0.0]], 'exact')
    """
    m = get_method(method)
    bound = m.bind(params)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    a = pair.a
    b = functional_grey(pair.b, a.ndim)
    if a.ndim != 2 or a.shape != b.shape:
        raise InputError(
            None, f"gradient maps need two grey 2D images of one shape, got {a.shape} and {b.shape}"
        )
    for arr, name in ((a, "anatomical"), (b, "functional")):
        if not np.isfinite(arr).all():
            raise InputError(None, f"the {name} image contains NaN or infinite values")
    signal = signal_mask(a, b)
    fused = np.asarray(m.func(a, b, **bound), dtype=np.float32)
    if m.gradients is not None:
        g1, g2 = m.gradients(a, b, **bound)
        g1, g2 = np.asarray(g1, np.float32), np.asarray(g2, np.float32)
        return Gradients(g1, g2, fused, m.name, "exact", _exact_detail(m), signal, bound)
    g1, g2 = finite_difference_gradients(
        lambda x, y: m.func(x, y, **bound), a, b, step=step, stride=stride, progress=progress
    )
    detail = f"finite differences, step {step:g} grey level(s), lattice stride {stride}"
    return Gradients(g1, g2, fused, m.name, "finite-difference", detail, signal, bound)


#: Percentiles of a gradient map taken as its minimum and maximum for display.
CLIP_PERCENT = (0.5, 99.5)


def display_range(g: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
    """The range of a gradient map shown: its 0.5 and 99.5 percentiles.

    Parameters
    ----------
    g : numpy.ndarray
        A gradient map.
    mask : numpy.ndarray of bool, optional
        Only these pixels count (when it selects any).

    Returns
    -------
    tuple of float
        The percentiles, or the minimum and maximum where those coincide (e.g. a 0/1 map with
        under 0.5 % of ones).

    Examples
    --------
    >>> display_range(np.arange(1001.0))
    (5.0, 995.0)
    """
    g = np.asarray(g, dtype=np.float64)
    if mask is not None and np.any(mask):
        g = g[np.asarray(mask, dtype=bool)]
    lo, hi = (float(v) for v in np.percentile(g, CLIP_PERCENT))
    if hi <= lo:
        lo, hi = float(g.min()), float(g.max())
    return lo, hi


def normalise(g: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """FunFuseAn's min-max normalisation, robust to spikes.

    Parameters
    ----------
    g : numpy.ndarray
        A gradient map.
    mask : numpy.ndarray of bool, optional
        Only these pixels set the range.

    Returns
    -------
    numpy.ndarray
        ``(g − lo)/(hi − lo)`` clipped to [0, 1], with [lo, hi] = :func:`display_range`; a
        constant map gives 0.5.

    Examples
    --------
    >>> normalise(np.array([0.0, 1.0, 2.0])).tolist()
    [0.0, 0.5, 1.0]
    """
    g = np.asarray(g, dtype=np.float64)
    lo, hi = display_range(g, mask)
    if hi <= lo:
        return np.full(g.shape, 0.5)
    return np.clip((g - lo) / (hi - lo), 0.0, 1.0)


def functional_share(
    anatomical: np.ndarray, functional: np.ndarray, *, sigma: float = DEFAULT_SIGMA
) -> np.ndarray:
    """How much the functional image drives F at each pixel, from 0 to 1.

    s = G_σ ∗ |∇_{F,I2}| / (G_σ ∗ |∇_{F,I1}| + G_σ ∗ |∇_{F,I2}|), G_σ a Gaussian of σ pixels
    (:func:`scipy.ndimage.gaussian_filter`, mirrored borders): the functional part of the
    gradient magnitude pooled over a neighbourhood. Pooling removes the pixel-to-pixel salt and
    pepper of Jacobian column sums; the ratio does not depend on the maps' ranges.

    Parameters
    ----------
    anatomical, functional : numpy.ndarray
        ∇_{F,I1} and ∇_{F,I2}, one shape.
    sigma : float, optional
        σ of the Gaussian in pixels (default 2; 0 takes each pixel alone).

    Returns
    -------
    numpy.ndarray
        The share, float64 in [0, 1]; 0 where neither map moves F.

    Examples
    --------
    >>> functional_share(np.array([[1.0, 1.0, 0.0, 0.0]]), np.array([[0.0, 1.0, 3.0, 0.0]]),
    ...                  sigma=0).tolist()
    [[0.0, 0.5, 1.0, 0.0]]
    """
    pooled = [
        ndimage.gaussian_filter(np.abs(np.asarray(g, dtype=np.float64)), sigma, mode="mirror")
        for g in (anatomical, functional)
    ]
    total = pooled[0] + pooled[1]
    share = np.zeros(total.shape)
    np.divide(pooled[1], total, out=share, where=total > 0)
    return np.clip(share, 0.0, 1.0)


def color_code(level: np.ndarray, cmap: str = "jet") -> np.ndarray:
    """Levels in [0, 1] in a colour map of 256 entries.

    Parameters
    ----------
    level : numpy.ndarray
        Values in [0, 1] (clipped).
    cmap : str, optional
        A matplotlib colour map.

    Returns
    -------
    numpy.ndarray
        RGB ``float32`` on 0..255, of ``level``'s shape plus ``(3,)``.

    Examples
    --------
    >>> color_code(np.array([1.0]))[0].round().tolist()  # the red end of jet
    [128.0, 0.0, 0.0]
    """
    import matplotlib

    lut = matplotlib.colormaps[cmap].resampled(256)(np.arange(256))[:, :3] * 255.0
    idx = np.clip(np.rint(np.asarray(level) * 255.0), 0, 255).astype(np.intp)
    return lut[idx].astype(np.float32)


def gradient_color(
    anatomical: np.ndarray,
    functional: np.ndarray,
    fused: np.ndarray,
    *,
    omega: float = DEFAULT_OMEGA,
    sigma: float = DEFAULT_SIGMA,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """FunFuseAn's colour view: the fused image, coloured by the functional share of its gradient.

    With ``s`` = :func:`functional_share` of the two maps: H from jet(``s``), S = Ω · ``s`` ·
    S(jet(``s``)), V from :func:`normalise` (F); converted back to RGB. Where the functional
    image drives F the anatomy takes the colour of its share (green at one half, red near one);
    where only the anatomical image does, it stays grey.

    Parameters
    ----------
    anatomical, functional : numpy.ndarray
        ∇_{F,I1} and ∇_{F,I2} (:attr:`Gradients.anatomical`, :attr:`Gradients.functional`),
        2D, one shape.
    fused : numpy.ndarray
        The grey fused image F (:attr:`Gradients.fused`), the maps' shape.
    omega : float, optional
        Ω, the saturation factor, in [0, 1]; 0 gives the grey F.
    sigma : float, optional
        σ in pixels of the Gaussian that pools the gradient magnitudes (default 2).
    mask : numpy.ndarray of bool, optional
        E.g. :attr:`Gradients.signal`: only these pixels pool into the share and set F's
        range; the others are black.

    Returns
    -------
    numpy.ndarray
        ``float32`` RGB on 0..255; where ∇_{F,I2} = 0 around a pixel (or Ω = 0) the three
        channels are equal.

    Raises
    ------
    InputError
        If the maps, F or the mask differ in shape, or Ω or σ is out of its range.

    References
    ----------
    N. Kumar et al., "Structural Similarity based Anatomical and Functional Brain Imaging
    Fusion", MBIA/MFCA 2019, LNCS 11846 (FunFuseAn), Section 2.2.

    Examples
    --------
    >>> g1 = np.array([[1.0, 1.0]]); g2 = np.array([[0.0, 3.0]]); f = np.array([[0.0, 1.0]])
    >>> gradient_color(g1, g2, f, omega=0.0, sigma=0)[0, 1].tolist()
    [255.0, 255.0, 255.0]
    >>> gradient_color(g1, g2, f, omega=1.0, sigma=0)[0, 1].round().tolist()  # share 3/4: orange
    [255.0, 178.0, 64.0]
    """
    bound = bind_view("gradient-color", omega=omega, sigma=sigma)
    g1, g2, f = (np.asarray(x) for x in (anatomical, functional, fused))
    if g1.shape != g2.shape or g1.ndim != 2:
        raise InputError(None, f"gradient maps differ in shape: {g1.shape} and {g2.shape}")
    if f.shape != g1.shape:
        raise InputError(None, f"fused image shape {f.shape} differs from the maps' {g1.shape}")
    if mask is not None and np.shape(mask) != g1.shape:
        raise InputError(None, f"mask shape {np.shape(mask)} differs from the maps' {g1.shape}")
    if mask is not None:  # pixels without signal do not pool into their neighbours' share
        keep = np.asarray(mask, dtype=bool)
        g1, g2 = np.where(keep, g1, 0.0), np.where(keep, g2, 0.0)
    share = functional_share(g1, g2, sigma=bound["sigma"])
    return _share_color(share, normalise(f, mask), bound["omega"], mask)


def _share_color(
    share: np.ndarray, value: np.ndarray, omega: float, mask: np.ndarray | None = None
) -> np.ndarray:
    """HSV: hue jet(share), saturation Ω · share · S(jet), value ``value`` (0..1) → RGB."""
    hsv = rgb_to_hsv(color_code(share, "jet"))
    hsv[..., 1] *= omega * share
    hsv[..., 2] = value * 255.0
    if mask is not None:
        hsv[~np.asarray(mask, dtype=bool), 2] = 0.0
    return np.clip(hsv_to_rgb(hsv), 0.0, 255.0).astype(np.float32)


def functional_grey(b: np.ndarray, a_ndim: int = 2) -> np.ndarray:
    """The grey functional image a method fuses: itself, or the luminance of a colour image.

    Parameters
    ----------
    b : numpy.ndarray
        The functional image, grey or colour (one more axis than the anatomical image).
    a_ndim : int, optional
        The number of axes of the anatomical image.

    Returns
    -------
    numpy.ndarray
        ``float32``, grey.

    Examples
    --------
    >>> functional_grey(np.full((2, 2, 3), 100.0)).shape
    (2, 2)
    """
    b = np.asarray(b, dtype=np.float32)
    return rgb_to_grey(b) if b.ndim == a_ndim + 1 else b


# ----------------------------------------------------------------------------- figures

Paths = Iterable[str | os.PathLike[str] | None]


def _key(omega: float, n: int = 64) -> np.ndarray:
    """The 2D colour key: the functional share from 0 (left) to 1, F's brightness bottom → top."""
    x = np.linspace(0.0, 1.0, n)
    return _share_color(np.tile(x, (n, 1)), np.tile(x[::-1, None], (1, n)), omega)


def _gradients_of(
    anatomical: ImageLike,
    functional: ImageLike,
    gradients: Gradients | None,
    method: str,
    params: Mapping[str, Any] | None,
    opts: Mapping[str, Any],
    progress: bool,
    max_pixels: int | None,
) -> Gradients:
    """``gradients``, or those of ``method`` on the pair."""
    if gradients is not None:
        return gradients
    return input_gradients(
        anatomical,
        functional,
        method,
        step=opts["step"],
        stride=opts["stride"],
        progress=progress,
        max_pixels=max_pixels,
        **dict(params or {}),
    )


@register_view(
    "gradient-color",
    family="gradients",
    summary="FunFuseAn's colour view: F coloured by the functional share of its gradient",
    params={"omega": OMEGA, "sigma": SIGMA, "step": STEP, "stride": STRIDE},
    reference=FUNFUSEAN,
    capabilities=("raw", "fusion", "gradients"),
)
@figure_doc
def gradient_color_figure(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    method: str = "funfusean",
    params: Mapping[str, Any] | None = None,
    omega: float = DEFAULT_OMEGA,
    sigma: float = DEFAULT_SIGMA,
    step: float = 1.0,
    stride: int = 8,
    gradients: Gradients | None = None,
    progress: bool = False,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """FunFuseAn's colour view of a fusion, with its 2D colour key (hue ← the functional share
    of ∇F, brightness ← F).

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The pair (see :func:`input_gradients`); not read when ``gradients`` is given.
    method : str, optional
        The fusion method differentiated.
    params : mapping, optional
        Its parameters.
    omega : float, optional
        Ω, the saturation factor, in [0, 1].
    sigma : float, optional
        σ in pixels of the Gaussian pooling the gradient magnitudes (:func:`functional_share`).
    step, stride : optional
        The finite-difference step (grey levels) and lattice stride (pixels), for methods
        without exact gradients.
    gradients : Gradients, optional
        The maps, when already computed (:func:`input_gradients` of this pair).
    progress : bool, optional
        Show a progress bar of the finite differences.
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    References
    ----------
    N. Kumar et al., "Structural Similarity based Anatomical and Functional Brain Imaging
    Fusion", MBIA/MFCA 2019, LNCS 11846 (FunFuseAn), Section 2.2.

    Examples
    --------
    >>> a = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
    >>> fig = gradient_color_figure(a, a.T, method="maximum", omega=0.5)
    >>> fig.texts[0].get_text()
    'maximum: FunFuseAn gradient colours, Ω = 0.5'
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view("gradient-color", omega=omega, sigma=sigma, step=step, stride=stride)
    grads = _gradients_of(
        anatomical, functional, gradients, method, params, opts, progress, max_pixels
    )
    omega = opts["omega"]
    image = grads.color(omega, opts["sigma"])
    cell, key_w, title = 4.0, 1.6, 0.5
    width = cell + key_w + 0.45
    fig = new_figure(width, cell + title)
    ax = fig.add_axes((0.0, 0.0, cell / width, cell / (cell + title)))
    show_image(ax, image)
    fig.text(
        0.5 * cell / width,
        1 - 0.2 / (cell + title),
        f"{grads.method}: FunFuseAn gradient colours, Ω = {omega:g}",
        color=FOREGROUND,
        fontsize=9,
        ha="center",
        va="top",
    )
    fig.text(
        0.5 * cell / width,
        1 - 0.38 / (cell + title),
        grads.detail,
        color="#aaaaaa",
        fontsize=7,
        ha="center",
        va="top",
    )
    side = key_w - 0.25
    kax = fig.add_axes(
        (
            (cell + 0.5) / width,
            (0.5 * cell - 0.5 * side) / (cell + title),
            side / width,
            side / (cell + title),
        )
    )
    kax.imshow(_key(omega).astype(np.uint8), extent=(0, 1, 0, 1), interpolation="nearest")
    kax.set_title("colour key", color=FOREGROUND, fontsize=7)
    kax.set_xlabel("functional share of ∇F", color=FOREGROUND, fontsize=7)
    kax.set_ylabel("F", color=FOREGROUND, fontsize=7)
    kax.set_xticks([0, 1], ["0", "1"])
    kax.set_yticks([0, 1], ["min", "max"])
    kax.tick_params(colors=FOREGROUND, labelsize=6)
    for spine in kax.spines.values():
        spine.set_edgecolor(FOREGROUND)
    return finish(fig, out, inputs)


@register_view(
    "gradients",
    family="gradients",
    summary="inputs, fused image, ∇F,I1 and ∇F,I2 with colour bars, colour views at several Ω",
    params={"palette": PALETTE, "step": STEP, "stride": STRIDE},
    reference=FUNFUSEAN,
    capabilities=("fusion", "gradients"),
)
@figure_doc
def gradients_figure(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    method: str = "funfusean",
    params: Mapping[str, Any] | None = None,
    omegas: Sequence[float] = (0.3, DEFAULT_OMEGA, 1.0),
    palette: str | None = "pet",
    step: float = 1.0,
    stride: int = 8,
    gradients: Gradients | None = None,
    fused: np.ndarray | None = None,
    names: tuple[str, str] | None = None,
    progress: bool = False,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """The full panel: I1, I2, F; ∇_{F,I1} (grey) and ∇_{F,I2} (jet) with colour bars of
    their values; the colour view at each Ω of ``omegas``.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The pair (see :func:`input_gradients`).
    method : str, optional
        The fusion method (when ``gradients`` is given: the one it was computed for).
    params : mapping, optional
        Its parameters.
    omegas : sequence of float, optional
        Ω of each colour view, each in [0, 1].
    palette : str or None, optional
        The palette a grey functional image is shown in (None: grey); a colour one keeps its
        colours.
    step, stride : optional
        The finite-difference step (grey levels) and lattice stride (pixels), for methods
        without exact gradients.
    gradients : Gradients, optional
        The maps, when already computed (:func:`input_gradients` of this pair).
    fused : numpy.ndarray, optional
        The fused image shown (default: the method's grey fusion of the pair).
    names : tuple of str, optional
        Titles of the two images (default: their files, else "MRI (I1)", "PET (I2)").
    progress : bool, optional
        Show a progress bar of the finite differences.
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    References
    ----------
    N. Kumar et al., "Structural Similarity based Anatomical and Functional Brain Imaging
    Fusion", MBIA/MFCA 2019, LNCS 11846 (FunFuseAn), Section 2.2.

    Examples
    --------
    >>> a = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
    >>> fig = gradients_figure(a, a.T, method="average", omegas=(0.5,))
    >>> fig.axes[2].get_title()
    'fused F (average)'
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    shown_in = {} if palette is None else {"palette": palette}  # None: a grey image in grey
    opts = bind_view("gradients", step=step, stride=stride, **shown_in)
    omegas = [bind_view("gradient-color", omega=w)["omega"] for w in omegas]
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    names = names or pair.names(("MRI (I1)", "PET (I2)"))
    grads = _gradients_of(pair.a, pair.b, gradients, method, params, opts, progress, None)
    if fused is None:
        fused = grads.fused
    b_shown = pair.b
    if palette is not None and b_shown.ndim == pair.a.ndim:
        b_shown = apply_palette(b_shown, opts["palette"])
    cols = max(3, len(omegas))
    cell, slot, title = 2.6, 0.85, 0.34
    width = cols * (cell + slot)
    height = 3 * (cell + title) + 0.3
    fig = new_figure(width, height)

    def axes(r: int, c: int):
        left = c * (cell + slot) / width
        bottom = (height - 0.3 - (r + 1) * (cell + title)) / height
        return fig.add_axes((left, bottom, cell / width, cell / height)), (left, bottom)

    def bar_rect(pos):
        left, bottom = pos
        return (
            left + (cell + 0.08) / width,
            bottom + 0.1 * cell / height,
            0.12 / width,
            0.8 * cell / height,
        )

    fig.text(
        0.5,
        1 - 0.06 / height,
        f"{grads.method}: ∇F,I = Σ ∂F/∂I — {grads.detail}",
        color=FOREGROUND,
        fontsize=10,
        ha="center",
        va="top",
    )
    ax, _ = axes(0, 0)
    show_image(ax, pair.a, title=names[0], vmin=0, vmax=255)
    ax, _ = axes(0, 1)
    show_image(ax, b_shown, title=names[1], vmin=0, vmax=255)
    ax, _ = axes(0, 2)
    show_image(ax, fused, title=f"fused F ({grads.method})", vmin=0, vmax=255)
    for c, (g, cmap, label) in enumerate(
        (
            (grads.anatomical, "gray", "∇F,I1 (anatomical)"),
            (grads.functional, "jet", "∇F,I2 (functional)"),
        )
    ):
        ax, pos = axes(1, c)
        lo, hi = display_range(g, grads.signal)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        if grads.signal is not None:  # no signal in either input: background, not drawn
            g = np.where(grads.signal, g, np.nan)
        shown = show_image(ax, g, title=label, cmap=cmap, vmin=lo, vmax=hi)
        add_colorbar(fig, shown, bar_rect(pos), "Σ ∂F/∂I")
    ax, _ = axes(1, 2)
    show_image(ax, grads.color(0.0), title="Ω = 0 (F in grey)")
    for c, omega in enumerate(omegas):
        ax, _ = axes(2, c)
        show_image(ax, grads.color(omega), title=f"colour view, Ω = {omega:g}")
    return finish(fig, out, inputs)
