"""Overlays, checkerboards and difference maps of two registered images.

- :func:`overlay`: the anatomical image in grey with the functional image on top in a colour map
  (DICOM PET palettes, ``hot``, ``jet``, ``inferno`` ...) with opacity α, the background
  outside the head left transparent - the display every PET/MR viewer offers (alpha
  blending, Porter & Duff 1984);
- :func:`checkerboard`: alternate square tiles of the two images, the usual check of a
  registration (edges must continue across tile borders);
- :func:`difference`: the signed difference A − B, shown in a diverging map with symmetric
  limits, e.g. to see what one fusion method keeps that another loses.

The array functions return arrays; the ``*_figure`` functions return a labelled figure with a
colour bar where the colours stand for values (written as PNG when given ``output_file``, see
:mod:`brainfuse.viz`); :func:`overlay_html` writes an HTML page.
"""

from __future__ import annotations

import base64
import html
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..color import DICOM_PALETTES, apply_palette, check_palette, rgb_to_grey
from ..errors import InputError
from ..io.atomic import atomic_path
from ..io.writers import png_bytes
from .inputs import ImageLike, file_inputs, prepare_pair_2d, prepare_two
from .mask import signal_mask
from .render import (
    add_colorbar,
    check_output,
    figure_doc,
    finish,
    output_path,
    row_figure,
    show_image,
)
from .views import bind_view, param, register_view

if TYPE_CHECKING:
    from matplotlib.colors import Colormap
    from matplotlib.figure import Figure

__all__ = [
    "ALPHA",
    "PALETTE",
    "THRESHOLD",
    "checkerboard",
    "checkerboard_figure",
    "difference",
    "difference_figure",
    "diverging_colormap",
    "grey_window",
    "overlay",
    "overlay_figure",
    "overlay_html",
    "palette_colormap",
]

Paths = Iterable[str | os.PathLike[str] | None]

#: The parameters every overlay view declares (here, and the volume views).
PALETTE = "DICOM palette (pet, hotiron ...) or a matplotlib colour map (hot, jet, inferno ...)"
ALPHA = param("opacity of the functional layer", minimum=0, maximum=1)
THRESHOLD = param(
    "background: pixels under this fraction of both images' windows stay uncoloured",
    minimum=0,
    maximum=1,
)
OVERLAY_REFERENCE = "Porter & Duff 1984, Compositing digital images, SIGGRAPH (alpha blending)"


def grey_window(
    image: np.ndarray, vmin: float | None = None, vmax: float | None = None
) -> np.ndarray:
    """Grey samples mapped linearly so ``vmin`` → 0 and ``vmax`` → 255, clipped.

    Parameters
    ----------
    image : numpy.ndarray
        Grey samples in any unit.
    vmin, vmax : float, optional
        The window; by default the image's minimum and maximum.

    Returns
    -------
    numpy.ndarray
        ``float32`` on 0..255; a constant image (or an empty window) maps to 0.

    Examples
    --------
    >>> grey_window(np.array([0.0, 5.0, 10.0])).tolist()
    [0.0, 127.5, 255.0]
    """
    g = np.asarray(image, dtype=np.float64)
    lo = float(g.min()) if vmin is None else float(vmin)
    hi = float(g.max()) if vmax is None else float(vmax)
    if hi <= lo:
        return np.zeros(g.shape, dtype=np.float32)
    return np.clip((g - lo) * (255.0 / (hi - lo)), 0.0, 255.0).astype(np.float32)


def palette_colormap(name: str) -> Colormap:
    """A matplotlib colour map for a palette name of :func:`brainfuse.color.apply_palette`.

    Parameters
    ----------
    name : str
        A DICOM palette (``"pet"``, ``"hotiron"`` ...) or a matplotlib colour map.

    Returns
    -------
    matplotlib.colors.Colormap
        DICOM palettes become a 256-entry ``ListedColormap`` of the same table, so a colour
        bar shows exactly the colours of the image.

    Raises
    ------
    InputError
        An unknown palette, listing the valid ones.

    Examples
    --------
    >>> palette_colormap("pet").N
    256
    """
    import matplotlib
    from matplotlib.colors import ListedColormap

    if name.lower() in DICOM_PALETTES:
        lut = apply_palette(np.arange(256, dtype=np.float32), name, vmin=0, vmax=255)
        return ListedColormap(lut / 255.0, name=name.lower())
    check_palette(name)
    return matplotlib.colormaps[name]


