"""Resampling an image onto another's grid: through the headers or a :class:`Transform`."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from ..errors import InputError
from ..io.image import Image
from .transform import Transform

__all__ = ["apply_transform", "index_to_space", "resample", "resample_array"]

# 2D: array index (row, column) -> pixel coordinates (x = column, y = row).
_SWAP_2D = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


def index_to_space(image: Image) -> np.ndarray:
    """Homogeneous matrix from array indices to the coordinates a :class:`Transform` uses.

    Parameters
    ----------
    image : Image
        A 2D image or a volume.

    Returns
    -------
    matrix : numpy.ndarray
        2D: index ``(row, column)`` to pixel ``(x = column, y = row)``, a 3×3 swap. 3D: the
        NIfTI affine (voxel ``(i, j, k)`` to world millimetres).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.io.image import Image
    >>> from brainfuse.registration.resample import index_to_space
    >>> index_to_space(Image(np.zeros((2, 3), np.float32)))
    array([[0., 1., 0.],
           [1., 0., 0.],
           [0., 0., 1.]])
    """
    return _SWAP_2D.copy() if image.ndim == 2 else np.asarray(image.affine, dtype=np.float64)


def resample_array(
    array: np.ndarray, index_matrix: np.ndarray, shape: tuple[int, ...], order: int = 1
) -> np.ndarray:
    """Sample ``array`` at ``index_matrix @ i`` for every index ``i`` of a grid of ``shape``.

    The identity onto a grid of the array's own shape returns the samples as they are (what
    nearest and linear interpolation at the sample positions give) without interpolating.

    Parameters
    ----------
    array : numpy.ndarray
        The input, with an optional trailing colour axis (resampled channel by channel).
    index_matrix : numpy.ndarray
        Homogeneous matrix from output index to input index.
    shape : tuple of int
        The output grid's shape (without a colour axis).
    order : int, optional
        Spline order: 0 nearest, 1 (bi/tri)linear (default), 3 cubic.

    Returns
    -------
    resampled : numpy.ndarray
        float32, ``shape`` (plus the colour axis); positions outside ``array`` give 0.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.resample import resample_array
    >>> x = np.arange(16, dtype=np.float32).reshape(4, 4)
    >>> shift = np.eye(3); shift[1, 2] = 1  # output column c reads input column c + 1
    >>> resample_array(x, shift, (4, 4))
    array([[ 1.,  2.,  3.,  0.],
           [ 5.,  6.,  7.,  0.],
           [ 9., 10., 11.,  0.],
           [13., 14., 15.,  0.]], dtype=float32)
    """
    d = len(shape)
    src = np.asarray(array, dtype=np.float64)
    if order <= 1 and src.shape[:d] == tuple(shape) and np.array_equal(index_matrix, np.eye(d + 1)):
        return src.astype(np.float32)

    def one(a: np.ndarray) -> np.ndarray:
        return ndimage.affine_transform(
            a,
            index_matrix[:d, :d],
            offset=index_matrix[:d, d],
            output_shape=shape,
            order=order,
            mode="constant",
            cval=0.0,
        )

    if src.ndim == d + 1:
        out = np.stack([one(src[..., c]) for c in range(src.shape[-1])], axis=-1)
    else:
        out = one(src)
    return out.astype(np.float32)


def apply_transform(fixed: Image, moving: Image, transform: Transform, *, order: int = 1) -> Image:
    """Resample ``moving`` onto ``fixed``'s grid through ``transform`` (fixed to moving).

    Parameters
    ----------
    fixed : Image
        The image whose grid the result takes (shape, spacing, affine, NIfTI header).
    moving : Image
        The image to resample: grey, colour (channel by channel) or a volume.
    transform : Transform
        Maps ``fixed`` coordinates to ``moving`` coordinates (pixels in 2D, world mm in 3D).
    order : int, optional
        1 = (bi/tri)linear (default), 3 = cubic spline.

    Returns
    -------
    Image
        ``moving``'s samples at ``transform(p)`` for every pixel or voxel ``p`` of ``fixed``; 0
        outside ``moving``. Volumes are placed through both affines, so the identity transform
        is plain header-aware resampling (:func:`resample`).
    """
    if moving.ndim != fixed.ndim:
        raise InputError(
            moving.source, f"a {moving.ndim}D input cannot be mapped onto a {fixed.ndim}D grid"
        )
    if transform.ndim != fixed.ndim:
        raise InputError(
            None, f"a {transform.ndim}D transform cannot be applied to {fixed.ndim}D images"
        )
    index_matrix = np.linalg.inv(index_to_space(moving)) @ transform.matrix @ index_to_space(fixed)
    out = resample_array(moving.array, index_matrix, fixed.shape, order)
    meta = {k: v for k, v in moving.meta.items() if k != "nifti_header"}
    if "nifti_header" in fixed.meta:
        meta["nifti_header"] = fixed.meta["nifti_header"]
    changes: dict = {"array": out, "spacing": fixed.spacing, "meta": meta}
    if fixed.is_volume:
        changes["affine"] = np.asarray(fixed.affine, dtype=np.float64).copy()
    return moving.replace(**changes)


def resample(fixed: Image, moving: Image, *, order: int = 1) -> Image:
    """Resample volume ``moving`` onto the grid (shape and affine) of ``fixed`` via the headers.

    Parameters
    ----------
    fixed : Image
        The volume whose grid the result takes.
    moving : Image
        The volume to resample (grey).
    order : int, optional
        1 = trilinear (default), 3 = cubic spline.

    Returns
    -------
    Image
        For each voxel of ``fixed``, the world position ``fixed.affine @ ijk`` mapped into
        ``moving``'s voxels by ``inv(moving.affine)`` and interpolated; 0 outside ``moving``.

    Notes
    -----
    No registration is done: the two headers must already describe where the volumes are (as
    for a PET and an MRI exported from one scanner, or a volume whose header flips an axis).
    """
    if not (moving.is_volume and fixed.is_volume):
        raise InputError(moving.source, "header-aware resampling needs two volumes")
    if moving.rgb:
        raise InputError(moving.source, "cannot resample a colour volume")
    return apply_transform(fixed, moving, Transform.identity(3), order=order)
