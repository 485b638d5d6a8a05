"""The networks of Liu et al. 2022: PIF-Net (3D pixel-level fusion), MSFF (modality selection
feature fusion) and the V-Net stage they feed, with their losses and learning-rate schedule.

Liu, Y., et al. (2022), "Multimodal brain tumor segmentation using pixel-level and
feature-level image fusion", Front. Neurosci. 16:1000587.

- :class:`PIFNet`: two branches (a 3×3×3 conv then a residual 3D block, 32 channels each),
  concatenated, a 64-channel residual block, two convs down to one channel and a sigmoid: a
  weight mask W, and the fused volume F = W·S₁ + (1 − W)·S₂ (Table 1 of the article; 390,017
  parameters). A mask rather than a regressed volume keeps the background at 0 where both
  sources are 0.
- :class:`MSFF`: a 3×3×3 conv per modality to C = 16 channels, their sum, global average
  pooling, a 1×1×1 reduction to C/r = 4 and a ReLU, one 1×1×1 expansion per modality, a
  softmax across modalities per channel, and the attention-weighted sum (eqs. 4–7; N·448 + 68
  + N·80 parameters). SKNet normalises the reduced vector by batch norm; with one 3D volume per
  batch that normalises a single value, so it is left out.
- :class:`StageNet`: MSFF then MONAI's V-Net (Milletari et al. 2016), one sigmoid output per
  region (WT in stage 1; TC and ET in stage 2), or V-Net alone for the ablation without MSFF.
- :func:`pif_loss`: L = L_pixel + α L_ssim, L_pixel = ‖F − S₁‖² + β‖F − S₂‖² (means over
  voxels), L_ssim = γ(1 − SSIM(F, S₁)) + (1 − SSIM(F, S₂)) with MONAI's 3D SSIM (Gaussian
  window 11, σ 1.5; the article gives no settings), α = 450.
- :func:`seg_loss`: L = L_dice + λ L_bce, L_dice = 1 − 2Σpg/(Σp² + Σg² + ε) (MONAI's DiceLoss
  with squared denominators), λ = 0.5.
- :func:`poly_lr`: l = l₀ (1 − i/N)^0.9, l₀ = 1e-4, N = 300 epochs.

torch and MONAI are imported here only (the ``segmentation`` extra).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._extras import require

torch = require("torch", extra="segmentation", what="the segmentation networks")
require("monai", extra="segmentation", what="the segmentation networks")
nn = torch.nn

__all__ = [
    "MSFF",
    "PIFNet",
    "StageNet",
    "max_tumour_window",
    "pif_loss",
    "poly_lr",
    "seg_loss",
]


def _conv(cin: int, cout: int) -> Any:
    return nn.Conv3d(cin, cout, kernel_size=3, stride=1, padding=1)


class _Res3D(nn.Module):
    """x → ReLU(x + conv(ReLU(conv(x)))), two 3×3×3 convs of ``channels``."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.a = _conv(channels, channels)
        self.b = _conv(channels, channels)

    def forward(self, x: Any) -> Any:
        return torch.relu(x + self.b(torch.relu(self.a(x))))


class PIFNet(nn.Module):
    """PIF-Net: a weight mask from two sources and their voxel-wise weighted average.

    Parameters
    ----------
    width : int, optional
        The branch width (32 in the article; the concatenation has twice as many channels).

    Examples
    --------
    >>> net = PIFNet()
    >>> sum(p.numel() for p in net.parameters())
    390017
    >>> s1, s2 = torch.zeros(1, 1, 8, 8, 8), torch.ones(1, 1, 8, 8, 8)
    >>> fused, w = net(s1, s2)
    >>> tuple(fused.shape), bool(((fused >= 0) & (fused <= 1)).all())
    ((1, 1, 8, 8, 8), True)
    """

    def __init__(self, width: int = 32) -> None:
        super().__init__()
        self.conv1, self.conv2 = _conv(1, width), _conv(1, width)
        self.res1, self.res2 = _Res3D(width), _Res3D(width)
        self.res3 = _Res3D(2 * width)
        self.conv6 = _conv(2 * width, width)
        self.conv7 = _conv(width, 1)

    def forward(self, s1: Any, s2: Any) -> tuple[Any, Any]:
        """The fused volume F and the weight mask W of sources ``(B, 1, D, H, W)``."""
        h1 = self.res1(torch.relu(self.conv1(s1)))
        h2 = self.res2(torch.relu(self.conv2(s2)))
        c = self.res3(torch.cat([h1, h2], dim=1))
        w = torch.sigmoid(self.conv7(self.conv6(c)))
        return w * s1 + (1.0 - w) * s2, w


