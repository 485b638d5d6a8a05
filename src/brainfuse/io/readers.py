"""Reading images and volumes: :func:`load` and content sniffing.

The format is decided by the file's content (magic bytes), not by its name, so a PNG named
``scan.jpg`` still loads and an HTML page named ``scan.png`` is refused with a clear message.
"""

from __future__ import annotations

import gzip
import os
import warnings
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .dicom import read_dicom_file, read_dicom_series
from .image import Image, Modality, guess_modality
from .nifti import from_nibabel, read_nifti

__all__ = ["DEFAULT_MAX_PIXELS", "SUPPORTED_INPUTS", "load", "max_pixels_default", "sniff_format"]

#: Default limit on pixels (2D) or voxels (3D) per image; guards against decompression bombs.
DEFAULT_MAX_PIXELS = 1 << 28

#: File kinds :func:`load` reads, as shown in error messages.
SUPPORTED_INPUTS = "PNG, JPEG, GIF, BMP, TIFF, NumPy .npy, NIfTI (.nii, .nii.gz), DICOM"

_RASTER = {"png", "jpeg", "gif", "bmp", "tiff"}


def max_pixels_default() -> int:
    """The pixel limit: ``$BRAINFUSE_MAX_PIXELS`` if set, else :data:`DEFAULT_MAX_PIXELS`.

    Returns
    -------
    limit : int

    Raises
    ------
    InputError
        If the variable is set but is not an integer.
    """
    env = os.environ.get("BRAINFUSE_MAX_PIXELS")
    if env:
        try:
            return int(env)
        except ValueError:
            raise InputError("BRAINFUSE_MAX_PIXELS", f"not an integer: {env!r}") from None
    return DEFAULT_MAX_PIXELS


def sniff_format(path: str | os.PathLike[str]) -> str | None:
    """The format of a file from its first bytes.

    Parameters
    ----------
    path : str or os.PathLike
        The file.

    Returns
    -------
    format : str or None
        One of ``png``, ``jpeg``, ``gif``, ``bmp``, ``tiff``, ``npy``, ``nifti``, ``nifti-gz``,
        ``dicom``, ``gzip`` (compressed, but not a readable NIfTI), or ``None`` when the content
        is none of these.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> from brainfuse.io.readers import sniff_format
    >>> path = Path(tempfile.mkdtemp()) / "scan.npy"
    >>> np.save(path, np.zeros(3))
    >>> _ = path.rename(path.with_suffix(".dat"))  # the name does not matter, the bytes do
    >>> sniff_format(path.with_suffix(".dat"))
    'npy'
    """
    with open(path, "rb") as fh:
        head = fh.read(352)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    if head.startswith(b"\x93NUMPY"):
        return "npy"
    if head.startswith(b"\x1f\x8b"):
        try:
            with gzip.open(path, "rb") as gz:
                inner = gz.read(352)
        except (OSError, EOFError, zlib.error):
            return "gzip"
        return "nifti-gz" if _is_nifti_header(inner) else "gzip"
    if _is_nifti_header(head):
        return "nifti"
    if len(head) >= 132 and head[128:132] == b"DICM":
        return "dicom"
    return None


def _is_nifti_header(head: bytes) -> bool:
    if len(head) < 348:
        return False
    for order in ("<", ">"):
        sizeof_hdr = int(np.frombuffer(head[:4], dtype=f"{order}i4")[0])
        if sizeof_hdr == 348 and head[344:347] in (b"n+1", b"ni1"):
            return True
        if sizeof_hdr == 540 and head[4:7] in (b"n+2", b"ni2"):
            return True
    return False