def diverging_colormap() -> Colormap:
    """Blue (A < B) through black (A = B) to red (A > B), 256 levels.

    Returns
    -------
    matplotlib.colors.LinearSegmentedColormap
        The map called ``"dark-diverging"``.

    Examples
    --------
    >>> [float(round(c, 1)) for c in diverging_colormap()(0.5)[:3]]  # black at A = B
    [0.0, 0.0, 0.0]
    """
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(
        "dark-diverging",
        [(0.35, 0.65, 1.0), (0.1, 0.3, 0.75), (0, 0, 0), (0.8, 0.2, 0.1), (1.0, 0.7, 0.3)],
    )


def _check_same_shape(a: np.ndarray, b: np.ndarray, what: str = "functional image") -> None:
    b_shape = b.shape[:-1] if b.ndim == a.ndim + 1 else b.shape
    if b_shape != a.shape:
        raise InputError(None, f"{what} shape {b_shape} differs from the anatomical {a.shape}")


def overlay(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    anatomical_window: tuple[float, float] | None = None,
    max_pixels: int | None = None,
) -> np.ndarray:
    """Alpha-blend a functional image in colour over a grey anatomical image.

    ``out = (1 − α·m)·A_grey + α·m·palette(F)`` with ``m = 1`` inside the head and 0 in the
    background: :func:`~brainfuse.viz.mask.signal_mask`, the pixels where the functional value
    (as a fraction of its window [``vmin``, ``vmax``], default its minimum and maximum) or the
    anatomical one (of ``anatomical_window``, default its minimum and maximum) reaches
    ``threshold``, with the holes of that region filled. So the background stays uncoloured
    while low uptake inside the head is shown in the palette's low colours (hiding it would
    let the bright anatomy show through, and a hypometabolic region would read as a hot one).
    A colour (pseudo-colour RGB) ``functional`` keeps its own colours and ``palette`` is not
    used; its luminance counts for the mask. α = 0 gives the grey anatomical image, α = 1 the
    functional colours wherever ``m = 1``.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The registered pair (see :mod:`brainfuse.viz.inputs`): arrays as they are, the
        functional image of a file in its own unit (counts, 16-bit values) or colours.
    palette : str, optional
        The colour map of a grey functional image.
    alpha : float, optional
        Opacity of the functional layer, in [0, 1].
    threshold : float, optional
        Fraction of each window under which a pixel is background, in [0, 1].
    vmin, vmax : float, optional
        The window of the functional values.
    anatomical_window : tuple of float, optional
        The window of the anatomical values.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    numpy.ndarray
        ``float32`` RGB on 0..255, of the anatomical image's shape plus ``(3,)``.

    References
    ----------
    T. Porter and T. Duff, "Compositing digital images", SIGGRAPH 1984.

    Examples
    --------
    >>> a = np.zeros((2, 2)); f = np.array([[0.0, 1.0], [2.0, 4.0]])
    >>> overlay(a, f, palette="gray", alpha=1.0, threshold=0.5)[..., 0].round()
    array([[  0.,   0.],
           [128., 255.]], dtype=float32)
    """
    opts = bind_view("overlay", palette=palette, alpha=alpha, threshold=threshold)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    return _blend(pair.a, pair.b_own, opts, vmin, vmax, anatomical_window)


def _blend(
    a: np.ndarray,
    f: np.ndarray,
    opts: dict[str, Any],
    vmin: float | None,
    vmax: float | None,
    anatomical_window: tuple[float, float] | None = None,
) -> np.ndarray:
    color, shown = _functional_layer(
        a, f, opts["palette"], opts["threshold"], vmin, vmax, anatomical_window
    )
    grey = grey_window(a, *(anatomical_window or (None, None)))[..., None].repeat(3, axis=-1)
    weight = (np.float32(opts["alpha"]) * shown)[..., None]
    return ((1.0 - weight) * grey + weight * color).astype(np.float32)