class MSFF(nn.Module):
    """Modality selection feature fusion over ``n`` modalities (SKNet-style attention).

    Parameters
    ----------
    n : int
        Number of input modalities (3 in stage 1, 6 in stage 2).
    channels : int, optional
        C, the feature channels (16).
    reduction : int, optional
        r, the channel reduction of the squeeze (4).

    Examples
    --------
    >>> sum(p.numel() for p in MSFF(3).parameters()), sum(p.numel() for p in MSFF(6).parameters())
    (1652, 3236)
    """

    def __init__(self, n: int, channels: int = 16, reduction: int = 4) -> None:
        super().__init__()
        self.convs = nn.ModuleList([_conv(1, channels) for _ in range(n)])
        squeeze = channels // reduction
        self.reduce = nn.Sequential(nn.Conv3d(channels, squeeze, kernel_size=1), nn.ReLU())
        self.expand = nn.ModuleList([nn.Conv3d(squeeze, channels, 1) for _ in range(n)])

    def attention(self, x: Any) -> tuple[Any, Any]:
        """The per-modality features ``(B, N, C, D, H, W)`` and weights ``(B, N, C)``."""
        u = torch.stack([conv(x[:, i : i + 1]) for i, conv in enumerate(self.convs)], dim=1)
        s = u.sum(dim=1).mean(dim=(2, 3, 4), keepdim=True)  # GAP of U = Σ U_i
        z = self.reduce(s)
        t = torch.stack([e(z) for e in self.expand], dim=1)  # (B, N, C, 1, 1, 1)
        return u, torch.softmax(t, dim=1).flatten(2)

    def forward(self, x: Any) -> Any:
        """V = Σ_i s_i · U_i for modalities stacked as channels ``(B, N, D, H, W)``."""
        u, s = self.attention(x)
        return (u * s[..., None, None, None]).sum(dim=1)


class StageNet(nn.Module):
    """One stage of the pipeline: MSFF (or none) → V-Net → one probability per region.

    Parameters
    ----------
    n_inputs : int
        The modalities (original and fused) the stage takes.
    n_regions : int
        Output channels: 1 (WT) in stage 1, 2 (TC, ET) in stage 2.
    msff : bool, optional
        With the MSFF module (the article's model); without it the modalities go straight into
        the V-Net (the ablation "w/o MSFF").
    dropout : float, optional
        The V-Net's dropout (MONAI's default 0.5 in the deep stages).

    Examples
    --------
    >>> net = StageNet(3, 1).eval()  # V-Net halves the grid 4 times: sides divisible by 16
    >>> tuple(net(torch.zeros(1, 3, 32, 32, 32)).shape)
    (1, 1, 32, 32, 32)
    """

    def __init__(self, n_inputs: int, n_regions: int, *, msff: bool = True, dropout: float = 0.5):
        super().__init__()
        from monai.networks.nets import VNet

        self.msff = MSFF(n_inputs) if msff else None
        self.vnet = VNet(
            spatial_dims=3,
            in_channels=16 if msff else n_inputs,
            out_channels=n_regions,
            dropout_prob_down=dropout,
            dropout_prob_up=(dropout, dropout),
        )

    def forward(self, x: Any) -> Any:
        """Region probabilities ``(B, R, D, H, W)`` for inputs ``(B, N, D, H, W)``."""
        if self.msff is not None:
            x = self.msff(x)
        return torch.sigmoid(self.vnet(x))


def pif_loss(
    fused: Any,
    s1: Any,
    s2: Any,
    *,
    alpha: float = 450.0,
    beta: float = 1.0,
    gamma: float = 1.0,
) -> Any:
    """PIF-Net's loss L_pixel + α L_ssim (eqs. 1–3 of Liu et al.).

    Parameters
    ----------
    fused, s1, s2 : torch.Tensor
        ``(B, 1, D, H, W)`` volumes.
    alpha, beta, gamma : float, optional
        450; β = γ = 1 for T2 + FLAIR, 2 and 2 for T1c + T2 and T1c + FLAIR (S₁ = T1c).

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> x = torch.rand(1, 1, 12, 12, 12)
    >>> float(pif_loss(x, x, x)) < 1e-4
    True
    """
    from monai.losses import SSIMLoss

    lo = torch.minimum(s1.amin(), s2.amin())
    hi = torch.maximum(s1.amax(), s2.amax())
    ssim = SSIMLoss(spatial_dims=3, data_range=float(hi - lo) or 1.0)
    pixel = ((fused - s1) ** 2).mean() + beta * ((fused - s2) ** 2).mean()
    structure = gamma * ssim(fused, s1) + ssim(fused, s2)
    return pixel + alpha * structure


