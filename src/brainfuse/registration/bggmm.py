"""Registration by a bounded generalized Gaussian mixture of joint intensities (BGGMM, GMM-ER).

Wang J., Xiang K., Chen K., Liu R., Ni R., Zhu H. & Xiong Y., "Medical image registration
algorithm based on bounded generalized Gaussian mixture model", Front. Neurosci. 16:911957
(2022): the joint intensity vector ``I_x = [A(x), B(T_theta(x))]`` of the fixed image ``A`` and
the moving image ``B`` is modelled by a mixture of ``M = 6`` components, each a product over the
two intensity dimensions of a generalized Gaussian

.. math:: T(y | u, \\sigma, \\lambda) = \\alpha(\\lambda) \\exp(-\\beta(\\lambda)
          |(y - u)/\\sigma|^\\lambda),\\quad
          \\beta = (\\Gamma(3/\\lambda)/\\Gamma(1/\\lambda))^{\\lambda/2},\\quad
          \\alpha = \\frac{\\lambda}{2\\sigma\\Gamma(1/\\lambda)}
          \\sqrt{\\Gamma(3/\\lambda)/\\Gamma(1/\\lambda)}

truncated to the intensity range ``Omega = [0, 255]`` (divided by ``Z = int_Omega T dy``). EM
estimates the mixture (Eqs. 9-22 of the paper) on a 64 x 64 joint histogram (each bin at the
mean of its samples), with these corrections of the printed derivation: ``Z`` and the
bounded-support corrections ``R_m`` (Eq. 12) and ``G_m`` (Eq. 14) in closed form instead of
10^6 Monte-Carlo samples; ``sign`` is the usual +-1 sign; Eq. 20 uses the trigamma function and
the factor 2 on its last term; Eq. 21 uses ``g``; the shape Newton step (Eq. 15) uses the true
derivatives with a damping term, ``lambda`` kept in [1, 4].

Deviations from the paper, each measured on the Harvard MRI-PET pairs
(``benchmarks/bench_registration.py``; a registration from the aligned pair drifted 3-28 px
with the paper's objective): the motion maximises the *conditional* log-likelihood
``mean_x log p(A_x | B_x) = mean_x [log p(A_x, B_x) - log p_B(B_x)]`` under the mixture (the
mixture's estimate of the mutual information up to a constant) instead of the joint one, which
rewards moving the moving image's empty background into view; it is averaged over the fixed
image's foreground samples (:func:`foreground`) that fall inside the moving image. Each motion
step is Gauss-Newton (Fisher scoring) with the exact gradient, moves the fixed grid's corners
by a radius that starts at one sample and halves when the likelihood at the current mixture
does not increase; EM re-fits the mixture between rounds of motion steps (the paper's T1/T2
loop). The resolutions are ``[0.25, 0.5, 1]`` (the paper's 0.1 leaves too few samples of a
256 x 256 image), each smoothed by one more sample and sampled at points jittered inside their
pixels (fixed seed). In 2D the coarsest level first tries a grid of rigid offsets from the
start (:data:`SEARCH_SHIFTS`, :data:`SEARCH_ANGLES`), the mixture re-fitted for each: at a fixed
mixture the likelihood has a local maximum wherever the mixture was fitted.

GMM-ER (Orchard & Mann, "Registering a multisensor ensemble of images", IEEE TIP 19(5):
1236-1247, 2010) is the special case ``lambda = 2`` on the unbounded plane.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, special
from scipy.cluster.vq import kmeans2

from .grid import Grid, foreground

__all__ = [
    "COMPONENTS",
    "LEVELS",
    "SEARCH_ANGLES",
    "SEARCH_SHIFTS",
    "SUPPORT",
    "Mixture",
    "gg_beta",
    "gg_cdf",
    "gg_logpdf",
    "location_information",
    "location_score",
    "mean_correction",
    "register_bggmm",
    "register_gmm_er",
    "scale_correction",
    "shape_score",
    "shape_score_derivative",
    "truncated_normaliser",
    "truncated_shape_moments",
]

#: Number of mixture components (the paper's M).
COMPONENTS = 6
#: Resolutions, as fractions of the full size, coarse to fine (the paper's schedule).
LEVELS = (0.25, 0.5, 1.0)
#: Intensity support of every component (images are scaled to 0..255).
SUPPORT = (0.0, 255.0)
#: 2D: offsets tried from the start on the coarsest level (pixels, degrees)
SEARCH_SHIFTS = (-30.0, -20.0, -10.0, 0.0, 10.0, 20.0, 30.0)
SEARCH_ANGLES = (-8.0, 0.0, 8.0)
_SEARCH_EM_STEPS = 10
_BINS = 64
_SIGMA_MIN = 2.0
_LAMBDA_RANGE = (1.0, 4.0)
_KMEANS_SEED = 0
_JITTER_SEED = 1
_MAX_STEP = 1.0  # first motion step, in samples of the level
_STOP = 0.01  # converged when a step moves less than this, in samples of the level
_EM_STEPS = 50  # EM iterations between rounds of motion steps
_ROUNDS = 10  # rounds of EM + motion per level
_QUAD_NODES, _QUAD_WEIGHTS = np.polynomial.legendre.leggauss(48)


# ----------------------------------------------------------------------------------------------
# The generalized Gaussian and its derivatives in the shape (paper Eqs. 4, 6, 17, 20)
# ----------------------------------------------------------------------------------------------
def gg_beta(lam: np.ndarray) -> np.ndarray:
    r"""The scale constant β(λ) of the generalized Gaussian (Eq. 6 of Wang J. et al. [1]_).

    Parameters
    ----------
    lam : numpy.ndarray
        Shape λ > 0.

    Returns
    -------
    beta : numpy.ndarray
        β(λ), ``lam``'s shape.

    Notes
    -----
    .. math:: \beta(\lambda) = \left(\frac{\Gamma(3/\lambda)}{\Gamma(1/\lambda)}
              \right)^{\lambda/2}

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import gg_beta
    >>> gg_beta(np.array([1.0, 2.0]))
    array([1.41421356, 0.5       ])
    """
    lam = np.asarray(lam, dtype=np.float64)
    return np.exp(0.5 * lam * (special.gammaln(3.0 / lam) - special.gammaln(1.0 / lam)))


def _h(lam: np.ndarray) -> np.ndarray:
    # d log beta / d lambda
    return 0.5 * (special.gammaln(3.0 / lam) - special.gammaln(1.0 / lam)) + (
        special.digamma(1.0 / lam) - 3.0 * special.digamma(3.0 / lam)
    ) / (2.0 * lam)


def gg_logpdf(y: np.ndarray, u: np.ndarray, sigma: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r"""Log-density of the generalized Gaussian (Eqs. 4 and 6 of Wang J. et al. [1]_).

    Parameters
    ----------
    y : numpy.ndarray
        Intensities.
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).

    Returns
    -------
    logpdf : numpy.ndarray
        :math:`\log T(y \mid u, \sigma, \lambda)`, broadcast shape of the inputs.

    Notes
    -----
    .. math:: T(y \mid u, \sigma, \lambda) = \alpha(\lambda) \exp\left(-\beta(\lambda)
              \left|\frac{y - u}{\sigma}\right|^\lambda\right), \quad
              \alpha = \frac{\lambda}{2\sigma\Gamma(1/\lambda)}
              \sqrt{\Gamma(3/\lambda)/\Gamma(1/\lambda)}.

    It equals ``scipy.stats.gennorm(lam, u, sigma * sqrt(Gamma(1/lam)/Gamma(3/lam)))``.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    With λ = 2 it is the normal density, :math:`-\log\sqrt{2\pi}` at the mean:

    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import gg_logpdf
    >>> gg_logpdf(np.array([0.0]), 0.0, 1.0, 2.0).round(6)
    array([-0.918939])
    """
    lam = np.asarray(lam, dtype=np.float64)
    sigma = np.asarray(sigma, dtype=np.float64)
    log_alpha = (
        np.log(lam / (2.0 * sigma))
        - special.gammaln(1.0 / lam)
        + 0.5 * (special.gammaln(3.0 / lam) - special.gammaln(1.0 / lam))
    )
    return log_alpha - gg_beta(lam) * np.abs((np.asarray(y) - u) / sigma) ** lam


def gg_cdf(y: np.ndarray, u: np.ndarray, sigma: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r"""Distribution function of the generalized Gaussian T.

    Parameters
    ----------
    y : numpy.ndarray
        Intensities.
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).

    Returns
    -------
    cdf : numpy.ndarray
        :math:`F(y)`, broadcast shape of the inputs.

    Notes
    -----
    With :math:`z = (y - u)/\sigma` and P the regularised lower incomplete gamma function,

    .. math:: F(y) = \frac{1}{2} + \frac{\mathrm{sign}(z)}{2}
              P\left(\frac{1}{\lambda}, \beta |z|^\lambda\right).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import gg_cdf
    >>> gg_cdf(np.array([-1.0, 0.0, 1.0]), 0.0, 1.0, 2.0).round(4)
    array([0.1587, 0.5   , 0.8413])
    """
    lam = np.asarray(lam, dtype=np.float64)
    z = (np.asarray(y, dtype=np.float64) - u) / sigma
    return 0.5 + 0.5 * np.sign(z) * special.gammainc(1.0 / lam, gg_beta(lam) * np.abs(z) ** lam)


def truncated_normaliser(
    u: np.ndarray,
    sigma: np.ndarray,
    lam: np.ndarray,
    lo: float = SUPPORT[0],
    hi: float = SUPPORT[1],
) -> np.ndarray:
    r"""The mass Z of a generalized Gaussian inside the support, in closed form (Eq. 3).

    Replaces the paper's Monte-Carlo estimate from 10^6 samples by :math:`Z = F(hi) - F(lo)`
    with :func:`gg_cdf`.

    Parameters
    ----------
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).
    lo, hi : float, optional
        The bounds of the support (default :data:`SUPPORT`, 0 and 255).

    Returns
    -------
    z : numpy.ndarray
        :math:`Z = \int_{lo}^{hi} T(y \mid u, \sigma, \lambda)\, dy`.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    Half of a component centred on the lower bound lies inside:

    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import truncated_normaliser
    >>> truncated_normaliser(np.array([0.0, 127.5]), np.array([10.0, 10.0]), np.array([2.0, 2.0]))
    array([0.5, 1. ])
    """
    return gg_cdf(hi, u, sigma, lam) - gg_cdf(lo, u, sigma, lam)


def shape_score(y: np.ndarray, u: np.ndarray, sigma: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r"""Derivative of the log-density in the shape, :math:`f = \partial \log T / \partial \lambda`.

    Parameters
    ----------
    y : numpy.ndarray
        Intensities.
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).

    Returns
    -------
    f : numpy.ndarray
        The shape score (Eq. 17 of Wang J. et al. [1]_).

    Notes
    -----
    With :math:`z = (y - u)/\sigma`, :math:`h = d \log\beta / d\lambda` and the digamma
    function Ψ,

    .. math:: f = \frac{1}{\lambda} + \frac{3 (\Psi(1/\lambda) - \Psi(3/\lambda))}
              {2\lambda^2} - \beta |z|^\lambda (\log|z| + h).

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import shape_score
    >>> shape_score(np.array([0.0, 1.0, 2.0]), 0.0, 1.0, 2.0).round(4)
    array([-0.25  ,  0.1824,  0.0933])
    """
    lam = np.asarray(lam, dtype=np.float64)
    az = np.maximum(np.abs((np.asarray(y) - u) / sigma), 1e-300)
    const = 1.0 / lam + 3.0 * (special.digamma(1.0 / lam) - special.digamma(3.0 / lam)) / (
        2.0 * lam**2
    )
    return const - gg_beta(lam) * az**lam * (np.log(az) + _h(lam))


def shape_score_derivative(
    y: np.ndarray, u: np.ndarray, sigma: np.ndarray, lam: np.ndarray
) -> np.ndarray:
    r"""Second derivative of the log-density in the shape, :math:`g = \partial f / \partial\lambda`.

    Eq. 20 of Wang J. et al. [1]_ with the trigamma terms and the factor 2 of its last term
    restored.

    Parameters
    ----------
    y : numpy.ndarray
        Intensities.
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).

    Returns
    -------
    g : numpy.ndarray
        The derivative of :func:`shape_score` in λ.

    Notes
    -----
    With Ψ' the trigamma function and :math:`h' = (9\Psi'(3/\lambda) - \Psi'(1/\lambda)) /
    (2\lambda^3)`,

    .. math:: g = -\frac{1}{\lambda^2} - \frac{3\Psi'(1/\lambda)}{2\lambda^4}
              - \frac{3\Psi(1/\lambda)}{\lambda^3} + \frac{9\Psi'(3/\lambda)}{2\lambda^4}
              + \frac{3\Psi(3/\lambda)}{\lambda^3}
              - \beta |z|^\lambda \left((\log|z| + h)^2 + h'\right).

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import shape_score_derivative
    >>> shape_score_derivative(np.array([1.0]), 0.0, 1.0, 2.0).round(4)
    array([-0.1824])
    """
    lam = np.asarray(lam, dtype=np.float64)
    az = np.maximum(np.abs((np.asarray(y) - u) / sigma), 1e-300)
    a, b = 1.0 / lam, 3.0 / lam
    tri_a, tri_b = special.polygamma(1, a), special.polygamma(1, b)
    const = (
        -1.0 / lam**2
        - 3.0 * tri_a / (2.0 * lam**4)
        - 3.0 * special.digamma(a) / lam**3
        + 9.0 * tri_b / (2.0 * lam**4)
        + 3.0 * special.digamma(b) / lam**3
    )
    h_prime = (9.0 * tri_b - tri_a) / (2.0 * lam**3)
    return const - gg_beta(lam) * az**lam * ((np.log(az) + _h(lam)) ** 2 + h_prime)


def mean_correction(
    u: np.ndarray, sigma: np.ndarray, lam: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    r"""The bounded-support correction R of the mean update (Eq. 12 of Wang J. et al. [1]_).

    Parameters
    ----------
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).
    lo, hi : float
        The bounds of the support Ω = [lo, hi].

    Returns
    -------
    r : numpy.ndarray
        :math:`R = E_\Omega[\mathrm{sign}(u - S) |S - u|^{\lambda - 1}]` under the truncated
        density.

    Notes
    -----
    In closed form, since :math:`\mathrm{sign}(u - y)|y - u|^{\lambda-1} T(y) =
    \sigma^\lambda / (\lambda\beta) \, T'(y)`:

    .. math:: R = \frac{\sigma^\lambda}{\lambda \beta} \frac{T(hi) - T(lo)}{Z}.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    A component centred inside the support needs no correction; one on its edge does:

    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import mean_correction
    >>> mean_correction(np.array([0.0, 127.5]), 10.0, 2.0, 0.0, 255.0).round(4)
    array([-7.9788,  0.    ])
    """
    z = np.maximum(truncated_normaliser(u, sigma, lam, lo, hi), 1e-300)
    t_hi = np.exp(gg_logpdf(hi, u, sigma, lam))
    t_lo = np.exp(gg_logpdf(lo, u, sigma, lam))
    return sigma**lam / (lam * gg_beta(lam)) * (t_hi - t_lo) / z


def scale_correction(
    u: np.ndarray, sigma: np.ndarray, lam: np.ndarray, lo: float, hi: float
) -> np.ndarray:
    r"""The bounded-support correction G of the scale update (Eq. 14 of Wang J. et al. [1]_).

    Parameters
    ----------
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).
    lo, hi : float
        The bounds of the support Ω = [lo, hi].

    Returns
    -------
    g : numpy.ndarray
        :math:`G = E_\Omega[-1 + \lambda\beta |S - u|^\lambda / \sigma^\lambda]`; 0 on the whole
        line.

    Notes
    -----
    In closed form by parts:

    .. math:: G = -\frac{(hi - u) T(hi) - (lo - u) T(lo)}{Z}.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import scale_correction
    >>> bool(abs(scale_correction(np.array([127.5]), 10.0, 2.0, 0.0, 255.0)[0]) < 1e-30)
    True
    """
    z = np.maximum(truncated_normaliser(u, sigma, lam, lo, hi), 1e-300)
    t_hi = np.exp(gg_logpdf(hi, u, sigma, lam))
    t_lo = np.exp(gg_logpdf(lo, u, sigma, lam))
    return -((hi - u) * t_hi - (lo - u) * t_lo) / z


def truncated_shape_moments(
    u: np.ndarray, sigma: np.ndarray, lam: np.ndarray, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray]:
    r"""Expectations of f and :math:`f^2 + g` under the truncated density, by Gauss-Legendre.

    The interval is split at u, where :math:`|z|^\lambda \log|z|` has its kink; 48 nodes per
    part. They drive the Newton step of the shape (Eq. 15 of Wang J. et al. [1]_).

    Parameters
    ----------
    u : numpy.ndarray
        Location (mean) u.
    sigma : numpy.ndarray
        Standard deviation σ > 0.
    lam : numpy.ndarray
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).
    lo, hi : float
        The bounds of the support Ω = [lo, hi].

    Returns
    -------
    mean_f : numpy.ndarray
        :math:`E_\Omega[f]` (:func:`shape_score`).
    mean_f2g : numpy.ndarray
        :math:`E_\Omega[f^2 + g]` (:func:`shape_score_derivative`).

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    A component well inside the support: the score has mean 0 and its information identity holds,
    :math:`E[f^2 + g] = 0`:

    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import truncated_shape_moments
    >>> ef, ef2g = truncated_shape_moments(*np.array([[127.5], [10.0], [2.0]]), 0.0, 255.0)
    >>> bool(abs(ef[0]) < 1e-6 and abs(ef2g[0]) < 1e-5)
    True
    """
    mid = np.clip(u, lo, hi)[..., None]
    x = (_QUAD_NODES + 1.0) / 2.0
    w = _QUAD_WEIGHTS / 2.0
    ys = np.concatenate([lo + (mid - lo) * x, mid + (hi - mid) * x], axis=-1)
    ws = np.concatenate([(mid - lo) * w, (hi - mid) * w], axis=-1)
    args = (u[..., None], sigma[..., None], lam[..., None])
    dens = ws * np.exp(gg_logpdf(ys, *args))
    z = np.maximum(dens.sum(axis=-1), 1e-300)
    f = shape_score(ys, *args)
    e_f = (dens * f).sum(axis=-1) / z
    e_f2g = (dens * (f * f + shape_score_derivative(ys, *args))).sum(axis=-1) / z
    return e_f, e_f2g


# ----------------------------------------------------------------------------------------------
# The mixture and its EM (Eqs. 2-3, 9-22)
# ----------------------------------------------------------------------------------------------
@dataclass
class Mixture:
    r"""A mixture of products of (bounded) generalized Gaussians over D intensity dimensions.

    Each component m is the product over the D dimensions of generalized Gaussians
    :math:`T(x_d \mid u_{md}, \sigma_{md}, \lambda_{md})`, truncated to :data:`SUPPORT` when
    ``bounded``, with weight :math:`\tau_m`.

    Parameters
    ----------
    tau : numpy.ndarray
        Component weights, shape (M,), summing to 1.
    u : numpy.ndarray
        Locations, shape (M, D).
    sigma : numpy.ndarray
        Standard deviations, shape (M, D).
    lam : numpy.ndarray
        Shapes λ, shape (M, D).
    bounded : bool
        Truncate every component to :data:`SUPPORT` (BGGMM) or not (GMM-ER).
    fit_shape : bool
        Let EM estimate ``lam``; else it stays at its start.

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import Mixture
    >>> x = np.random.default_rng(0).normal([60, 150], [5, 10], (200, 2))
    >>> mix = Mixture.from_kmeans(x, 2)
    >>> mix.u.shape, float(mix.tau.sum()), mix.lam.tolist()
    ((2, 2), 1.0, [[2.0, 2.0], [2.0, 2.0]])
    """

    tau: np.ndarray
    u: np.ndarray
    sigma: np.ndarray
    lam: np.ndarray
    bounded: bool = True
    fit_shape: bool = True

    @classmethod
    def from_kmeans(
        cls, data: np.ndarray, m: int = COMPONENTS, *, bounded: bool = True, fit_shape: bool = True
    ) -> Mixture:
        """Start from k-means on the joint intensities (λ = 2, within-cluster standard deviations).

        Parameters
        ----------
        data : numpy.ndarray
            The points, shape (N, D).
        m : int, optional
            The number of components (default :data:`COMPONENTS`, 6).
        bounded : bool, optional
            Truncate the components to :data:`SUPPORT` (default True).
        fit_shape : bool, optional
            Let EM estimate the shapes (default True).

        Returns
        -------
        mixture : Mixture
            The starting mixture (k-means with a fixed seed: the same data give the same start).
        """
        centres, labels = kmeans2(data, m, minit="++", seed=_KMEANS_SEED)
        counts = np.bincount(labels, minlength=m).astype(np.float64)
        sigma = np.full(centres.shape, 20.0)
        for k in range(m):
            if counts[k] > 1:
                sigma[k] = data[labels == k].std(axis=0)
        tau = np.maximum(counts, 1.0)
        return cls(
            tau=tau / tau.sum(),
            u=centres.astype(np.float64),
            sigma=np.maximum(sigma, _SIGMA_MIN),
            lam=np.full(centres.shape, 2.0),
            bounded=bounded,
            fit_shape=fit_shape,
        )

    def copy(self) -> Mixture:
        """An independent copy (arrays copied).

        Returns
        -------
        mixture : Mixture
        """
        return Mixture(
            self.tau.copy(),
            self.u.copy(),
            self.sigma.copy(),
            self.lam.copy(),
            self.bounded,
            self.fit_shape,
        )

    def log_components(self, x: np.ndarray) -> np.ndarray:
        r"""Log of each weighted component density at the points.

        Parameters
        ----------
        x : numpy.ndarray
            The points, shape (N, D).

        Returns
        -------
        log_components : numpy.ndarray
            :math:`\log(\tau_m \, BG(x \mid m))`, shape (N, M).
        """
        lp = gg_logpdf(x[:, None, :], self.u, self.sigma, self.lam)
        if self.bounded:
            z = truncated_normaliser(self.u, self.sigma, self.lam, *SUPPORT)
            lp = lp - np.log(np.maximum(z, 1e-300))
        return lp.sum(axis=2) + np.log(self.tau)

    def log_marginal(self, y: np.ndarray, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Posterior and log-density of intensities under the mixture's marginal in one dimension.

        Parameters
        ----------
        y : numpy.ndarray
            Intensities, shape (N,).
        d : int
            The intensity dimension of the marginal.

        Returns
        -------
        posterior : numpy.ndarray
            Shape (N, M).
        log_density : numpy.ndarray
            Shape (N,).
        """
        u, s, lam = self.u[:, d], self.sigma[:, d], self.lam[:, d]
        lp = gg_logpdf(y[:, None], u, s, lam) + np.log(self.tau)
        if self.bounded:
            lp = lp - np.log(np.maximum(truncated_normaliser(u, s, lam, *SUPPORT), 1e-300))
        ll = special.logsumexp(lp, axis=1)
        return np.exp(lp - ll[:, None]), ll

    def responsibilities(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior η of each component at each point (Eq. 9) and the log-likelihood of each point.

        Parameters
        ----------
        x : numpy.ndarray
            The points, shape (N, D).

        Returns
        -------
        eta : numpy.ndarray
            Shape (N, M), rows summing to 1.
        log_likelihood : numpy.ndarray
            Shape (N,).
        """
        lc = self.log_components(x)
        ll = special.logsumexp(lc, axis=1)
        return np.exp(lc - ll[:, None]), ll

    def em_step(self, x: np.ndarray, weight: np.ndarray) -> float:
        """One EM iteration on weighted points, updating the mixture in place.

        Parameters
        ----------
        x : numpy.ndarray
            The points, shape (N, D) (joint histogram bins).
        weight : numpy.ndarray
            The count of each point, shape (N,).

        Returns
        -------
        log_likelihood : float
            The weighted log-likelihood before the update.
        """
        eta, ll = self.responsibilities(x)
        ew = eta * weight[:, None]  # (N, M)
        n_m = ew.sum(axis=0)  # (M,)
        live = n_m > 1e-8 * weight.sum()
        self.tau = np.maximum(n_m / weight.sum(), 1e-8)
        self.tau /= self.tau.sum()
        lo, hi = SUPPORT
        for d in range(x.shape[1]):
            y = x[:, d][:, None]  # (N, 1)
            u, s, lam = self.u[:, d], self.sigma[:, d], self.lam[:, d]
            beta = gg_beta(lam)
            # mean, Eq. 11 with the bounded-support term R (Eq. 12) in closed form
            r = np.abs(y - u)
            wgt = ew * np.maximum(r, 1e-2) ** (lam - 2.0)
            corr = mean_correction(u, s, lam, lo, hi) if self.bounded else 0.0
            u_new = ((wgt * y).sum(axis=0) + corr * n_m) / np.maximum(wgt.sum(axis=0), 1e-300)
            u_new = np.clip(np.where(live, u_new, u), lo - 50.0, hi + 50.0)
            # scale, Eq. 13 with G (Eq. 14) in closed form
            g_corr = scale_correction(u_new, s, lam, lo, hi) if self.bounded else 0.0
            spread = (ew * np.abs(y - u_new) ** lam).sum(axis=0)
            denom = np.maximum(n_m * (1.0 + g_corr), 1e-3 * n_m + 1e-300)
            s_new = (lam * beta * spread / denom) ** (1.0 / lam)
            s_new = np.where(live, np.clip(s_new, _SIGMA_MIN, 4.0 * (hi - lo)), s)
            # shape, damped Newton step on the true derivatives (Eqs. 15-21 corrected)
            lam_new = lam
            if self.fit_shape:
                f = shape_score(y, u_new, s_new, lam)
                g = shape_score_derivative(y, u_new, s_new, lam)
                if self.bounded:
                    e_f, e_f2g = truncated_shape_moments(u_new, s_new, lam, lo, hi)
                else:
                    e_f, e_f2g = np.zeros_like(lam), np.zeros_like(lam)
                d1 = (ew * f).sum(axis=0) - n_m * e_f
                d2 = (ew * g).sum(axis=0) - n_m * (e_f2g - e_f**2)
                step = np.clip(d1 / (np.abs(d2) + 0.1 * n_m + 1e-300), -0.5, 0.5)
                lam_new = np.where(live, np.clip(lam + step, *_LAMBDA_RANGE), lam)
            self.u[:, d], self.sigma[:, d], self.lam[:, d] = u_new, s_new, lam_new
        return float((ll * weight).sum())


class _JointHistogram:
    """The occupied bins of the 64 x 64 joint histogram of (fixed, moving) intensities, each
    represented by the mean of its samples."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        lo, hi = SUPPORT
        width = (hi - lo) / _BINS
        ia = np.clip(((a - lo) / width).astype(np.int64), 0, _BINS - 1)
        ib = np.clip(((b - lo) / width).astype(np.int64), 0, _BINS - 1)
        flat = ia * _BINS + ib
        counts = np.bincount(flat, minlength=_BINS * _BINS)
        occupied = np.flatnonzero(counts)
        #: mean (fixed, moving) intensity of every occupied bin (K, 2) and its count (K,)
        self.counts = counts[occupied].astype(np.float64)
        sums = [np.bincount(flat, weights=v, minlength=_BINS * _BINS)[occupied] for v in (a, b)]
        self.centres = np.column_stack(sums) / self.counts[:, None]

    def fit(self, mixture: Mixture, steps: int, tol: float = 1e-5) -> float:
        """Run up to ``steps`` EM iterations (stopping when the mean log-likelihood changes by
        less than ``tol``); return the mean log-likelihood of the final mixture."""
        last = -np.inf
        total = self.counts.sum()
        for _ in range(steps):
            ll = mixture.em_step(self.centres, self.counts) / total
            if abs(ll - last) < tol:
                break
            last = ll
        ll = mixture.responsibilities(self.centres)[1]
        return float((ll * self.counts).sum() / total)


# ----------------------------------------------------------------------------------------------
# Motion: rigid or affine updates composed on the right of the current matrix (Eqs. 23-25)
# ----------------------------------------------------------------------------------------------
def _rotation(theta: np.ndarray, d: int) -> np.ndarray:
    if d == 2:
        c, s = np.cos(theta[0]), np.sin(theta[0])
        return np.array([[c, -s], [s, c]])
    angle = float(np.linalg.norm(theta))
    if angle < 1e-15:
        return np.eye(3)
    k = theta / angle
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(angle) * kx + (1 - np.cos(angle)) * kx @ kx


def _n_params(kind: str, d: int) -> int:
    if kind == "rigid":
        return 3 if d == 2 else 6
    return d * d + d


def _update(theta: np.ndarray, kind: str, centre: np.ndarray) -> np.ndarray:
    """Homogeneous ``p -> L (p - c) + c + t`` for the parameter vector ``theta``."""
    d = centre.size
    n_rot = 1 if d == 2 else 3
    if kind == "rigid":
        linear, t = _rotation(theta[:n_rot], d), theta[n_rot:]
    else:
        linear, t = np.eye(d) + theta[: d * d].reshape(d, d), theta[d * d :]
    out = np.eye(d + 1)
    out[:d, :d] = linear
    out[:d, d] = centre + t - linear @ centre
    return out


def _update_jacobian(q: np.ndarray, kind: str) -> np.ndarray:
    """``d(update(theta) p) / d theta`` at ``theta = 0`` for ``q = p - c`` (N, d): (N, d, P)."""
    n, d = q.shape
    jac = np.zeros((n, d, _n_params(kind, d)))
    if kind == "rigid":
        if d == 2:
            jac[:, 0, 0], jac[:, 1, 0] = -q[:, 1], q[:, 0]
            jac[:, :, 1:] = np.eye(2)
        else:
            for k in range(3):
                jac[:, :, k] = np.cross(np.eye(3)[k], q)
            jac[:, :, 3:] = np.eye(3)
    else:
        for i in range(d):
            jac[:, i, i * d : (i + 1) * d] = q
        jac[:, :, d * d :] = np.eye(d)
    return jac


def _linear_sample(array: np.ndarray, idx: np.ndarray, gradient: bool):
    """Linear interpolation of ``array`` at fractional indices ``idx`` (N, d) inside it, and the
    exact derivative of the interpolant along each index axis (N, d) when ``gradient``."""
    d = array.ndim
    base = np.minimum(np.floor(idx).astype(np.int64), np.asarray(array.shape) - 2)
    base = np.maximum(base, 0)
    frac = idx - base
    values = np.zeros(len(idx))
    grad = np.zeros((len(idx), d)) if gradient else None
    for corner in np.ndindex(*(2,) * d):
        c = np.asarray(corner)
        v = array[tuple((base + c).T)]
        w_axes = np.where(c == 1, frac, 1.0 - frac)  # (N, d)
        values += v * np.prod(w_axes, axis=1)
        if gradient:
            for k in range(d):
                others = np.prod(np.delete(w_axes, k, axis=1), axis=1)
                grad[:, k] += v * others * (1.0 if c[k] else -1.0)
    return values, grad


def location_information(sigma: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r"""Fisher information of the generalized Gaussian about its mean.

    Parameters
    ----------
    sigma : numpy.ndarray
        Standard deviation σ.
    lam : numpy.ndarray
        Shape λ, taken at least 0.6 here (the information is finite for λ > 1/2).

    Returns
    -------
    information : numpy.ndarray
        :math:`E[(d \log T / dy)^2]`.

    Notes
    -----
    .. math:: I = \frac{\lambda^2 \Gamma(3/\lambda) \Gamma(2 - 1/\lambda)}
              {\Gamma(1/\lambda)^2 \sigma^2},

    :math:`1/\sigma^2` for the Gaussian, :math:`2/\sigma^2` for the Laplacian.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import location_information
    >>> location_information(np.array([1.0, 1.0]), np.array([2.0, 1.0]))
    array([1., 2.])
    """
    lam = np.maximum(np.asarray(lam, dtype=np.float64), 0.6)
    log_i = (
        2.0 * np.log(lam)
        + special.gammaln(3.0 / lam)
        + special.gammaln(2.0 - 1.0 / lam)
        - 2.0 * special.gammaln(1.0 / lam)
    )
    return np.exp(log_i) / np.asarray(sigma, dtype=np.float64) ** 2


def location_score(y: np.ndarray, u: np.ndarray, sigma: np.ndarray, lam: np.ndarray) -> np.ndarray:
    r"""Derivative of the log-density in the intensity, :math:`d \log T / dy`.

    Parameters
    ----------
    y : numpy.ndarray
        Intensities.
    u : numpy.ndarray or float
        Location (mean) u.
    sigma : numpy.ndarray or float
        Standard deviation σ > 0.
    lam : numpy.ndarray or float
        Shape λ > 0 (2 is the Gaussian, 1 the Laplacian).

    Returns
    -------
    score : numpy.ndarray
        :math:`-\lambda \beta |z|^{\lambda - 1} \mathrm{sign}(z) / \sigma` with
        :math:`z = (y - u)/\sigma`, ``|z|`` taken at least 1e-3 (where the score is infinite for
        λ < 1).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.bggmm import location_score
    >>> location_score(np.array([1.0]), 0.0, 1.0, 2.0)
    array([-1.])
    """
    z = (np.asarray(y, dtype=np.float64) - u) / sigma
    az = np.maximum(np.abs(z), 1e-3)
    return -lam * gg_beta(lam) * az ** (lam - 1.0) * np.sign(z) / sigma


class _Level:
    """One resolution: the fixed samples, the moving image and its gradient."""

    def __init__(
        self,
        fixed: Grid,
        moving: Grid,
        mask: Grid,
        kind: str,
        centre: np.ndarray,
        max_points: int,
    ):
        d = fixed.ndim
        # One more sample of Gaussian smoothing widens the basin of the likelihood.
        fixed = Grid(ndimage.gaussian_filter(fixed.array, 1.0), fixed.to_space)
        moving = Grid(ndimage.gaussian_filter(moving.array, 1.0), moving.to_space)
        stride = int(np.ceil((fixed.array.size / max_points) ** (1.0 / d)))
        if stride > 1:
            sub = fixed.array[(slice(None, None, stride),) * d]
            fixed = Grid(sub, fixed.to_space @ np.diag([stride] * d + [1.0]))
        # Jitter the samples inside their pixels (fixed seed): samples on the moving grid
        # would give the likelihood spurious peaks at whole-pixel shifts (interpolation
        # artefact, Pluim, Maintz & Viergever 2000).
        rng = np.random.default_rng(_JITTER_SEED)
        idx = np.indices(fixed.array.shape, dtype=np.float64).reshape(d, -1).T
        upper = np.asarray(fixed.array.shape, dtype=np.float64) - 1.0
        idx = np.clip(idx + rng.uniform(-0.5, 0.5, idx.shape), 0.0, upper)
        self.points = idx @ fixed.to_space[:d, :d].T + fixed.to_space[:d, d]
        # Keep the samples on the fixed image's foreground only.
        in_mask = np.linalg.inv(mask.to_space) @ np.vstack([self.points.T, np.ones(len(idx))])
        keep = ndimage.map_coordinates(mask.array, in_mask[:d], order=0) > 0
        idx, self.points = idx[keep], self.points[keep]
        self.a = ndimage.map_coordinates(fixed.array, idx.T, order=1)
        self.jac_update = _update_jacobian(self.points - centre, kind)
        self.moving = moving.array
        self.to_index = np.linalg.inv(moving.to_space)
        self.upper = np.asarray(moving.array.shape, dtype=np.float64) - 1.0
        self.kind, self.centre = kind, centre
        #: length of one sample of this level in space units
        self.sample = float(np.sqrt((fixed.to_space[:d, :d] ** 2).sum(axis=0)).min())
        span = np.asarray(fixed.array.shape, dtype=np.float64) - 1.0
        corners = np.array(np.meshgrid(*[[0.0, s] for s in span])).reshape(d, -1)
        self.corners = (fixed.to_space[:d, :d] @ corners).T + fixed.to_space[:d, d]

    def sample_moving(self, matrix: np.ndarray, gradient: bool = False):
        """The fixed samples that ``matrix`` maps inside the moving image (boolean, N), and the
        moving intensities there by (bi/tri)linear interpolation, with their exact derivatives
        in moving indices when ``gradient``."""
        d = self.points.shape[1]
        m = self.to_index @ matrix
        idx = self.points @ m[:d, :d].T + m[:d, d]
        inside = np.all((idx >= 0) & (idx <= self.upper), axis=1)
        values, grad = _linear_sample(self.moving, idx[inside], gradient)
        return inside, values, grad

    def loglik(self, mixture: Mixture, matrix: np.ndarray) -> float:
        """Mean log-likelihood of the joint intensities of the samples inside the moving image."""
        inside, b, _ = self.sample_moving(matrix)
        if not inside.any():
            return -np.inf
        joint = mixture.responsibilities(np.column_stack([self.a[inside], b]))[1]
        return float((joint - mixture.log_marginal(b, 1)[1]).mean())

    def largest_motion(self, step: np.ndarray) -> float:
        """Largest displacement of the fixed grid's corners under ``step``, in level samples."""
        d = self.points.shape[1]
        moved = self.corners @ (step[:d, :d] - np.eye(d)).T + step[:d, d]
        return float(np.sqrt((moved**2).sum(axis=1)).max()) / self.sample

    def motion_step(
        self,
        matrix: np.ndarray,
        mixture: Mixture,
        inside: np.ndarray,
        b: np.ndarray,
        grad: np.ndarray,
    ) -> np.ndarray:
        """The motion parameter increment maximising the likelihood at a fixed mixture (Eq. 25).

        Gauss-Newton (Fisher scoring): the gradient is exact, ``sum_x d log p(I_x) / d theta``
        with ``d log p / dB = sum_m eta_xm d log T_m / dB``; the curvature of every sample is
        ``sum_m eta_xm I_m`` with ``I_m`` the location Fisher information of component ``m``
        in the moving dimension (:func:`location_information`; the paper's printed weight
        ``eta lambda beta / sigma^2`` for ``lambda = 2``).
        """
        d = self.points.shape[1]
        eta = mixture.responsibilities(np.column_stack([self.a[inside], b]))[0]
        eta_b = mixture.log_marginal(b, 1)[0]
        u, s, lam = mixture.u[:, 1], mixture.sigma[:, 1], mixture.lam[:, 1]
        score = ((eta - eta_b) * location_score(b[:, None], u, s, lam)).sum(axis=1)
        info = eta @ location_information(s, lam)
        g_space = grad @ (self.to_index[:d, :d] @ matrix[:d, :d])
        jac = np.einsum("nd,ndp->np", g_space, self.jac_update[inside])
        hess = jac.T @ (jac * info[:, None])
        hess += 1e-9 * np.trace(hess) * np.eye(hess.shape[0])
        return np.linalg.solve(hess, jac.T @ score)


def _motion(level: _Level, mixture: Mixture, matrix: np.ndarray, max_iter: int) -> np.ndarray:
    """Motion steps at a fixed mixture until a step of ``_STOP`` samples no longer improves the
    conditional likelihood: each moves the fixed grid's corners by ``radius`` samples along the
    Gauss-Newton direction; ``radius`` starts at ``_MAX_STEP`` and halves after a failed step."""
    kind, centre = level.kind, level.centre
    current = level.loglik(mixture, matrix)
    radius = _MAX_STEP
    inside, b, grad = level.sample_moving(matrix, gradient=True)
    for _ in range(max_iter):
        theta = level.motion_step(matrix, mixture, inside, b, grad)
        size = level.largest_motion(_update(theta, kind, centre))
        trial = matrix @ _update(theta * (radius / max(size, 1e-300)), kind, centre)
        ll = level.loglik(mixture, trial)
        if ll <= current:
            radius *= 0.5
            if radius < _STOP:
                break
            continue
        matrix, current = trial, ll
        inside, b, grad = level.sample_moving(matrix, gradient=True)
    return matrix


def _search(level: _Level, mixture: Mixture, matrix: np.ndarray) -> np.ndarray:
    """The best start on a grid of rigid offsets from ``matrix`` (:data:`SEARCH_SHIFTS` along
    each axis times :data:`SEARCH_ANGLES`): the one whose samples, with the mixture re-fitted
    by :data:`_SEARCH_EM_STEPS` EM iterations from ``mixture``, have the largest conditional
    likelihood. The likelihood at a fixed mixture has local maxima wherever the mixture was
    fitted; its profile over the mixture has the wide basin."""
    best, best_ll = matrix, -np.inf
    for angle in SEARCH_ANGLES:
        for shift in itertools.product(SEARCH_SHIFTS, repeat=2):
            theta = np.array([np.radians(angle), *shift])
            trial = matrix @ _update(theta, "rigid", level.centre)
            inside, b, _ = level.sample_moving(trial)
            if inside.mean() < 0.5:
                continue
            mix = mixture.copy()
            _JointHistogram(level.a[inside], b).fit(mix, _SEARCH_EM_STEPS)
            ll = level.loglik(mix, trial)
            if ll > best_ll:
                best, best_ll = trial, ll
    return best


def _register_em(
    fixed: Grid,
    moving: Grid,
    kind: str,
    start: np.ndarray,
    *,
    bounded: bool,
    fit_shape: bool,
    max_points: int = 1 << 15,
    max_iter: int = 40,
) -> np.ndarray:
    """Per level: rounds of EM on the mixture, then motion steps at that mixture
    (:func:`_motion`), until a round moves the grid by less than ``_STOP`` samples."""
    matrix = np.array(start, dtype=np.float64)
    centre = fixed.centre()
    mixture: Mixture | None = None
    mask = Grid(foreground(fixed).astype(np.uint8), fixed.to_space)
    for factor in LEVELS:
        level = _Level(fixed.zoom(factor), moving.zoom(factor), mask, kind, centre, max_points)
        inside, b, _ = level.sample_moving(matrix)
        joint = np.column_stack([level.a[inside], b])
        if mixture is None:
            mixture = Mixture.from_kmeans(joint, bounded=bounded, fit_shape=fit_shape)
            _JointHistogram(*joint.T).fit(mixture, _EM_STEPS)
            if fixed.ndim == 2:
                matrix = _search(level, mixture, matrix)
                inside, b, _ = level.sample_moving(matrix)
        for _ in range(_ROUNDS):
            _JointHistogram(level.a[inside], b).fit(mixture, _EM_STEPS)
            before = matrix
            matrix = _motion(level, mixture, matrix, max_iter)
            inside, b, _ = level.sample_moving(matrix)
            if level.largest_motion(np.linalg.solve(before, matrix)) < _STOP:
                break
    return matrix


def register_bggmm(fixed: Grid, moving: Grid, kind: str, start: np.ndarray) -> np.ndarray:
    """Register ``moving`` to ``fixed`` with the bounded generalized Gaussian mixture (BGGMM).

    See the module docstring for the model, the corrections to the printed derivation and the
    departures from the paper [1]_. 2D only in practice (``brainfuse.register`` refuses
    volumes for this method). Use it through :func:`brainfuse.register` with
    ``method="bggmm"``; a 64×64 pair takes a few seconds.

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

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957
    """
    return _register_em(fixed, moving, kind, start, bounded=True, fit_shape=True)


def register_gmm_er(fixed: Grid, moving: Grid, kind: str, start: np.ndarray) -> np.ndarray:
    """Register with a Gaussian mixture on the unbounded plane (ensemble registration, GMM-ER).

    BGGMM (:func:`register_bggmm`) with every λ = 2 and no bounds: the model of Orchard &
    Mann [2]_, the Gaussian baseline of Wang J. et al. [1]_.

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

    References
    ----------
    .. [1] J. Wang, K. Xiang, K. Chen, R. Liu, R. Ni, H. Zhu and Y. Xiong, "Medical image
       registration algorithm based on bounded generalized Gaussian mixture model", Frontiers in
       Neuroscience 16:911957, 2022. doi:10.3389/fnins.2022.911957
    .. [2] J. Orchard and R. Mann, "Registering a multisensor ensemble of images", IEEE Trans.
       Image Process. 19(5):1236-1247, 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.registration.grid import Grid
    >>> yy, xx = np.mgrid[0:32, 0:32]
    >>> a = 200 * np.exp(-((xx - 12) ** 2 + (yy - 15) ** 2) / 15.0) + 120 * np.exp(
    ...     -((xx - 21) ** 2 + (yy - 19) ** 2) / 8.0)
    >>> to_pixel = np.array([[0.0, 1, 0], [1, 0, 0], [0, 0, 1]])  # (row, column) -> (x, y)
    >>> fixed = Grid(a, to_pixel)
    >>> moving = Grid(np.roll(a, 2, axis=1), to_pixel)  # moved 2 pixels to the right
    >>> from brainfuse.registration.bggmm import register_gmm_er
    >>> matrix = register_gmm_er(fixed, moving, "rigid", np.eye(3))
    >>> round(float(matrix[0, 2]))  # fixed (x, y) -> moving (x + 2, y)
    2
    """
    return _register_em(fixed, moving, kind, start, bounded=False, fit_shape=False)
