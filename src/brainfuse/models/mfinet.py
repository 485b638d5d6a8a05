"""MFINet: CT and MRI fusion by a multimodal feature interaction network.

Song, Zeng, Li, Gao, Zhou & Shi 2024, "CT and MRI image fusion via multimodal feature
interaction network", Network Modeling Analysis in Health Informatics and Bioinformatics
(Springer).

Architecture (§3.1-3.2 of the paper; figures 1-4 are not in the text available here, so the
wiring inside each part is this implementation's reading of the prose, stated below):

- **Shallow feature extractor (SFE)**: a 3×3 embedding convolution ``1 → C`` and Restormer
  blocks (Zamir et al. 2022, CVPR): multi-Dconv head transposed attention (MDTA: 1×1 then
  3×3 depthwise convolutions make Q, K, V; attention across channels, ``softmax(τ·Q̂K̂ᵀ)V``
  with Q̂, K̂ L2-normalised over the pixels and a learnable temperature τ per head) and the
  gated-Dconv feed-forward network (GDFN: ``W₀(GELU(D₁W₁x) ⊙ D₂W₂x)``), each after a
  layer norm over channels and with a residual connection. CT and MRI pass through the same
  SFE ("independently fed into the SFE").
- **Feature interactor (FI)**: three pairs of deep feature extraction modules (DFEM), one
  DFEM per modality in each pair. A DFEM is a residual dense block of three gated feature
  enhancement units (GFEU) joined by three 1×1 convolutions over the concatenation of all
  earlier features, closed by channel attention (squeeze-and-excitation) and a residual
  connection. After each pair the two branches interact: each branch adds the other's
  features re-weighted by a channel attention ("information transmission between the DFEMs").
- **GFEU**: three branches with 1, 2 and 3 gated normalisation blocks (GNB), each GNB followed
  by a 3×3 depthwise convolution and LeakyReLU (the GNB only re-weights channels; the depthwise
  convolutions make the branches look at 3×3, 5×5 and 7×7 neighbourhoods, "features at
  different levels"), a 1×1 convolution joining the branches, the feature enhancement block
  (FEB, CBAM of Woo et al. 2018: channel attention from average- and max-pooled descriptors
  through a shared MLP, then spatial attention from a 7×7 convolution of the channel-wise
  mean and max), a last 1×1 convolution and a residual connection.
- **GNB**: gated channel transformation (Yang et al. 2020, CVPR): embedding
  ``s_c = α_c·‖x_c‖₂`` over the pixels, non-parametric channel normalisation
  ``ŝ_c = √C·s_c/‖s‖₂``, gate adaptation ``x_c·(1 + tanh(γ_c ŝ_c + β_c))``. With its initial
  values α = 1, γ = β = 0 the block is the identity.
- **Image reconstructor (IR)**: the concatenated branch features ``2C`` through three 3×3
  convolutions ``2C → C → C/2 → 1`` (LeakyReLU 0.2) and a sigmoid.

Loss (Eq. 1-4): ``10·L_SSIM + 100·L_grad + 1·L_pix`` with
``L_SSIM = 1 − SSIM(F, max(I_ct, I_mri))``, ``L_grad`` the mean squared difference between
``|∇F|`` and ``max(|∇I_ct|, |∇I_mri|)`` (Sobel magnitudes; the paper's ‖·‖₂ is taken as the
per-pixel mean of squares, as Eq. 2 normalises by H·W) and
``L_pix = mean((F − I_ct)²) + mean((F − I_mri)²)``.

Widths: the paper gives none. The shipped weights use ``C = 8`` with one Restormer block
(2 heads, GDFN expansion 2) so that one 256×256 pair runs in under 400 ms on one CPU core;
``brainfuse train mfinet -p width=16`` trains a wider network.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .inference import fuse_trained, trained_networks
from .losses import MFINetLoss
from .shipped import initialise_from, shipped_name
from .train import ModelSpec, TrainConfig

__all__ = [
    "CBAM",
    "DFEM",
    "GDFN",
    "GFEU",
    "MDTA",
    "REFERENCE",
    "SPEC",
    "ChannelAttention",
    "ChannelLayerNorm",
    "GatedNormalization",
    "MFINet",
    "RestormerBlock",
    "fuse",
    "load",
]

REFERENCE = (
    "Song, Zeng, Li, Gao, Zhou & Shi 2024, Netw. Model. Anal. Health Inform. Bioinform. "
    "(MFINet, CT and MRI fusion via multimodal feature interaction network)"
)


def _spatial_mean(x: Tensor) -> Tensor:
    # adaptive pooling is fast in both memory layouts (inference runs channels-last)
    return F.adaptive_avg_pool2d(x, 1)


def _spatial_max(x: Tensor) -> Tensor:
    return F.adaptive_max_pool2d(x, 1)


class ChannelLayerNorm(nn.Module):
    """Layer normalisation over the channels of each pixel of an ``(N, C, H, W)`` tensor.

    Parameters
    ----------
    channels : int
        C, the size of the learned scale and shift.
    eps : float, optional
        Added to the variance (default 1e-5).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.mfinet import ChannelLayerNorm
    >>> y = ChannelLayerNorm(8)(torch.rand(1, 8, 6, 6))
    >>> y.shape, bool(y.mean(dim=1).abs().max() < 1e-5)
    (torch.Size([1, 8, 6, 6]), True)
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        """Normalise each pixel's channel vector, then scale and shift.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        mu = x.mean(dim=1, keepdim=True)
        var = (x - mu).pow(2).mean(dim=1, keepdim=True)
        y = (x - mu) / torch.sqrt(var + self.eps)
        return y * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


class MDTA(nn.Module):
    r"""Multi-Dconv head transposed attention of Restormer [2]_ (Eq. 1-2).

    :math:`Q, K, V = D W x` (1×1 convolution W to 3C channels, 3×3 depthwise D), split into
    ``heads`` groups of channels; per head :math:`A = \mathrm{softmax}(\tau \hat Q \hat K^T)`
    is a C/h × C/h map (:math:`\hat Q, \hat K` L2-normalised over the pixels), the output
    :math:`W_0(A V)`. Cost is linear in the number of pixels, so it runs on any image size.

    Parameters
    ----------
    channels : int
        C.
    heads : int
        Attention heads; must divide ``channels``.

    Raises
    ------
    ValueError
        If ``heads`` does not divide ``channels``.

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    .. [2] S. W. Zamir, A. Arora, S. Khan, M. Hayat, F. S. Khan and M.-H. Yang, "Restormer:
       efficient transformer for high-resolution image restoration", Proc. CVPR 2022.
       arXiv:2111.09881
    """

    def __init__(self, channels: int, heads: int) -> None:
        super().__init__()
        if channels % heads:
            raise ValueError(f"channels ({channels}) must be a multiple of heads ({heads})")
        self.heads = heads
        self.temperature = nn.Parameter(torch.ones(heads, 1, 1))
        self.qkv = nn.Conv2d(channels, 3 * channels, 1, bias=False)
        self.qkv_dw = nn.Conv2d(
            3 * channels, 3 * channels, 3, padding=1, groups=3 * channels, bias=False
        )
        self.project = nn.Conv2d(channels, channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """Attend across channels.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        n, c, h, w = x.shape
        q, k, v = self.qkv_dw(self.qkv(x)).chunk(3, dim=1)
        q = F.normalize(q.reshape(n, self.heads, c // self.heads, h * w), dim=-1)
        k = F.normalize(k.reshape(n, self.heads, c // self.heads, h * w), dim=-1)
        v = v.reshape(n, self.heads, c // self.heads, h * w)
        attn = torch.softmax((q @ k.transpose(-2, -1)) * self.temperature, dim=-1)
        return self.project((attn @ v).reshape(n, c, h, w))


class GDFN(nn.Module):
    r"""Gated-Dconv feed-forward network of Restormer [2]_ (Eq. 3-4).

    .. math:: y = W_0\left(\mathrm{GELU}(D_1 W_1 x) \odot D_2 W_2 x\right)

    Parameters
    ----------
    channels : int
        C.
    expansion : float
        Hidden channels per input channel (Restormer: 2.66).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    .. [2] S. W. Zamir, A. Arora, S. Khan, M. Hayat, F. S. Khan and M.-H. Yang, "Restormer:
       efficient transformer for high-resolution image restoration", Proc. CVPR 2022.
       arXiv:2111.09881
    """

    def __init__(self, channels: int, expansion: float) -> None:
        super().__init__()
        hidden = max(1, round(channels * expansion))
        self.expand = nn.Conv2d(channels, 2 * hidden, 1, bias=False)
        self.dw = nn.Conv2d(2 * hidden, 2 * hidden, 3, padding=1, groups=2 * hidden, bias=False)
        self.project = nn.Conv2d(hidden, channels, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """The gated feed-forward map.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        x1, x2 = self.dw(self.expand(x)).chunk(2, dim=1)
        return self.project(F.gelu(x1) * x2)


class RestormerBlock(nn.Module):
    """A Restormer block: ``x + MDTA(LN(x))`` then ``x + GDFN(LN(x))``.

    Parameters
    ----------
    channels : int
        C.
    heads : int
        Attention heads of :class:`MDTA` (divides ``channels``).
    expansion : float
        Hidden-channel factor of :class:`GDFN`.
    """

    def __init__(self, channels: int, heads: int, expansion: float) -> None:
        super().__init__()
        self.norm1 = ChannelLayerNorm(channels)
        self.attn = MDTA(channels, heads)
        self.norm2 = ChannelLayerNorm(channels)
        self.ffn = GDFN(channels, expansion)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the block.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        x = x + self.attn(self.norm1(x))
        return x + self.ffn(self.norm2(x))


class GatedNormalization(nn.Module):
    r"""Gated normalisation block (GNB): gated channel transformation of Yang et al. [3]_.

    α starts at 1 and γ, β at 0, where the block is the identity; training moves γ, β to enhance
    or suppress channels by their normalised energy. The embedding is the root mean square rather
    than the ℓ2 norm of Yang et al.: the channel normalisation removes the factor √(H·W) between
    the two, so a patch and a whole image of the same content are gated alike.

    Parameters
    ----------
    channels : int
        C.
    eps : float, optional
        Stabiliser of the square roots (default 1e-5).

    Notes
    -----
    .. math:: s_c = \alpha_c \sqrt{\mathrm{mean}_p \, x_c(p)^2 + \epsilon}, \quad
              \hat s_c = \frac{\sqrt{C} s_c}{\sqrt{\sum_c s_c^2 + \epsilon}}, \quad
              y_c = x_c \left(1 + \tanh(\gamma_c \hat s_c + \beta_c)\right).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    .. [3] Z. Yang, L. Zhu, Y. Wu and Y. Yang, "Gated channel transformation for visual
       recognition", Proc. CVPR 2020. arXiv:1909.11519

    Examples
    --------
    A new block is the identity:

    >>> import torch
    >>> from brainfuse.models.mfinet import GatedNormalization
    >>> x = torch.rand(1, 8, 6, 6)
    >>> torch.equal(GatedNormalization(8)(x), x)
    True
    """

    def __init__(self, channels: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.alpha = nn.Parameter(torch.ones(1, channels, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.beta = nn.Parameter(torch.zeros(1, channels, 1, 1))
        self.eps = eps

    def forward(self, x: Tensor) -> Tensor:
        """Gate each channel by its normalised energy.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        s = self.alpha * torch.sqrt(_spatial_mean(x * x) + self.eps)
        s_hat = s * math.sqrt(x.shape[1]) / torch.sqrt(s.pow(2).sum(dim=1, keepdim=True) + self.eps)
        return x * (1.0 + torch.tanh(self.gamma * s_hat + self.beta))


class ChannelAttention(nn.Module):
    r"""Squeeze-and-excitation: :math:`x \cdot \sigma(W_2 \, \mathrm{ReLU}(W_1 \,
    \mathrm{avgpool}(x)))`.

    Parameters
    ----------
    channels : int
        C.
    reduction : int, optional
        Hidden channels are ``channels // reduction`` (default 4).
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        hidden = max(2, channels // reduction)
        self.mlp = nn.Sequential(
            nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True), nn.Conv2d(hidden, channels, 1)
        )

    def forward(self, x: Tensor) -> Tensor:
        """Weight each channel.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        return x * torch.sigmoid(self.mlp(_spatial_mean(x)))


class CBAM(nn.Module):
    r"""Feature enhancement block: CBAM of Woo et al. [2]_, channel then spatial attention.

    Channel: :math:`x \cdot \sigma(\mathrm{MLP}(\mathrm{avgpool}\, x) +
    \mathrm{MLP}(\mathrm{maxpool}\, x))`; spatial: :math:`x \cdot
    \sigma(\mathrm{conv}_{7\times7}([\mathrm{mean}_c x, \max_c x]))`.

    Parameters
    ----------
    channels : int
        C.
    reduction : int, optional
        Hidden channels of the MLP are ``channels // reduction`` (default 4).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    .. [2] S. Woo, J. Park, J.-Y. Lee and I. S. Kweon, "CBAM: convolutional block attention
       module", Proc. ECCV 2018. arXiv:1807.06521
    """

    def __init__(self, channels: int, reduction: int = 4) -> None:
        super().__init__()
        hidden = max(2, channels // reduction)
        self.mlp = nn.Sequential(
            nn.Conv2d(channels, hidden, 1, bias=False),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1, bias=False),
        )
        self.spatial = nn.Conv2d(2, 1, 7, padding=3, bias=False)

    def forward(self, x: Tensor) -> Tensor:
        """Apply channel, then spatial attention.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        avg = self.mlp(_spatial_mean(x))
        mx = self.mlp(_spatial_max(x))
        x = x * torch.sigmoid(avg + mx)
        desc = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)
        return x * torch.sigmoid(self.spatial(desc))


class GFEU(nn.Module):
    """Gated feature enhancement unit: branches of 1, 2, 3 GNBs, 1×1, CBAM, 1×1, residual.

    A chain of three units [GNB → 3×3 depthwise convolution → LeakyReLU(0.2)]; branch k is the
    output after the first k units, so the branches see 3×3, 5×5 and 7×7 neighbourhoods through
    1, 2 and 3 GNBs and share their first units (half the work of separate branches). The branch
    outputs are concatenated, joined by a 1×1 convolution, enhanced by :class:`CBAM`, mixed by a
    second 1×1 convolution and added to the input.

    Parameters
    ----------
    channels : int
        C.
    branches : int, optional
        Number of branches (default 3).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    """

    def __init__(self, channels: int, branches: int = 3) -> None:
        super().__init__()
        self.chain = nn.ModuleList(
            nn.Sequential(
                GatedNormalization(channels),
                nn.Conv2d(channels, channels, 3, padding=1, groups=channels),
                nn.LeakyReLU(0.2, inplace=True),
            )
            for _ in range(branches)
        )
        self.join = nn.Conv2d(branches * channels, channels, 1)
        self.enhance = CBAM(channels)
        self.mix = nn.Conv2d(channels, channels, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the unit.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        taps, y = [], x
        for unit in self.chain:
            y = unit(y)
            taps.append(y)
        return x + self.mix(self.enhance(self.join(torch.cat(taps, dim=1))))


class DFEM(nn.Module):
    """Deep feature extraction module: a residual dense block of three :class:`GFEU`.

    :math:`x_1 = U_1(x)`, :math:`x_2 = U_2(P_1[x, x_1])`, :math:`x_3 = U_3(P_2[x, x_1, x_2])`,
    output :math:`x + CA(P_3[x, x_1, x_2, x_3])` with 1×1 convolutions P over the concatenated
    earlier features (dense connections) and channel attention CA (:class:`ChannelAttention`).

    Parameters
    ----------
    channels : int
        C.

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.units = nn.ModuleList(GFEU(channels) for _ in range(3))
        self.joins = nn.ModuleList(nn.Conv2d(k * channels, channels, 1) for k in (2, 3, 4))
        self.attention = ChannelAttention(channels)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the module.

        Parameters
        ----------
        x : torch.Tensor
            Features, ``(N, C, H, W)``.

        Returns
        -------
        y : torch.Tensor
            ``x``'s shape.
        """
        feats = [x, self.units[0](x)]
        for unit, join in zip(self.units[1:], self.joins[:2], strict=True):
            feats.append(unit(join(torch.cat(feats, dim=1))))
        return x + self.attention(self.joins[2](torch.cat(feats, dim=1)))


class MFINet(nn.Module):
    """MFINet [1]_: ``forward(mri, ct)`` → fused image in (0, 1), shapes ``(N, 1, H, W)``.

    The second input is CT in the paper; the same network trained on PET or SPECT pairs fuses
    those (BrainFuse ships one set of weights per pair set). Any input size works
    (``multiple = 1``: no down-sampling).

    Parameters
    ----------
    width : int, optional
        Feature channels C of the shallow feature extractor and the interactor (default 8: the
        shipped weights).
    sfe_blocks : int, optional
        Restormer blocks in the shallow feature extractor (default 1).
    heads : int, optional
        Attention heads of :class:`MDTA`, dividing ``width`` (default 2).
    expansion : float, optional
        :class:`GDFN` hidden-channel factor (default 2.0; Restormer: 2.66).
    pairs : int, optional
        Pairs of :class:`DFEM` in the feature interactor (default 3, the paper's).

    References
    ----------
    .. [1] W. Song, X. Zeng, Q. Li, M. Gao, H. Zhou and J. Shi, "CT and MRI image fusion via
       multimodal feature interaction network", Network Modeling Analysis in Health Informatics
       and Bioinformatics 13, 2024.
    .. [2] S. W. Zamir, A. Arora, S. Khan, M. Hayat, F. S. Khan and M.-H. Yang, "Restormer:
       efficient transformer for high-resolution image restoration", Proc. CVPR 2022.
       arXiv:2111.09881

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.mfinet import MFINet
    >>> MFINet()(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8)).shape
    torch.Size([1, 1, 8, 8])
    """

    multiple = 1

    def __init__(
        self,
        width: int = 8,
        sfe_blocks: int = 1,
        heads: int = 2,
        expansion: float = 2.0,
        pairs: int = 3,
    ) -> None:
        super().__init__()
        c = width
        self.width = width
        self.embed = nn.Conv2d(1, c, 3, padding=1)
        self.sfe = nn.Sequential(*(RestormerBlock(c, heads, expansion) for _ in range(sfe_blocks)))
        self.dfem_ct = nn.ModuleList(DFEM(c) for _ in range(pairs))
        self.dfem_mri = nn.ModuleList(DFEM(c) for _ in range(pairs))
        # channel attention carrying each branch's features to the other after every pair
        self.to_ct = nn.ModuleList(ChannelAttention(c) for _ in range(pairs))
        self.to_mri = nn.ModuleList(ChannelAttention(c) for _ in range(pairs))
        half = max(1, c // 2)
        self.reconstruct = nn.Sequential(
            nn.Conv2d(2 * c, c, 3, padding=1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(c, half, 3, padding=1),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(half, 1, 3, padding=1),
        )

    def features(self, mri: Tensor, ct: Tensor) -> tuple[Tensor, Tensor]:
        """The two branches' features after the interactor.

        Parameters
        ----------
        mri, ct : torch.Tensor
            The two image batches, ``(N, 1, H, W)`` on 0..1.

        Returns
        -------
        f_mri, f_ct : torch.Tensor
            ``(N, C, H, W)`` each.
        """
        x = self.sfe(self.embed(torch.cat([mri, ct], dim=0)))
        f_mri, f_ct = x.chunk(2, dim=0)
        for d_ct, d_mri, a_ct, a_mri in zip(
            self.dfem_ct, self.dfem_mri, self.to_ct, self.to_mri, strict=True
        ):
            g_ct, g_mri = d_ct(f_ct), d_mri(f_mri)
            f_ct, f_mri = g_ct + a_ct(g_mri), g_mri + a_mri(g_ct)
        return f_mri, f_ct

    def forward(self, mri: Tensor, ct: Tensor) -> Tensor:
        """Fuse a batch of pairs.

        Parameters
        ----------
        mri : torch.Tensor
            ``(N, 1, H, W)`` on 0..1.
        ct : torch.Tensor
            CT (or PET, SPECT), same shape.

        Returns
        -------
        fused : torch.Tensor
            ``(N, 1, H, W)`` in (0, 1) (sigmoid output).
        """
        f_mri, f_ct = self.features(mri, ct)
        return torch.sigmoid(self.reconstruct(torch.cat([f_mri, f_ct], dim=1)))

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Tensor]) -> MFINet:
        """A network of the shape found in ``state``, its weights loaded, in eval mode.

        Parameters
        ----------
        state : mapping of str to torch.Tensor
            A ``state_dict`` of this network (e.g. from
            :func:`brainfuse.models.pretrained.load_state_dict`).

        Returns
        -------
        net : MFINet
            In eval mode.
        """
        width = int(state["embed.weight"].shape[0])
        blocks = len({k.split(".")[1] for k in state if k.startswith("sfe.")})
        pairs = len({k.split(".")[1] for k in state if k.startswith("dfem_ct.")})
        heads = int(state["sfe.0.attn.temperature"].shape[0]) if blocks else 1
        hidden = int(state["sfe.0.ffn.project.weight"].shape[1]) if blocks else width
        net = cls(width, blocks, heads, hidden / width, pairs)
        net.load_state_dict(state)
        return net.eval()


def _make(
    width: int = 8,
    sfe_blocks: int = 1,
    heads: int = 2,
    lambda_ssim: float = 10.0,
    lambda_grad: float = 100.0,
    lambda_pix: float = 1.0,
    init: str = "",
):
    def build() -> MFINet:
        net = MFINet(width, sfe_blocks, heads)
        if init:
            initialise_from(net, init)
        # channels-last: the depthwise convolutions are several times faster on a CPU
        return net.to(memory_format=torch.channels_last)

    return build, MFINetLoss(lambda_ssim, lambda_grad, lambda_pix)


SPEC = ModelSpec(
    name="mfinet",
    make=_make,
    params={
        "width": (8, "feature channels C (the paper gives none; 8 fits 400 ms per 256² pair)"),
        "sfe_blocks": (1, "Restormer blocks in the shallow feature extractor"),
        "heads": (2, "attention heads of the Restormer blocks (divides width)"),
        "lambda_ssim": (10.0, "weight λ1 of 1 − SSIM(F, max(I_ct, I_mri))"),
        "lambda_grad": (100.0, "weight λ2 of the gradient loss against max(|∇I_ct|, |∇I_mri|)"),
        "lambda_pix": (1.0, "weight λ3 of the pixel loss (MSE to both sources)"),
        "init": ("", "weights to start from, e.g. the CT model for PET/SPECT ('' = random)"),
    },
    # Adam 2e-4, ×0.95 every 5 epochs (§4.1)
    config=TrainConfig(
        steps=1500,
        batch_size=4,
        patch=96,
        lr=2e-4,
        lr_step_epochs=5.0,
        lr_step_gamma=0.95,
        seed=0,
        threads=1,
    ),
    reference=REFERENCE,
    files=("init",),
    pairsets=("CT-MRI",),
)


def load(modality: str = "auto", weights: str | Path | None = None) -> MFINet:
    """The trained network in eval mode: the shipped weights for ``modality``, or a file.

    Parameters
    ----------
    modality : {"auto", "ct", "pet", "spect"}, optional
        The modality of the second input, which picks the shipped weights (``auto`` = ``ct``).
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its manifest beside it, hash checked);
        default: the shipped weights.

    Returns
    -------
    net : MFINet
        In eval mode.

    Raises
    ------
    InputError
        If the modality is unknown, or the weights file is missing or its hash differs from its
        manifest.
    """
    return trained_networks(MFINet, shipped_name("mfinet", modality, weights), weights)[0]


def fuse(
    a: np.ndarray,
    b: np.ndarray,
    *,
    modality: str = "auto",
    weights: str | Path | None = None,
    zero_background: bool = True,
) -> np.ndarray:
    """Fuse a grey 2D pair with MFINet.

    Parameters
    ----------
    a : numpy.ndarray
        The MRI, 2D, on the 0..255 scale.
    b : numpy.ndarray
        The other image (grey), ``a``'s shape, on the 0..255 scale.
    modality : {"auto", "ct", "pet", "spect"}, optional
        The modality of the second input, which picks the shipped weights (``auto`` = ``ct``).
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its manifest beside it, hash checked);
        default: the shipped weights.
    zero_background : bool, optional
        Set the result to exactly 0 where both inputs are 0 (default True; the network's output
        never reaches 0 exactly there).

    Returns
    -------
    fused : numpy.ndarray
        float32 on the 0..255 scale, ``a``'s shape.

    Raises
    ------
    InputError
        If the weights file is missing or its hash differs from its manifest, or the modality is
        unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.models.mfinet import fuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> f = fuse(a, np.zeros((16, 16), np.float32))
    >>> f.shape, f.dtype, float(f[0, 0])
    ((16, 16), dtype('float32'), 0.0)
    """
    name = shipped_name("mfinet", modality, weights)
    return fuse_trained(MFINet, name, a, b, weights=weights, zero_background=zero_background)
