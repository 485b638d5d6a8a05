"""Preparing two images for fusion, viewing and scoring: :func:`prepare_pair`.

Every caller - :func:`brainfuse.fuse`, the command line, the web viewer, the ``viz`` views, the
benchmark runner, the metrics on files and the demo - prepares its pair here, so these rules
hold everywhere:

1. **Inputs.** A path, an :class:`~brainfuse.io.image.Image`, a NumPy array, a nibabel image
   or a SimpleITK image (:func:`brainfuse.load` turns each into an Image).
2. **Dimensions.** Both 2D or both 3D; colour (RGB) images are 2D.
3. **Grid.** 2D images must have the same shape. Volumes must have the same shape and the same
   affine (within 1e-3 mm) - otherwise the pair is refused, unless ``resample=True`` (B is
   resampled onto A's grid through the two headers) or ``register`` names a registration
   method (B is registered to A first).
4. **Intensity** (:func:`to_fusion_scale`). 2D 8-bit images and arrays keep their values on
   the 0..255 scale; every other image (NIfTI and DICOM volumes with their scale factors
   applied, 16-bit and float images) is mapped linearly from its own minimum and maximum to
   0..255.
5. **Colour.** A colour A is reduced to its BT.601 luma. A colour B (a pseudo-colour PET or
   SPECT) is kept in colour; a grey B is shown in colour when a ``palette`` is given. A palette
   name is checked even when it is not used, and a palette with a B already in colour is an
   error.
6. **Values** are finite (NaN and infinity are refused with the file named).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .color import apply_palette, check_palette, rgb_to_grey
from .errors import InputError
from .io import Image, Modality, load, to_fusion_scale
from .registration.transform import Transform

__all__ = ["AFFINE_TOLERANCE_MM", "Pair", "prepare_pair", "to_fusion_scale"]

#: Two volumes whose affines differ by more than this (mm) are not on one grid.
AFFINE_TOLERANCE_MM = 1e-3

ImageLike = str | os.PathLike[str] | Image | np.ndarray | Any


@dataclass(frozen=True, eq=False)
class Pair:
    """Two images prepared for fusion (see the module's rules).

    Attributes
    ----------
    a : numpy.ndarray
        The anatomical image, grey, ``float32`` on 0..255, C-ordered: ``(H, W)`` or
        ``(X, Y, Z)``.
    b : numpy.ndarray
        The functional (or CT) image on 0..255 on ``a``'s grid: grey like ``a``, or colour
        ``(H, W, 3)``.
    b_grey : numpy.ndarray
        ``b`` as grey: ``b`` itself, the grey image a palette coloured, or the luma of a
        colour ``b``.
    fixed : Image
        A as loaded: the geometry (spacing, affine, NIfTI header) of every result.
    moving : Image
        B as loaded, on A's grid after resampling or registration, in its own unit.
    palette : str or None
        The palette that coloured a grey B, if any.
    names : tuple of str
        How messages name A and B (their files, when they came from files).
    transform : Transform or None
        The transform that registered B to A, when the pair was registered.
    """

    a: np.ndarray
    b: np.ndarray
    b_grey: np.ndarray
    fixed: Image
    moving: Image
    palette: str | None = None
    names: tuple[str, str] = ("A", "B")
    transform: Transform | None = None

    @property
    def color(self) -> bool:
        """True when ``b`` is a colour image (and a fused result will be in colour)."""
        return self.b.ndim == self.a.ndim + 1

    @property
    def is_volume(self) -> bool:
        """True for a pair of volumes."""
        return self.fixed.is_volume

    def result(self, array: np.ndarray, **meta: Any) -> Image:
        """A fused array as an :class:`Image` with A's geometry (display values on 0..255)."""
        out = np.asarray(array, dtype=np.float32)
        keep = {k: v for k, v in self.fixed.meta.items() if k == "nifti_header"}
        return Image(
            out,
            rgb=out.ndim == self.a.ndim + 1,
            modality=Modality.FUSED,
            spacing=self.fixed.spacing,
            affine=self.fixed.affine,
            colormap=self.palette or self.moving.colormap,
            display_values=True,
            meta={**keep, "inputs": self.names, **meta},
        )


def _name(image: Image, given: Any, default: str) -> str:
    if image.source:
        return image.source
    if isinstance(given, (str, os.PathLike)):
        return str(given)
    return default


def _load_b(x: ImageLike, a: Image, max_pixels: int | None) -> Image:
    """Load B; an ``(X, Y, 3)`` array paired with a volume is a volume of three slices."""
    img = load(x, max_pixels=max_pixels)
    if isinstance(x, np.ndarray) and img.rgb and a.is_volume:
        img = img.replace(rgb=False, display_values=False)
    return img


def prepare_pair(
    a: ImageLike,
    b: ImageLike,
    *,
    palette: str | None = None,
    resample: bool = False,
    register: str | None = None,
    max_pixels: int | None = None,
) -> Pair:
    """Load and prepare an anatomical image ``a`` and a functional (or CT) image ``b``.

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        A: MRI (grey; a colour A is reduced to luma). B: PET, SPECT or CT, grey or
        pseudo-colour RGB.
    palette : str, optional
        Show a grey B in colour with this palette (a DICOM palette such as ``"pet"`` or a
        matplotlib colour map such as ``"hot"``); 2D only.
    resample : bool, optional
        Resample volume B onto volume A's grid through their headers when the grids differ.
    register : str, optional
        Register B to A first with this method (``"mi"``, ``"bggmm"``, ``"gmm-er"``,
        ``"ecc"``; see :func:`brainfuse.register`).
    max_pixels : int, optional
        Refuse files with more pixels or voxels than this.

    Returns
    -------
    Pair
        The samples on 0..255, with the loaded images for geometry and units.

    Raises
    ------
    InputError
        A file that cannot be read, 2D with 3D, shapes or grids that differ, NaN, an unknown
        palette, a palette for a colour or 3D B. The message names the file.

    Examples
    --------
    >>> import numpy as np
    >>> mri = np.full((8, 8), 100, np.uint8)
    >>> pet = np.zeros((8, 8), np.uint8); pet[2:4, 2:4] = 200
    >>> pair = prepare_pair(mri, pet, palette="hot")
    >>> pair.color, float(pair.a.max()), pair.b.shape
    (True, 100.0, (8, 8, 3))
    """
    if palette is not None:
        check_palette(palette)
    img_a = load(a, max_pixels=max_pixels)
    img_b = _load_b(b, img_a, max_pixels)
    names = (_name(img_a, a, "A"), _name(img_b, b, "B"))
    if img_a.is_volume != img_b.is_volume:
        raise InputError(
            names[1],
            f"a {img_b.ndim}D input cannot be paired with the {img_a.ndim}D input {names[0]}",
        )
    transform = None
    if register is not None:
        from .registration import register as register_images

        img_b, transform = register_images(img_a, img_b, register)
    elif img_a.is_volume and not _same_grid(img_a, img_b):
        if not resample:
            what = "shape" if img_a.shape != img_b.shape else "affine"
            raise InputError(
                names[1],
                f"{what} differs from {names[0]}'s: the volumes are not on one grid; resample it "
                "(fuse --resample, brainfuse.registration.resample) or register it",
            )
        from .registration import resample as resample_volume

        img_b = resample_volume(img_a, img_b)
    elif not img_a.is_volume and img_a.shape != img_b.shape:
        raise InputError(
            names[1],
            f"shape {img_b.shape} differs from {names[0]}'s {img_a.shape}; register it onto the "
            "first image (brainfuse register, or fuse --register)",
        )
    a_arr = to_fusion_scale(img_a)
    if img_a.rgb:
        a_arr = rgb_to_grey(a_arr)
    b_arr = to_fusion_scale(img_b)
    if img_b.rgb:
        if palette is not None:
            raise InputError(names[1], "is already in colour; --palette colours a grey image only")
        b_grey = rgb_to_grey(b_arr)
    elif palette is not None:
        if img_b.is_volume:
            raise InputError(names[1], "palettes colour 2D images; volumes are fused in grey")
        b_grey, b_arr = b_arr, apply_palette(b_arr, palette)
    else:
        b_grey = b_arr
    return Pair(
        a=np.ascontiguousarray(a_arr, dtype=np.float32),
        b=np.ascontiguousarray(b_arr, dtype=np.float32),
        b_grey=np.ascontiguousarray(b_grey, dtype=np.float32),
        fixed=img_a,
        moving=img_b,
        palette=palette if not img_b.rgb else None,
        names=names,
        transform=transform,
    )


def _same_grid(a: Image, b: Image) -> bool:
    return a.shape == b.shape and bool(np.allclose(a.affine, b.affine, atol=AFFINE_TOLERANCE_MM))
