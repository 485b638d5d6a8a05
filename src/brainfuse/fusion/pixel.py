"""Pixel-level fusion rules: average, maximum, minimum, weighted average.

They act on each pixel (or voxel) independently, so they work in any dimension. They are the
trivial baselines every fusion paper reports (e.g. the "averaging" row of Amini & Mostaar 2022,
J. Med. Signals Sens. 12(1), and the pixel rules measured in ``docs/results/``).
"""

from __future__ import annotations

import cv2
import numpy as np

from .registry import param, register


def _average_gradients(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """analytic derivative of the pixel rule

    A pixel-wise rule's column sum Σ_ij ∂F[i, j]/∂I[n, m] is ∂F[n, m]/∂I[n, m]: 1/2 for both.
    """
    half = np.full(np.shape(a), 0.5, dtype=np.float32)
    return half, half.copy()


def _choice_gradients(a_chosen: np.ndarray, tie: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1 for the chosen input, 0 for the other, 1/2 each at ties (as PyTorch splits them)."""
    ga = np.where(tie, np.float32(0.5), a_chosen.astype(np.float32)).astype(np.float32)
    return ga, (np.float32(1.0) - ga).astype(np.float32)


def _maximum_gradients(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """analytic derivative of the pixel rule

    ∂max(A, B)/∂A is 1 where A > B, 0 where A < B and 1/2 at ties (each input gets half).
    """
    return _choice_gradients(np.greater(a, b), np.equal(a, b))


def _minimum_gradients(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """analytic derivative of the pixel rule

    ∂min(A, B)/∂A is 1 where A < B, 0 where A > B and 1/2 at ties (each input gets half).
    """
    return _choice_gradients(np.less(a, b), np.equal(a, b))


def _weighted_gradients(
    a: np.ndarray, b: np.ndarray, *, w: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """analytic derivative of the pixel rule

    ∂(w·A + (1 − w)·B) is w for A and 1 − w for B.
    """
    shape = np.shape(a)
    return np.full(shape, w, dtype=np.float32), np.full(shape, 1.0 - w, dtype=np.float32)


@register(
    "average", family="pixel", dims=(2, 3), reference="baseline", gradients=_average_gradients
)
def average(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixel-wise mean (A + B) / 2.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, ``float32`` on 0..255, one shape (2D or 3D).

    Returns
    -------
    numpy.ndarray
        ``float32``, the shape of ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> average(np.float32([[0, 100]]), np.float32([[50, 50]])).tolist()
    [[25.0, 75.0]]
    """
    return ((a + b) * np.float32(0.5)).astype(np.float32, copy=False)


@register(
    "maximum", family="pixel", dims=(2, 3), reference="baseline", gradients=_maximum_gradients
)
def maximum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixel-wise maximum max(A, B): keeps the brighter source at each pixel.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, ``float32`` on 0..255, one shape (2D or 3D).

    Returns
    -------
    numpy.ndarray
        ``float32``, the shape of ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> maximum(np.float32([[0, 100]]), np.float32([[50, 50]])).tolist()
    [[50.0, 100.0]]
    """
    return np.maximum(a, b).astype(np.float32, copy=False)


@register(
    "minimum", family="pixel", dims=(2, 3), reference="baseline", gradients=_minimum_gradients
)
def minimum(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pixel-wise minimum min(A, B): keeps the darker source at each pixel.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, ``float32`` on 0..255, one shape (2D or 3D).

    Returns
    -------
    numpy.ndarray
        ``float32``, the shape of ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> minimum(np.float32([[0, 100]]), np.float32([[50, 50]])).tolist()
    [[0.0, 50.0]]
    """
    return np.minimum(a, b).astype(np.float32, copy=False)


@register(
    "weighted",
    family="pixel",
    dims=(2, 3),
    params={"w": param("weight of the anatomical image A; B gets 1 - w", minimum=0, maximum=1)},
    reference="baseline",
    gradients=_weighted_gradients,
)
def weighted(a: np.ndarray, b: np.ndarray, *, w: float = 0.5) -> np.ndarray:
    """Weighted average w·A + (1 − w)·B.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, ``float32`` on 0..255, one shape (2D or 3D).
    w : float, optional
        The weight of ``a``, in [0, 1] (checked by the registry when called through
        :func:`brainfuse.fuse`).

    Returns
    -------
    numpy.ndarray
        ``float32``, the shape of ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> weighted(np.float32([[0, 100]]), np.float32([[100, 100]]), w=0.25).tolist()
    [[75.0, 100.0]]
    """
    return (np.float32(w) * a + np.float32(1.0 - w) * b).astype(np.float32, copy=False)


@register("pca", family="pixel", dims=(2, 3), reference="Naidu & Raol 2008, Def. Sci. J. 58(3)")
def pca(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """PCA-weighted average: weights from the principal eigenvector of the 2×2 covariance.

    The two images are treated as two variables observed at every pixel (voxel). With C their
    2×2 covariance matrix and v = (v₁, v₂) the eigenvector of its largest eigenvalue,
    F = (|v₁| A + |v₂| B) / (|v₁| + |v₂|). Images that vary together get equal weights; the
    image carrying more variance gets more weight. Absolute values make the weights
    non-negative when the images are anti-correlated (the original formula, v / Σv, can then
    divide by a number near zero). Two constant images give the plain average.

    Parameters
    ----------
    a, b : numpy.ndarray
        The anatomical and the functional image, ``float32`` on 0..255, one shape (2D or 3D).

    Returns
    -------
    numpy.ndarray
        ``float32``, the shape of ``a``.

    References
    ----------
    .. [1] V. P. S. Naidu and J. R. Raol, "Pixel-level image fusion using wavelets and principal
       component analysis", Defence Science Journal 58(3):338-352, 2008.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[0, 100], [200, 50]], np.float32)
    >>> pca(a, a).tolist() == a.tolist()
    True
    """
    x = np.ascontiguousarray(a, dtype=np.float32).reshape(-1, 1)
    y = np.ascontiguousarray(b, dtype=np.float32).reshape(-1, 1)
    # moments accumulated in double precision by OpenCV, without float64 copies of the images
    mx, sx = (float(v[0, 0]) for v in cv2.meanStdDev(x))
    my, sy = (float(v[0, 0]) for v in cv2.meanStdDev(y))
    var_d = cv2.norm(x, y, cv2.NORM_L2SQR) / x.shape[0] - (mx - my) ** 2  # variance of A − B
    cxy = 0.5 * (sx * sx + sy * sy - var_d)
    cov = np.array([[sx * sx, cxy], [cxy, sy * sy]])
    vals, vecs = np.linalg.eigh(cov)
    v = np.abs(vecs[:, np.argmax(vals)])
    if not np.isfinite(v).all() or v.sum() == 0.0 or not cov.any():
        w = 0.5
    else:
        w = float(v[0] / v.sum())
    return (np.float32(w) * a + np.float32(1.0 - w) * b).astype(np.float32, copy=False)
