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
    """The proximal operator of τ‖·‖_*: U max(Σ − τ, 0) Vᵀ for m = UΣVᵀ.

    The SVD is LAPACK's divide-and-conquer ``gesdd``; on the rare finite matrix where it does not
    converge (seen on a Harvard MRI slice) the QR-iteration ``gesvd`` is used instead.
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
    """Solve LatLRR for ``x`` (d×n) by inexact ALM: returns ``(Z, L, E, iterations)``.

    Z is n×n, L is d×d, E is d×n, and on return max|X − XZ − LX − E| < ``tol`` unless
    ``max_iter`` iterations ran out first.
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
    """LatLRR: average the low-rank parts XZ, add the salient parts LX (inexact ALM, λ = 0.8).

    Slow: two singular value decompositions per ALM iteration, a few hundred iterations per
    image. See the module docstring for the model and the solver.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((16, 16), np.float32); b = np.full((16, 16), 80, np.float32)
    >>> a[4:12, 4:12] = 200
    >>> brainfuse.fuse(a, b, "latlrr").shape
    (16, 16)
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
