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
from torch import Tensor

__all__ = [
    "gaussian_window",
    "gradient_magnitude",
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
