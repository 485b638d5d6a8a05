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

__all__ = [
    "OUTPUT_SUFFIXES_2D",
    "OUTPUT_SUFFIXES_3D",
    "check_output_suffix",
    "png_bytes",
    "save",
    "to_uint8",
]

OUTPUT_SUFFIXES_2D = (".png", ".tif", ".tiff", ".bmp", ".jpg", ".jpeg", ".npy")
OUTPUT_SUFFIXES_3D = (".nii", ".nii.gz", ".npy")


def to_uint8(array: np.ndarray) -> np.ndarray:
    """Round (half to even) and clip samples on the 0..255 scale to ``uint8``.

    Parameters
    ----------
    array : numpy.ndarray
        Samples on the 0..255 scale.

    Returns
    -------
    pixels : numpy.ndarray
        uint8, ``array``'s shape.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.io.writers import to_uint8
    >>> to_uint8(np.array([-3.0, 0.5, 1.5, 254.6, 300.0]))
    array([  0,   0,   2, 255, 255], dtype=uint8)
    """
    return np.clip(np.rint(np.asarray(array, dtype=np.float64)), 0, 255).astype(np.uint8)


def png_bytes(array: np.ndarray) -> bytes:
    """The PNG file of an image on the 0..255 scale (grey, RGB or RGBA), in memory.

    Parameters
    ----------
    array : numpy.ndarray
        ``(H, W)``, ``(H, W, 3)`` or ``(H, W, 4)`` samples, rounded and clipped by
        :func:`to_uint8`.

    Returns
    -------
    bytes
        The PNG file (no metadata: equal arrays give equal bytes).

    Examples
    --------
    >>> import numpy as np
    >>> png_bytes(np.zeros((2, 2)))[:4]
    b'\\x89PNG'
    """
    import io

    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.fromarray(to_uint8(array)).save(buf, format="PNG")
    return buf.getvalue()


def check_output_suffix(path: str | os.PathLike[str], ndim: int) -> str:
    """The output suffix, if it can hold an image of ``ndim`` dimensions.

    Parameters
    ----------
    path : str or os.PathLike
        The output file.
    ndim : int
        2 (images: PNG, TIFF, BMP, JPEG, ``.npy``) or 3 (volumes: ``.nii``, ``.nii.gz``,
        ``.npy``).

    Returns
    -------
    suffix : str
        The lower-case (compound) suffix.

    Raises
    ------
    InputError
        If the suffix cannot hold such an image.

    Examples
    --------
    >>> from brainfuse.io.writers import check_output_suffix
    >>> check_output_suffix("fused.nii.gz", 3), check_output_suffix("fused.PNG", 2)
    ('.nii.gz', '.png')
    """
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
    (samples on the 0..255 scale, rounded and clipped); a grey image whose source was 16-bit goes
    to TIFF/PNG as 16-bit. ``.npy`` keeps the float32 samples exactly. Volumes go to NIfTI
    (``.nii``, ``.nii.gz``) as float32; the NIfTI header of the reference (or the volume's own,
    when it was read from NIfTI) is kept whole: sform and qform with their codes, units,
    description. The file appears complete or not at all.

    Parameters
    ----------
    image : Image
        The image or volume.
    path : str or os.PathLike
        The output file; its suffix chooses the format.
    reference : Image, optional
        A volume whose grid (shape must match) and header the written volume takes.
    inputs : iterable of str, os.PathLike or None, optional
        Files that must not be overwritten (``image.source`` never is either).

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    InputError
        If the suffix cannot hold the image, the path is an input or cannot be written, or the
        reference's grid differs.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> from brainfuse.io import load, save
    >>> image = load(np.array([[0, 128], [255, 64]], np.uint8))
    >>> path = save(image, Path(tempfile.mkdtemp()) / "fused.png")
    >>> load(path).array
    array([[  0., 128.],
           [255.,  64.]], dtype=float32)
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
