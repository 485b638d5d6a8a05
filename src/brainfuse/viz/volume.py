"""Volumes: three orthogonal slices through a point, and a montage of axial slices.

Volumes are first turned to the closest RAS+ orientation through their affine (nibabel's
``as_closest_canonical``), so every view is shown in the neurological convention: the patient's
left on the left of the screen, anterior (axial) or superior (coronal, sagittal) at the top;
pixels are drawn with their physical aspect (mm). An optional functional volume on the same
grid is overlaid in colour (see :func:`brainfuse.viz.overlay.overlay`) with one window, and
one colour bar in its own unit, for every slice.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InputError
from ..io.image import Image
from ..io.slicing import Canonical, canonical
from .inputs import ImageLike, file_inputs, prepare_volumes
from .overlay import ALPHA, PALETTE, THRESHOLD, _blend, grey_window, palette_colormap
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

__all__ = ["montage_figure", "orthogonal_figure", "select_slices"]

Paths = Iterable[str | os.PathLike[str] | None]

#: Labels at the (left, right, top) edges of each view, in the neurological convention.
EDGES = {"axial": ("L", "R", "A"), "coronal": ("L", "R", "S"), "sagittal": ("P", "A", "S")}
OVERLAY_PARAMS = {"palette": PALETTE, "alpha": ALPHA, "threshold": THRESHOLD}


def _pair(anatomical: Image, functional: Image | None) -> tuple[Canonical, Canonical | None]:
    anat = canonical(anatomical)
    if functional is None:
        return anat, None
    func = canonical(functional)
    if func.array.shape != anat.array.shape or not np.allclose(func.affine, anat.affine, atol=1e-3):
        raise InputError(
            functional.source,
            "is not on the anatomical volume's grid; resample it first (--resample, "
            "brainfuse.registration.resample)",
        )
    return anat, func


def _layer(
    anat2d: np.ndarray, func2d: np.ndarray | None, window: tuple[float, float], settings: dict
) -> np.ndarray:
    if func2d is None:
        return grey_window(anat2d, *window)
    return _blend(
        anat2d, func2d, settings, settings["vmin"], settings["vmax"], anatomical_window=window
    )


def _label_edges(ax: Any, plane: str) -> None:
    left, right, top = EDGES[plane]
    style = {"color": "#9fd3ff", "fontsize": 8, "transform": ax.transAxes}
    ax.text(0.02, 0.5, left, ha="left", va="center", **style)
    ax.text(0.98, 0.5, right, ha="right", va="center", **style)
    ax.text(0.5, 0.98, top, ha="center", va="top", **style)


def select_slices(volume: np.ndarray, n: int, *, fraction: float = 0.05) -> list[int]:
    """``n`` axial indices evenly spread over the head.

    Parameters
    ----------
    volume : numpy.ndarray
        A volume in RAS+ voxel order (the last axis runs up).
    n : int
        How many slices (≥ 1).
    fraction : float, optional
        A slice is inside the head when its maximum exceeds this fraction of the volume's.

    Returns
    -------
    list of int
        Axial indices, bottom to top (fewer than ``n`` when the head has fewer slices).

    Examples
    --------
    >>> vol = np.zeros((4, 4, 20)); vol[:, :, 5:15] = 1
    >>> select_slices(vol, 3)
    [7, 10, 12]
    """
    if n < 1:
        raise InputError(None, f"need at least one slice, got {n}")
    peak = np.asarray(volume).max(axis=(0, 1))
    inside = (
        np.flatnonzero(peak > fraction * float(peak.max()))
        if peak.max() > 0
        else np.arange(peak.size)
    )
    lo, hi = int(inside[0]), int(inside[-1])
    return sorted({round(float(v)) for v in np.linspace(lo, hi, n + 2)[1:-1]}) or [lo]


def _settings(
    func: Canonical | None,
    opts: dict[str, Any],
    vmin: float | None,
    vmax: float | None,
) -> dict:
    if func is None:
        return {}
    lo = float(func.array.min()) if vmin is None else float(vmin)
    hi = float(func.array.max()) if vmax is None else float(vmax)
    return {**opts, "vmin": lo, "vmax": hi}


def _bar(fig: Figure, settings: dict, rect: tuple, label: str) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mappable = ScalarMappable(
        Normalize(settings["vmin"], settings["vmax"]), palette_colormap(settings["palette"])
    )
    add_colorbar(fig, mappable, rect, label)


@register_view(
    "slices",
    family="volume",
    summary="axial, coronal and sagittal slices through a point, with the functional overlay",
    params=OVERLAY_PARAMS,
    dims=(3,),
    capabilities=("overlay",),
)
@figure_doc
def orthogonal_figure(
    anatomical: ImageLike,
    functional: ImageLike | None = None,
    *,
    at_mm: Sequence[float] | None = None,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    label: str | None = None,
    resample: bool = False,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Axial, coronal and sagittal slices through a point, with cross-hairs at the point and
    the functional overlay if given.

    Parameters
    ----------
    anatomical : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The anatomical volume (a NIfTI file, a DICOM folder, a volume in memory).
    functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image, optional
        A functional volume on the same grid, overlaid in colour in its own unit.
    at_mm : sequence of 3 floats, optional
        The world point (mm, RAS+) the slices cross (default: the volume's centre).
    palette, alpha, threshold
        As for :func:`brainfuse.viz.overlay`.
    vmin, vmax : float, optional
        The window of the functional values (default: its minimum and maximum).
    label : str, optional
        The colour bar's label (default: the functional file, else "functional").
    resample : bool, optional
        Resample the functional volume onto the anatomical grid through the headers when the
        grids differ (else such volumes are refused).
    max_pixels : int, optional
        Refuse files with more voxels than this.
    {figure_output}

    Examples
    --------
    >>> vol = np.zeros((10, 12, 8)); vol[2:8, 2:10, 1:7] = 100
    >>> [ax.get_title() for ax in orthogonal_figure(vol, at_mm=(4, 5, 3)).axes]
    ['axial z = 3 mm', 'coronal y = 5 mm', 'sagittal x = 4 mm']
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view("slices", palette=palette, alpha=alpha, threshold=threshold)
    anat_img, func_img, file_label = prepare_volumes(
        anatomical, functional, resample=resample, max_pixels=max_pixels
    )
    label = label or file_label or "functional"
    anat, func = _pair(anat_img, func_img)
    if at_mm is None:
        centre = [(n - 1) / 2 for n in anat.array.shape]
        at_mm = anat.world([round(c) for c in centre])
    i, j, k = anat.voxel(at_mm)
    x, y, z = anat.world((i, j, k))
    settings = _settings(func, opts, vmin, vmax)
    window = (float(anat.array.min()), float(anat.array.max()))
    planes = (
        ("axial", k, f"axial z = {z:.0f} mm"),
        ("coronal", j, f"coronal y = {y:.0f} mm"),
        ("sagittal", i, f"sagittal x = {x:.0f} mm"),
    )
    cell, title, slot = 3.0, 0.3, 1.0 if func is not None else 0.1
    width = 3 * cell + slot
    fig = new_figure(width, cell + title)
    # the cross-hair position in each view's mm extent: (horizontal, vertical from the bottom)
    sx, sy, sz = anat.spacing
    cross = {
        "axial": ((i + 0.5) * sx, (j + 0.5) * sy),
        "coronal": ((i + 0.5) * sx, (k + 0.5) * sz),
        "sagittal": ((j + 0.5) * sy, (k + 0.5) * sz),
    }
    for c, (plane, index, caption) in enumerate(planes):
        a2, extent = anat.view(plane, index)
        f2 = func.view(plane, index)[0] if func is not None else None
        ax = fig.add_axes((c * cell / width, 0.0, cell / width, cell / (cell + title)))
        show_image(ax, _layer(a2, f2, window, settings), title=caption, extent=extent)
        hx, vy = cross[plane]
        ax.axvline(hx, color="#34c759", linewidth=0.6, alpha=0.7)
        ax.axhline(vy, color="#34c759", linewidth=0.6, alpha=0.7)
        _label_edges(ax, plane)
    if func is not None:
        rect = (3 * cell / width + 0.12 / width, 0.1, 0.14 / width, 0.75 * cell / (cell + title))
        _bar(fig, settings, rect, label)
    return finish(fig, out, inputs)


@register_view(
    "montage",
    family="volume",
    summary="axial slices spread over the head, with the functional overlay",
    params={
        "slices": param("number of axial slices", minimum=1),
        "columns": param("slices per row", minimum=1),
        **OVERLAY_PARAMS,
    },
    dims=(3,),
    capabilities=("overlay",),
)
@figure_doc
def montage_figure(
    anatomical: ImageLike,
    functional: ImageLike | None = None,
    *,
    slices: int = 12,
    columns: int = 6,
    palette: str = "pet",
    alpha: float = 0.5,
    threshold: float = 0.1,
    vmin: float | None = None,
    vmax: float | None = None,
    label: str | None = None,
    resample: bool = False,
    max_pixels: int | None = None,
    inputs: Paths = (),
    output_file: str | os.PathLike[str] | None = None,
) -> Figure:
    """Axial slices spread over the head (:func:`select_slices`), each labelled with its z in
    mm, with the functional overlay if given.

    Parameters
    ----------
    anatomical : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The anatomical volume.
    functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image, optional
        A functional volume on the same grid, overlaid in colour in its own unit.
    slices : int, optional
        How many axial slices (≥ 1).
    columns : int, optional
        Slices per row (≥ 1).
    palette, alpha, threshold
        As for :func:`brainfuse.viz.overlay`.
    vmin, vmax : float, optional
        The window of the functional values (default: its minimum and maximum).
    label : str, optional
        The colour bar's label (default: the functional file, else "functional").
    resample : bool, optional
        Resample the functional volume onto the anatomical grid through the headers.
    max_pixels : int, optional
        Refuse files with more voxels than this.
    {figure_output}

    Examples
    --------
    >>> vol = np.zeros((10, 12, 8)); vol[2:8, 2:10, 1:7] = 100
    >>> len(montage_figure(vol, slices=4, columns=2).axes)
    4
    """
    inputs = file_inputs(anatomical, functional, inputs=inputs)
    out = output_path(output_file, inputs)
    opts = bind_view(
        "montage",
        slices=slices,
        columns=columns,
        palette=palette,
        alpha=alpha,
        threshold=threshold,
    )
    anat_img, func_img, file_label = prepare_volumes(
        anatomical, functional, resample=resample, max_pixels=max_pixels
    )
    label = label or file_label or "functional"
    anat, func = _pair(anat_img, func_img)
    indices = select_slices(anat.array, opts.pop("slices"))
    columns = opts.pop("columns")
    settings = _settings(func, opts, vmin, vmax)
    window = (float(anat.array.min()), float(anat.array.max()))
    cols = min(columns, len(indices))
    rows = -(-len(indices) // cols)
    _, extent = anat.view("axial", indices[0])
    cell_w = 2.0
    cell_h = cell_w * (extent[3] / extent[1])
    title, slot = 0.26, 1.0 if func is not None else 0.1
    width = cols * cell_w + slot
    height = rows * (cell_h + title)
    fig = new_figure(width, height)
    for t, index in enumerate(indices):
        r, c = divmod(t, cols)
        a2, ext = anat.view("axial", index)
        f2 = func.view("axial", index)[0] if func is not None else None
        bottom = (height - (r + 1) * (cell_h + title)) / height
        ax = fig.add_axes((c * cell_w / width, bottom, cell_w / width, cell_h / height))
        z = anat.world((0, 0, index))[2]
        show_image(ax, _layer(a2, f2, window, settings), title=f"z = {z:.0f} mm", extent=ext)
    if func is not None:
        rect = (cols * cell_w / width + 0.12 / width, 0.1, 0.14 / width, 0.8)
        _bar(fig, settings, rect, label)
    fig.text(0.002, 0.002, "patient's left on the left", color=FOREGROUND, fontsize=6, alpha=0.6)
    return finish(fig, out, inputs)
