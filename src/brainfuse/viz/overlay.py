"""Overlays, checkerboards and difference maps of two registered images.

- :func:`overlay`: the anatomical image in grey with the functional image on top in a colour map
  (DICOM PET palettes, ``hot``, ``jet``, ``inferno`` ...) with opacity α, the background
  outside the head left transparent — the display every PET/MR viewer offers (alpha
  blending, Porter & Duff 1984);
- :func:`checkerboard`: alternate square tiles of the two images, the usual check of a
  registration (edges must continue across tile borders);
- :func:`difference`: the signed difference A − B, shown in a diverging map with symmetric
  limits, e.g. to see what one fusion method keeps that another loses.

The array functions return arrays; the ``*_figure`` functions draw a labelled PNG figure with a
colour bar where the colours stand for values.
"""

from __future__ import annotations

import base64
import html
import io
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..color import DICOM_PALETTES, apply_palette, rgb_to_grey
from ..errors import InputError
from ..io.atomic import atomic_path
from .mask import signal_mask
from .render import (
    add_colorbar,
    check_output,
    row_figure,
    save_figure,
    show_image,
)

__all__ = [
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


def grey_window(
    image: np.ndarray, vmin: float | None = None, vmax: float | None = None
) -> np.ndarray:
    """Grey samples mapped linearly so ``vmin`` → 0 and ``vmax`` → 255 (clipped), ``float32``.

    The window defaults to the image's minimum and maximum; a constant image maps to 0.
    """
    g = np.asarray(image, dtype=np.float64)
    lo = float(g.min()) if vmin is None else float(vmin)
    hi = float(g.max()) if vmax is None else float(vmax)
    if hi <= lo:
        return np.zeros(g.shape, dtype=np.float32)
    return np.clip((g - lo) * (255.0 / (hi - lo)), 0.0, 255.0).astype(np.float32)


def palette_colormap(name: str):
    """A matplotlib colour map for a palette name of :func:`brainfuse.color.apply_palette`.

    DICOM palettes become a 256-entry ``ListedColormap`` of the same table, so a colour bar
    shows exactly the colours of the image.
    """
    import matplotlib
    from matplotlib.colors import ListedColormap

    if name.lower() in DICOM_PALETTES:
        lut = apply_palette(np.arange(256, dtype=np.float32), name, vmin=0, vmax=255)
        return ListedColormap(lut / 255.0, name=name.lower())
    apply_palette(np.zeros(1), name)  # raises the InputError naming the valid palettes
    return matplotlib.colormaps[name]


def diverging_colormap():
    """Blue (A < B) through black (A = B) to red (A > B), 256 levels."""
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
    anatomical: np.ndarray,
    functional: np.ndarray,
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    anatomical_window: tuple[float, float] | None = None,
) -> np.ndarray:
    """Alpha-blend a functional image in colour over a grey anatomical image.

    ``out = (1 − α·m)·A_grey + α·m·palette(F)`` with ``m = 1`` inside the head and 0 in the
    background: :func:`~brainfuse.viz.mask.signal_mask`, the pixels where the functional value
    (as a fraction of its window [``vmin``, ``vmax``], default its minimum and maximum) or the
    anatomical one (of ``anatomical_window``, default its minimum and maximum) reaches
    ``threshold`` (default 0.1), with the holes of that region filled. So the background stays
    uncoloured while low uptake inside the head is shown in the palette's low colours
    (hiding it would let the bright anatomy show through, and a hypometabolic region would
    read as a hot one). A colour (pseudo-colour RGB) ``functional`` keeps its own colours and
    ``palette`` is not used; its luminance counts for the mask.

    α = 0 gives the grey anatomical image, α = 1 the functional colours wherever ``m = 1``.
    Returns ``float32`` RGB on 0..255, shape ``anatomical.shape + (3,)``.

    >>> a = np.zeros((2, 2)); f = np.array([[0.0, 1.0], [2.0, 4.0]])
    >>> overlay(a, f, palette="gray", alpha=1.0, threshold=0.5)[..., 0].round()
    array([[  0.,   0.],
           [128., 255.]], dtype=float32)
    """
    if not 0.0 <= alpha <= 1.0:
        raise InputError(None, f"alpha must lie in [0, 1], got {alpha}")
    a = np.asarray(anatomical, dtype=np.float32)
    colour, shown = _functional_layer(
        a, functional, palette, threshold, vmin, vmax, anatomical_window
    )
    grey = grey_window(a, *(anatomical_window or (None, None)))[..., None].repeat(3, axis=-1)
    weight = (np.float32(alpha) * shown)[..., None]
    return ((1.0 - weight) * grey + weight * colour).astype(np.float32)


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
        colour = np.clip(f, 0, 255)
        grey = rgb_to_grey(colour)
    else:
        colour = apply_palette(f, palette, vmin=vmin, vmax=vmax)
        grey = f
    shown = signal_mask(a, grey, threshold=threshold, windows=(anatomical_window, (vmin, vmax)))
    return colour, shown


