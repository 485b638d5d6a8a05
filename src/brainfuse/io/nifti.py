"""NIfTI-1/2 volumes through nibabel, keeping the voxel-to-world affine."""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .image import Image, Modality

__all__ = ["from_nibabel", "read_nibabel", "read_nifti", "write_nifti"]


def read_nifti(path: Path, *, max_pixels: int, modality: Modality) -> Image:
    """Read a 3D NIfTI volume (``.nii`` or ``.nii.gz``); scaling (scl_slope/inter) is applied.

    The whole file is read (and a gzip stream decompressed to its end, so that its CRC-32 is
    checked) before nibabel parses it: a corrupt ``.nii.gz`` is refused, not read as data.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    max_pixels : int
        Refuse data with more pixels or voxels than this.
    modality : Modality
        The modality to record (guessed from the path by :func:`brainfuse.io.load`).

    Returns
    -------
    volume : Image
        The volume with its affine and NIfTI header (``meta["nifti_header"]``).

    Raises
    ------
    InputError
        If the file is not readable NIfTI, truncated or corrupt, not 3D, has dimensions ≤ 0, a
        singular or non-finite affine, or too many voxels.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from pathlib import Path
    >>> from brainfuse.io.image import Image, Modality
    >>> from brainfuse.io.nifti import read_nifti, write_nifti
    >>> path = Path(tempfile.mkdtemp()) / "v.nii.gz"
    >>> write_nifti(Image(np.ones((2, 3, 4), np.float32), affine=np.diag([2.0, 2, 2, 1])), path)
    >>> volume = read_nifti(path, max_pixels=10**6, modality=Modality.MRI)
    >>> volume.shape, volume.spacing
    ((2, 3, 4), (2.0, 2.0, 2.0))
    """
    img = read_nibabel(path, max_pixels=max_pixels)
    return from_nibabel(img, source=path, max_pixels=max_pixels, modality=modality)


def read_nibabel(path: Path, *, max_pixels: int) -> Any:
    """A NIfTI-1/2 file as a nibabel image, of any dimension, with its bytes checked first.

    The whole file is read (a gzip stream to its end, so that its CRC-32 is checked) before
    nibabel parses the header; :func:`read_nifti` adds the 3D checks and the :class:`Image`.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    max_pixels : int
        Refuse files holding more than 16 bytes a voxel of this many voxels.

    Returns
    -------
    nibabel.Nifti1Image or nibabel.Nifti2Image

    Raises
    ------
    InputError
        If the file is unreadable, truncated, corrupt, too large, or its header is broken.
    """
    import nibabel as nib

    raw = _read_bytes(path, max_pixels)
    logger = nib.imageglobals.logger
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)  # nibabel logs header problems to stderr; we raise
    try:
        two = int.from_bytes(raw[:4], "little") == 540 or int.from_bytes(raw[:4], "big") == 540
        img = (nib.Nifti2Image if two else nib.Nifti1Image).from_bytes(raw)
        img.shape  # noqa: B018 - a broken header raises here
    except Exception as exc:  # nibabel raises many types for bad headers
        raise InputError(path, f"not a readable NIfTI file ({_reason(exc)})") from None
    finally:
        logger.setLevel(level)
    return img


def _read_bytes(path: Path, max_pixels: int) -> bytes:
    """The file's bytes, gunzipped; more than 16 bytes a voxel of ``max_pixels`` is refused
    (a decompression bomb stops there)."""
    cap = 16 * max_pixels + (1 << 20)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(2)
            fh.seek(0)
            stream = gzip.GzipFile(fileobj=fh) if magic == b"\x1f\x8b" else fh
            raw = stream.read(cap + 1)
            if magic == b"\x1f\x8b" and len(raw) <= cap:
                stream.read()  # to the end of the stream: the CRC-32 and length are checked
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(path, f"truncated or corrupt NIfTI data ({_reason(exc)})") from None
    if len(raw) > cap:
        raise InputError(path, f"more data than {max_pixels} voxels can hold (--max-pixels)")
    return raw