def _functional_layer(
    a: np.ndarray,
    functional: np.ndarray,
    palette: str,
    threshold: float,
    vmin: float | None,
    vmax: float | None,
    anatomical_window: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The functional image in colour and the mask where it is drawn (:func:`signal_mask`)."""
    f = np.asarray(functional, dtype=np.float32)
    _check_same_shape(a, f)
    if f.ndim == a.ndim + 1:
        color = np.clip(f, 0, 255)
        grey = rgb_to_grey(color)
    else:
        color = apply_palette(f, palette, vmin=vmin, vmax=vmax)
        grey = f
    shown = signal_mask(a, grey, threshold=threshold, windows=(anatomical_window, (vmin, vmax)))
    return color, shown


def checkerboard(
    a: ImageLike, b: ImageLike, *, tiles: int = 8, max_pixels: int | None = None
) -> np.ndarray:
    """Square tiles taken alternately from ``a`` (top-left tile) and ``b``.

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        Two 2D images of one size on one scale (arrays as they are, files on 0..255). Grey and
        colour mix: if one is colour the result is colour, the grey one repeated on three
        channels.
    tiles : int, optional
        Tiles along the shorter side (≥ 1): the tile side is ``ceil(min(H, W) / tiles)``.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    numpy.ndarray
        ``float32``, grey or colour.

    Examples
    --------
    >>> checkerboard(np.zeros((4, 4)), np.ones((4, 4)), tiles=2).astype(int).tolist()
    [[0, 0, 1, 1], [0, 0, 1, 1], [1, 1, 0, 0], [1, 1, 0, 0]]
    """
    tiles = bind_view("checkerboard", tiles=tiles)["tiles"]
    x, y = prepare_two(a, b, max_pixels=max_pixels)
    return _checkerboard(x.array, y.array, tiles)


def _checkerboard(a: np.ndarray, b: np.ndarray, tiles: int) -> np.ndarray:
    shape_a = a.shape[:2]
    shape_b = b.shape[:2]
    if shape_a != shape_b or a.ndim > 3 or b.ndim > 3:
        raise InputError(None, f"images differ in shape: {a.shape} and {b.shape}")
    if a.ndim != b.ndim:
        a = a if a.ndim == 3 else a[..., None].repeat(3, axis=-1)
        b = b if b.ndim == 3 else b[..., None].repeat(3, axis=-1)
    side = -(-min(shape_a) // tiles)
    rows, cols = np.indices(shape_a)
    from_a = ((rows // side + cols // side) % 2) == 0
    if a.ndim == 3:
        from_a = from_a[..., None]
    return np.where(from_a, a, b).astype(np.float32)


def difference(a: ImageLike, b: ImageLike, *, max_pixels: int | None = None) -> np.ndarray:
    """Signed difference ``a − b``; colour images are compared by their luminance.

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        Two 2D images of one size on one scale (arrays as they are, files on 0..255).
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    numpy.ndarray
        ``float32``, grey.

    Examples
    --------
    >>> difference(np.full((1, 2), 100.0), np.array([[40.0, 120.0]])).tolist()
    [[60.0, -20.0]]
    """
    x, y = prepare_two(a, b, max_pixels=max_pixels)
    return _difference(x.array, y.array)


def _difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim == 3 and a.shape[-1] == 3:
        a = rgb_to_grey(a)
    if b.ndim == 3 and b.shape[-1] == 3:
        b = rgb_to_grey(b)
    if a.shape != b.shape:
        raise InputError(None, f"images differ in shape: {a.shape} and {b.shape}")
    return (a - b).astype(np.float32)


# ----------------------------------------------------------------------------- figures


@register_view(
    "overlay",
    family="overlay",
    summary="the functional image in colour over the grey anatomical image, with opacity α",
    params={"palette": PALETTE, "alpha": ALPHA, "threshold": THRESHOLD},
    reference=OVERLAY_REFERENCE,
    capabilities=("raw", "html"),
)
@figure_doc
def overlay_figure(
    anatomical: ImageLike,
    functional: ImageLike,
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    names: tuple[str, str] | None = None,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Three panels - anatomical, functional in colour, overlay - and the colour bar of the
    functional values.

    The colour bar is absent for a pseudo-colour RGB functional image, whose values are
    unknown. See :func:`overlay` for the blending.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The registered pair (see :func:`overlay`).
    palette, alpha, threshold, vmin, vmax
        As for :func:`overlay`.
    names : tuple of str, optional
        Titles of the two images (default: their files, else "anatomical", "functional").
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    References
    ----------
    T. Porter and T. Duff, "Compositing digital images", SIGGRAPH 1984.

    Examples
    --------
    >>> mri = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
    >>> pet = np.zeros((16, 16), np.float32); pet[4:8, 4:8] = 200
    >>> len(overlay_figure(mri, pet, alpha=0.4).axes)  # three panels and a colour bar
    4
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view("overlay", palette=palette, alpha=alpha, threshold=threshold)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    names = names or pair.names(("anatomical", "functional"))
    a, f = pair.a, pair.b_own
    blended = _blend(a, f, opts, vmin, vmax)
    is_rgb = f.ndim == a.ndim + 1
    fig, axes, bar_rect = row_figure(3, bar=not is_rgb)
    show_image(axes[0], a, title=names[0])
    if is_rgb:
        show_image(axes[1], f, title=f"{names[1]} (own colours)")
    else:
        lo = float(f.min()) if vmin is None else vmin
        hi = float(f.max()) if vmax is None else vmax
        shown = show_image(
            axes[1],
            f,
            title=f"{names[1]} ({opts['palette']})",
            cmap=palette_colormap(opts["palette"]),
            vmin=lo,
            vmax=hi,
        )
        add_colorbar(fig, shown, bar_rect, names[1])
    threshold, alpha = opts["threshold"], opts["alpha"]
    extra = f", background (< {threshold:.0%}) clear" if threshold > 0 else ""
    show_image(axes[2], blended, title=f"overlay α = {alpha:g}{extra}")
    return finish(fig, out, inputs)


def _png_data_uri(rgba: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode("ascii")


def overlay_html(
    anatomical: ImageLike,
    functional: ImageLike,
    output_file: str | os.PathLike[str],
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    names: tuple[str, str] | None = None,
    max_pixels: int | None = None,
    inputs: Paths = (),
) -> Path:
    """Write a self-contained HTML page with the overlay, a slider for α and the colour bar.

    Unlike the figures, this view always writes its file (HTML, not a figure). The browser
    blends the two layers exactly as :func:`overlay` does (CSS opacity is alpha blending); the
    background (see :func:`overlay`) is transparent in the functional layer.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The registered pair (see :func:`overlay`).
    output_file : str or path
        The ``.html`` file to write (atomically, never over an input).
    palette, alpha, threshold, vmin, vmax
        As for :func:`overlay` (``alpha`` is the slider's start).
    names : tuple of str, optional
        Names of the two images (default: their files, else "anatomical", "functional").
    max_pixels : int, optional
        Refuse files with more pixels than this.
    inputs : iterable of path, optional
        Further files the output must not overwrite.

    Returns
    -------
    pathlib.Path
        The page written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "overlay.html"
    >>> a = np.full((8, 8), 90.0); f = np.zeros((8, 8)); f[2:4, 2:4] = 5.0
    >>> overlay_html(a, f, page, alpha=0.3).read_text().count('type="range"')
    1
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = check_output(output_file, inputs, suffixes=(".html",))
    opts = bind_view("overlay", palette=palette, alpha=alpha, threshold=threshold)
    pair = prepare_pair_2d(anatomical, functional, max_pixels=max_pixels)
    names = names or pair.names(("anatomical", "functional"))
    palette, alpha, threshold = opts["palette"], opts["alpha"], opts["threshold"]
    a, f = pair.a, pair.b_own
    color, shown = _functional_layer(a, f, palette, threshold, vmin, vmax)
    rgba = np.concatenate([color, 255.0 * shown[..., None]], axis=-1)
    grey = grey_window(a)
    is_rgb = f.ndim == a.ndim + 1
    if is_rgb:
        legend = "<p>functional image in its own colours</p>"
    else:
        lo = float(f.min()) if vmin is None else float(vmin)
        hi = float(f.max()) if vmax is None else float(vmax)
        ramp = apply_palette(
            np.tile(np.linspace(0, 255, 256, dtype=np.float32), (12, 1)), palette, vmin=0, vmax=255
        )
        legend = (
            f"<div class='bar'><span>{lo:.4g}</span>"
            f"<img src='{_png_data_uri(ramp)}' alt='colour bar'>"
            f"<span>{hi:.4g}</span></div>"
        )
    h, w = a.shape
    scale = max(1, 512 // max(h, w))
    esc = html.escape
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse overlay</title>
<style>
body {{ font-family: system-ui, sans-serif; background: #111; color: #eee; margin: 1.5em; }}
.stack {{ position: relative; width: {w * scale}px; height: {h * scale}px; }}
.stack img {{ position: absolute; left: 0; top: 0; width: 100%; height: 100%;
  image-rendering: pixelated; }}
.bar {{ display: flex; align-items: center; gap: .5em; margin-top: .6em; }}
.bar img {{ width: 256px; height: 12px; image-rendering: pixelated; }}
</style></head><body>
<h1>{esc(names[0])} + {esc(names[1])}</h1>
<div class="stack"><img src="{_png_data_uri(grey)}" alt="{esc(names[0])}">
<img id="fn" src="{_png_data_uri(rgba)}" alt="{esc(names[1])}" style="opacity: {alpha:g}"></div>
<p><label>α <input id="alpha" type="range" min="0" max="1" step="0.01" value="{alpha:g}"></label>
<output id="av">{alpha:g}</output> ({esc("own colours" if is_rgb else "palette " + palette)},
background under {threshold:g} of both windows transparent)</p>
{legend}
<script>
const s = document.getElementById("alpha");
s.addEventListener("input", () => {{
  document.getElementById("fn").style.opacity = s.value;
  document.getElementById("av").textContent = s.value;
}});
</script></body></html>
"""
    with atomic_path(out) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return out


@register_view(
    "checkerboard",
    family="comparison",
    summary="alternate tiles of A and B: edges must run on across tiles after a registration",
    params={"tiles": param("tiles along the shorter side", minimum=1)},
    capabilities=("raw",),
)
@figure_doc
def checkerboard_figure(
    a: ImageLike,
    b: ImageLike,
    *,
    tiles: int = 8,
    names: tuple[str, str] | None = None,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Three panels: A, B and their checkerboard (no colour bar: no value is encoded).

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        Two 2D images of one size (see :func:`checkerboard`).
    tiles : int, optional
        Tiles along the shorter side (≥ 1).
    names : tuple of str, optional
        Titles of the two images (default: their files, else "A", "B").
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    Examples
    --------
    >>> fig = checkerboard_figure(np.zeros((8, 8)), np.full((8, 8), 200.0), tiles=4)
    >>> [ax.get_title() for ax in fig.axes]
    ['A', 'B', 'checkerboard, 4 tiles']
    """
    inputs = file_inputs(a, b, inputs=inputs)
    out = output_path(output_file, inputs)
    tiles = bind_view("checkerboard", tiles=tiles)["tiles"]
    x, y = prepare_two(a, b, max_pixels=max_pixels)
    names = names or (x.title or "A", y.title or "B")
    board = _checkerboard(x.array, y.array, tiles)
    fig, axes, _ = row_figure(3, bar=False)
    show_image(axes[0], x.array, title=names[0], vmin=0, vmax=255)
    show_image(axes[1], y.array, title=names[1], vmin=0, vmax=255)
    show_image(axes[2], board, title=f"checkerboard, {tiles} tiles", vmin=0, vmax=255)
    return finish(fig, out, inputs)


@register_view(
    "difference",
    family="comparison",
    summary="A − B in a diverging colour map, black at 0, with a colour bar (two fused results)",
    params={"cmap": "diverging colour map (dark-diverging: black at 0) or any matplotlib map"},
)
@figure_doc
def difference_figure(
    a: ImageLike,
    b: ImageLike,
    *,
    cmap: str = "dark-diverging",
    names: tuple[str, str] | None = None,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Three panels: A, B and A − B in a diverging map with symmetric limits ±max|A − B|,
    with a colour bar in grey levels and the mean absolute difference in the title.

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        Two 2D images of one size (see :func:`difference`).
    cmap : str, optional
        ``"dark-diverging"`` (:func:`diverging_colormap`, black at 0, so that equal regions
        recede into the black background) or any matplotlib map name.
    names : tuple of str, optional
        Titles of the two images (default: their files, else "A", "B").
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    Raises
    ------
    InputError
        An unknown colour map, or images that cannot be compared.

    Examples
    --------
    >>> fig = difference_figure(np.full((8, 8), 100.0), np.full((8, 8), 90.0))
    >>> fig.axes[2].get_title()
    'A − B (mean |Δ| 10.00)'
    """
    import matplotlib

    inputs = file_inputs(a, b, inputs=inputs)
    cmap = bind_view("difference", cmap=cmap)["cmap"]
    if cmap != "dark-diverging" and cmap not in matplotlib.colormaps:
        raise InputError(
            "cmap", f"unknown colour map '{cmap}'; valid: dark-diverging or a matplotlib map"
        )
    out = output_path(output_file, inputs)
    x, y = prepare_two(a, b, max_pixels=max_pixels)
    names = names or (x.title or "A", y.title or "B")
    d = _difference(x.array, y.array)
    lim = float(np.abs(d).max()) or 1.0
    fig, axes, bar_rect = row_figure(3)
    show_image(axes[0], x.array, title=names[0], vmin=0, vmax=255)
    show_image(axes[1], y.array, title=names[1], vmin=0, vmax=255)
    shown = show_image(
        axes[2],
        d,
        title=f"{names[0]} − {names[1]} (mean |Δ| {float(np.abs(d).mean()):.2f})",
        cmap=diverging_colormap() if cmap == "dark-diverging" else cmap,
        vmin=-lim,
        vmax=lim,
    )
    add_colorbar(fig, shown, bar_rect, "difference (grey levels)")
    return finish(fig, out, inputs)
