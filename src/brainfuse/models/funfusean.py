"""FunFuseAn: unsupervised CNN fusion of anatomical and functional brain images.

Kumar, Hoffmann, Oelschlägel, Koch, Kirsch & Gumhold 2020, "Structural Similarity based
Anatomical and Functional Brain Imaging Fusion", MBIA/MFCA workshop at MICCAI 2019, LNCS 11846
(public code nish03/FunFuseAn).

Architecture (Fig. 1 of the paper):

- low-frequency (LF) layers: one convolution per input, 9×9 for the anatomical ``I1``, 7×7 for
  the functional ``I2``, ``c`` channels each;
- high-frequency (HF) layers: three convolutions per input, ``c → 2c → 4c`` channels, kernels
  3×3, 3×3, 3×3 for ``I1`` and 5×5, 5×5, 3×3 for ``I2``;
- every convolution (but the last) is followed by batch normalisation and LeakyReLU(0.2);
- 1st fusion rule (max-average) on the last HF features: ``Ho = max(H1, H2) / (H1 + H2)``;
- two reconstruction layers ``4c → 2c → c`` giving ``Ri``, then the 2nd fusion rule (weighted
  average) ``Ro = (L1 + L2 + Ri) / 3``, then a third reconstruction layer ``c → 1`` and tanh.

Loss (Eq. 4): ``λ·L_SSIM + (1 − λ)·L_ℓ2`` with ``L_SSIM = (1 − SSIM(I1, F)) + (1 − SSIM(I2, F))``
and ``L_ℓ2`` the two mean squared errors (the paper prints ‖·‖₂; its code uses the mean of the
squares); λ = 0.8 by default, any λ in [0, 1] trainable (``brainfuse train funfusean -p lam=0.5``).

Choices of this implementation, where the paper leaves freedom or the CPU budget forces one:

- ``c = 8`` (the published network has ``c = 16``: 16 → 32 → 64): at ``c = 16`` one 256×256
  pair costs about 8 GMAC, 0.15-0.25 s on one CPU core; ``c = 8`` costs 1.4 GMAC, 35-40 ms
  per pair on one core (``python -m benchmarks.fusion_speed``; the 30 ms target is not met).
  The reconstruction kernels are 3×3 (5×5 in the public code) for the same reason. Inputs
  and output are on the 0..1 scale; convolutions use 'same' zero padding, as the public code
  does (the paper's "no padding" would shrink the image at every layer).
- The max-average rule divides by ``H1 + H2``, which can be 0; the divisor is kept at least
  ``1e-2`` away from 0 (sign preserved).
- At inference the tanh output is clipped to the image range [0, 1] and, by default, set to 0
  where both inputs are 0 (no signal in either source).

The partial derivatives ∂F/∂I1, ∂F/∂I2 that FunFuseAn's colour visualisation (Eq. 5) uses are
:func:`input_gradients`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from ..registry import param
from .inference import trained_networks
from .layers import conv_block
from .losses import FunFuseAnLoss
from .train import ModelSpec, TrainConfig

__all__ = [
    "REFERENCE",
    "SPEC",
    "FunFuseAn",
    "input_gradients",
    "load",
]

REFERENCE = "Kumar et al. 2020, MBIA/MFCA@MICCAI 2019, LNCS 11846 (FunFuseAn)"

_DIVISOR_EPS = 1e-2


#: Rows per band of the in-place max-average rule (a band of 32 channels × 256 columns: 512 KiB).
_BAND_ROWS = 16


def _max_average(h1: Tensor, h2: Tensor) -> Tensor:
    """1st fusion rule, ``max(H1, H2) / (H1 + H2)``, the divisor kept ≥ 1e-2 in magnitude.

    Without autograd the same operations run in place, band of rows by band of rows: the six
    passes over a band stay in the cache instead of each streaming the whole activation (8 MB
    for 32 channels of 256×256) through memory; 2-3 times faster, the same values.
    """
    if torch.is_grad_enabled():
        s = h1 + h2
        return torch.maximum(h1, h2) / torch.copysign(s.abs().clamp(min=_DIVISOR_EPS), s)
    for start in range(0, h1.shape[-2], _BAND_ROWS):
        a, b = h1[..., start : start + _BAND_ROWS, :], h2[..., start : start + _BAND_ROWS, :]
        s = a + b
        divisor = s.abs().clamp_(min=_DIVISOR_EPS).copysign_(s)
        torch.maximum(a, b, out=a).div_(divisor)
    return h1


def _lrelu() -> nn.Module:
    return nn.LeakyReLU(0.2, inplace=True)


class FunFuseAn(nn.Module):
    """The FunFuseAn network [1]_: ``forward(i1, i2)`` → fused image, shapes ``(N, 1, H, W)``.

    Any input size works (stride 1 everywhere). See the module docstring for the layers.

    Parameters
    ----------
    width : int, optional
        The channel count ``c`` of the module docstring (paper: 16; shipped weights: 8, the
        default).

    References
    ----------
    .. [1] N. Kumar, N. Hoffmann, M. Oelschlägel, E. Koch, M. Kirsch and S. Gumhold, "Structural
       similarity based anatomical and functional brain imaging fusion", in Multimodal Brain Image
       Analysis and Mathematical Foundations of Computational Anatomy (MBIA/MFCA @ MICCAI 2019),
       LNCS 11846, Springer, 2019 (published 2020).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.funfusean import FunFuseAn
    >>> FunFuseAn(width=4)(torch.rand(1, 1, 12, 12), torch.rand(1, 1, 12, 12)).shape
    torch.Size([1, 1, 12, 12])
    """

    multiple = 1

    def __init__(self, width: int = 8) -> None:
        super().__init__()
        c1, c2, c3 = width, 2 * width, 4 * width
        self.width = width
        self.lf1 = conv_block(1, c1, 9, act=_lrelu())
        self.lf2 = conv_block(1, c1, 7, act=_lrelu())
        self.hf1 = nn.Sequential(
            conv_block(1, c1, 3, act=_lrelu()),
            conv_block(c1, c2, 3, act=_lrelu()),
            conv_block(c2, c3, 3, act=_lrelu()),
        )
        self.hf2 = nn.Sequential(
            conv_block(1, c1, 5, act=_lrelu()),
            conv_block(c1, c2, 5, act=_lrelu()),
            conv_block(c2, c3, 3, act=_lrelu()),
        )
        self.rec1 = conv_block(c3, c2, 3, act=_lrelu())
        self.rec2 = conv_block(c2, c1, 3, act=_lrelu())
        self.rec3 = nn.Conv2d(c1, 1, 3, padding=1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                # truncated normal, σ = 0.01, zero bias (paper §3.1)
                nn.init.trunc_normal_(m.weight, std=0.01, a=-0.02, b=0.02)
                nn.init.zeros_(m.bias)

    @property
    def receptive_radius(self) -> int:
        """How far (in pixels, per axis) an output pixel sees into the inputs.

        The longest chain of kernels from an input to the output: the HF layers, the first two
        reconstruction layers and the last one (8 for the shipped network: 2 + 2 + 1 for the
        functional HF branch, then 1 + 1, then 1); the LF layers are shorter. Inference uses it
        to skip the empty background (:func:`brainfuse.models.inference.fuse_trained`).
        """

        def r(*mods: nn.Module) -> int:
            return sum(m.kernel_size[0] // 2 for seq in mods for m in seq.modules()
                       if isinstance(m, nn.Conv2d))  # fmt: skip

        hf = max(r(self.hf1), r(self.hf2)) + r(self.rec1, self.rec2)
        return max(r(self.lf1), r(self.lf2), hf) + r(self.rec3)

    def forward(self, i1: Tensor, i2: Tensor) -> Tensor:
        """Fuse a batch of pairs.

        Parameters
        ----------
        i1 : torch.Tensor
            The anatomical images, ``(N, 1, H, W)`` on 0..1.
        i2 : torch.Tensor
            The functional images, same shape.

        Returns
        -------
        fused : torch.Tensor
            ``(N, 1, H, W)`` in (-1, 1) (tanh output; the image range is 0..1).
        """
        ho = _max_average(self.hf1(i1), self.hf2(i2))
        ri = self.rec2(self.rec1(ho))
        ro = (self.lf1(i1) + self.lf2(i2) + ri) / 3.0
        return torch.tanh(self.rec3(ro))

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Tensor]) -> FunFuseAn:
        """A network with the width found in ``state``, its weights loaded, in eval mode.

        Parameters
        ----------
        state : mapping of str to torch.Tensor
            A ``state_dict`` of this network (e.g. from
            :func:`brainfuse.models.pretrained.load_state_dict`).

        Returns
        -------
        net : FunFuseAn
            In eval mode.
        """
        net = cls(width=int(state["lf1.0.weight"].shape[0]))
        net.load_state_dict(state)
        return net.eval()


def _make(width: int = 8, lam: float = 0.8):
    return (lambda: FunFuseAn(width)), FunFuseAnLoss(lam)


SPEC = ModelSpec(
    name="funfusean",
    make=_make,
    params={
        "width": (8, "channels c of the first layers (c → 2c → 4c; the paper has 16)"),
        "lam": (0.8, param("λ of the loss λ·L_SSIM + (1 − λ)·L_ℓ2", minimum=0, maximum=1)),
    },
    config=TrainConfig(steps=1800, batch_size=16, patch=64, lr=2e-3, seed=0),
    reference=REFERENCE,
)


def load(weights: str | Path | None = None) -> FunFuseAn:
    """The trained network in eval mode.

    Parameters
    ----------
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its manifest beside it, hash checked);
        default: the shipped weights.

    Returns
    -------
    net : torch.nn.Module
        The network, in eval mode.

    Raises
    ------
    InputError
        If the weights file is missing or its hash differs from its manifest.
    """
    return trained_networks(FunFuseAn, "funfusean", weights)[0]  # type: ignore[return-value]


def input_gradients(
    a: np.ndarray, b: np.ndarray, *, weights: str | Path | None = None
) -> tuple[np.ndarray, np.ndarray]:
    r"""How much each input pixel drives the fusion: the input gradients of FunFuseAn (Eq. 5).

    Computed by automatic differentiation of the network output (before clipping) with respect to
    each input, both on the same intensity scale (so the values do not depend on whether images
    are on 0..1 or 0..255). The visualisation colour-codes ``g2`` (hue, saturation) over ``g1``
    (value) in HSV.

    Parameters
    ----------
    a : numpy.ndarray
        The anatomical image, 2D, on 0..255.
    b : numpy.ndarray
        The functional image, ``a``'s shape, on 0..255.
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its manifest beside it, hash checked);
        default: the shipped weights.

    Returns
    -------
    g1, g2 : numpy.ndarray
        float32, ``a``'s shape: :math:`g_k[n, m] = \sum_{i,j} \partial F[i, j] / \partial
        I_k[n, m]`.

    References
    ----------
    .. [1] N. Kumar, N. Hoffmann, M. Oelschlägel, E. Koch, M. Kirsch and S. Gumhold, "Structural
       similarity based anatomical and functional brain imaging fusion", in Multimodal Brain Image
       Analysis and Mathematical Foundations of Computational Anatomy (MBIA/MFCA @ MICCAI 2019),
       LNCS 11846, Springer, 2019 (published 2020).

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.models.funfusean import input_gradients
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 200
    >>> g1, g2 = input_gradients(a, np.full((16, 16), 80, np.float32))
    >>> g1.shape, g1.dtype
    ((16, 16), dtype('float32'))
    """
    net = load(weights)
    h, w = np.shape(a)
    x1 = torch.from_numpy(np.asarray(a, dtype=np.float32) / np.float32(255.0)).view(1, 1, h, w)
    x2 = torch.from_numpy(np.asarray(b, dtype=np.float32) / np.float32(255.0)).view(1, 1, h, w)
    x1.requires_grad_(True)
    x2.requires_grad_(True)
    with torch.enable_grad():
        net(x1, x2).sum().backward()
    assert x1.grad is not None and x2.grad is not None
    return x1.grad[0, 0].numpy().copy(), x2.grad[0, 0].numpy().copy()