def load(
    source: str | os.PathLike[str] | Image | np.ndarray | Any,
    *,
    modality: str | Modality | None = None,
    max_pixels: int | None = None,
) -> Image:
    """Load a 2D image, a NIfTI volume or a DICOM series, or wrap an image already in memory.

    Parameters
    ----------
    source : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        A PNG, JPEG, GIF, BMP, TIFF (8/16-bit) or ``.npy`` file (2D), a ``.nii``/``.nii.gz``
        file (3D), a single DICOM slice (2D), or a folder holding one DICOM series (3D); or
        an :class:`Image` (returned as it is), a NumPy array (``(H, W)`` grey, ``(H, W, 3)``
        colour, or ``(X, Y, Z)`` volume with 1 mm voxels; its values are taken as display
        values on the 0..255 scale when they lie in it), a nibabel image (its affine and
        header kept) or a SimpleITK image (its origin, spacing and direction turned into a
        RAS+ affine).
    modality : str or Modality, optional
        MRI, CT, PET, SPECT; by default guessed from the path (and DICOM tags).
    max_pixels : int, optional
        Refuse images with more pixels/voxels than this (default :func:`max_pixels_default`).

    Returns
    -------
    Image
        The samples as ``float32`` with their geometry, modality and colour.

    Raises
    ------
    InputError
        Missing, unreadable, truncated or corrupt file, unsupported format or object, too many
        pixels, NaN or infinite values. The message names the file and the problem.

    Examples
    --------
    >>> import numpy as np
    >>> load(np.zeros((4, 5), np.uint8)).shape
    (4, 5)
    >>> mri = load("MRI/11.png")                    # doctest: +SKIP
    >>> pet = load("PET/11.png")                    # doctest: +SKIP
    >>> pet.rgb                                     # doctest: +SKIP
    True
    """
    limit = max_pixels_default() if max_pixels is None else int(max_pixels)
    mod = Modality.parse(modality) if modality is not None else None
    if isinstance(source, (str, os.PathLike)):
        image = _load_path(Path(source), limit, mod)
        name: str | Path = source if isinstance(source, str) else Path(source)
    else:
        image = _from_object(source, limit, mod or Modality.UNKNOWN)
        name = image.source or type(source).__name__
    if not np.isfinite(image.array).all():
        bad = int((~np.isfinite(image.array)).sum())
        raise InputError(name, f"contains {bad} NaN or infinite values")
    return image


def _load_path(p: Path, limit: int, modality: Modality | None) -> Image:
    mod = modality if modality is not None else guess_modality(p)
    try:
        exists, is_dir = p.exists(), p.is_dir()
    except OSError as exc:  # a name too long, a loop of symbolic links ...
        raise InputError(p, f"cannot be read ({exc.strerror or exc})") from None
    if not exists:
        if p.is_symlink():
            raise InputError(p, "is a broken symbolic link (or a loop of links)")
        raise InputError(p, "no such file or folder")
    if is_dir:
        return read_dicom_series(p, max_pixels=limit, modality=mod)
    if not p.is_file():
        raise InputError(p, "is not a regular file (a device, a pipe or a socket)")
    try:
        kind = sniff_format(p)
    except OSError as exc:
        raise InputError(p, f"cannot read file ({exc.strerror or exc})") from None
    if kind is None:
        if p.stat().st_size == 0:
            raise InputError(p, "file is empty")
        raise InputError(p, f"unsupported or unrecognised format; supported: {SUPPORTED_INPUTS}")
    if kind == "gzip":
        raise InputError(p, "gzip data is truncated or corrupt, or does not hold a NIfTI volume")
    if kind in _RASTER:
        return _read_raster(p, kind, limit, mod)
    if kind == "npy":
        return _read_npy(p, limit, mod)
    if kind in ("nifti", "nifti-gz"):
        return read_nifti(p, max_pixels=limit, modality=mod)
    return read_dicom_file(p, max_pixels=limit, modality=mod)


