"""Figure plumbing shared by every view: deterministic PNG figures and raw images, atomically.

Figures are drawn with matplotlib's object API (``matplotlib.figure.Figure``, Agg canvas, no
pyplot state), at a fixed DPI, with no timestamp or software tag in the PNG, so the same
inputs give the same bytes. Images are shown pixel for pixel (nearest-neighbour) on a black
background, as radiology viewers do.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path, check_output_path, compound_suffix

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BACKGROUND",
    "DPI",
    "FIGURE_OUTPUT_DOC",
    "FOREGROUND",
    "ROI_COLORS",
    "add_colorbar",
    "check_output",
    "figure_doc",
    "finish",
    "new_figure",
    "output_path",
    "row_figure",
    "save_figure",
    "save_raw",
    "show_image",
]

#: Resolution of every figure (dots per inch); sizes below are in inches.
DPI = 100
BACKGROUND = "black"
FOREGROUND = "white"
#: Edge colours of the regions of interest, in order (as MdAFuse's comparison figures mark them).
ROI_COLORS = ("#ff3b30", "#34c759", "#0a84ff", "#ffcc00", "#bf5af2")


#: The end of every figure function's docstring: where ``{figure_output}`` stands in it
#: (:func:`figure_doc`). The rule it states is the one of :mod:`brainfuse.viz`.
FIGURE_OUTPUT_DOC = """inputs : iterable of path, optional
    Further files the output must not overwrite (the images given as paths count already).
output_file : str or path, optional
    Also write the figure there as PNG: atomically, without metadata, never over an input
    (see :mod:`brainfuse.viz`).

Returns
-------
matplotlib.figure.Figure
    The figure, whether or not it is written."""

F = TypeVar("F", bound=Callable[..., Any])


def figure_doc(func: F) -> F:
    """Put :data:`FIGURE_OUTPUT_DOC` where ``{figure_output}`` stands in ``func``'s docstring.

    Parameters
    ----------
    func : callable
        A figure function whose docstring holds the line ``{figure_output}`` (indented as its
        Parameters section) in place of ``inputs``, ``output_file`` and Returns.

    Returns
    -------
    callable
        ``func``, its docstring completed.

    Examples
    --------
    >>> @figure_doc
    ... def view(*, inputs=(), output_file=None):
    ...     '''A view.
    ...
    ...     Parameters
    ...     ----------
    ...     {figure_output}
    ...     '''
    >>> "matplotlib.figure.Figure" in view.__doc__
    True
    """
    doc = func.__doc__ or ""
    if "{figure_output}" not in doc:
        raise TypeError(f"{func.__name__}: no {{figure_output}} in the docstring")
    snippet = textwrap.indent(FIGURE_OUTPUT_DOC, "    ").lstrip()
    func.__doc__ = doc.replace("{figure_output}", snippet)
    return func


def check_output(
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    suffixes: Sequence[str] = (".png",),
) -> Path:
    """The output path, checked.

    Parameters
    ----------
    path : str or path
        Where a view is to be written.
    inputs : iterable of path, optional
        Files it must not overwrite.
    suffixes : sequence of str, optional
        The allowed suffixes.

    Returns
    -------
    pathlib.Path
        ``path``, when its folder is writable, it is not one of ``inputs`` and it ends in one
        of ``suffixes``.

    Raises
    ------
    InputError
        Naming the path and the problem.

    Examples
    --------
    >>> check_output("view.png").name
    'view.png'
    >>> check_output("view.jpg")
    Traceback (most recent call last):
    ...
    brainfuse.errors.InputError: view.jpg: cannot write this view as '.jpg'; use .png
    """
    out = check_output_path(path, inputs)
    suffix = compound_suffix(out)
    if suffix not in suffixes:
        raise InputError(
            out, f"cannot write this view as '{suffix or out.name}'; use {', '.join(suffixes)}"
        )
    return out


def output_path(
    output_file: str | os.PathLike[str] | None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    suffixes: Sequence[str] = (".png",),
) -> Path | None:
    """:func:`check_output` of ``output_file``, or None when no file is asked for.

    Views call it before any work, so a bad output path is refused before images are read
    and fused.

    Parameters
    ----------
    output_file : str or path, optional
        The file asked for.
    inputs : iterable of path, optional
        Files it must not overwrite.
    suffixes : sequence of str, optional
        The allowed suffixes.

    Returns
    -------
    pathlib.Path or None
        The checked path.

    Examples
    --------
    >>> output_path(None) is None
    True
    """
    return None if output_file is None else check_output(output_file, inputs, suffixes)


def finish(
    fig: Figure, out: Path | None, inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> Figure:
    """``fig``, written to ``out`` by :func:`save_figure` first when ``out`` is not None.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A view's figure.
    out : pathlib.Path or None
        The checked output (:func:`output_path`).
    inputs : iterable of path, optional
        Files it must not overwrite.

    Returns
    -------
    matplotlib.figure.Figure
        ``fig``.

    Examples
    --------
    >>> fig = new_figure(1, 1)
    >>> finish(fig, None) is fig
    True
    """
    if out is not None:
        save_figure(fig, out, inputs)
    return fig


def new_figure(width: float, height: float) -> Figure:
    """A black figure on the Agg canvas.

    Parameters
    ----------
    width, height : float
        Its size in inches (at :data:`DPI` dots per inch).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with no pyplot state.

    Examples
    --------
    >>> new_figure(2.0, 1.5).canvas.get_width_height()
    (200, 150)
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, facecolor=BACKGROUND)
    FigureCanvasAgg(fig)
    return fig


