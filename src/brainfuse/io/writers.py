"""Writing images and volumes: :func:`save` (atomic, never over an input)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from ..errors import InputError
from .atomic import atomic_path, check_output_path, compound_suffix
from .image import Image
from .nifti import write_nifti

__all__ = ["OUTPUT_SUFFIXES_2D", "OUTPUT_SUFFIXES_3D", "check_output_suffix", "save", "to_uint8"]

OUTPUT_SUFFIXES_2D = (".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg", ".npy")
OUTPUT_SUFFIXES_3D = (".nii", ".nii.gz", ".npy")


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Round (half to even) and clip samples on the 0..255 scale to ``uint8``."""
    return np.clip(np.rint(np.asarray(array, dtype=np.float64)), 0, 255).astype(np.uint8)


def check_output_suffix(path: str | os.PathLike[str], ndim: int) -> str:
    """The output suffix if it can hold a ``ndim``-D image, else an :class:`InputError`."""
    suffix = compound_suffix(path)
    allowed = OUTPUT_SUFFIXES_3D if ndim == 3 else OUTPUT_SUFFIXES_2D
    if suffix not in allowed:
        kind = "a volume" if ndim == 3 else "a 2D image"
        raise InputError(
            path, f"cannot write {kind} as '{suffix or path}'; use {', '.join(allowed)}"
        )
    return suffix


def save(
    image: Image,
    path: str | os.PathLike[str],
    *,
    reference: Image | None = None,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Write ``image`` to ``path`` atomically; return the path.

    2D images go to PNG, TIFF, BMP or JPEG as 8-bit: grey as mode ``L``, colour as ``RGB``
    (samples on the 0..255 scale, rounded and clipped); a grey image whose source was 16-bit
    goes to TIFF/PNG as 16-bit. ``.npy`` keeps the float32 samples exactly. Volumes go to
    NIfTI (``.nii``, ``.nii.gz``) as float32 on the grid of ``reference`` if given (its shape
    must match), else their own; the NIfTI header of the reference (or the volume's own, when
    it was read from NIfTI) is kept whole: sform and qform with their codes, units,
    description.

    The path may not be ``image.source`` or any of ``inputs`` (inputs are never overwritten);
    the file appears complete or not at all.
    """
    out = check_output_path(
        path, [image.source, *(reference.source if reference else None,), *inputs]
    )
    suffix = check_output_suffix(out, image.ndim)
    if reference is not None and image.is_volume:
        if reference.shape != image.shape:
            raise InputError(
                out, f"volume shape {image.shape} differs from the reference's {reference.shape}"
            )
        image = image.replace(affine=reference.affine, spacing=reference.spacing)
    header = (reference if reference is not None else image).meta.get("nifti_header")
    with atomic_path(out) as tmp:
        if suffix == ".npy":
            with open(tmp, "wb") as fh:
                np.save(fh, np.asarray(image.array, dtype=np.float32))
        elif image.is_volume:
            write_nifti(image, tmp, header=header)
        else:
            _write_raster(image, tmp, suffix)
    return out


def _write_raster(image: Image, tmp: Path, suffix: str) -> None:
    from PIL import Image as PILImage

    fmt = {".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF", ".bmp": "BMP", ".jpg": "JPEG"}
    fmt[".jpeg"] = "JPEG"
    if image.rgb:
        pil = PILImage.fromarray(to_uint8(image.array))
    elif image.bit_depth == 16 and suffix in (".png", ".tif", ".tiff"):
        arr = np.clip(np.rint(image.array), 0, 65535).astype(np.uint16)
        pil = PILImage.fromarray(arr)
    else:
        pil = PILImage.fromarray(to_uint8(image.array))
    kwargs = {"quality": 95} if fmt[suffix] == "JPEG" else {}
    pil.save(tmp, format=fmt[suffix], **kwargs)