def _from_object(obj: Any, limit: int, modality: Modality) -> Image:
    """An :class:`Image` of an object in memory: Image, array, nibabel or SimpleITK image."""
    if isinstance(obj, Image):
        return obj if modality is Modality.UNKNOWN else obj.replace(modality=modality)
    if isinstance(obj, np.ndarray):
        return _from_array(obj, limit, modality)
    kind = f"{type(obj).__module__}.{type(obj).__name__}"
    if kind.startswith("nibabel.") and hasattr(obj, "dataobj") and hasattr(obj, "affine"):
        return from_nibabel(obj, max_pixels=limit, modality=modality)
    if kind == "SimpleITK.SimpleITK.Image" or kind.startswith("SimpleITK."):
        from .sitk import from_sitk

        return from_sitk(obj, max_pixels=limit, modality=modality)
    raise InputError(
        type(obj).__name__,
        "expected a path, an Image, a NumPy array, a nibabel image or a SimpleITK image",
    )


def _from_array(
    arr: np.ndarray, limit: int, modality: Modality, source: Path | None = None
) -> Image:
    """An array (in memory or from a ``.npy`` file) as an Image: display values in 2D."""
    name = source or "array"
    if arr.dtype.kind not in "uifb":
        raise InputError(name, f"holds {arr.dtype} values; expected numbers")
    if arr.size > limit:
        raise InputError(name, f"{arr.size} samples exceed the limit of {limit}")
    if arr.ndim not in (2, 3):
        raise InputError(name, f"shape {arr.shape}; expected (H, W), (H, W, 3) or (X, Y, Z)")
    try:
        data = np.array(arr, dtype=np.float32)
    except Exception as exc:  # a memory-mapped file shorter than its header says
        raise InputError(name, f"truncated or corrupt data ({exc})") from None
    rgb = arr.ndim == 3 and arr.shape[2] == 3
    return Image(
        data,
        rgb=rgb,
        modality=modality,
        bit_depth=arr.dtype.itemsize * 8,
        display_values=arr.ndim == 2 or rgb,
        source=None if source is None else str(source),
        meta={"format": "array" if source is None else "npy"},
    )


def _read_raster(path: Path, kind: str, limit: int, modality: Modality) -> Image:
    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            saved = PILImage.MAX_IMAGE_PIXELS
            PILImage.MAX_IMAGE_PIXELS = None
            try:
                pil = PILImage.open(path)
            finally:
                PILImage.MAX_IMAGE_PIXELS = saved
            w, h = pil.size
            if w * h > limit:
                raise InputError(path, f"{w}x{h} = {w * h} pixels exceed the limit of {limit}")
            pil.load()
    except InputError:
        raise
    except Exception as exc:
        raise InputError(path, f"truncated or corrupt {kind.upper()} image ({exc})") from None
    mode = pil.mode
    meta = {"format": kind, "mode": mode, "frames": int(getattr(pil, "n_frames", 1))}
    if mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        arr, bits = np.asarray(pil, dtype=np.uint16), 16
    elif mode == "I":
        arr, bits = np.asarray(pil, dtype=np.int32), 32
    elif mode == "F":
        arr, bits = np.asarray(pil, dtype=np.float32), 32
    elif mode in ("L", "1", "LA"):
        arr, bits = np.asarray(pil.convert("L"), dtype=np.uint8), 8
    else:  # P, RGB, RGBA, CMYK, YCbCr, LAB ... -> RGB
        arr, bits = np.asarray(pil.convert("RGB"), dtype=np.uint8), 8
    rgb = arr.ndim == 3
    if (
        rgb
        and np.array_equal(arr[..., 0], arr[..., 1])
        and np.array_equal(arr[..., 1], arr[..., 2])
    ):
        arr, rgb = arr[..., 0], False
        meta["stored_as_rgb"] = True
    return Image(
        arr,
        rgb=rgb,
        modality=modality,
        bit_depth=bits,
        display_values=bits == 8,
        source=str(path),
        meta=meta,
    )


def _read_npy(path: Path, limit: int, modality: Modality) -> Image:
    try:
        arr = np.load(path, allow_pickle=False, mmap_mode="r")
    except Exception as exc:
        raise InputError(path, f"truncated or corrupt .npy file ({exc})") from None
    return _from_array(arr, limit, modality, source=path)