def save_figure(
    fig: Figure, path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> Path:
    """Write ``fig`` as an 8-bit RGB PNG at :data:`DPI`, atomically, with no metadata.

    The Agg canvas is rendered and its pixels written by Pillow (no alpha channel, which figures
    on a black background do not need, and no text chunks), so equal figures give equal bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    path : str or path
        A ``.png`` file.
    inputs : iterable of path, optional
        Files it must not overwrite.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "black.png"
    >>> save_figure(new_figure(1, 1), out).stat().st_size > 0
    True
    """
    from PIL import Image as PILImage

    out = check_output(path, inputs)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    with atomic_path(out) as tmp:
        PILImage.fromarray(np.ascontiguousarray(rgb)).save(tmp, format="PNG", optimize=True)
    return out


def save_raw(
    image: np.ndarray,
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write an image pixel for pixel as PNG (the ``--raw`` output of the views).

    Parameters
    ----------
    image : numpy.ndarray
        Grey ``(H, W)`` or colour ``(H, W, 3)`` on 0..255.
    path : str or path
        A ``.png`` file.
    inputs : iterable of path, optional
        Files it must not overwrite.

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "raw.png"
    >>> save_raw(np.full((4, 6, 3), 200.0), out).name
    'raw.png'
    """
    from ..io import Image, save

    out = check_output(path, inputs)
    arr = np.asarray(image, dtype=np.float32)
    return save(Image(arr, rgb=arr.ndim == 3), out, inputs=inputs)


def show_image(
    ax: Axes,
    image: np.ndarray,
    *,
    title: str | None = None,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    extent: tuple[float, float, float, float] | None = None,
) -> Any:
    """Draw ``image`` on ``ax`` pixel for pixel (nearest neighbour), without axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    image : numpy.ndarray
        Grey (shown with ``cmap`` and the window ``vmin``, ``vmax``) or RGB on 0..255.
    title : str, optional
        Drawn above, in white.
    cmap : str or Colormap, optional
        The colour map of a grey image.
    vmin, vmax : float, optional
        The window of a grey image.
    extent : tuple of float, optional
        ``(left, right, bottom, top)`` in data units (e.g. mm).

    Returns
    -------
    matplotlib.image.AxesImage
        The image, usable as the mappable of a colour bar.

    Examples
    --------
    >>> fig = new_figure(1, 1); ax = fig.add_axes((0, 0, 1, 1))
    >>> show_image(ax, np.eye(3), title="I").get_array().shape
    (3, 3)
    """
    arr = np.asarray(image)
    if arr.ndim == 3:
        shown = ax.imshow(
            np.clip(arr, 0, 255).astype(np.uint8), interpolation="nearest", extent=extent
        )
    else:
        shown = ax.imshow(
            arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", extent=extent
        )
    ax.set_axis_off()
    ax.set_facecolor(BACKGROUND)
    if title:
        ax.set_title(title, color=FOREGROUND, fontsize=9, pad=3)
    return shown


def add_colorbar(fig: Figure, mappable: Any, rect: Sequence[float], label: str) -> None:
    """A vertical colour bar, labelled, in white on the black figure.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    mappable : matplotlib.cm.ScalarMappable
        What the bar shows (e.g. :func:`show_image`'s return value).
    rect : sequence of float
        ``(left, bottom, width, height)`` in figure coordinates.
    label : str
        The bar's label.

    Returns
    -------
    None

    Examples
    --------
    >>> fig = new_figure(2, 1); ax = fig.add_axes((0, 0, 0.5, 1))
    >>> add_colorbar(fig, show_image(ax, np.eye(3)), (0.6, 0.1, 0.1, 0.8), "value")
    >>> len(fig.axes)
    2
    """
    cax = fig.add_axes(tuple(rect))
    bar = fig.colorbar(mappable, cax=cax)
    bar.set_label(label, color=FOREGROUND, fontsize=8)
    bar.ax.tick_params(colors=FOREGROUND, labelsize=7)
    bar.outline.set_edgecolor(FOREGROUND)


def row_figure(n: int, cell: float = 3.0, bar: bool = True) -> tuple[Figure, list[Axes], tuple]:
    """A figure of ``n`` square image cells in a row, with room for titles.

    Parameters
    ----------
    n : int
        The number of cells.
    cell : float, optional
        Their side in inches.
    bar : bool, optional
        Leave room for a colour bar at the right.

    Returns
    -------
    fig : matplotlib.figure.Figure
        The figure.
    axes : list of matplotlib.axes.Axes
        One per cell, left to right.
    rect : tuple of float
        The colour bar's rectangle in figure coordinates.

    Examples
    --------
    >>> fig, axes, rect = row_figure(3, bar=False)
    >>> len(axes), fig.canvas.get_width_height()
    (3, (900, 332))
    """
    title = 0.32
    width = n * cell + (0.9 if bar else 0.0)
    fig = new_figure(width, cell + title)
    axes = [
        fig.add_axes((k * cell / width, 0.0, cell / width, cell / (cell + title))) for k in range(n)
    ]
    bar_rect = (n * cell / width + 0.1 / width, 0.08, 0.14 / width, 0.8 * cell / (cell + title))
    return fig, axes, bar_rect
