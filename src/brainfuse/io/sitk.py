"""SimpleITK images as :class:`~brainfuse.io.image.Image` objects.

SimpleITK arrays are indexed ``(z, y, x)`` and its geometry is in LPS+ (DICOM) coordinates;
BrainFuse keeps volumes in NIfTI voxel order ``(x, y, z)`` with a RAS+ affine, so a volume read
by SimpleITK and the same volume read from its NIfTI file give the same :class:`Image`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from .image import Image, Modality

__all__ = ["from_sitk"]

_LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def from_sitk(
    img: Any, *, max_pixels: int, modality: Modality = Modality.UNKNOWN, name: str | None = None
) -> Image:
    """An :class:`Image` of a ``SimpleITK.Image``: a 2D image (grey or RGB) or a 3D volume.

    Parameters
    ----------
    img : SimpleITK.Image
        A 2D scalar or 3-component image, or a 3D scalar volume.
    max_pixels : int
        Refuse images with more pixels or voxels than this.
    modality : Modality, optional
        The modality to record.
    name : str, optional
        How errors name the image (default ``"SimpleITK image"``).

    Returns
    -------
    Image
        2D: ``(rows, columns)`` with the spacing of rows and columns; 8-bit samples keep
        ``bit_depth=8``. 3D: ``(x, y, z)`` with a RAS+ affine built from the origin, spacing and
        direction.
    """
    import SimpleITK as sitk

    label = name or "SimpleITK image"
    dim = img.GetDimension()
    comps = img.GetNumberOfComponentsPerPixel()
    size = tuple(int(s) for s in img.GetSize())
    if int(np.prod(size)) > max_pixels:
        raise InputError(label, f"{int(np.prod(size))} pixels exceed the limit of {max_pixels}")
    arr = sitk.GetArrayViewFromImage(img)
    bits = int(arr.dtype.itemsize * 8)
    if dim == 2:
        if comps not in (1, 3):
            raise InputError(label, f"{comps} components per pixel; expected grey or RGB")
        sx, sy = (float(s) for s in img.GetSpacing())
        return Image(
            np.array(arr, dtype=np.float32),
            rgb=comps == 3,
            modality=modality,
            spacing=(sy, sx),
            bit_depth=bits,
            source=name,
            meta={"format": "simpleitk"},
        )
    if dim != 3 or comps != 1:
        raise InputError(label, f"a {dim}D image of {comps} components; expected 2D or 3D grey")
    data = np.array(np.transpose(arr, (2, 1, 0)), dtype=np.float32)
    spacing = np.asarray(img.GetSpacing(), dtype=np.float64)
    direction = np.asarray(img.GetDirection(), dtype=np.float64).reshape(3, 3)
    lps = np.eye(4)
    lps[:3, :3] = direction * spacing
    lps[:3, 3] = img.GetOrigin()
    return Image(
        data,
        modality=modality,
        affine=_LPS_TO_RAS @ lps,
        bit_depth=bits,
        source=name,
        meta={"format": "simpleitk"},
    )
