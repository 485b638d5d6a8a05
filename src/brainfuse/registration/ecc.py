"""Enhanced correlation coefficient (ECC) registration with OpenCV, 2D."""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from .grid import Grid

__all__ = [
    "LEVELS",
    "register_ecc",
]

#: Pyramid of the ECC baseline, as fractions of the full size, coarse to fine.
LEVELS = (0.25, 0.5, 1.0)


def register_ecc(fixed: Grid, moving: Grid, kind: str, start: np.ndarray) -> np.ndarray:
    """Maximise the enhanced correlation coefficient with ``cv2.findTransformECC``.

    ECC [1]_ is invariant to a linear change of contrast only, so it suits images of one
    modality; the BGGMM paper uses it as a baseline. Run coarse to fine over :data:`LEVELS`
    (``MOTION_EUCLIDEAN`` for rigid, ``MOTION_AFFINE`` for affine; at most 100 iterations or a
    change below 1e-6 per level; Gaussian 5×5 pre-filter). Images are 2D grids in pixel
    coordinates, where OpenCV's warp (template coordinates to input coordinates) is exactly the
    fixed-to-moving matrix.

    Parameters
    ----------
    fixed : Grid
        The fixed image (:func:`brainfuse.registration.grid.grid_of`).
    moving : Grid
        The moving image, in the same space convention as ``fixed``.
    kind : {"rigid", "affine"}
        The transform model.
    start : numpy.ndarray
        The homogeneous fixed-to-moving matrix to start from.

    Returns
    -------
    matrix : numpy.ndarray
        The homogeneous fixed-to-moving matrix, ``(d+1) x (d+1)``.

    Raises
    ------
    InputError
        If the images are not 2D, or ECC does not converge.

    References
    ----------
    .. [1] G. D. Evangelidis and E. Z. Psarakis, "Parametric image alignment using enhanced
       correlation coefficient maximization", IEEE Trans. Pattern Anal. Mach. Intell.
       30(10):1858-1865, 2008. doi:10.1109/TPAMI.2008.113

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> a = 200 * np.exp(-((xx - 24) ** 2 + (yy - 30) ** 2) / 60.0) + 120 * np.exp(
    ...     -((xx - 42) ** 2 + (yy - 38) ** 2) / 30.0)
    >>> to_pixel = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, column) -> (x, y)
    >>> fixed = Grid(a, to_pixel)
    >>> moving = Grid(np.roll(a, 3, axis=1), to_pixel)  # moved 3 pixels to the right
    >>> from brainfuse.registration.ecc import register_ecc
    >>> round(float(register_ecc(fixed, moving, "rigid", np.eye(3))[0, 2]), 2)
    3.0
    """
    import cv2

    if fixed.ndim != 2:
        raise InputError(None, "ecc registers 2D images only; use -m mi for volumes")
    motion = cv2.MOTION_EUCLIDEAN if kind == "rigid" else cv2.MOTION_AFFINE
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 100, 1e-6)
    matrix = np.array(start, dtype=np.float64)
    for factor in LEVELS:
        f_level, m_level = fixed.zoom(factor), moving.zoom(factor)
        # level pixel -> full pixel: (x, y) scales by the zoom steps (swap of the index steps)
        to_full = np.linalg.inv(fixed.to_space) @ f_level.to_space
        scale_f = np.diag([to_full[1, 1], to_full[0, 0], 1.0])
        to_full_m = np.linalg.inv(moving.to_space) @ m_level.to_space
        scale_m = np.diag([to_full_m[1, 1], to_full_m[0, 0], 1.0])
        warp = (np.linalg.inv(scale_m) @ matrix @ scale_f)[:2].astype(np.float32)
        try:
            _, warp = cv2.findTransformECC(
                f_level.array.astype(np.float32),
                m_level.array.astype(np.float32),
                warp,
                motion,
                criteria,
                None,
                5,
            )
        except cv2.error as exc:
            raise InputError(
                None, f"ECC registration did not converge ({str(exc).strip().splitlines()[-1]})"
            ) from None
        level_matrix = np.vstack([warp.astype(np.float64), [0.0, 0.0, 1.0]])
        matrix = scale_m @ level_matrix @ np.linalg.inv(scale_f)
    return matrix
