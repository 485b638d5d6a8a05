"""Differentiable losses for unsupervised fusion networks (PyTorch).

All take tensors of shape ``(N, 1, H, W)`` on the 0..1 scale and return a scalar tensor
(the mean over the batch) unless stated otherwise.

References
----------
Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from error visibility to
structural similarity", IEEE TIP 13(4): 600-612 (SSIM).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "DRBIFLoss",
    "FunFuseAnLoss",
    "MFINetLoss",
    "MdAFuseLoss",
    "gaussian_window",
    "gradient_magnitude",
    "group_lasso_penalty",
    "group_lasso_weights",
    "mse",
    "ssim",
    "ssim_loss",
]


def gaussian_window(size: int = 11, sigma: float = 1.5) -> Tensor:
    r"""The normalised 1D Gaussian window of ``size`` taps (sum 1).

    Parameters
    ----------
    size : int, optional
        Taps (default 11).
    sigma : float, optional
        Standard deviation in taps (default 1.5).

    Returns
    -------
    window : torch.Tensor
        :math:`g[k] \propto \exp(-(k - c)^2 / (2\sigma^2))`, c the centre tap.

    Examples
    --------
    >>> from brainfuse.models.losses import gaussian_window
    >>> gaussian_window(5, 1.0)
    tensor([0.0545, 0.2442, 0.4026, 0.2442, 0.0545])
    """
    k = torch.arange(size, dtype=torch.float32) - (size - 1) / 2.0
    g = torch.exp(-(k**2) / (2.0 * sigma**2))
    return g / g.sum()


def _blur(x: Tensor, g: Tensor) -> Tensor:
    # separable Gaussian, 'valid' borders (no padding), as Wang et al.'s reference code
    n = g.numel()
    x = F.conv2d(x, g.view(1, 1, 1, n))
    return F.conv2d(x, g.view(1, 1, n, 1))


def ssim(
    x: Tensor,
    y: Tensor,
    *,
    window: int = 11,
    sigma: float = 1.5,
    data_range: float = 1.0,
    k1: float = 0.01,
    k2: float = 0.03,
) -> Tensor:
    r"""Per-image mean SSIM of ``x`` and ``y`` (Wang et al. [1]_), differentiable.

    Local statistics are Gaussian-weighted (``window`` taps, standard deviation ``sigma``), and
    only windows that lie inside the image count. α = β = γ = 1, as in FunFuseAn (Kumar et al.
    2020, Eq. 2-3, whose printed luminance term has a typo: :math:`\mu_i^2\mu_j^2` stands for
    :math:`\mu_i^2 + \mu_j^2`).

    Parameters
    ----------
    x, y : torch.Tensor
        Image batches, ``(N, 1, H, W)``, H and W at least ``window``.
    window : int, optional
        Window taps (default 11).
    sigma : float, optional
        Window standard deviation (default 1.5).
    data_range : float, optional
        L, the range of the values (default 1.0).
    k1, k2 : float, optional
        Stabilising constants (defaults 0.01, 0.03).

    Returns
    -------
    ssim : torch.Tensor
        Shape ``(N,)``.

    Notes
    -----
    With :math:`C_1 = (k_1 L)^2`, :math:`C_2 = (k_2 L)^2`, SSIM is the mean over windows of

    .. math:: \frac{(2\mu_x\mu_y + C_1)(2\sigma_{xy} + C_2)}
              {(\mu_x^2 + \mu_y^2 + C_1)(\sigma_x^2 + \sigma_y^2 + C_2)}.

    References
    ----------
    .. [1] Z. Wang, A. C. Bovik, H. R. Sheikh and E. P. Simoncelli, "Image quality assessment:
       from error visibility to structural similarity", IEEE Trans. Image Process.
       13(4):600-612, 2004. doi:10.1109/TIP.2003.819861

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.losses import ssim
    >>> x = torch.rand(2, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    >>> ssim(x, x)
    tensor([1., 1.])
    """
    if x.shape != y.shape or x.dim() != 4 or x.shape[1] != 1:
        raise ValueError(f"ssim expects two (N, 1, H, W) tensors, got {x.shape} and {y.shape}")
    if min(x.shape[-2:]) < window:
        raise ValueError(f"ssim needs images of at least {window}x{window}, got {x.shape[-2:]}")
    g = gaussian_window(window, sigma).to(x)
    c1 = (k1 * data_range) ** 2
    c2 = (k2 * data_range) ** 2
    mu_x, mu_y = _blur(x, g), _blur(y, g)
    sxx = _blur(x * x, g) - mu_x**2
    syy = _blur(y * y, g) - mu_y**2
    sxy = _blur(x * y, g) - mu_x * mu_y
    num = (2 * mu_x * mu_y + c1) * (2 * sxy + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (sxx + syy + c2)
    return (num / den).flatten(1).mean(dim=1)


def ssim_loss(fused: Tensor, *sources: Tensor) -> Tensor:
    r"""The SSIM loss of FunFuseAn: :math:`\sum_k (1 - \mathrm{SSIM}(I_k, F))`, batch mean.

    Parameters
    ----------
    fused : torch.Tensor
        F, ``(N, 1, H, W)``.
    *sources : torch.Tensor
        The source batches :math:`I_k`, same shape.

    Returns
    -------
    loss : torch.Tensor
        Scalar.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.losses import ssim_loss
    >>> x = torch.rand(1, 1, 16, 16)
    >>> float(ssim_loss(x, x, x))
    0.0
    """
    return sum((1.0 - ssim(fused, s)).mean() for s in sources)  # type: ignore[return-value]


def mse(fused: Tensor, *sources: Tensor) -> Tensor:
    r"""The ℓ2 term of FunFuseAn as its reference code computes it: :math:`\sum_k
    \mathrm{mean}((F - I_k)^2)`.

    Parameters
    ----------
    fused : torch.Tensor
        F.
    *sources : torch.Tensor
        The sources :math:`I_k`, same shape.

    Returns
    -------
    loss : torch.Tensor
        Scalar.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.losses import mse
    >>> float(mse(torch.ones(1, 1, 2, 2), torch.ones(1, 1, 2, 2), torch.zeros(1, 1, 2, 2)))
    1.0
    """
    return sum(((fused - s) ** 2).mean() for s in sources)  # type: ignore[return-value]


_SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 8.0


def gradient_magnitude(x: Tensor) -> Tensor:
    r"""Gradient magnitude :math:`|\nabla x|` from 3×3 Sobel derivatives, each divided by 8.

    Parameters
    ----------
    x : torch.Tensor
        ``(N, 1, H, W)``.

    Returns
    -------
    magnitude : torch.Tensor
        ``x``'s shape (replicate borders).

    Examples
    --------
    A ramp rising by 1 per column has gradient 1 inside, 1/2 on the border columns:

    >>> import torch
    >>> from brainfuse.models.losses import gradient_magnitude
    >>> gradient_magnitude(torch.arange(5.0).repeat(5, 1)[None, None])[0, 0, 0]
    tensor([0.5000, 1.0000, 1.0000, 1.0000, 0.5000])
    """
    kx = _SOBEL_X.to(x).view(1, 1, 3, 3)
    ky = kx.transpose(-1, -2)
    xp = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gx, gy = F.conv2d(xp, kx), F.conv2d(xp, ky)
    return torch.sqrt(gx * gx + gy * gy + 1e-12) - math.sqrt(1e-12)


# Floors of the group lasso weights: no division by zero, ω bounded (DRBIF Eq. 10).
_EPS = 1e-8
_MIN_R2 = 1e-4


def group_lasso_weights(c1: Tensor, c2: Tensor, *, printed_sign: bool = False) -> Tensor:
    r"""ω1 of the complementary group lasso (Eq. 6-8, 10-11) at every pixel.

    Equal features give ω1 = 1/2 (average weighting); the lower their similarity, the steeper the
    sigmoid and the closer ω is to 0 or 1 (choose-max). ω2 = 1 − ω1.

    Parameters
    ----------
    c1, c2 : torch.Tensor
        Complementary features, ``(N, C, H, W)``.
    printed_sign : bool, optional
        Use Eq. 10 as printed, :math:`\omega_1 = \mathrm{sigmoid}(k(\varphi_1 - \varphi_2))`,
        instead of the text's reading (default False: the more important feature gets the
        smaller weight).

    Returns
    -------
    omega1 : torch.Tensor
        ``(N, 1, H, W)``.

    Notes
    -----
    With :math:`r = C_1 \cdot C_2 / (\|C_1\|_2 \|C_2\|_2)` over the channels,
    :math:`k = 1/\max(r^2, 10^{-4})` and :math:`\varphi_k` the 3×3 mean of
    :math:`\|C_k\|_1`,

    .. math:: \omega_1 = \mathrm{sigmoid}(k (\varphi_2 - \varphi_1)).

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022. doi:10.3389/fnins.2022.937861

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.losses import group_lasso_weights
    >>> c = torch.ones(1, 2, 3, 3)
    >>> group_lasso_weights(c, c).flatten()[:2]
    tensor([0.5000, 0.5000])
    """
    dot = (c1 * c2).sum(dim=1, keepdim=True)
    norms = torch.linalg.vector_norm(c1, dim=1, keepdim=True) * torch.linalg.vector_norm(
        c2, dim=1, keepdim=True
    )
    r = dot / norms.clamp(min=_EPS)
    k = 1.0 / (r * r).clamp(min=_MIN_R2)
    phi1, phi2 = (
        F.avg_pool2d(F.pad(c.abs().sum(dim=1, keepdim=True), (1, 1, 1, 1), mode="replicate"), 3, 1)
        for c in (c1, c2)
    )
    diff = phi1 - phi2 if printed_sign else phi2 - phi1
    return torch.sigmoid(k * diff)


def group_lasso_penalty(c1: Tensor, c2: Tensor, *, printed_sign: bool = False) -> Tensor:
    r"""The complementary group lasso penalty :math:`L_c` (Eq. 9).

    Parameters
    ----------
    c1, c2 : torch.Tensor
        Complementary features, ``(N, C, H, W)``.
    printed_sign : bool, optional
        As in :func:`group_lasso_weights`.

    Returns
    -------
    penalty : torch.Tensor
        Scalar: the pixel mean of :math:`\omega_1 \|C_1\|_2 + \omega_2 \|C_2\|_2`, ω without
        gradient.

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022. doi:10.3389/fnins.2022.937861
    """
    with torch.no_grad():
        w1 = group_lasso_weights(c1, c2, printed_sign=printed_sign)
    n1 = torch.linalg.vector_norm(c1, dim=1, keepdim=True)
    n2 = torch.linalg.vector_norm(c2, dim=1, keepdim=True)
    return (w1 * n1 + (1.0 - w1) * n2).mean()


class DRBIFLoss:
    r"""The training loss of DRBIF [1]_ (Eq. 14): :math:`L_{rec} + \lambda_r L_r + \lambda_c L_c`.

    Call it as ``loss(model, a, b)`` with ``a`` the MRI batch and ``b`` the other modality's,
    ``(N, 1, H, W)`` on [0, 1]; it returns a dict of scalar tensors: ``"loss"`` (the total to
    minimise) and the terms ``"ssim"``, ``"mse"`` (the two parts of the reconstruction loss),
    ``"redundant"`` and ``"lasso"``. The six decoder passes (two self-, two
    cross-reconstructions, two redundant-only) run as one batch.

    Parameters
    ----------
    lambda_ssim : float, optional
        Weight of the SSIM part of the reconstruction loss (default 1000).
    lambda_r : float, optional
        Weight of the redundancy-consistency loss (default 10).
    lambda_c : float, optional
        Weight of the group lasso penalty :func:`group_lasso_penalty` (default 10).
    printed_sign : bool, optional
        Sign of the group lasso weights, as in :func:`group_lasso_weights`.

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022. doi:10.3389/fnins.2022.937861
    """

    def __init__(
        self,
        lambda_ssim: float = 1000.0,
        lambda_r: float = 10.0,
        lambda_c: float = 10.0,
        printed_sign: bool = False,
    ) -> None:
        self.lambda_ssim = lambda_ssim
        self.lambda_r = lambda_r
        self.lambda_c = lambda_c
        self.printed_sign = printed_sign

    def __call__(self, model: nn.Module, a: Tensor, b: Tensor) -> dict[str, Tensor]:
        c1, c2, r1, r2 = model.encode(a, b)
        decoded = model.decode(torch.cat([c1 + r1, c1 + r2, c2 + r2, c2 + r1, r1, r2], dim=0))
        i1, i12, i2, i21, d1, d2 = decoded.chunk(6, dim=0)
        targets = torch.cat([a, a, b, b], dim=0)
        recon = torch.cat([i1, i12, i2, i21], dim=0)
        # per-pair means, summed over the four pairs (Eq. 13)
        l_ssim = 4.0 * (1.0 - ssim(recon, targets)).mean()
        l_mse = 4.0 * F.mse_loss(recon, targets)
        l_rec = self.lambda_ssim * l_ssim + l_mse
        l_r = (d1 - d2).abs().mean()
        l_c = group_lasso_penalty(c1, c2, printed_sign=self.printed_sign)
        total = l_rec + self.lambda_r * l_r + self.lambda_c * l_c
        return {"loss": total, "ssim": l_ssim, "mse": l_mse, "redundant": l_r, "lasso": l_c}


class FunFuseAnLoss:
    r"""The training loss of FunFuseAn [1]_ (Eq. 4): λ·L_SSIM + (1 − λ)·L_ℓ2.

    Call it as ``loss(model, a, b)`` with ``a`` the MRI batch and ``b`` the other modality's,
    ``(N, 1, H, W)`` on [0, 1]; it returns a dict of scalar tensors: ``"loss"`` (the total to
    minimise) and the terms ``"ssim"`` and ``"l2"``.

    Parameters
    ----------
    lam : float, optional
        The weight λ of the SSIM term, in [0, 1] (default 0.8, the paper's).

    Notes
    -----
    .. math:: L = \lambda \sum_k (1 - \mathrm{SSIM}(I_k, F))
              + (1 - \lambda) \sum_k \mathrm{mean}((F - I_k)^2).

    References
    ----------
    .. [1] N. Kumar, N. Hoffmann, M. Oelschlägel, E. Koch, M. Kirsch and S. Gumhold, "Structural
       similarity based anatomical and functional brain imaging fusion", in Multimodal Brain Image
       Analysis and Mathematical Foundations of Computational Anatomy (MBIA/MFCA @ MICCAI 2019),
       LNCS 11846, Springer, 2019 (published 2020).
    """

    def __init__(self, lam: float = 0.8) -> None:
        if not 0.0 <= lam <= 1.0:
            from ..errors import InputError

            raise InputError(None, f"FunFuseAn's λ must lie in [0, 1], got {lam}")
        self.lam = lam

    def __call__(self, model: nn.Module, a: Tensor, b: Tensor) -> dict[str, Tensor]:
        fused = model(a, b)
        l_ssim = ssim_loss(fused, a, b)
        l_l2 = mse(fused, a, b)
        return {"loss": self.lam * l_ssim + (1 - self.lam) * l_l2, "ssim": l_ssim, "l2": l_l2}


class MdAFuseLoss:
    r"""The training loss chosen here for MdAFuse (the paper gives none; see the module docstring).

    Call it as ``loss(model, a, b)`` with ``a`` the MRI batch and ``b`` the other modality's,
    ``(N, 1, H, W)`` on [0, 1]; it returns a dict of scalar tensors: ``"loss"`` (the total to
    minimise) and the terms ``"ssim"``, ``"intensity"`` and ``"gradient"``.

    Parameters
    ----------
    w_int : float, optional
        Weight of the ℓ1 distance to the pixel maximum of the sources (≥ 0, default 10).
    w_grad : float, optional
        Weight of the ℓ1 distance to the larger source gradient (≥ 0, default 40).

    Notes
    -----
    With Sobel gradient magnitudes :math:`|\nabla \cdot|`
    (:func:`~brainfuse.models.losses.gradient_magnitude`),

    .. math:: L = \sum_k (1 - \mathrm{SSIM}(I_k, F)) + w_{int} \, \mathrm{mean}|F - \max(A, B)|
              + w_{grad} \, \mathrm{mean}\big| |\nabla F| - \max(|\nabla A|, |\nabla B|) \big|.
    """

    def __init__(self, w_int: float = 10.0, w_grad: float = 40.0) -> None:
        self.w_int, self.w_grad = w_int, w_grad

    def __call__(self, model: nn.Module, a: Tensor, b: Tensor) -> dict[str, Tensor]:
        fused = model(a, b)
        l_ssim = ssim_loss(fused, a, b)
        l_int = (fused - torch.maximum(a, b)).abs().mean()
        g_max = torch.maximum(gradient_magnitude(a), gradient_magnitude(b))
        l_grad = (gradient_magnitude(fused) - g_max).abs().mean()
        total = l_ssim + self.w_int * l_int + self.w_grad * l_grad
        return {"loss": total, "ssim": l_ssim, "intensity": l_int, "gradient": l_grad}


class MFINetLoss:
    r"""The training loss of MFINet [1]_ (Eq. 1-4): λ1·L_SSIM + λ2·L_grad + λ3·L_pix.

    Call it as ``loss(model, a, b)`` with ``a`` the MRI batch and ``b`` the other modality's,
    ``(N, 1, H, W)`` on [0, 1]; it returns a dict of scalar tensors: ``"loss"`` (the total to
    minimise) and the terms ``"ssim"``, ``"grad"`` and ``"pix"``.

    Parameters
    ----------
    lambda_ssim, lambda_grad, lambda_pix : float, optional
        The weights λ1, λ2, λ3 (≥ 0; defaults 10, 100, 1, the paper's).

    Notes
    -----
    .. math:: L = \lambda_1 (1 - \mathrm{SSIM}(F, \max(A, B)))
              + \lambda_2 \| |\nabla F| - \max(|\nabla A|, |\nabla B|) \|^2
              + \lambda_3 (\|F - A\|^2 + \|F - B\|^2).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    """

    def __init__(
        self, lambda_ssim: float = 10.0, lambda_grad: float = 100.0, lambda_pix: float = 1.0
    ) -> None:
        self.lambda_ssim = lambda_ssim
        self.lambda_grad = lambda_grad
        self.lambda_pix = lambda_pix

    def __call__(self, model: nn.Module, a: Tensor, b: Tensor) -> dict[str, Tensor]:
        fused = model(a, b)
        l_ssim = (1.0 - ssim(fused, torch.maximum(a, b))).mean()
        g_max = torch.maximum(gradient_magnitude(a), gradient_magnitude(b))
        l_grad = F.mse_loss(gradient_magnitude(fused), g_max)
        l_pix = F.mse_loss(fused, a) + F.mse_loss(fused, b)
        total = self.lambda_ssim * l_ssim + self.lambda_grad * l_grad + self.lambda_pix * l_pix
        return {"loss": total, "ssim": l_ssim, "grad": l_grad, "pix": l_pix}