def checkerboard(a: np.ndarray, b: np.ndarray, *, tiles: int = 8) -> np.ndarray:
    """Square tiles taken alternately from ``a`` (top-left tile) and ``b``.

    The tile side is ``ceil(min(H, W) / tiles)`` pixels. Grey and colour inputs mix: if one is
    colour (``(H, W, 3)``) the result is colour, the grey one repeated on three channels. Both
    should be on one scale (e.g. 0..255). Returns ``float32``.
    """
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if tiles < 1:
        raise InputError(None, f"tiles must be at least 1, got {tiles}")
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


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Signed difference ``a − b`` (``float32``); colour inputs are compared by luminance."""
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if a.ndim == 3 and a.shape[-1] == 3:
        a = rgb_to_grey(a)
    if b.ndim == 3 and b.shape[-1] == 3:
        b = rgb_to_grey(b)
    if a.shape != b.shape:
        raise InputError(None, f"images differ in shape: {a.shape} and {b.shape}")
    return (a - b).astype(np.float32)


# ----------------------------------------------------------------------------- figures


def overlay_figure(
    anatomical: np.ndarray,
    functional: np.ndarray,
    path: str | os.PathLike[str],
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    names: tuple[str, str] = ("anatomical", "functional"),
    inputs: Paths = (),
) -> Path:
    """Three panels — anatomical, functional in colour, overlay — and the colour bar of the
    functional values (absent for a pseudo-colour RGB functional image, whose values are
    unknown). See :func:`overlay` for the blending."""
    out = check_output(path, inputs)
    blended = overlay(
        anatomical,
        functional,
        palette=palette,
        alpha=alpha,
        threshold=threshold,
        vmin=vmin,
        vmax=vmax,
    )
    f = np.asarray(functional, dtype=np.float32)
    is_rgb = f.ndim == np.ndim(anatomical) + 1
    fig, axes, bar_rect = row_figure(3, bar=not is_rgb)
    show_image(axes[0], np.asarray(anatomical), title=names[0])
    if is_rgb:
        show_image(axes[1], f, title=f"{names[1]} (own colours)")
    else:
        lo = float(f.min()) if vmin is None else vmin
        hi = float(f.max()) if vmax is None else vmax
        shown = show_image(
            axes[1],
            f,
            title=f"{names[1]} ({palette})",
            cmap=palette_colormap(palette),
            vmin=lo,
            vmax=hi,
        )
        add_colorbar(fig, shown, bar_rect, names[1])
    extra = f", background (< {threshold:.0%}) clear" if threshold > 0 else ""
    show_image(axes[2], blended, title=f"overlay α = {alpha:g}{extra}")
    return save_figure(fig, out, inputs)


def _png_data_uri(rgba: np.ndarray) -> str:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(np.clip(np.rint(rgba), 0, 255).astype(np.uint8)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def overlay_html(
    anatomical: np.ndarray,
    functional: np.ndarray,
    path: str | os.PathLike[str],
    *,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    names: tuple[str, str] = ("anatomical", "functional"),
    inputs: Paths = (),
) -> Path:
    """A self-contained HTML page with the overlay and a slider for α (and the colour bar).

    The browser blends the two layers exactly as :func:`overlay` does (CSS opacity is alpha
    blending); the background (see :func:`overlay`) is transparent in the functional layer.
    """
    out = check_output(path, inputs, suffixes=(".html",))
    a = np.asarray(anatomical, dtype=np.float32)
    f = np.asarray(functional, dtype=np.float32)
    _check_same_shape(a, f)
    colour, shown = _functional_layer(a, f, palette, threshold, vmin, vmax)
    rgba = np.concatenate([colour, 255.0 * shown[..., None]], axis=-1)
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


def checkerboard_figure(
    a: np.ndarray,
    b: np.ndarray,
    path: str | os.PathLike[str],
    *,
    tiles: int = 8,
    names: tuple[str, str] = ("A", "B"),
    inputs: Paths = (),
) -> Path:
    """Three panels: A, B and their checkerboard (no colour bar: no value is encoded)."""
    out = check_output(path, inputs)
    board = checkerboard(a, b, tiles=tiles)
    fig, axes, _ = row_figure(3, bar=False)
    show_image(axes[0], a, title=names[0], vmin=0, vmax=255)
    show_image(axes[1], b, title=names[1], vmin=0, vmax=255)
    show_image(axes[2], board, title=f"checkerboard, {tiles} tiles", vmin=0, vmax=255)
    return save_figure(fig, out, inputs)


def difference_figure(
    a: np.ndarray,
    b: np.ndarray,
    path: str | os.PathLike[str],
    *,
    cmap: str = "dark-diverging",
    names: tuple[str, str] = ("A", "B"),
    inputs: Paths = (),
) -> Path:
    """Three panels: A, B and A − B in a diverging map with symmetric limits ±max|A − B|,
    with a colour bar in grey levels and the mean absolute difference in the title.

    The default map, ``"dark-diverging"`` (:func:`diverging_colormap`), is black at 0 so that
    equal regions recede into the black background; any matplotlib map name may be given."""
    import matplotlib

    if cmap != "dark-diverging" and cmap not in matplotlib.colormaps:
        raise InputError(
            "--cmap", f"unknown colour map '{cmap}'; valid: dark-diverging or a matplotlib map"
        )
    out = check_output(path, inputs)
    d = difference(a, b)
    lim = float(np.abs(d).max()) or 1.0
    fig, axes, bar_rect = row_figure(3)
    show_image(axes[0], a, title=names[0], vmin=0, vmax=255)
    show_image(axes[1], b, title=names[1], vmin=0, vmax=255)
    shown = show_image(
        axes[2],
        d,
        title=f"{names[0]} − {names[1]} (mean |Δ| {float(np.abs(d).mean()):.2f})",
        cmap=diverging_colormap() if cmap == "dark-diverging" else cmap,
        vmin=-lim,
        vmax=lim,
    )
    add_colorbar(fig, shown, bar_rect, "difference (grey levels)")
    return save_figure(fig, out, inputs)
