"""Xu et al.'s hybrid CNN-Transformer with the texture statistics extraction module (TSEM), for
2D brain-tumour segmentation on axial slices.

Xu et al. (2022), a medical image segmentation method "based on multi-dimensional statistical
features": a five-stage backbone, a convolutional stem then CNN and Transformer stages in the
pattern C-T-C-T, with a texture statistics extraction module (TSEM), trained with BCE + Dice
on 2D BraTS 2018 slices (WT, TC, ET) with Adam (learning rate 1e-3, weight decay 1e-5).

What the article gives, as built here:

- **Stem** (stage 1): two plain 3×3 convolutions (the first with stride 2), repeated ``depths[0]``
  times with a residual shortcut.
- **C stage**: a depthwise-separable convolution (MobileNet; Howard et al. 2017) between a 1×1
  convolution before and after (an inverted residual block, MobileNetV2), residual shortcut.
- **T stage**: multi-head self-attention whose keys and values are first shrunk by a k×k
  depthwise convolution of stride k ("DSVConv"; the spatial-reduction attention of PVT, Wang et
  al. 2021), Softmax(QK'ᵀ/√d_k)V', then an MLP; pre-norm residual blocks. The attention itself
  is :class:`torch.nn.MultiheadAttention`.
- Down-sampling (×½, more channels) at the start of every stage; stages repeated
  ``depths`` = (2, 2, 4, 2, 8) times (the article's numbers).
- **TSEM** (:class:`TSEM`): global average pooling gives the channel means g (C×1×1) and
  X_a = X ⊙ g; average pooling over channels gives m (1×H×W) and X_b = X ⊙ m; the output is
  X_a ⊙ X_b, of X's size. The article's third branch is read as the identity X that feeds both
  products (its sentence, "the last two input feature maps are multiplied", is ambiguous).
- Loss: 0.5 · BCE + Dice per region (:func:`hybrid_loss`; MONAI's
  :class:`~monai.losses.DiceLoss` with a sigmoid, PyTorch's ``BCEWithLogitsLoss``).

What the article leaves open, and the choices made here (sized so that a training at 128² on
two CPU cores takes under an hour; :data:`DEFAULT_CONFIG`):

==========================  =====================================================================
open point                  choice
==========================  =====================================================================
channel widths              16, 32, 64, 128, 256 for stages 1–5
down-sampling operator      3×3 convolution of stride 2 + batch norm (+ ReLU in the stem)
C block                     1×1 expand ×4, 3×3 depthwise, 1×1 project; batch norm; ReLU6
heads, d_k = d_v            width / 32 heads, d_k = d_v = 32
reduction factor k          8, 4, 2, 1 for stages 2–5 (PVT's), whatever their type
MLP of a T block            two linear layers, hidden ×4, GELU; layer norm before attention/MLP
where TSEM sits             on every encoder output that reaches the decoder (stages 1–5), as
                            f + BN(TSEM(f)): the Figure 3 caption's "statistics at different
                            stages"; batch norm keeps the fourth-order product's scale in hand
decoder                     U-Net-like: ×2 bilinear up-sampling, concatenation with the stage's
                            skip, 3×3 conv + BN + ReLU to the skip's width, four times; a last
                            ×2 up-sampling and 1×1 conv to 3 logits (WT, TC, ET)
input                       the 4 modalities (T1, T1c, T2, FLAIR) z-scored over the brain, as
                            channels; sides a multiple of 32
==========================  =====================================================================

Written by hand (no maintained library has them): the stages, the spatial reduction (a strided
depthwise convolution feeding :class:`torch.nn.MultiheadAttention`), TSEM and the decoder; MONAI
has no PVT or MobileNet block for 2D segmentation with these shapes. Everything else (attention,
Dice loss, layers) comes from PyTorch and MONAI.

The trainer :func:`train_hybrid` and the volume predictor :func:`predict_volume` are the API a
command line shells. torch and MONAI are imported here only (the ``segmentation`` extra).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._extras import require
from ..errors import InputError

torch = require("torch", extra="segmentation", what="the hybrid segmentation network")
require("monai", extra="segmentation", what="the hybrid segmentation network")
nn = torch.nn

from ..io.atomic import atomic_path, check_output_path  # noqa: E402
from .cases import MODALITIES  # noqa: E402
from .io import TumourCase, zscore  # noqa: E402
from .labels import assemble  # noqa: E402
from .slices import REGION_ORDER, TumourSlices  # noqa: E402

__all__ = [
    "DEFAULT_CONFIG",
    "TSEM",
    "HybridConfig",
    "HybridNet",
    "HybridTrainConfig",
    "SRAttention",
    "hybrid_loss",
    "load_hybrid",
    "predict_volume",
    "region_dice",
    "train_hybrid",
]

#: The whole network's down-sampling: input sides must be a multiple of it.
STRIDE = 32


@dataclass(frozen=True)
class HybridConfig:
    """The shape of a :class:`HybridNet`.

    Parameters
    ----------
    pattern : str, optional
        Block types of stages 2–5, ``"C"`` (depthwise-separable convolutions) or ``"T"``
        (spatial-reduction attention): ``"CTCT"`` (the article's), ``"CCCC"`` (its all-CNN
        ablation), ``"TTTT"``.
    tsem : bool, optional
        With TSEM on the encoder outputs (default True).
    widths : tuple of 5 ints, optional
        Channels of stages 1–5.
    depths : tuple of 5 ints, optional
        Repeats of stages 1–5 (the article's 2, 2, 4, 2, 8).
    reductions : tuple of 4 ints, optional
        k of the attention's key/value reduction in stages 2–5.
    head_dim : int, optional
        d_k = d_v; a T stage has ``width / head_dim`` heads.
    mlp_ratio, expansion : int, optional
        Hidden width of a T block's MLP and of a C block, as multiples of the width.
    in_channels, out_channels : int, optional
        4 modalities in, 3 regions out.

    Raises
    ------
    InputError
        For a pattern of other than 4 letters C/T, or sizes that do not fit.

    Examples
    --------
    >>> HybridConfig(pattern="CCCC", tsem=False).pattern
    'CCCC'
    """

    pattern: str = "CTCT"
    tsem: bool = True
    widths: tuple[int, ...] = (16, 32, 64, 128, 256)
    depths: tuple[int, ...] = (2, 2, 4, 2, 8)
    reductions: tuple[int, ...] = (8, 4, 2, 1)
    head_dim: int = 32
    mlp_ratio: int = 4
    expansion: int = 4
    in_channels: int = 4
    out_channels: int = 3

    def __post_init__(self) -> None:
        if len(self.pattern) != 4 or set(self.pattern) - {"C", "T"}:
            raise InputError(
                "pattern", f"must be 4 letters C or T (e.g. CTCT), got {self.pattern!r}"
            )
        for name, n in (("widths", 5), ("depths", 5), ("reductions", 4)):
            values = getattr(self, name)
            if len(values) != n or any(int(v) < 1 for v in values):
                raise InputError(name, f"must be {n} whole numbers ≥ 1, got {values!r}")
        for i, letter in enumerate(self.pattern):
            if letter == "T" and self.widths[i + 1] % self.head_dim:
                raise InputError(
                    "widths", f"stage {i + 2} width {self.widths[i + 1]} is not a multiple of "
                    f"head_dim {self.head_dim}"
                )  # fmt: skip


#: The configuration of the article's model as built here (C-T-C-T + TSEM).
DEFAULT_CONFIG = HybridConfig()


def _bn_act(c: int, act: Any = None) -> list[Any]:
    return [nn.BatchNorm2d(c)] + ([act] if act is not None else [])


def _down(cin: int, cout: int, relu: bool = False) -> Any:
    """×½ down-sampling: a 3×3 convolution of stride 2 and batch norm."""
    layers = [nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False)]
    return nn.Sequential(*layers, *_bn_act(cout, nn.ReLU() if relu else None))


class _StemBlock(nn.Module):
    """Two plain 3×3 convolutions with batch norm, residual shortcut."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(c, c, 3, padding=1, bias=False), *_bn_act(c, nn.ReLU()),
            nn.Conv2d(c, c, 3, padding=1, bias=False), *_bn_act(c),
        )  # fmt: skip

    def forward(self, x: Any) -> Any:
        return torch.relu(x + self.body(x))


