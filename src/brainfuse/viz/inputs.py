"""What the views take: a path, a NumPy array, a nibabel or SimpleITK image, or an ``Image``.

Two rules, the same for every view:

- **NumPy arrays are taken as they are**: display values (grey ``(H, W)`` or colour
  ``(H, W, 3)``, normally on 0..255), unscaled, so a view of arrays shows exactly those
  values and the windows given with them (``vmin``, ``vmax``) keep their meaning.
- **Everything else** is loaded by :func:`brainfuse.io.load`: a pair by
  :func:`brainfuse.pair.prepare_pair` (both on the 0..255 scale, one grid, colour A reduced to
  its luma), a single image by :func:`brainfuse.io.load` and
  :func:`brainfuse.io.to_fusion_scale`. Titles name the files (``"PET 23.png"``), and the
  files are inputs a view never writes over.

The functional image of an overlay keeps its own unit (counts, 16-bit values) for its window
and colour bar (:attr:`ViewPair.b_own`), and volumes (:func:`prepare_volumes`) are shown in
their own units, on one grid.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io import Image, Modality, load, to_fusion_scale
from ..pair import prepare_pair

__all__ = [
    "ImageLike",
    "ViewImage",
    "ViewPair",
    "file_inputs",
    "prepare_image",
    "prepare_pair_2d",
    "prepare_two",
    "prepare_volumes",
]

#: What a view takes as an image.
ImageLike = str | os.PathLike[str] | Image | np.ndarray | Any

VOLUME_HINT = "is a volume; use `brainfuse viz slices` or `brainfuse viz montage`"


def file_inputs(*images: Any, inputs: Iterable[Any] = ()) -> list[Any]:
    """``inputs`` and the images given as paths: what an output must not overwrite.

    Parameters
    ----------
    *images : object
        The images a view was given (paths, arrays, images in memory).
    inputs : iterable of path, optional
        Further files the caller names.

    Returns
    -------
    list
        The files, ``inputs`` first.

    Examples
    --------
    >>> file_inputs("mri.png", np.zeros((2, 2)), inputs=["pet.png"])
    ['pet.png', 'mri.png']
    """
    return [*inputs, *(x for x in images if isinstance(x, (str, os.PathLike)))]


def _title(image: Image, given: Any) -> str | None:
    """``"PET 23.png"``: the modality (when known) and the name of the file given; None for
    an image given in memory (its ``source`` may name no file)."""
    if not isinstance(given, (str, os.PathLike)):
        return None
    kind = image.modality.value if image.modality is not Modality.UNKNOWN else ""
    return f"{kind} {Path(given).name}".strip()


def _kind(image: Image, role: str) -> str:
    return image.modality.value if image.modality is not Modality.UNKNOWN else role


def _stem(given: Any) -> str | None:
    return Path(given).stem if isinstance(given, (str, os.PathLike)) else None


@dataclass(frozen=True)
class ViewImage:
    """One image ready for a view.

    Attributes
    ----------
    array : numpy.ndarray
        ``float32`` on 0..255 (an array: as given), grey or colour.
    title : str or None
        ``"CT 15.png"`` for an image given as a path, None otherwise.
    """

    array: np.ndarray
    title: str | None = None


def prepare_image(x: ImageLike, *, max_pixels: int | None = None) -> ViewImage:
    """A 2D image for a view: an array as it is, anything else loaded and put on 0..255.

    Parameters
    ----------
    x : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The image.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    ViewImage
        The samples (grey or colour) and a title naming the file.

    Raises
    ------
    InputError
        An unreadable file, or a volume.

    Examples
    --------
    >>> prepare_image(np.full((2, 3), 7, np.uint8)).array.dtype
    dtype('float32')
    """
    if isinstance(x, np.ndarray):
        return ViewImage(np.asarray(x, dtype=np.float32))
    img = load(x, max_pixels=max_pixels)
    if img.is_volume:
        raise InputError(_name(img, x), VOLUME_HINT)
    return ViewImage(to_fusion_scale(img), _title(img, x))


def prepare_two(
    a: ImageLike, b: ImageLike, *, max_pixels: int | None = None
) -> tuple[ViewImage, ViewImage]:
    """Two 2D images of one size for a comparison view (:func:`prepare_image` each).

    Unlike an anatomical/functional pair, both keep their colours (two fused results, a
    registered pair ...).

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The two images.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    tuple of ViewImage
        The two images.

    Raises
    ------
    InputError
        An unreadable file, a volume, or sizes that differ (naming ``b``).

    Examples
    --------
    >>> x, y = prepare_two(np.zeros((3, 4)), np.zeros((3, 4, 3)))
    >>> x.array.shape, y.array.shape
    ((3, 4), (3, 4, 3))
    """
    x = prepare_image(a, max_pixels=max_pixels)
    y = prepare_image(b, max_pixels=max_pixels)
    shape_a, shape_b = x.array.shape[:2], y.array.shape[:2]
    if shape_a != shape_b and not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
        first = Path(a).name if isinstance(a, (str, os.PathLike)) else "the first image"
        name = b if isinstance(b, (str, os.PathLike)) else (y.title or "the second image")
        raise InputError(name, f"shape {shape_b} differs from {first}'s {shape_a}")
    return x, y


@dataclass(frozen=True)
class ViewPair:
    """An anatomical and a functional 2D image ready for a view.

    Attributes
    ----------
    a : numpy.ndarray
        The anatomical image, grey, on 0..255 (an array: as given).
    b : numpy.ndarray
        The functional image on 0..255 on ``a``'s grid, grey or colour (an array: as given).
    b_own : numpy.ndarray
        The functional image in its own unit (PET counts, 16-bit values ...) or its colours:
        what an overlay colours with its window and colour bar. ``b`` for arrays.
    titles : tuple of (str or None)
        ``("MRI 23.png", "PET 23.png")`` for images given as paths, None otherwise.
    kinds : tuple of str or None
        The modalities (``"MRI"``, ``"PET"``; the role when unknown), None for two arrays.
    label : str or None
        The stem of A's file, when A is given as a path.
    """

    a: np.ndarray
    b: np.ndarray
    b_own: np.ndarray
    titles: tuple[str | None, str | None] = (None, None)
    kinds: tuple[str, str] | None = None
    label: str | None = None

    def names(self, default: tuple[str, str]) -> tuple[str, str]:
        """The titles, or ``default`` for the ones without a file."""
        return (self.titles[0] or default[0], self.titles[1] or default[1])


def prepare_pair_2d(
    anatomical: ImageLike, functional: ImageLike, *, max_pixels: int | None = None
) -> ViewPair:
    """An anatomical/functional 2D pair for a view (two arrays as they are; otherwise
    :func:`brainfuse.pair.prepare_pair`).

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The pair.
    max_pixels : int, optional
        Refuse files with more pixels than this.

    Returns
    -------
    ViewPair
        The two images with their titles.

    Raises
    ------
    InputError
        What :func:`~brainfuse.pair.prepare_pair` refuses (a file that cannot be read,
        shapes that differ ...), or volumes.

    Examples
    --------
    >>> pair = prepare_pair_2d(np.zeros((4, 4)), np.ones((4, 4, 3)))
    >>> pair.b.shape, pair.names(("MRI", "PET"))
    ((4, 4, 3), ('MRI', 'PET'))
    """
    if isinstance(anatomical, np.ndarray) and isinstance(functional, np.ndarray):
        a = np.asarray(anatomical, dtype=np.float32)
        b = np.asarray(functional, dtype=np.float32)
        return ViewPair(a, b, b)
    pair = prepare_pair(anatomical, functional, max_pixels=max_pixels)
    if pair.is_volume:
        raise InputError(pair.names[0], VOLUME_HINT)
    fixed, moving = pair.fixed, pair.moving
    return ViewPair(
        pair.a,
        pair.b,
        moving.array,
        (_title(fixed, anatomical), _title(moving, functional)),
        (_kind(fixed, "anatomical"), _kind(moving, "functional")),
        _stem(anatomical),
    )


def prepare_volumes(
    anatomical: ImageLike,
    functional: ImageLike | None = None,
    *,
    resample: bool = False,
    max_pixels: int | None = None,
) -> tuple[Image, Image | None, str | None]:
    """An anatomical volume and, optionally, a functional volume on its grid.

    Parameters
    ----------
    anatomical, functional : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        The volumes (``functional`` optional).
    resample : bool, optional
        Resample the functional volume onto the anatomical grid through their headers when
        the grids differ (else volumes on different grids are refused).
    max_pixels : int, optional
        Refuse files with more voxels than this.

    Returns
    -------
    anatomical, functional : Image
        The volumes as loaded, in their own units (the functional one on the anatomical grid,
        or None).
    label : str or None
        The colour bar's label for a functional volume given as a path (``"PET pet.nii"``),
        None otherwise.

    Raises
    ------
    InputError
        A 2D image, volumes on different grids (unless ``resample``), a file that cannot be
        read.

    Examples
    --------
    >>> anat, func, label = prepare_volumes(np.zeros((4, 5, 6)), np.ones((4, 5, 6)))
    >>> anat.is_volume, func.shape, label
    (True, (4, 5, 6), None)
    """
    anat = load(anatomical, max_pixels=max_pixels)
    if not anat.is_volume:
        raise InputError(_name(anat, anatomical), TWO_D_HINT)
    if functional is None:
        return anat, None, None
    pair = prepare_pair(anat, functional, resample=resample, max_pixels=max_pixels)
    func = pair.moving
    label = None
    if isinstance(functional, (str, os.PathLike)):
        label = f"{_kind(func, 'functional')} {Path(functional).name}"
    return pair.fixed, func, label


def _name(image: Image, given: Any) -> Any:
    """How a message names an image: the path given, its file, or what it is."""
    if isinstance(given, (str, os.PathLike)):
        return given
    return image.source or type(given).__name__


TWO_D_HINT = "is a 2D image; use `brainfuse viz overlay` for 2D pairs"
