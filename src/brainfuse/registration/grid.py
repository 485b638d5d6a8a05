"""What every registration method works on: a grey array and where its samples are in space."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from ..color import rgb_to_principal_grey
from ..io.image import Image
from .resample import index_to_space

__all__ = [
    "FOREGROUND_FRACTION",
    "FOREGROUND_MARGIN",
    "Grid",
    "foreground",
    "grid_of",
    "object_mask",
]

#: The object in an image: samples above this fraction of its maximum, closed, holes filled
#: (:func:`object_mask`); its foreground is that grown by FOREGROUND_MARGIN samples.
FOREGROUND_FRACTION = 0.05
FOREGROUND_MARGIN = 4


@dataclass(frozen=True, eq=False)
class Grid:
    """A grey image on the 0..255 scale and the homogeneous matrix from its indices to space.

    Space is pixel ``(x = column, y = row)`` for 2D images and world millimetres for volumes
    (see :mod:`brainfuse.registration.transform`). Every registration method works on two grids.

    Parameters
    ----------
    array : numpy.ndarray
        The grey samples, 2D or 3D, on the 0..255 scale.
    to_space : numpy.ndarray
        Homogeneous ``(d+1) x (d+1)`` matrix from array indices to space
        (:func:`brainfuse.registration.resample.index_to_space`).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> g = Grid(np.zeros((4, 6)), np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]]))
    >>> g.ndim, g.centre().tolist(), g.points().shape
    (2, [2.5, 1.5], (24, 2))
    """

    array: np.ndarray
    to_space: np.ndarray

    @property
    def ndim(self) -> int:
        return self.array.ndim

    def centre(self) -> np.ndarray:
        """Space coordinates of the centre of the grid.

        Returns
        -------
        centre : numpy.ndarray
            Shape ``(d,)``.
        """
        mid = (np.asarray(self.array.shape, dtype=np.float64) - 1.0) / 2.0
        return self.to_space[:-1, :-1] @ mid + self.to_space[:-1, -1]

    def points(self) -> np.ndarray:
        """Space coordinates of every sample, in C order of the array.

        Returns
        -------
        points : numpy.ndarray
            Shape ``(N, d)``.
        """
        idx = np.indices(self.array.shape, dtype=np.float64).reshape(self.ndim, -1).T
        return idx @ self.to_space[:-1, :-1].T + self.to_space[:-1, -1]

    def zoom(self, factor: float, min_size: int = 8) -> Grid:
        """The grid at ``factor`` times the resolution, low-pass filtered against aliasing.

        The Gaussian has σ = (1/factor − 1)/2 samples (as in scikit-image's ``rescale``); the new
        ``to_space`` keeps every sample where it is in space.

        Parameters
        ----------
        factor : float
            The resolution factor; 1 or more returns the grid itself.
        min_size : int, optional
            No axis shrinks below this many samples (or its own size if smaller). Default 8.

        Returns
        -------
        grid : Grid
            The reduced grid.

        Examples
        --------
        >>> import numpy as np
        >>> from brainfuse.registration.grid import Grid
        >>> small = Grid(np.zeros((64, 32)), np.eye(3)).zoom(0.25)
        >>> small.array.shape, small.to_space.diagonal().round(3).tolist()
        ((16, 8), [4.2, 4.429, 1.0])
        """
        if factor >= 1.0:
            return self
        shape = np.asarray(self.array.shape)
        new = np.maximum(np.rint(shape * factor).astype(int), min(min_size, *shape))
        smooth = ndimage.gaussian_filter(self.array, sigma=(1.0 / factor - 1.0) / 2.0)
        step = (shape - 1) / np.maximum(new - 1, 1)
        out = ndimage.zoom(smooth, new / shape, order=1, grid_mode=False)
        return Grid(out, self.to_space @ np.diag([*step, 1.0]))


def grid_of(image: Image) -> Grid:
    """The grey samples of ``image`` on the 0..255 scale, with their positions in space.

    A colour image (a pseudo-colour PET or SPECT) is reduced to grey along its colours' first
    principal component (:func:`~brainfuse.color.rgb_to_principal_grey`), not its luma, which
    folds a rainbow scale over. On the Harvard test pairs moved by up to 10 degrees and 20 px
    (``benchmarks/bench_registration.py``), ``mi`` ended more than 3 px from the published
    alignment on 31 % of the MRI-PET and 47 % of the MRI-SPECT pairs, against 38 % and 59 %
    through luma; ``benchmarks/registration_colour.py`` shows the same on the phantom.

    Parameters
    ----------
    image : Image
        A 2D image (grey or colour) or a volume.

    Returns
    -------
    grid : Grid
        Its samples min-max stretched to 0..255 (all 0 if constant) and
        :func:`~brainfuse.registration.resample.index_to_space` of the image.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.io.image import Image
    >>> from brainfuse.registration.grid import grid_of
    >>> grid_of(Image(np.array([[0, 50], [100, 150]], np.float32))).array
    array([[  0.,  85.],
           [170., 255.]])
    """
    if image.rgb:
        arr = rgb_to_principal_grey(image.array)
    else:
        arr = np.asarray(image.array, dtype=np.float64)
    lo, hi = float(arr.min()), float(arr.max())
    scaled = (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
    return Grid(scaled, index_to_space(image))


def object_mask(grid: Grid) -> np.ndarray:
    """Boolean mask of the object in ``grid``.

    Parameters
    ----------
    grid : Grid
        An image or volume.

    Returns
    -------
    mask : numpy.ndarray
        Samples above :data:`FOREGROUND_FRACTION` of the maximum, closed (3 iterations) and with
        holes filled; the grid's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid, object_mask
    >>> a = np.zeros((12, 12)); a[3:9, 3:9] = 100; a[5, 5] = 0  # a square with a hole
    >>> int(object_mask(Grid(a, np.eye(3))).sum())
    36
    """
    fg = grid.array > FOREGROUND_FRACTION * float(grid.array.max())
    return ndimage.binary_fill_holes(ndimage.binary_closing(fg, iterations=3))


def foreground(grid: Grid) -> np.ndarray:
    """:func:`object_mask` grown by :data:`FOREGROUND_MARGIN` samples, so that its border is inside.

    The registration metrics count only the fixed samples in this mask, which keeps the empty
    background out of their joint histograms.

    Parameters
    ----------
    grid : Grid
        An image or volume.

    Returns
    -------
    mask : numpy.ndarray
        Boolean, the grid's shape.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid, foreground
    >>> a = np.zeros((12, 12)); a[3:9, 3:9] = 100
    >>> int(foreground(Grid(a, np.eye(3))).sum())
    132
    """
    return ndimage.binary_dilation(object_mask(grid), iterations=FOREGROUND_MARGIN)