class _ConvBlock(nn.Module):
    """1×1 conv, 3×3 depthwise conv, 1×1 conv (a depthwise-separable convolution between two
    1×1 convolutions, MobileNetV2's inverted residual), residual shortcut."""

    def __init__(self, c: int, expansion: int) -> None:
        super().__init__()
        h = c * expansion
        self.body = nn.Sequential(
            nn.Conv2d(c, h, 1, bias=False), *_bn_act(h, nn.ReLU6()),
            nn.Conv2d(h, h, 3, padding=1, groups=h, bias=False), *_bn_act(h, nn.ReLU6()),
            nn.Conv2d(h, c, 1, bias=False), *_bn_act(c),
        )  # fmt: skip

    def forward(self, x: Any) -> Any:
        return x + self.body(x)


class SRAttention(nn.Module):
    """Multi-head self-attention with keys and values from a k×k depthwise convolution of
    stride k (Xu et al.'s eq. 2; PVT's spatial-reduction attention).

    Parameters
    ----------
    dim : int
        Channels (tokens' dimension).
    heads : int
        Attention heads.
    k : int
        Reduction factor: K' and V' hold n / k² tokens; k = 1 is the standard attention of eq. 1.

    Examples
    --------
    >>> att = SRAttention(32, 1, 4)
    >>> tuple(att.reduce_tokens(torch.zeros(2, 64, 32), 8, 8).shape)  # 64 tokens -> 64 / 4²
    (2, 4, 32)
    """

    def __init__(self, dim: int, heads: int, k: int) -> None:
        super().__init__()
        self.k = k
        if k > 1:
            self.reduce = nn.Conv2d(dim, dim, k, stride=k, groups=dim)
            self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)

    def reduce_tokens(self, x: Any, h: int, w: int) -> Any:
        """K = V tokens ``(B, n / k², C)`` of tokens ``x`` ``(B, n, C)`` on an ``h × w`` grid."""
        if self.k == 1:
            return x
        b, _n, c = x.shape
        grid = x.transpose(1, 2).reshape(b, c, h, w)
        return self.norm(self.reduce(grid).flatten(2).transpose(1, 2))

    def forward(self, x: Any, h: int, w: int) -> Any:
        """Attention output ``(B, n, C)`` for tokens ``(B, n, C)`` on an ``h × w`` grid."""
        kv = self.reduce_tokens(x, h, w)
        return self.attn(x, kv, kv, need_weights=False)[0]


