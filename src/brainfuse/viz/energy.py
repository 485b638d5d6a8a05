"""MdAFuse's energy-based colour enhancement, and its use across time points.

Wen, Khan, Chen, Peng, Fang, Chen & Li 2024, "High-Quality Fusion and Visualization for MR-PET
Brain Tumor Images via Multi-Dimensional Features", IEEE TIP 33:3550-3563 (MdAFuse). The
paper describes the enhancement only in words: after fusion, a colour step "mainly enhance[s]
the energy information from the original PET/SPECT images in the fused image", and applied
to "different time series of the same case" it lets a lesion's evolution be followed. No
formula is given and the public code holds none, so this implementation chooses one and says
so:

1. Functional energy. ``P`` is the grey functional image on 0..255 (the luminance of a
   pseudo-colour image). Its local energy is the Gaussian-weighted mean of ``P²`` around each
   pixel, ``E = G_σ * P²`` (σ = 2 pixels by default), the window energy of classical fusion
   rules. Squaring favours strong uptake over the low background.
2. Weight. ``w = clip(E / E_ref, 0, 1)``, with ``E_ref`` the largest energy of the image, or,
   across time points, of *all* time points (:func:`energy_reference`), so one uptake gives one
   colour at every date.
3. Luminance. The fused image ``F`` keeps the anatomy; where the functional image is brighter
   than ``F`` its energy is put back: ``Y = F + lift · w · max(P − F, 0)`` (``lift`` = 0.5).
4. Colour. Hue and saturation come from the functional image: its own colours if it is
   pseudo-colour, else ``palette(P)`` with the fixed window 0..255. Its chroma (Cb, Cr of
   full-range YCbCr) is scaled by ``min(1, gain · w)`` (``gain`` = 1.5), so low-energy regions
   stay grey and high-energy ones take the functional colour.
5. ``Y`` is put under that chroma with :func:`brainfuse.color.fuse_luminance`, which keeps the
   chroma exactly and clamps ``Y`` to the range the colour exists in.

With ``gain = 0`` and ``lift = 0`` the result is the grey fused image.

:func:`enhance` and :func:`enhance_figure` fuse a pair and enhance it; :func:`timeline` does
it for one case at several dates with one window and one ``E_ref``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import ndimage

from ..color import apply_palette, fuse_luminance, rgb_to_grey, rgb_to_ycbcr, ycbcr_to_rgb
from ..errors import InputError
from ..fusion import fuse_arrays, get_method
from .inputs import ImageLike, file_inputs, prepare_pair_2d
from .overlay import PALETTE, palette_colormap
from .render import (
    FOREGROUND,
    add_colorbar,
    figure_doc,
    finish,
    new_figure,
    output_path,
    row_figure,
    show_image,
)
from .views import bind_view, param, register_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "energy_enhance",
    "energy_reference",
    "energy_weight",
    "enhance",
    "enhance_figure",
    "local_energy",
    "timeline",
    "timeline_figure",
]

Paths = Iterable[str | os.PathLike[str] | None]

MDAFUSE = "Wen et al. 2024, IEEE TIP 33:3550-3563 (MdAFuse)"
#: The parameters of the energy views.
ENERGY_PARAMS = {
    "palette": PALETTE,
    "sigma": param(
        "Gaussian window of the local energy (pixels)", minimum=0, exclusive_minimum=True
    ),
    "gain": param("colour gain on the energy weight", minimum=0),
    "lift": param("share of the missing functional luminance put back", minimum=0, maximum=1),
}
#: The method that fuses when none is given: MdAFuse's own network.
DEFAULT_METHOD = "mdafuse"


def _grey(functional: np.ndarray) -> np.ndarray:
    f = np.asarray(functional, dtype=np.float32)
    return rgb_to_grey(f) if f.ndim == 3 else f


def local_energy(functional: np.ndarray, *, sigma: float = 2.0) -> np.ndarray:
    """``E = G_σ * P²``: the Gaussian-weighted local mean of the squared functional image.

    Parameters
    ----------
    functional : numpy.ndarray
        ``P``: grey on 0..255, or pseudo-colour RGB (its luminance).
    sigma : float, optional
        The Gaussian's standard deviation in pixels (> 0).

    Returns
    -------
    numpy.ndarray
        ``float64``, grey.

    References
    ----------
    Wen et al., IEEE TIP 33:3550-3563, 2024 (MdAFuse).

    Examples
    --------
    >>> round(float(local_energy(np.full((5, 5), 10.0))[2, 2]), 6)
    100.0
    """
    sigma = bind_view("enhance", sigma=sigma)["sigma"]
    p = _grey(functional).astype(np.float64)
    return ndimage.gaussian_filter(p * p, sigma, mode="nearest")


def energy_reference(functionals: Sequence[np.ndarray], *, sigma: float = 2.0) -> float:
    """The largest local energy over several images: one ``E_ref`` for a whole time series.

    Parameters
    ----------
    functionals : sequence of numpy.ndarray
        The functional images of every date.
    sigma : float, optional
        The Gaussian window (pixels).

    Returns
    -------
    float
        ``max`` of :func:`local_energy` over all images.

    Examples
    --------
    >>> round(energy_reference([np.full((3, 3), 10.0), np.full((3, 3), 20.0)]), 6)
    400.0
    """
    if not functionals:
        raise InputError(None, "no functional image given")
    return max(float(local_energy(f, sigma=sigma).max()) for f in functionals)


def energy_weight(
    functional: np.ndarray, *, sigma: float = 2.0, reference: float | None = None
) -> np.ndarray:
    """The energy weight ``w = clip(E / E_ref, 0, 1)``.

    Parameters
    ----------
    functional : numpy.ndarray
        The functional image (grey on 0..255, or pseudo-colour RGB).
    sigma : float, optional
        The Gaussian window (pixels).
    reference : float, optional
        ``E_ref`` (default: the image's own largest energy).

    Returns
    -------
    numpy.ndarray
        ``float64`` in [0, 1]; 0 everywhere when ``E_ref`` ≤ 0.

    Examples
    --------
    >>> round(float(energy_weight(np.full((3, 3), 10.0), reference=400.0).max()), 6)
    0.25
    """
    e = local_energy(functional, sigma=sigma)
    ref = float(e.max()) if reference is None else float(reference)
    if ref <= 0:
        return np.zeros(e.shape)
    return np.clip(e / ref, 0.0, 1.0)


def energy_enhance(
    fused: np.ndarray,
    functional: np.ndarray,
    *,
    palette: str = "pet",
    sigma: float = 2.0,
    gain: float = 1.5,
    lift: float = 0.5,
    reference: float | None = None,
) -> np.ndarray:
    """Colour-enhance a grey fused image with the energy of the functional image (MdAFuse).

    See the module docstring for the five steps.

    Parameters
    ----------
    fused : numpy.ndarray
        The grey fused image on 0..255, 2D.
    functional : numpy.ndarray
        Its functional source, grey on 0..255 or pseudo-colour RGB, of the same size.
    palette : str, optional
        The palette of a grey functional image (window 0..255).
    sigma : float, optional
        The Gaussian window of the local energy (pixels, > 0).
    gain : float, optional
        The colour gain on the energy weight (≥ 0).
    lift : float, optional
        The share of the missing functional luminance put back, in [0, 1].
    reference : float, optional
        ``E_ref`` (default: this image's largest local energy; pass :func:`energy_reference`
        of all time points to compare dates).

    Returns
    -------
    numpy.ndarray
        ``float32`` RGB on 0..255.

    References
    ----------
    Wen, Khan, Chen, Peng, Fang, Chen & Li, "High-Quality Fusion and Visualization for MR-PET
    Brain Tumor Images via Multi-Dimensional Features", IEEE TIP 33:3550-3563, 2024.

    Examples
    --------
    >>> fused = np.full((8, 8), 60.0, np.float32)
    >>> out = energy_enhance(fused, np.zeros((8, 8)), gain=0.0, lift=0.0)
    >>> out.shape, float(out[0, 0, 0])  # no gain, no lift: the grey fused image
    ((8, 8, 3), 60.0)
    """
    opts = bind_view("enhance", palette=palette, sigma=sigma, gain=gain, lift=lift)
    f = np.asarray(fused, dtype=np.float32)
    src = np.asarray(functional, dtype=np.float32)
    if f.ndim != 2:
        raise InputError(None, f"the fused image must be grey 2D, got shape {f.shape}")
    if (src.shape[:2] if src.ndim == 3 else src.shape) != f.shape:
        raise InputError(None, f"functional shape {src.shape} differs from the fused {f.shape}")
    p = _grey(src).astype(np.float64)
    w = energy_weight(src, sigma=opts["sigma"], reference=reference)
    y = f + opts["lift"] * w * np.maximum(p - f, 0.0)
    color = src if src.ndim == 3 else apply_palette(p, opts["palette"], vmin=0, vmax=255)
    ycc = rgb_to_ycbcr(color).astype(np.float64)
    ycc[..., 1:] = 128.0 + (ycc[..., 1:] - 128.0) * np.minimum(1.0, opts["gain"] * w)[..., None]
    return fuse_luminance(y.astype(np.float32), ycbcr_to_rgb(ycc), lambda lum, _: lum)


def _fused(a: np.ndarray, b: np.ndarray, method: str, params: Mapping[str, Any]) -> np.ndarray:
    """The grey fusion of a prepared pair (a colour functional image by its luminance)."""
    return fuse_arrays(a, _grey(b), method, **params)


def enhance(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    method: str = DEFAULT_METHOD,
    params: Mapping[str, Any] | None = None,
    palette: str = "pet",
    sigma: float = 2.0,
    gain: float = 1.5,
    lift: float = 0.5,
    max_pixels: int | None = None,
) -> np.ndarray:
    """Fuse a pair in grey with ``method`` and colour-enhance it (:func:`energy_enhance`).

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The registered 2D pair (see :mod:`brainfuse.viz.inputs`).
    method : str, optional
        The fusion method (default MdAFuse's network).
    params : mapping, optional
        Its parameters.
    palette, sigma, gain, lift
        As for :func:`energy_enhance`.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    numpy.ndarray
        The enhanced fusion, ``float32`` RGB on 0..255.

    References
    ----------
    Wen et al., IEEE TIP 33:3550-3563, 2024 (MdAFuse).

    Examples
    --------
    >>> mri = np.full((8, 8), 80.0); pet = np.zeros((8, 8)); pet[2:5, 2:5] = 240
    >>> enhance(mri, pet, method="average").shape
    (8, 8, 3)
    """
    opts = bind_view("enhance", palette=palette, sigma=sigma, gain=gain, lift=lift)
    params = dict(params or {})
    get_method(method).bind(params)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    return energy_enhance(_fused(pair.a, pair.b, method, params), pair.b, **opts)


@register_view(
    "enhance",
    family="energy",
    summary="MdAFuse's energy-based colour enhancement of the fused image",
    params=ENERGY_PARAMS,
    reference=MDAFUSE,
    capabilities=("raw", "fusion"),
)
@figure_doc
def enhance_figure(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    method: str | None = None,
    params: Mapping[str, Any] | None = None,
    fused: np.ndarray | None = None,
    palette: str = "pet",
    sigma: float = 2.0,
    gain: float = 1.5,
    lift: float = 0.5,
    names: tuple[str, str] | None = None,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """One row: anatomical, functional, fused, enhanced fusion, and the energy weight ``w``
    with its colour bar.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The registered 2D pair (see :mod:`brainfuse.viz.inputs`).
    method : str, optional
        The fusion method: it fuses the pair (default MdAFuse's network), or names the method
        that made ``fused``.
    params : mapping, optional
        Its parameters.
    fused : numpy.ndarray, optional
        The grey fused image, when already computed.
    palette, sigma, gain, lift
        As for :func:`energy_enhance`.
    names : tuple of str, optional
        Titles of the two images (default: their files, else "MRI", "functional").
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    References
    ----------
    Wen et al., IEEE TIP 33:3550-3563, 2024 (MdAFuse).

    Examples
    --------
    >>> mri = np.full((8, 8), 80.0); pet = np.zeros((8, 8)); pet[2:5, 2:5] = 240
    >>> enhance_figure(mri, pet, method="maximum").axes[2].get_title()
    'fused (maximum)'
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view("enhance", palette=palette, sigma=sigma, gain=gain, lift=lift)
    params = dict(params or {})
    if fused is None:
        method = method or DEFAULT_METHOD
        get_method(method).bind(params)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    names = names or pair.names(("MRI", "functional"))
    if fused is None:
        fused = _fused(pair.a, pair.b, method, params)  # type: ignore[arg-type]
    f = pair.b
    enhanced = energy_enhance(fused, f, **opts)
    weight = energy_weight(f, sigma=opts["sigma"])
    fig, axes, bar_rect = row_figure(5, cell=2.6)
    show_image(axes[0], pair.a, title=names[0])
    if f.ndim == 3:
        show_image(axes[1], f, title=names[1])
    else:
        palette = opts["palette"]
        show_image(axes[1], f, title=f"{names[1]} ({palette})", cmap=palette_colormap(palette))
    show_image(axes[2], fused, title=f"fused ({method})" if method else "fused", vmin=0, vmax=255)
    show_image(axes[3], enhanced, title=f"enhanced (gain {opts['gain']:g}, lift {opts['lift']:g})")
    shown = show_image(
        axes[4],
        weight,
        title=f"energy weight w (σ = {opts['sigma']:g})",
        cmap="inferno",
        vmin=0,
        vmax=1,
    )
    add_colorbar(fig, shown, bar_rect, "w = G_σ*P² / max")
    return finish(fig, out, inputs)


@figure_doc
def timeline_figure(
    anatomical: Sequence[np.ndarray],
    functional: Sequence[np.ndarray],
    fused: Sequence[np.ndarray],
    *,
    labels: Sequence[str] | None = None,
    method: str = "",
    palette: str = "pet",
    sigma: float = 2.0,
    gain: float = 1.5,
    lift: float = 0.5,
    window: tuple[float, float] | None = None,
    names: tuple[str, str] = ("MRI", "functional"),
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """The same slice at several dates, drawn with identical settings: one column per date,
    rows MRI, functional (one window and colour bar for all dates) and energy-enhanced fusion
    (one ``E_ref`` for all dates).

    :func:`timeline` prepares the dates from files and draws them here.

    Parameters
    ----------
    anatomical : sequence of numpy.ndarray
        The grey anatomical image of each date, on 0..255.
    functional : sequence of numpy.ndarray
        The functional image of each date, on the 0..255 scale of one common window, grey, or
        pseudo-colour RGB.
    fused : sequence of numpy.ndarray
        The grey fused image of each date.
    labels : sequence of str, optional
        One label per date (default ``t0``, ``t1`` ...).
    method : str, optional
        The fusion method, for the title.
    palette, sigma, gain, lift
        As for :func:`energy_enhance`.
    window : tuple of float, optional
        The common window in the functional images' own unit, for the colour bar.
    names : tuple of str, optional
        The two modalities.
    {figure_output}

    References
    ----------
    Wen et al., IEEE TIP 33:3550-3563, 2024 (MdAFuse).

    Examples
    --------
    >>> mri = np.full((8, 8), 80.0); pet = np.zeros((8, 8)); pet[2:5, 2:5] = 240
    >>> fig = timeline_figure([mri, mri], [pet, pet / 2], [mri, mri], labels=["m0", "m3"])
    >>> fig.axes[0].get_title(), fig.axes[3].get_title()
    ('m0: MRI', 'm3: MRI')
    """
    opts = bind_view("timeline", palette=palette, sigma=sigma, gain=gain, lift=lift)
    n = len(anatomical)
    if not (n == len(functional) == len(fused)) or n == 0:
        raise InputError(None, "need as many anatomical, functional and fused images (at least 1)")
    labels = list(labels) if labels else [f"t{k}" for k in range(n)]
    if len(labels) != n:
        raise InputError(None, f"{len(labels)} labels for {n} time points")
    out = output_path(output_file, inputs)
    palette, sigma, gain, lift = opts["palette"], opts["sigma"], opts["gain"], opts["lift"]
    ref = energy_reference(list(functional), sigma=sigma)
    cell, title, head, slot = 2.4, 0.3, 0.45, 1.0
    width = max(n * cell, 5.0) + slot
    height = head + 3 * (cell + title)
    fig = new_figure(width, height)
    fig.text(
        0.5,
        1 - 0.06 / height,
        "MdAFuse energy-based colour enhancement"
        + (f", fusion: {method}" if method else "")
        + f"\nσ = {sigma:g}, gain = {gain:g}, lift = {lift:g}; one window, one E_ref for all dates",
        color=FOREGROUND,
        fontsize=8,
        ha="center",
        va="top",
    )
    rows = (names[0], names[1], "enhanced fusion")
    shown = None
    for c in range(n):
        enhanced = energy_enhance(fused[c], functional[c], reference=ref, **opts)
        for r in range(3):
            bottom = (height - head - (r + 1) * (cell + title)) / height
            ax = fig.add_axes((c * cell / width, bottom, cell / width, cell / height))
            ttl = f"{labels[c]}: {rows[r]}" if r == 0 else rows[r]
            if r == 0:
                show_image(ax, anatomical[c], title=ttl)
            elif r == 1:
                f = np.asarray(functional[c])
                if f.ndim == 3:
                    show_image(ax, f, title=ttl)
                else:
                    shown = show_image(
                        ax, f, title=ttl, cmap=palette_colormap(palette), vmin=0, vmax=255
                    )
            else:
                show_image(ax, enhanced, title=ttl)
    if shown is not None:
        bottom = (height - head - 2 * (cell + title)) / height
        rect = (
            n * cell / width + 0.12 / width,
            bottom + 0.1 * cell / height,
            0.14 / width,
            0.8 * cell / height,
        )
        unit = "one window for all dates" if window is not None else "0-255"
        add_colorbar(fig, shown, rect, f"{names[1]} ({unit})")
        if window is not None:
            bar = fig.axes[-1]
            lo, hi = window
            ticks = np.linspace(0, 255, 5)
            bar.set_yticks(ticks, [f"{lo + t / 255 * (hi - lo):.3g}" for t in ticks])
    return finish(fig, out, inputs)


@register_view(
    "timeline",
    family="energy",
    summary="one slice at several dates with one window and one energy reference",
    params=ENERGY_PARAMS,
    reference=MDAFUSE,
    capabilities=("fusion", "time-series"),
)
@figure_doc
def timeline(
    pairs: Sequence[tuple[ImageLike, ImageLike]],
    *,
    method: str = DEFAULT_METHOD,
    params: Mapping[str, Any] | None = None,
    labels: Sequence[str] | None = None,
    palette: str = "pet",
    sigma: float = 2.0,
    gain: float = 1.5,
    lift: float = 0.5,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """One case at several dates: every pair loaded, put on one window, fused and enhanced.

    Each date's anatomical image is put on 0..255 (:func:`brainfuse.pair.prepare_pair`). The
    functional images share one window - from the smallest to the largest value over all
    dates, in their own unit (counts, 16-bit values) - and one energy reference, so equal
    uptake gets equal colour at every date; pseudo-colour images keep their colours. Each
    pair is fused in grey by ``method`` and drawn by :func:`timeline_figure`.

    Parameters
    ----------
    pairs : sequence of (anatomical, functional)
        One registered 2D pair per date, in order; images of any kind (see
        :mod:`brainfuse.viz.inputs`).
    method : str, optional
        The fusion method (default MdAFuse's network).
    params : mapping, optional
        Its parameters.
    labels : sequence of str, optional
        One label per date (default: the stems of the anatomical files, else ``t0``, ``t1``
        ...).
    palette, sigma, gain, lift
        As for :func:`energy_enhance`.
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    Raises
    ------
    InputError
        No pair, as many labels as dates, a file that cannot be read, a pair whose sizes
        differ, an unknown method or parameter.

    References
    ----------
    Wen et al., IEEE TIP 33:3550-3563, 2024 (MdAFuse): the enhancement applied to "different
    time series of the same case".

    Examples
    --------
    >>> mri = np.full((8, 8), 80.0); pet = np.zeros((8, 8)); pet[2:5, 2:5] = 240
    >>> fig = timeline([(mri, pet), (mri, pet / 2)], method="average")
    >>> fig.axes[0].get_title()
    't0: anatomical'
    """
    opts = bind_view("timeline", palette=palette, sigma=sigma, gain=gain, lift=lift)
    if not pairs:
        raise InputError(None, "give at least one anatomical/functional pair")
    if labels and len(labels) != len(pairs):
        raise InputError(None, f"{len(labels)} labels for {len(pairs)} dates")
    inputs = file_inputs(*(x for pair in pairs for x in pair), inputs=inputs)
    out = output_path(output_file, inputs)
    params = dict(params or {})
    get_method(method).bind(params)
    views = [prepare_pair_2d(a, b, max_pixels=max_pixels) for a, b in pairs]
    names = ("anatomical", "functional")
    for view in views:
        names = view.kinds or names
    own = [view.b_own for view in views]
    if any(f.ndim == 3 for f in own):
        funcs, window = [np.clip(f, 0, 255).astype(np.float32) for f in own], None
    else:
        lo = min(float(f.min()) for f in own)
        hi = max(float(f.max()) for f in own)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        funcs, window = [((f - lo) * scale).astype(np.float32) for f in own], (lo, hi)
    fused = [_fused(view.a, f, method, params) for view, f in zip(views, funcs, strict=True)]
    labels = list(labels or [view.label or f"t{k}" for k, view in enumerate(views)])
    fig = timeline_figure(
        [view.a for view in views],
        funcs,
        fused,
        labels=labels,
        method=method,
        window=window,
        names=names,
        **opts,
    )
    return finish(fig, out, inputs)