def seg_loss(prob: Any, target: Any, *, lam: float = 0.5, eps: float = 1e-5) -> Any:
    """L_dice + λ L_bce on region probabilities (eqs. 8–10 of Liu et al.).

    Parameters
    ----------
    prob : torch.Tensor
        Probabilities ``(B, R, D, H, W)`` in [0, 1].
    target : torch.Tensor
        Binary region masks of the same shape.
    lam : float, optional
        λ, the weight of the binary cross-entropy (0.5).
    eps : float, optional
        ε of the Dice denominator.

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> g = torch.zeros(1, 1, 4, 4, 4); g[..., :2] = 1
    >>> round(float(seg_loss(g, g)), 6), round(float(seg_loss(1 - g, g, lam=0.0)), 3)
    (0.0, 1.0)
    """
    from monai.losses import DiceLoss

    dice = DiceLoss(squared_pred=True, smooth_nr=0.0, smooth_dr=eps, batch=True)
    bce = torch.nn.functional.binary_cross_entropy(prob.clamp(1e-7, 1 - 1e-7), target)
    return dice(prob, target) + lam * bce


def poly_lr(epoch: int, *, base: float = 1e-4, epochs: int = 300, power: float = 0.9) -> float:
    """The poly learning rate l₀ (1 − i/N)^0.9 of epoch ``i`` (eq. 11 of Liu et al.).

    Parameters
    ----------
    epoch : int
        i, counted from 0.
    base, epochs, power : optional
        l₀ = 1e-4, N = 300, 0.9.

    Returns
    -------
    float

    Examples
    --------
    >>> poly_lr(0), f"{poly_lr(150):.4e}"
    (0.0001, '5.3589e-05')
    """
    return base * (1.0 - min(epoch, epochs) / epochs) ** power


def max_tumour_window(mask: np.ndarray, size: tuple[int, int, int], step: int = 8) -> tuple:
    """The window of ``size`` (clipped to the volume) holding the most voxels of ``mask``.

    Stage 2's input region: the 128³ window with the most (predicted) tumour voxels, found by a
    sliding window (Lyu and Shu 2020) over a summed-volume table.

    Parameters
    ----------
    mask : numpy.ndarray of bool
        The stage-1 whole-tumour mask (or the truth, in training).
    size : tuple of 3 ints
        The window's shape.
    step : int, optional
        The stride of the search, voxels.

    Returns
    -------
    tuple of slice
        The window, as index slices; the first best position on ties.

    Examples
    --------
    >>> m = np.zeros((20, 20, 20), bool); m[12:16, 2:5, 9:11] = True
    >>> [(s.start, s.stop) for s in max_tumour_window(m, (8, 8, 8), step=1)]
    [(8, 16), (0, 8), (3, 11)]
    """
    m = np.asarray(mask, dtype=np.int64)
    size = tuple(min(s, n) for s, n in zip(size, m.shape, strict=True))
    table = np.pad(m.cumsum(0).cumsum(1).cumsum(2), ((1, 0), (1, 0), (1, 0)))
    starts = [np.arange(0, n - s + 1, step) for n, s in zip(m.shape, size, strict=True)]
    starts = [
        np.unique(np.append(st, n - s)) for st, n, s in zip(starts, m.shape, size, strict=True)
    ]
    i, j, k = np.meshgrid(*starts, indexing="ij")
    a, b, c = size
    t = table
    counts = (
        t[i + a, j + b, k + c] - t[i, j + b, k + c] - t[i + a, j, k + c] - t[i + a, j + b, k]
        + t[i, j, k + c] + t[i, j + b, k] + t[i + a, j, k] - t[i, j, k]
    )  # fmt: skip
    best = np.unravel_index(int(np.argmax(counts)), counts.shape)
    origin = (int(i[best]), int(j[best]), int(k[best]))
    return tuple(slice(o, o + s) for o, s in zip(origin, size, strict=True))