def from_nibabel(
    img: Any,
    *,
    source: str | Path | None = None,
    max_pixels: int,
    modality: Modality = Modality.UNKNOWN,
) -> Image:
    """An :class:`Image` of a nibabel image (NIfTI-1/2, or any spatial image with an affine).

    The data go through the image's scale factors; a 2D image becomes a volume of one slice. A
    NIfTI header is kept in ``meta["nifti_header"]`` so that a volume written on the same grid
    keeps it (sform and qform with their codes, units, description).

    Parameters
    ----------
    img : nibabel spatial image
        The image.
    source : str or pathlib.Path, optional
        The file it came from, named in messages.
    max_pixels : int
        Refuse data with more pixels or voxels than this.
    modality : Modality, optional
        The modality to record (default UNKNOWN).

    Returns
    -------
    volume : Image

    Raises
    ------
    InputError
        If the header or data cannot be read, a dimension is ≤ 0, the affine is singular or not
        finite, the image is not 3D (after a 2D image is given one slice), or it has too many
        voxels.

    Examples
    --------
    >>> import nibabel as nib, numpy as np
    >>> from brainfuse.io.nifti import from_nibabel
    >>> img = nib.Nifti1Image(np.zeros((2, 3, 4), np.float32), np.diag([2.0, 2, 2, 1]))
    >>> from_nibabel(img, max_pixels=10**6)
    Image(volume 2x3x4, modality=unknown, spacing=(2.0, 2.0, 2.0), bit_depth=32)
    """
    name = source if source is not None else "nibabel image"
    try:
        shape = tuple(int(s) for s in img.shape)
    except Exception as exc:
        raise InputError(name, f"not a readable NIfTI file ({_reason(exc)})") from None
    if any(n <= 0 for n in shape):
        raise InputError(name, f"the header gives dimensions {shape}: none may be 0 or negative")
    while len(shape) > 3 and shape[-1] == 1:
        shape = shape[:-1]
    if len(shape) == 4:
        raise InputError(
            name, f"4D NIfTI with {shape[3]} volumes; extract one volume (e.g. with fslroi) first"
        )
    if len(shape) != 3 and len(shape) != 2:
        raise InputError(name, f"expected a 3D volume, got shape {shape}")
    n = int(np.prod(shape))
    if n > max_pixels:
        raise InputError(name, f"{n} voxels exceed the limit of {max_pixels} (--max-pixels)")
    try:
        data = np.asarray(img.dataobj, dtype=np.float64)
    except (EOFError, OSError, ValueError, zlib.error, gzip.BadGzipFile) as exc:
        raise InputError(name, f"truncated or corrupt NIfTI data ({_reason(exc)})") from None
    data = data.reshape(shape)
    if data.ndim == 2:
        data = data[:, :, np.newaxis]
    hdr = img.header
    bitpix = int(hdr["bitpix"]) if "bitpix" in hdr else None
    affine = np.asarray(img.affine, dtype=np.float64)
    zooms = tuple(float(z) for z in hdr.get_zooms()[:3])
    if len(zooms) < 3:
        zooms = zooms + (1.0,) * (3 - len(zooms))
    meta: dict[str, Any] = {"format": "nifti"}
    if "sform_code" in hdr:
        meta["nifti_header"] = hdr.copy()
    return Image(
        data.astype(np.float32),
        modality=modality,
        spacing=zooms,
        affine=affine,
        bit_depth=bitpix,
        source=None if source is None else str(source),
        meta=meta,
    )


def write_nifti(image: Image, path: Path, *, header: Any = None) -> None:
    """Write a volume as float32 NIfTI.

    With ``header`` (a NIfTI header of an input on the same grid, as :func:`from_nibabel` keeps
    it) the file keeps that header: its sform and qform with their codes, units, description and
    intent; only the data type and the scaling are set anew. Without one, the image's affine is
    written as both sform and qform with code 1 (scanner).

    Parameters
    ----------
    image : Image
        The volume.
    path : pathlib.Path
        The ``.nii`` or ``.nii.gz`` file to write.
    header : nibabel NIfTI header, optional
        The header to keep.

    Raises
    ------
    InputError
        If ``header`` does not describe the image's grid.
    """
    import nibabel as nib

    data = np.asarray(image.array, dtype=np.float32)
    if header is not None:
        kind = nib.Nifti2Image if isinstance(header, nib.Nifti2Header) else nib.Nifti1Image
        out = kind(data, None, header=header.copy())
        out.set_data_dtype(np.float32)
        out.header.set_slope_inter(1.0, 0.0)
        out.header["cal_min"] = 0.0
        out.header["cal_max"] = 0.0
        if not np.allclose(out.header.get_best_affine(), image.affine, atol=1e-4):
            raise InputError(path, "the header given does not describe the image's grid")
    else:
        out = nib.Nifti1Image(data, image.affine)
        out.set_sform(image.affine, code=1)
        out.set_qform(image.affine, code=1)
        out.header.set_xyzt_units("mm")
    nib.save(out, str(path))


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]
