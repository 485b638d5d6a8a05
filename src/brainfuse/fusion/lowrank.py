"""LatLRR fusion: latent low-rank representation splits each image into low-rank and salient parts.

Li & Wu, "Infrared and visible image fusion using latent low-rank representation",
arXiv:1804.08992 (2018), on the LatLRR model of Liu & Yan, "Latent low-rank representation for
subspace segmentation and feature extraction", ICCV 2011, 1615-1622.

Each source image X (on [0, 1], as a d×n matrix) is decomposed by solving

    min ‖Z‖_* + ‖L‖_* + λ‖E‖₁   s.t.   X = XZ + LX + E,

into a low-rank part XZ, a salient part LX and a sparse noise part E (discarded), with λ = 0.8.
Both parts are clipped to [0, 1]; the fused image is the average of the low-rank parts plus the
sum of the salient parts, F = (X_AZ_A + X_BZ_B)/2 + (L_AX_A + L_BX_B), as in the authors' code
(whose saved result saturates at 1 when written to an 8-bit file).

The problem is solved by the inexact augmented Lagrange multiplier method of Liu & Yan with
auxiliary variables J = Z and S = L: singular value thresholding for J and S, closed-form
least-squares updates for Z and L, soft thresholding for E, multipliers Y₁, Y₂, Y₃ raised by
μ·(constraint residual), μ ← min(1.1 μ, 10⁶) from 10⁻⁶, until every residual is below 10⁻⁶
(max-abs).
"""

from __future__ import annotations

import numpy as np

from .registry import param, register

__all__ = ["latent_lrr", "latlrr", "singular_value_threshold"]


def singular_value_threshold(m: np.ndarray, tau: float) -> np.ndarray:
    r"""Singular value thresholding: the proximal operator of τ times the nuclear norm.

    Parameters
    ----------
    m : numpy.ndarray
        A finite 2D matrix.
    tau : float
        The threshold τ ≥ 0 subtracted from every singular value.

    Returns
    -------
    thresholded : numpy.ndarray
        :math:`U \max(\Sigma - \tau, 0) V^T`, ``m``'s shape.

    Notes
    -----
    For :math:`m = U \Sigma V^T`, the result minimises
    :math:`\tau \|X\|_* + \frac{1}{2}\|X - m\|_F^2`. The SVD is LAPACK's
    divide-and-conquer ``gesdd``; on the rare finite matrix where it does not converge (seen on a
    Harvard MRI slice) the QR-iteration ``gesvd`` is used instead.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.lowrank import singular_value_threshold
    >>> singular_value_threshold(np.diag([3.0, 1.0]), 1.5)
    array([[1.5, 0. ],
           [0. , 0. ]])
    """
    if np.linalg.norm(m) <= tau:  # Frobenius norm bounds every singular value
        return np.zeros_like(m)
    try:
        u, s, vt = np.linalg.svd(m, full_matrices=False)
    except np.linalg.LinAlgError:
        from scipy.linalg import svd

        u, s, vt = svd(m, full_matrices=False, lapack_driver="gesvd")
    keep = s > tau
    return (u[:, keep] * (s[keep] - tau)) @ vt[keep]


