"""Cutting a 2D slice out of a volume for display, through the volume's affine.

Every view of a volume in BrainFuse (the viz figures, the web viewer, the benchmark's pictures,
the demo) cuts its slices here. The volume is first turned to the closest RAS+ voxel order
(nibabel's ``as_closest_canonical``), so whatever order its file stores the voxels in, a slice
is shown in the neurological convention: the patient's left on the left of the screen,
anterior (axial) or superior (coronal, sagittal) at the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from .image import Image

__all__ = ["PLANES", "Canonical", "canonical", "display_slice"]

#: The three planes, each with the RAS+ axis it cuts across.
PLANES = {"axial": 2, "coronal": 1, "sagittal": 0}


@dataclass(frozen=True)
class Canonical:
    """A volume in RAS+ voxel order: ``array[i, j, k]`` with i → right, j → anterior, k → up.

    Made by :func:`canonical`.

    Parameters
    ----------
    array : numpy.ndarray
        The samples in RAS+ voxel order.
    affine : numpy.ndarray
        The 4×4 voxel-to-world matrix (mm) of that order.
    spacing : tuple of 3 floats
        Voxel size (mm) along i, j, k.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.io.slicing import canonical
    >>> c = canonical(np.zeros((4, 5, 6), np.float32))
    >>> c.voxel((1.2, 7, -3)), c.world((1, 2, 3))
    ((1, 4, 0), (1.0, 2.0, 3.0))
    """

    array: np.ndarray
    affine: np.ndarray
    spacing: tuple[float, float, float]

    def voxel(self, xyz_mm: Sequence[float]) -> tuple[int, int, int]:
        """The voxel nearest a world point (mm), clipped into the volume.

        Parameters
        ----------
        xyz_mm : sequence of 3 floats
            A world point, RAS+ millimetres.

        Returns
        -------
        ijk : tuple of 3 ints
        """
        ijk = np.linalg.inv(self.affine) @ np.array([*xyz_mm, 1.0])
        return tuple(
            int(np.clip(round(v), 0, n - 1)) for v, n in zip(ijk[:3], self.array.shape, strict=True)
        )  # type: ignore[return-value]

    def world(self, ijk: Sequence[int]) -> tuple[float, float, float]:
        """The world point (mm) of a voxel.

        Parameters
        ----------
        ijk : sequence of 3 ints
            A voxel index.

        Returns
        -------
        xyz : tuple of 3 floats
            RAS+ millimetres.
        """
        xyz = self.affine @ np.array([*ijk, 1.0])
        return float(xyz[0]), float(xyz[1]), float(xyz[2])

    def view(self, plane: str, index: int) -> tuple[np.ndarray, tuple[float, float, float, float]]:
        """The 2D slice ``index`` of ``plane`` for display (rows top → bottom) and its extent in mm.

        Parameters
        ----------
        plane : {"axial", "coronal", "sagittal"}
            The plane.
        index : int
            The slice index across the plane.

        Returns
        -------
        slice : numpy.ndarray
            C-ordered, rows from top to bottom of the display.
        extent : tuple of 4 floats
            ``(0, width, 0, height)`` in mm.

        Raises
        ------
        InputError
            If ``plane`` is unknown.

        Examples
        --------
        >>> import numpy as np
        >>> from brainfuse.io.slicing import canonical
        >>> view, extent = canonical(np.zeros((4, 5, 6), np.float32)).view("axial", 2)
        >>> view.shape, extent
        ((5, 4), (0.0, 4.0, 0.0, 5.0))
        """
        a = self.array
        sx, sy, sz = self.spacing
        if plane == "axial":
            sl, w, h = a[:, :, index].T[::-1, :], sx, sy
        elif plane == "coronal":
            sl, w, h = a[:, index, :].T[::-1, :], sx, sz
        elif plane == "sagittal":
            sl, w, h = a[index, :, :].T[::-1, :], sy, sz
        else:
            raise InputError(None, f"unknown plane '{plane}'; valid: {', '.join(PLANES)}")
        rows, cols = sl.shape[:2]
        return np.ascontiguousarray(sl), (0.0, cols * w, 0.0, rows * h)


def canonical(volume: Image | np.ndarray, affine: np.ndarray | None = None) -> Canonical:
    """``volume`` turned to the closest RAS+ voxel order.

    Parameters
    ----------
    volume : Image or numpy.ndarray
        A 3D volume: an :class:`Image` (its affine is used) or an array.
    affine : numpy.ndarray, optional
        The ``4x4`` voxel-to-world matrix of an array (default: 1 mm voxels at the origin).

    Returns
    -------
    Canonical
        The samples, affine and voxel size after reordering (no resampling: only axes are
        permuted and flipped).
    """
    import nibabel as nib

    if isinstance(volume, Image):
        if not volume.is_volume:
            raise InputError(volume.source, "expected a 3D volume")
        array, affine = volume.array, volume.affine
    else:
        array = np.asarray(volume)
        if array.ndim != 3:
            raise InputError(None, f"expected a 3D volume, got shape {array.shape}")
    matrix = np.eye(4) if affine is None else np.asarray(affine, dtype=np.float64)
    nii = nib.as_closest_canonical(nib.Nifti1Image(np.asarray(array, np.float32), matrix))
    zooms = tuple(float(z) for z in nii.header.get_zooms()[:3])
    return Canonical(np.asarray(nii.dataobj, dtype=np.float32), np.asarray(nii.affine), zooms)  # type: ignore[arg-type]


def display_slice(
    volume: Image | np.ndarray,
    affine: np.ndarray | None = None,
    *,
    plane: str = "axial",
    at_mm: Sequence[float] | None = None,
) -> np.ndarray:
    """The slice of ``plane`` through a world point, oriented for display.

    Parameters
    ----------
    volume : Image or numpy.ndarray
        A 3D volume; an array takes ``affine``.
    affine : numpy.ndarray, optional
        The voxel-to-world matrix of an array volume (default: 1 mm voxels at the origin).
    plane : {'axial', 'coronal', 'sagittal'}
        The plane of the slice.
    at_mm : sequence of 3 floats, optional
        A world point (mm, RAS+) the slice passes through; only the coordinate across the plane
        counts (z for axial). Default: the middle slice of the volume along that axis.

    Returns
    -------
    numpy.ndarray
        The ``float32`` slice, C-ordered, rows from anterior (axial) or superior (coronal,
        sagittal) to the other side, the patient's left on the left.

    Examples
    --------
    >>> import numpy as np
    >>> vol = np.zeros((4, 5, 6), np.float32); vol[0, 4, 2] = 1  # left-most, most anterior
    >>> sl = display_slice(vol, plane="axial", at_mm=(0, 0, 2))
    >>> sl.shape, float(sl[0, 0])  # 5 rows (y, anterior first) x 4 columns (x)
    ((5, 4), 1.0)
    """
    if plane not in PLANES:
        raise InputError(None, f"unknown plane '{plane}'; valid: {', '.join(PLANES)}")
    can = canonical(volume, affine)
    axis = PLANES[plane]
    if at_mm is None:
        index = can.array.shape[axis] // 2
    else:
        if len(at_mm) != 3:
            raise InputError(None, f"expected a point (x, y, z) in mm, got {list(at_mm)}")
        index = can.voxel(at_mm)[axis]
    return can.view(plane, index)[0]