class _TransformerBlock(nn.Module):
    """x + SRA(LN(x)), then x + MLP(LN(x)), on a feature map."""

    def __init__(self, c: int, heads: int, k: int, mlp_ratio: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(c)
        self.attn = SRAttention(c, heads, k)
        self.norm2 = nn.LayerNorm(c)
        self.mlp = nn.Sequential(
            nn.Linear(c, c * mlp_ratio), nn.GELU(), nn.Linear(c * mlp_ratio, c)
        )

    def forward(self, x: Any) -> Any:
        b, c, h, w = x.shape
        t = x.flatten(2).transpose(1, 2)
        t = t + self.attn(self.norm1(t), h, w)
        t = t + self.mlp(self.norm2(t))
        return t.transpose(1, 2).reshape(b, c, h, w)


class TSEM(nn.Module):
    """Texture statistics extraction module: (X ⊙ GAP(X)) ⊙ (X ⊙ mean_C(X)) (Xu et al.).

    Branch (a) multiplies X by its channel means (global average pooling, C×1×1), branch (b) by
    its mean over channels (1×H×W), and the two products are multiplied; the output has X's
    size. No parameters.

    Examples
    --------
    >>> x = torch.tensor([[[[1.0, 2.0]], [[3.0, 4.0]]]])  # C = 2, H = 1, W = 2
    >>> TSEM()(x).flatten().tolist()  # g = (1.5, 3.5), m = (2, 3)
    [3.0, 18.0, 63.0, 168.0]
    """

    def forward(self, x: Any) -> Any:
        g = x.mean(dim=(2, 3), keepdim=True)
        m = x.mean(dim=1, keepdim=True)
        return (x * g) * (x * m)


class _TsemSkip(nn.Module):
    """f + BN(TSEM(f)): TSEM's statistics added to an encoder output."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.tsem = TSEM()
        self.norm = nn.BatchNorm2d(c)

    def forward(self, x: Any) -> Any:
        return x + self.norm(self.tsem(x))


class HybridNet(nn.Module):
    """Xu et al.'s hybrid CNN-Transformer with TSEM and a U-Net-like decoder.

    Parameters
    ----------
    config : HybridConfig, optional
        The shape (default :data:`DEFAULT_CONFIG`: C-T-C-T with TSEM).

    Examples
    --------
    >>> net = HybridNet().eval()
    >>> sum(p.numel() for p in net.parameters())
    7810323
    >>> tuple(net(torch.zeros(1, 4, 64, 96)).shape)  # WT, TC, ET logits
    (1, 3, 64, 96)
    """

    def __init__(self, config: HybridConfig = DEFAULT_CONFIG) -> None:
        super().__init__()
        self.config = config
        w, d = config.widths, config.depths
        stages = [nn.Sequential(_down(config.in_channels, w[0], relu=True),
                                *[_StemBlock(w[0]) for _ in range(d[0])])]  # fmt: skip
        for i, letter in enumerate(config.pattern):
            c = w[i + 1]
            if letter == "C":
                blocks = [_ConvBlock(c, config.expansion) for _ in range(d[i + 1])]
            else:
                heads, k = c // config.head_dim, config.reductions[i]
                blocks = [_TransformerBlock(c, heads, k, config.mlp_ratio) for _ in range(d[i + 1])]
            stages.append(nn.Sequential(_down(w[i], c), *blocks))
        self.stages = nn.ModuleList(stages)
        self.tsem = nn.ModuleList([_TsemSkip(c) for c in w]) if config.tsem else None
        self.up = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(w[i + 1] + w[i], w[i], 3, padding=1, bias=False),
                *_bn_act(w[i], nn.ReLU()),
            )
            for i in range(4)
        )
        self.head = nn.Conv2d(w[0], config.out_channels, 1)

    def forward(self, x: Any) -> Any:
        """Region logits ``(B, 3, H, W)`` for images ``(B, 4, H, W)``, H and W multiples of 32."""
        if x.shape[-1] % STRIDE or x.shape[-2] % STRIDE:
            raise InputError(None, f"image sides {tuple(x.shape[-2:])} must be multiples of 32")
        feats = []
        for i, stage in enumerate(self.stages):
            x = stage(x)
            feats.append(self.tsem[i](x) if self.tsem is not None else x)
        y = feats[-1]
        for i in (3, 2, 1, 0):
            y = nn.functional.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
            y = self.up[i](torch.cat([y, feats[i]], dim=1))
        y = nn.functional.interpolate(y, scale_factor=2.0, mode="bilinear", align_corners=False)
        return self.head(y)


def hybrid_loss(logits: Any, target: Any, *, bce_weight: float = 0.5) -> Any:
    """0.5 · BCE + Dice over the regions (Xu et al.'s eq. 3).

    The BCE is the mean over pixels and regions (PyTorch's ``BCEWithLogitsLoss``); the Dice loss
    is MONAI's soft :class:`~monai.losses.DiceLoss` with a sigmoid, pooled over the batch (so a
    slice without tumour does not give an undefined Dice) and averaged over the three regions.

    Parameters
    ----------
    logits : torch.Tensor
        ``(B, R, H, W)`` network outputs.
    target : torch.Tensor
        Region masks of the same shape, 0 or 1.
    bce_weight : float, optional
        The weight of the BCE (0.5).

    Returns
    -------
    torch.Tensor
        A scalar.

    Examples
    --------
    >>> g = torch.zeros(1, 3, 8, 8); g[..., :4] = 1
    >>> right, wrong = 40 * (2 * g - 1), -40 * (2 * g - 1)
    >>> round(float(hybrid_loss(right, g)), 4), round(float(hybrid_loss(wrong, g)), 1)
    (0.0, 21.0)
    """
    from monai.losses import DiceLoss

    dice = DiceLoss(sigmoid=True, batch=True)
    bce = nn.functional.binary_cross_entropy_with_logits(logits, target)
    return dice(logits, target) + bce_weight * bce


def region_dice(logits: Any, target: Any) -> dict[str, float]:
    """Hard Dice of each region (probability > ½), pooled over a batch.

    Parameters
    ----------
    logits, target : torch.Tensor
        ``(B, 3, H, W)`` logits and masks.

    Returns
    -------
    dict of str to float
        Keyed ``"WT"``, ``"TC"``, ``"ET"``; 1 when both are empty.

    Examples
    --------
    >>> g = torch.zeros(1, 3, 4, 4); g[:, :, :2] = 1
    >>> region_dice(2 * g - 1, g)
    {'WT': 1.0, 'TC': 1.0, 'ET': 1.0}
    """
    pred = (logits > 0).float()
    inter = (pred * target).sum(dim=(0, 2, 3))
    total = pred.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3))
    out = {}
    for i, name in enumerate(REGION_ORDER):
        t = float(total[i])
        out[name] = 1.0 if t == 0 else float(2 * inter[i]) / t
    return out


def _stack(volumes: Any) -> np.ndarray:
    """``(4, X, Y, Z)`` z-scored from a TumourCase, a mapping of modalities or an array."""
    if isinstance(volumes, TumourCase):
        return volumes.stack(MODALITIES)
    if isinstance(volumes, Mapping):
        missing = [m for m in MODALITIES if m not in volumes]
        if missing:
            raise InputError(None, f"missing modalities: {', '.join(missing)}")
        arrays = [np.asarray(volumes[m], np.float32) for m in MODALITIES]
    else:
        arrays = list(np.asarray(volumes, np.float32))
    if len(arrays) != 4 or any(a.ndim != 3 or a.shape != arrays[0].shape for a in arrays):
        raise InputError(None, "need four 3D volumes of one shape (T1, T1c, T2, FLAIR)")
    if not all(np.isfinite(a).all() for a in arrays):
        raise InputError(None, "volumes contain NaN or infinite values")
    return np.stack([zscore(a) for a in arrays]).astype(np.float32)


def predict_volume(
    model: HybridNet,
    volumes: Any,
    *,
    batch_size: int = 8,
    threshold: float = 0.5,
) -> np.ndarray:
    """A BraTS label map of a volume, segmented axial slice by axial slice.

    Each slice (the third axis) is padded with zeros to sides that are multiples of 32, the
    regions' probabilities are thresholded, and the labels assembled (ET; TC without ET is NCR;
    WT without TC is ED; :func:`~brainfuse.segmentation.labels.assemble`). Slices without brain
    are labelled 0 without running the network, and so is every voxel outside the brain (where all
    four modalities are 0: BraTS volumes are skull-stripped).

    Parameters
    ----------
    model : HybridNet
        A trained network (put in eval mode here).
    volumes : TumourCase, mapping or numpy.ndarray
        The four modalities: a :class:`~brainfuse.segmentation.io.TumourCase`, a mapping
        ``t1, t1ce, t2, flair`` → 3D array, or a ``(4, X, Y, Z)`` array in that order; each is
        z-scored over its brain (non-zero voxels).
    batch_size : int, optional
        Slices per forward pass.
    threshold : float, optional
        Probability threshold of each region.

    Returns
    -------
    numpy.ndarray
        ``uint8`` codes 0, 1, 2, 4 with the volumes' shape.

    Raises
    ------
    InputError
        For missing modalities, volumes of different shapes or non-finite values.

    Examples
    --------
    >>> net = HybridNet(HybridConfig(widths=(8, 16, 32, 32, 32), depths=(1, 1, 1, 1, 1)))
    >>> v = np.zeros((4, 20, 30, 3), np.float32); v[:, 5:15, 5:25] = 1
    >>> lab = predict_volume(net, v)
    >>> lab.shape, lab.dtype, set(np.unique(lab).tolist()) <= {0, 1, 2, 4}
    ((20, 30, 3), dtype('uint8'), True)
    """
    x = _stack(volumes)
    _, nx, ny, nz = x.shape
    px, py = (-nx) % STRIDE, (-ny) % STRIDE
    padded = np.pad(x, ((0, 0), (px // 2, px - px // 2), (py // 2, py - py // 2), (0, 0)))
    probs = np.zeros((3, nx, ny, nz), np.float32)
    zs = [z for z in range(nz) if np.any(x[..., z] != 0)]
    model.eval()
    logit = float(np.log(threshold / (1.0 - threshold)))
    with torch.no_grad():
        for i in range(0, len(zs), batch_size):
            chunk = zs[i : i + batch_size]
            batch = torch.from_numpy(np.ascontiguousarray(padded[..., chunk].transpose(3, 0, 1, 2)))
            out = model(batch).numpy()[:, :, px // 2 : px // 2 + nx, py // 2 : py // 2 + ny]
            probs[..., chunk] = out.transpose(1, 2, 3, 0)
    brain = np.any(x != 0, axis=0)
    wt, tc, et = (brain & (probs[i] > logit) for i in range(3))
    return assemble(wt, tc, et)


@dataclass(frozen=True)
class HybridTrainConfig:
    """Settings of a :func:`train_hybrid` run, all recorded in the manifest.

    Parameters
    ----------
    steps : int, optional
        Optimiser steps (default 6000).
    batch_size : int, optional
        Slices per step (default 8, the article's).
    size : int, optional
        Window side in pixels, a multiple of 32 (default 128).
    lr, weight_decay : float, optional
        Adam's learning rate and weight decay (the article's 1e-3 and 1e-5; constant).
    tumour_fraction : float, optional
        Share of the slices drawn among those holding tumour (0.8; :mod:`.slices`).
    seed : int, optional
        Seed of the weights and of the batches.
    val_every : int, optional
        Validate every this many steps (default 250).
    val_slices : int, optional
        Fixed validation windows from the ``val`` split (default 64).
    checkpoint_every : int, optional
        Write a checkpoint every this many steps (default 100).
    threads : int, optional
        Torch CPU threads (default 1).
    max_minutes : float, optional
        Stop (with a checkpoint) after this many minutes of this call (0: no limit).
    network : HybridConfig, optional
        The network (default :data:`DEFAULT_CONFIG`).

    Examples
    --------
    >>> HybridTrainConfig(steps=10).run_fields()["lr"]
    0.001
    """

    steps: int = 6000
    batch_size: int = 8
    size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-5
    tumour_fraction: float = 0.8
    seed: int = 0
    val_every: int = 250
    val_slices: int = 64
    checkpoint_every: int = 100
    threads: int = 1
    max_minutes: float = 0.0
    network: HybridConfig = field(default_factory=HybridConfig)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "val_every", "val_slices", "checkpoint_every",
                     "threads"):  # fmt: skip
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputError(name, f"must be a whole number ≥ 1, got {value!r}")
        if not isinstance(self.size, int) or self.size < STRIDE or self.size % STRIDE:
            raise InputError("size", f"must be a multiple of 32, got {self.size!r}")
        for name in ("lr", "weight_decay", "max_minutes"):
            value = getattr(self, name)
            if not np.isfinite(value) or value < 0 or (name == "lr" and value == 0):
                raise InputError(name, f"must be a finite number ≥ 0 (lr > 0), got {value!r}")

    def run_fields(self) -> dict[str, Any]:
        """The settings that change a run's arithmetic (a resumed run must share them; ``steps``
        may grow, the learning rate being constant).

        Returns
        -------
        dict
        """
        keep = ("batch_size", "size", "lr", "weight_decay", "tumour_fraction", "seed")
        return {**{k: getattr(self, k) for k in keep}, "network": asdict(self.network)}


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _save(obj: Any, path: Path) -> None:
    # to a buffer, so that the archive's inner folder is not named after a temporary file
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())


def _validate(model: HybridNet, val: tuple[Any, Any] | None, batch_size: int) -> dict[str, float]:
    if val is None:
        return {}
    x, y = val
    model.eval()
    with torch.no_grad():
        logits = torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])
    model.train()
    dice = region_dice(logits, y)
    return {"loss": float(hybrid_loss(logits, y)), **{f"dice_{k}": v for k, v in dice.items()}}


def train_hybrid(
    data_dir: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    config: HybridTrainConfig | None = None,
    resume: bool = False,
    progress: bool = True,
) -> dict[str, Any]:
    """Train :class:`HybridNet` on axial slices of a BraTS-layout cohort; write ``out``.

    Batches come from the ``train`` split (:class:`~brainfuse.segmentation.slices.TumourSlices`);
    every ``val_every`` steps the loss and the Dice of each region are measured on fixed windows
    of the ``val`` split (when the cohort has one); the ``test`` split is never read. Adam with
    the article's learning rate and weight decay, constant. Seeded: the same data, configuration
    and thread count give the same weights, bit for bit. Writes ``W.pt`` (the ``state_dict``),
    ``W.json`` (the manifest: model, network, data listing and hash, split, seed, configuration,
    validation, SHA-256 of the weights) and ``W.pt.ckpt`` (every ``checkpoint_every`` steps, on
    Ctrl-C or an error, and when ``max_minutes`` runs out); ``resume=True`` continues from it and
    ends with the weights of an uninterrupted run. No wall-clock time goes into a file.

    Parameters
    ----------
    data_dir : path
        The cohort (case folders and ``split.csv``).
    out : path
        The weights file ``W.pt``.
    config : HybridTrainConfig, optional
        The settings.
    resume : bool, optional
        Continue from ``W.pt.ckpt``.
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    InputError
        For a cohort without ``train`` cases, an output path that is an input, or a checkpoint
        that is missing or was written with other settings (before anything is written).
    """
    from ..models.train import load_torch_dict

    config = config or HybridTrainConfig()
    out = Path(out)
    check_output_path(out)
    ckpt = out.with_name(out.name + ".ckpt")
    state = None
    if resume:
        if not ckpt.is_file():
            raise InputError(ckpt, "no checkpoint to resume from")
        state = load_torch_dict(ckpt, "checkpoint of the hybrid trainer")
        if state.get("config") != _as_json(config.run_fields()):
            raise InputError(ckpt, f"checkpoint was written with {state.get('config')}")
        if not isinstance(state.get("step"), int) or state["step"] > config.steps:
            raise InputError(ckpt, f"checkpoint is at step {state.get('step')}, past steps")
    common = {"size": config.size, "tumour_fraction": config.tumour_fraction, "seed": config.seed}
    train = TumourSlices(data_dir, "train", **common)
    try:
        val_set: TumourSlices | None = TumourSlices(data_dir, "val", **common)
    except InputError:
        val_set = None
    previous = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _run(train, val_set, out, ckpt, config, state, progress)
    finally:
        torch.set_num_threads(previous)


def _run(train, val_set, out, ckpt, config, state, progress) -> dict[str, Any]:
    from tqdm.auto import tqdm

    from ..models.train import sha256_file

    t0 = time.perf_counter()
    torch.manual_seed(config.seed)
    model = HybridNet(config.network)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    history: list[dict[str, float]] = []
    validation: list[dict[str, float]] = []
    step = 0
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimiser"])
        step, history, validation = state["step"], state["history"], state["validation"]
    val = None
    if val_set is not None:
        vx, vy = val_set.fixed(config.val_slices)
        val = (torch.from_numpy(vx), torch.from_numpy(vy))

    def checkpoint() -> None:
        _save(
            {
                "config": _as_json(config.run_fields()),
                "model": model.state_dict(),
                "optimiser": opt.state_dict(),
                "step": step,
                "history": history,
                "validation": validation,
            },
            ckpt,
        )

    start = step
    bar = tqdm(total=config.steps, initial=step, disable=not progress, desc="hybrid", mininterval=2)
    try:
        while step < config.steps:
            if config.max_minutes and time.perf_counter() - t0 > 60 * config.max_minutes:
                break
            x, y = train.batch(step, config.batch_size)
            loss = hybrid_loss(model(torch.from_numpy(x)), torch.from_numpy(y))
            if not torch.isfinite(loss.detach()):
                raise InputError(None, f"the loss is {float(loss)} at step {step}; lower lr")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            history.append({"step": float(step), "loss": float(loss.detach())})
            if val is not None and (step % config.val_every == 0 or step == config.steps):
                validation.append({"step": float(step), **_validate(model, val, config.batch_size)})
                bar.set_postfix_str(f"val WT Dice {validation[-1]['dice_WT']:.3f}")
            if step % config.checkpoint_every == 0:
                checkpoint()
            bar.update(1)
    except BaseException:
        if step > start:
            checkpoint()
        raise
    finally:
        bar.close()
    checkpoint()
    model.eval()
    _save(model.state_dict(), out)
    if history:
        from ..models.train import _plot

        _plot(history, validation, out.with_name(out.name.removesuffix(".pt") + ".loss.png"))
    tail = history[-max(1, len(history) // 20) :]
    manifest: dict[str, Any] = {
        "model": "hybrid",
        "reference": "Xu et al. 2022, hybrid CNN-Transformer with multi-dimensional statistical "
        "features (TSEM) for medical image segmentation",
        "network": asdict(config.network),
        "parameters": sum(p.numel() for p in model.parameters()),
        "data": train.describe(),
        "val_data": val_set.describe() if val_set is not None else None,
        "split": "train cases train; val cases are validated on; test cases are never read",
        "config": asdict(config),
        "seed": config.seed,
        "steps_done": step,
        "final_train_loss": float(np.mean([h["loss"] for h in tail])) if history else None,
        "validation": validation,
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "weights": out.name,
        "sha256": sha256_file(out),
    }
    with atomic_path(out.with_name(out.name.removesuffix(".pt") + ".json")) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def load_hybrid(weights: str | os.PathLike[str]) -> HybridNet:
    """A trained :class:`HybridNet` from ``W.pt``, its shape read from the manifest ``W.json``.

    Parameters
    ----------
    weights : path
        The weights file :func:`train_hybrid` wrote.

    Returns
    -------
    HybridNet
        In eval mode.

    Raises
    ------
    InputError
        If the weights or the manifest are missing or unreadable, the SHA-256 differs from the
        manifest's, or the weights do not fit the network.
    """
    from ..models.train import load_torch_dict, sha256_file

    weights = Path(weights)
    manifest = weights.with_name(weights.name.removesuffix(".pt") + ".json")
    if not weights.is_file():
        raise InputError(weights, "no such weights file")
    try:
        info = json.loads(manifest.read_text(encoding="utf-8"))
        net = info["network"]
        config = HybridConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in net.items()})
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(manifest, f"no readable manifest of hybrid weights ({exc})") from None
    if info.get("sha256") != sha256_file(weights):
        raise InputError(weights, "SHA-256 differs from its manifest's: not the weights trained")
    model = HybridNet(config)
    try:
        model.load_state_dict(load_torch_dict(weights, "state_dict"))
    except RuntimeError as exc:
        raise InputError(weights, f"weights do not fit the network ({str(exc)[:80]})") from None
    return model.eval()


def _weights_digest(model: HybridNet) -> str:
    """SHA-256 of a model's parameters and buffers (for tests and manifests)."""
    h = hashlib.sha256()
    for k, v in model.state_dict().items():
        h.update(k.encode())
        h.update(v.detach().cpu().numpy().tobytes())
    return h.hexdigest()