def latent_lrr(
    x: np.ndarray,
    lam: float = 0.8,
    *,
    tol: float = 1e-6,
    max_iter: int = 2000,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    r"""Solve the latent low-rank representation (LatLRR) of ``x`` by inexact ALM.

    Parameters
    ----------
    x : numpy.ndarray
        The data matrix X, d×n (an image on [0, 1]).
    lam : float, optional
        Weight λ > 0 of the sparse noise term (default 0.8).
    tol : float, optional
        Stop when every constraint residual is below this, max-abs (default 1e-6).
    max_iter : int, optional
        The most iterations to run (default 2000).

    Returns
    -------
    z : numpy.ndarray
        The n×n low-rank representation Z (low-rank part XZ).
    l : numpy.ndarray
        The d×d salient projection L (salient part LX).
    e : numpy.ndarray
        The d×n sparse noise E.
    iterations : int
        The number of iterations run; on return :math:`\max|X - XZ - LX - E|` < ``tol`` unless
        ``max_iter`` ran out first.

    Notes
    -----
    The problem of Liu & Yan [2]_, solved as in their inexact augmented Lagrange multiplier
    method with auxiliary variables J = Z and S = L:

    .. math:: \min_{Z, L, E} \|Z\|_* + \|L\|_* + \lambda \|E\|_1
              \quad \text{s.t.} \quad X = XZ + LX + E.


    References
    ----------
    .. [1] H. Li and X.-J. Wu, "Infrared and visible image fusion using latent low-rank
       representation", arXiv:1804.08992, 2018.
    .. [2] G. Liu and S. Yan, "Latent low-rank representation for subspace segmentation and
       feature extraction", Proc. ICCV 2011, 1615-1622.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion.lowrank import latent_lrr
    >>> x = np.random.default_rng(0).random((6, 5))
    >>> z, l, e, iterations = latent_lrr(x)
    >>> z.shape, l.shape, e.shape, bool(np.abs(x - x @ z - l @ x - e).max() < 1e-6)
    ((5, 5), (6, 6), (6, 5), True)
    """
    from threadpoolctl import threadpool_limits

    # Matrices of an image's size gain little from BLAS threads and lose a lot when the cores
    # are busy, so the solver runs on one thread.
    with threadpool_limits(1, user_api="blas"):
        return _inexact_alm(np.asarray(x, dtype=np.float64), lam, tol, max_iter)


def _inexact_alm(
    x: np.ndarray, lam: float, tol: float, max_iter: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    d, n = x.shape
    mu, rho, mu_max = 1e-6, 1.1, 1e6
    xt = x.T
    xtx = xt @ x
    inv_a = np.linalg.inv(xtx + np.eye(n))
    inv_b = np.linalg.inv(x @ xt + np.eye(d))
    z = np.zeros((n, n))
    low = np.zeros((d, d))
    e = np.zeros((d, n))
    lx = np.zeros((d, n))
    y1 = np.zeros((d, n))
    y2 = np.zeros((n, n))
    y3 = np.zeros((d, d))
    iteration = 0
    while iteration < max_iter:
        iteration += 1
        j = singular_value_threshold(z + y2 / mu, 1.0 / mu)
        s = singular_value_threshold(low + y3 / mu, 1.0 / mu)
        # Z = (XᵀX + I)⁻¹ (XᵀX − XᵀLX − XᵀE + J + (XᵀY₁ − Y₂)/μ)
        z = inv_a @ (xtx - xt @ (lx + e - y1 / mu) + j - y2 / mu)
        xz = x @ z
        # L = ((X − XZ − E)Xᵀ + S + (Y₁Xᵀ − Y₃)/μ) (XXᵀ + I)⁻¹
        low = ((x - xz - e + y1 / mu) @ xt + s - y3 / mu) @ inv_b
        lx = low @ x
        xmaz = x - xz - lx
        t = xmaz + y1 / mu
        e = np.sign(t) * np.maximum(np.abs(t) - lam / mu, 0.0)
        r1, r2, r3 = xmaz - e, z - j, low - s
        if max(np.abs(r1).max(), np.abs(r2).max(), np.abs(r3).max()) < tol:
            break
        y1 += mu * r1
        y2 += mu * r2
        y3 += mu * r3
        mu = min(mu_max, mu * rho)
    return z, low, e, iteration


@register(
    "latlrr",
    family="low-rank",
    dims=(2,),
    reference="Li & Wu 2018, arXiv:1804.08992 (LatLRR: Liu & Yan, ICCV 2011)",
    params={
        "lam": param(
            "weight λ of the sparse noise term ‖E‖₁ (images on [0, 1])",
            minimum=0,
            exclusive_minimum=True,
        )
    },
)
def latlrr(a: np.ndarray, b: np.ndarray, *, lam: float = 0.8) -> np.ndarray:
    """LatLRR fusion: average the low-rank parts XZ, add the salient parts LX.

    Slow: two singular value decompositions per ALM iteration, a few hundred iterations per
    image. See the module docstring for the model and the solver.

    Parameters
    ----------
    a, b : numpy.ndarray
        The two grey 2D images, one shape, on the 0..255 scale (taken to [0, 1] inside).
    lam : float, optional
        Weight λ > 0 of the sparse noise term ‖E‖₁, images on [0, 1] (default 0.8, as Li & Wu).

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale.

    Notes
    -----
    Each source X is split by :func:`latent_lrr`; both parts are clipped to [0, 1] and

    .. math:: F = (X_A Z_A + X_B Z_B)/2 + (L_A X_A + L_B X_B),

    as in the code of Li & Wu [1]_ (whose saved result saturates at 1 in an 8-bit file).

    References
    ----------
    .. [1] H. Li and X.-J. Wu, "Infrared and visible image fusion using latent low-rank
       representation", arXiv:1804.08992, 2018.
    .. [2] G. Liu and S. Yan, "Latent low-rank representation for subspace segmentation and
       feature extraction", Proc. ICCV 2011, 1615-1622.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); b = np.full((16, 16), 80, np.float32)
    >>> a[4:12, 4:12] = 200
    >>> brainfuse.fuse(a, b, "latlrr")[8, ::3].round()
    array([ 60.,  60., 209., 209.,  60.,  60.], dtype=float32)
    """
    lowrank = []
    salient = []
    for image in (a, b):
        x = np.asarray(image, dtype=np.float64) / 255.0
        z, low, _, _ = latent_lrr(x, lam)
        lowrank.append(np.clip(x @ z, 0.0, 1.0))
        salient.append(np.clip(low @ x, 0.0, 1.0))
    fused = 0.5 * (lowrank[0] + lowrank[1]) + (salient[0] + salient[1])
    return (fused * 255.0).astype(np.float32)
