"""Comparison grids: methods × image pairs, with enlarged regions of interest.

As in the comparison figures of MdAFuse (Wen et al. 2024: "three corresponding parts of each
image inside three colorful squares are enlarged and shown in the 2nd, 3rd and 4th lines"),
each pair gets a row of images - anatomical, functional, then one fused result per method -
with the regions of interest framed in colour, and below it one row per region with that
region enlarged (nearest neighbour) in every column, framed in the same colour.

Regions are given as ``(x, y, w, h)`` in pixels (x to the right, y down, from the top-left
corner). Without regions, one square region of side ``min(H, W) // 4`` is placed where the
fused results disagree most *where there is functional signal*: the largest local mean of the
standard deviation across the methods (across inputs and result when there is one method)
times the local mean of the functional image's luminance.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import ndimage

from ..color import rgb_to_grey
from ..errors import InputError
from ..fusion import fuse_arrays, get_method
from .inputs import ImageLike, file_inputs, prepare_pair_2d
from .render import FOREGROUND, ROI_COLORS, figure_doc, finish, new_figure, output_path, show_image
from .views import register_view

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["GridRow", "auto_roi", "comparison_grid", "grid_figure", "prepare_pairs"]

Paths = Iterable[str | os.PathLike[str] | None]
Roi = tuple[int, int, int, int]
MDAFUSE = "Wen et al. 2024, IEEE TIP 33:3550-3563 (MdAFuse): enlarged framed regions"


@dataclass(frozen=True)
class GridRow:
    """One registered pair of a grid row.

    Attributes
    ----------
    a : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The anatomical image (an array: grey, on 0..255, as it is).
    b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The functional image, grey or colour (an array: on 0..255, as it is).
    label : str
        The row's label (default: the stem of A's file).
    kinds : tuple of str, optional
        The names of its two modalities for the titles (default: the files' modalities).
    """

    a: ImageLike
    b: ImageLike
    label: str = ""
    kinds: tuple[str, str] | None = None


def prepare_pairs(
    pairs: Sequence[GridRow | tuple[ImageLike, ImageLike]], *, max_pixels: int | None = None
) -> list[GridRow]:
    """Each pair with its two images as arrays on 0..255, labelled.

    Parameters
    ----------
    pairs : sequence of GridRow or (anatomical, functional) tuples
        The pairs, as images of any kind (see :mod:`brainfuse.viz.inputs`).
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    list of GridRow
        Pairs of arrays: files loaded by :func:`brainfuse.pair.prepare_pair` (labelled by the
        stem of A's file, with their modalities), arrays as they are.

    Examples
    --------
    >>> [p] = prepare_pairs([(np.zeros((4, 4)), np.ones((4, 4)))])
    >>> p.a.dtype, p.label
    (dtype('float32'), '')
    """
    out = []
    for pair in pairs:
        given = pair if isinstance(pair, GridRow) else GridRow(*pair)
        view = prepare_pair_2d(given.a, given.b, max_pixels=max_pixels)
        out.append(
            GridRow(view.a, view.b, given.label or view.label or "", given.kinds or view.kinds)
        )
    return out


def _lum(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return rgb_to_grey(x) if x.ndim == 3 else x


def auto_roi(
    images: Sequence[np.ndarray], size: int | None = None, weight: np.ndarray | None = None
) -> Roi:
    """The square region where ``images`` differ most from each other.

    Parameters
    ----------
    images : sequence of numpy.ndarray
        Images of one shape (colour ones by their luminance).
    size : int, optional
        The side of the square (default ``max(8, min(H, W) // 4)``).
    weight : numpy.ndarray, optional
        An image whose local mean multiplies the local spread (e.g. the functional image, so
        the region falls where there is functional signal).

    Returns
    -------
    tuple of int
        ``(x, y, w, h)`` in pixels, x to the right and y down from the top-left corner.

    Examples
    --------
    >>> a = np.zeros((32, 32)); b = a.copy(); b[20:28, 4:12] = 100
    >>> auto_roi([a, b], size=8)
    (4, 20, 8, 8)
    """
    stack = np.stack([_lum(im).astype(np.float64) for im in images])
    h, w = stack.shape[1:]
    side = int(size or max(8, min(h, w) // 4))
    side = min(side, h, w)
    spread = ndimage.uniform_filter(stack.std(axis=0), side, mode="constant")
    if weight is not None:
        spread *= ndimage.uniform_filter(_lum(weight).astype(np.float64), side, mode="constant")
    half = side // 2
    inner = spread[half : h - side + half + 1, half : w - side + half + 1]
    y, x = np.unravel_index(int(np.argmax(inner)), inner.shape)
    return int(x), int(y), side, side


def _check_roi(roi: Roi, shape: tuple[int, ...]) -> Roi:
    x, y, w, h = (int(v) for v in roi)
    if w < 1 or h < 1 or x < 0 or y < 0 or x + w > shape[1] or y + h > shape[0]:
        raise InputError(
            None,
            f"region x={x}, y={y}, w={w}, h={h} lies outside the {shape[1]}x{shape[0]} image",
        )
    return x, y, w, h


def comparison_grid(
    pairs: Sequence[GridRow | tuple[ImageLike, ImageLike]], methods: Sequence[str]
) -> list[list[np.ndarray]]:
    """Every pair fused by every method, with default parameters.

    Parameters
    ----------
    pairs : sequence of GridRow or (anatomical, functional) tuples
        The pairs (see :func:`prepare_pairs`).
    methods : sequence of str
        Registered fusion methods (at least one).

    Returns
    -------
    list of list of numpy.ndarray
        ``grid[p][k]`` is pair ``p`` fused by ``methods[k]`` (0..255; colour when the
        functional image is).

    Examples
    --------
    >>> grid = comparison_grid([(np.zeros((2, 2)), np.full((2, 2), 8.0))], ["average"])
    >>> grid[0][0].tolist()
    [[4.0, 4.0], [4.0, 4.0]]
    """
    if not methods:
        raise InputError(None, "give at least one method")
    return [[fuse_arrays(p.a, p.b, m) for m in methods] for p in prepare_pairs(pairs)]


@register_view(
    "grid",
    family="comparison",
    summary="methods × pairs, framed regions enlarged below each row",
    reference=MDAFUSE,
    capabilities=("fusion",),
)
@figure_doc
def grid_figure(
    pairs: Sequence[GridRow | tuple[ImageLike, ImageLike]],
    methods: Sequence[str],
    *,
    rois: Sequence[Roi] | None = None,
    results: Sequence[Sequence[np.ndarray]] | None = None,
    names: tuple[str, str] = ("MRI", "functional"),
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """The comparison grid (see the module docstring).

    Parameters
    ----------
    pairs : sequence of GridRow or (anatomical, functional) tuples
        One row each; images of any kind (see :func:`prepare_pairs`).
    methods : sequence of str
        One column each: registered fusion methods, with their default parameters.
    rois : sequence of (x, y, w, h), optional
        Regions to enlarge in every pair (default: one automatic region per pair).
    results : sequence of sequences of numpy.ndarray, optional
        The fused images, ``results[p][k]`` (default: :func:`comparison_grid`).
    names : tuple of str, optional
        Titles of the two source columns of pairs that do not name their own ``kinds``.
    max_pixels : int, optional
        Refuse files with more pixels than this.
    {figure_output}

    References
    ----------
    Wen, Khan, Chen, Peng, Fang, Chen & Li, "High-Quality Fusion and Visualization for MR-PET
    Brain Tumor Images via Multi-Dimensional Features", IEEE TIP 33:3550-3563, 2024.

    Examples
    --------
    >>> a = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
    >>> fig = grid_figure([(a, a[::-1])], ["average", "maximum"], rois=[(2, 2, 8, 8)])
    >>> [ax.get_title() for ax in fig.axes[:4]]
    ['MRI', 'functional', 'average', 'maximum']
    """
    if not pairs:
        raise InputError(None, "give at least one image pair")
    given = [p if isinstance(p, GridRow) else GridRow(*p) for p in pairs]
    inputs = file_inputs(*(x for p in given for x in (p.a, p.b)), inputs=inputs)
    out = output_path(output_file, inputs)
    if results is None:
        if not methods:
            raise InputError(None, "give at least one method")
        for m in methods:
            get_method(m).bind()  # an unknown method (or a missing extra) before any file
    pairs = prepare_pairs(given, max_pixels=max_pixels)
    fused = results if results is not None else comparison_grid(pairs, methods)
    cols = 2 + len(methods)
    cell, title, gap = 2.2, 0.3, 0.12
    blocks = []
    for p, row in zip(pairs, fused, strict=True):
        shape = np.shape(p.a)
        regions = (
            [_check_roi(r, shape) for r in rois]
            if rois
            else [auto_roi(row if len(row) > 1 else [p.a, p.b, *row], weight=p.b)]
        )
        blocks.append(regions)
    zoom_heights = [[cell * r[3] / r[2] for r in regions] for regions in blocks]
    height = sum(cell + title + sum(z) + gap * (len(z) + 1) for z in zoom_heights) + 0.1
    width = cols * cell
    fig = new_figure(width, height)
    top = height - 0.05
    from matplotlib.patches import Rectangle

    for p, row, regions, zooms in zip(pairs, fused, blocks, zoom_heights, strict=True):
        images = [np.asarray(p.a), np.asarray(p.b), *row]
        kinds = p.kinds or names
        titles = [
            f"{p.label}: {kinds[0]}" if p.label else kinds[0],
            kinds[1],
            *methods,
        ]
        top -= cell + title
        for c, (im, ttl) in enumerate(zip(images, titles, strict=True)):
            ax = fig.add_axes((c * cell / width, top / height, cell / width, cell / height))
            show_image(ax, im, title=ttl, vmin=0, vmax=255)
            for k, (x, y, w, h) in enumerate(regions):
                color = ROI_COLORS[k % len(ROI_COLORS)]
                ax.add_patch(
                    Rectangle((x - 0.5, y - 0.5), w, h, fill=False, edgecolor=color, linewidth=1.2)
                )
        for k, ((x, y, w, h), zh) in enumerate(zip(regions, zooms, strict=True)):
            top -= zh + gap
            color = ROI_COLORS[k % len(ROI_COLORS)]
            for c, im in enumerate(images):
                ax = fig.add_axes(
                    (
                        c * cell / width + 0.02 / width,
                        top / height,
                        (cell - 0.04) / width,
                        zh / height,
                    )
                )
                show_image(ax, np.asarray(im)[y : y + h, x : x + w], vmin=0, vmax=255)
                ax.set_axis_on()
                ax.set_xticks([])
                ax.set_yticks([])
                for spine in ax.spines.values():
                    spine.set_edgecolor(color)
                    spine.set_linewidth(2.0)
        top -= gap
    fig.text(
        0.995,
        0.002,
        "framed regions enlarged below each row",
        color=FOREGROUND,
        fontsize=6,
        ha="right",
        va="bottom",
        alpha=0.6,
    )
    return finish(fig, out, inputs)
