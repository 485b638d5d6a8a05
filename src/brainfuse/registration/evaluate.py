"""Registration accuracy: average pixel displacement (PAD) and target registration error (TRE).

Both compare an estimated transform with the true one (known because the test pair was made by
moving an aligned image by a chosen transform) through the distance between where each maps the
same points.
"""

from __future__ import annotations

import numpy as np

from ..io.image import Image
from .transform import Transform

__all__ = ["PAD_FAILURE_PX", "pad", "tre", "world_points"]

#: A registration whose PAD exceeds this many pixels counts as failed (Wang J. et al. 2022).
PAD_FAILURE_PX = 3.0


def _matrix(t: Transform | np.ndarray) -> np.ndarray:
    return t.matrix if isinstance(t, Transform) else np.asarray(t, dtype=np.float64)


def _mean_distance(true: np.ndarray, estimated: np.ndarray, points: np.ndarray) -> float:
    d = true.shape[0] - 1
    diff = true - estimated
    moved = points @ diff[:d, :d].T + diff[:d, d]
    return float(np.mean(np.sqrt(np.sum(moved * moved, axis=1))))


def pad(
    true: Transform | np.ndarray, estimated: Transform | np.ndarray, shape: tuple[int, int]
) -> float:
    r"""Average pixel displacement (PAD) between two 2D transforms over every pixel of a grid.

    0 is perfect; above :data:`PAD_FAILURE_PX` (3 px) the registration counts as failed. The
    measure of Wang J. et al. [1]_, after Li et al. (2016).

    Parameters
    ----------
    true : Transform or numpy.ndarray
        The reference fixed-to-moving transform (3×3).
    estimated : Transform or numpy.ndarray
        The estimated one.
    shape : tuple of int
        ``(H, W)`` of the fixed image.

    Returns
    -------
    pad : float
        In pixels.

    Notes
    -----
    Over the :math:`X = H W` pixel centres x = (column, row) of the fixed image,

    .. math:: \mathrm{PAD} = \frac{1}{X} \sum_x \lVert T_{true}(x) - T_{est}(x) \rVert_2.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration import pad
    >>> shift = np.array([[1, 0, 3], [0, 1, 4], [0, 0, 1]])
    >>> pad(shift, np.eye(3), (8, 8))
    5.0
    """
    t, e = _matrix(true), _matrix(estimated)
    if t.shape != (3, 3) or e.shape != (3, 3):
        raise ValueError(f"PAD compares 3x3 (2D) matrices, got {t.shape} and {e.shape}")
    rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
    points = np.column_stack([cols.ravel(), rows.ravel()]).astype(np.float64)
    return _mean_distance(t, e, points)


def tre(
    true: Transform | np.ndarray, estimated: Transform | np.ndarray, points: np.ndarray
) -> float:
    """Target registration error: mean distance between where two transforms map ``points``.

    Parameters
    ----------
    true : Transform or numpy.ndarray
        The reference fixed-to-moving transform.
    estimated : Transform or numpy.ndarray
        The estimated one.
    points : numpy.ndarray
        ``(N, d)`` points in the transforms' fixed coordinates (world millimetres for volumes,
        see :func:`world_points`).

    Returns
    -------
    tre : float
        The mean distance, in the points' unit (millimetres for volumes).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration import tre
    >>> shift = np.diag([1.0, 1, 1, 1]); shift[0, 3] = 0.5
    >>> tre(shift, np.eye(4), np.zeros((10, 3)))
    0.5
    """
    t, e = _matrix(true), _matrix(estimated)
    p = np.asarray(points, dtype=np.float64)
    if t.shape != e.shape or p.ndim != 2 or p.shape[1] != t.shape[0] - 1:
        raise ValueError(f"matrices {t.shape}, {e.shape} do not fit points of shape {p.shape}")
    return _mean_distance(t, e, p)


def world_points(image: Image, mask: np.ndarray | None = None) -> np.ndarray:
    """World coordinates (mm) of the voxels of a volume, or of those where ``mask`` is true.

    Parameters
    ----------
    image : Image
        A volume with its affine.
    mask : numpy.ndarray, optional
        Boolean mask of the voxels to take (default: all).

    Returns
    -------
    points : numpy.ndarray
        ``(N, 3)`` world coordinates, in C order of the voxels.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.io.image import Image
    >>> from brainfuse.registration import world_points
    >>> volume = Image(np.zeros((2, 2, 2), np.float32), affine=np.diag([2.0, 2, 2, 1]))
    >>> world_points(volume)[:3]
    array([[0., 0., 0.],
           [0., 0., 2.],
           [0., 2., 0.]])
    """
    idx = np.argwhere(mask) if mask is not None else np.indices(image.shape).reshape(3, -1).T
    return idx.astype(np.float64) @ image.affine[:3, :3].T + image.affine[:3, 3]
