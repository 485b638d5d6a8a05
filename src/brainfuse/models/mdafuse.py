"""MdAFuse: multi-dimensional features and adaptive linear fusion of MR and PET/SPECT images.

Wen, Khan, Chen, Peng, Fang, Chen & Li 2024, "High-Quality Fusion and Visualization for MR-PET
Brain Tumor Images via Multi-Dimensional Features", IEEE TIP 33:3550-3563 (PyTorch,
trained on ADNI MR-PET pairs, tested on the Whole Brain Atlas; public code 22385wjy/MdAFuse).

Architecture (one feature extractor shared by both inputs, then fusion, then a decoder):

- **CFM** (coarse feature module): large kernels, few channels — 7×7 (1 → ``c``), a 5×5
  (``c → c``) with a short skip connection, and a 1×1 to ``f`` channels; shape and contours.
- **FFM** (fine feature module): small kernels, many channels — 3×3 (1 → ``f``) and a 3×3
  (``f → f``) with a short skip connection; texture and edges.
- **MFM** (multi-scale feature module): a 3×3 stem (1 → ``m``), a pyramid of three levels
  (full, 1/2 and 1/4 resolution by average pooling) each passed through a depthwise separable
  convolution (3×3 depthwise + 1×1 pointwise), brought back to full size (bilinear), joined and
  mapped to ``f`` channels by a 1×1 convolution.
- Every convolution is followed by batch normalisation and ReLU.
- **Fusion**: coarse and fine features of each input are added; the salient part is the
  element-wise maximum across modalities, ``S = max(CF1 + FF1, CF2 + FF2)``; the multi-scale
  features are averaged, ``M = (MF1 + MF2)/2``; the adaptive linear (affine) fusion
  ``Z = α ⊙ S + β ⊙ M + γ`` has per-channel coefficients α, β, γ learned with the network.
- **Decoder**: 3×3 convolutions ``f → f/2 → f/4 → 1``; the output is linear, clipped to [0, 1]
  at inference.

Choices where the paper is silent (widths, loss), and why:

- Widths ``c = 8``, ``f = 24``, ``m = 8`` (about 20 k multiply-adds per pixel, 1.3 GMAC
  for a 256×256 pair): "larger kernels and smaller channels" for CFM and "much greater"
  channel counts for FFM, as the paper describes. The widths are set by the training budget
  (45 minutes on two CPU cores shared with other jobs): at ``f = 32, m = 16`` a step of
  8 patches of 64×64 took 3-4 s there against about 2 s, too slow to reach a plateau in time.
  (The authors' public network is far wider, with 128-channel high-frequency branches and 5×5
  reconstruction layers on 256 channels.)
- Loss (unsupervised)::

      L = (1 − SSIM(A, F)) + (1 − SSIM(B, F))
          + w_int · mean|F − max(A, B)| + w_grad · mean| |∇F| − max(|∇A|, |∇B|) |

  The paper's stated goals are to keep the salient (bright) functional information of PET/SPECT,
  which the maximum-intensity term targets, and the spatial texture of MRI, which the
  maximum-gradient term targets; the SSIM terms keep the structure of both sources. With
  ``w_int = 10`` and ``w_grad = 40`` (gradients are Sobel/8 on the 0..1 scale) the three parts
  end training at a similar size (shipped run: 0.74, 10 × 0.049 and 40 × 0.014), so none of
  the goals dominates.
- At inference the result is set to 0 where both inputs are 0 (no signal in either source).

MdAFuse's energy-based colour enhancement works on the fused image and the functional input,
outside the network: it is :func:`brainfuse.viz.energy_enhance` (with the local energy
:func:`brainfuse.viz.local_energy` of the PET/SPECT).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .layers import conv_block
from .losses import MdAFuseLoss
from .shipped import initialise_from
from .train import ModelSpec, TrainConfig

__all__ = [
    "REFERENCE",
    "SPEC",
    "FeatureExtractor",
    "MdAFuse",
]

REFERENCE = "Wen et al. 2024, IEEE TIP 33:3550-3563 (MdAFuse)"


def _separable(channels: int) -> nn.Sequential:
    return nn.Sequential(
        conv_block(channels, channels, 3, groups=channels),
        conv_block(channels, channels, 1),
    )


class FeatureExtractor(nn.Module):
    """The coarse, fine and multi-scale feature modules (CFM, FFM, MFM) of one input.

    ``forward(x)`` → ``(CF, FF, MF)``, ``f`` channels each; one extractor is shared by both
    inputs of :class:`MdAFuse`.

    Parameters
    ----------
    coarse : int, optional
        Channels of the coarse module (large kernels, few channels; default 8).
    fine : int, optional
        Channels ``f`` of the fine module and of every output (default 24).
    multi : int, optional
        Channels of the multi-scale (depthwise separable pyramid) module (default 8).
    """

    def __init__(self, coarse: int = 8, fine: int = 24, multi: int = 8) -> None:
        super().__init__()
        self.cfm_in = conv_block(1, coarse, 7)
        self.cfm_body = conv_block(coarse, coarse, 5)
        self.cfm_out = conv_block(coarse, fine, 1)
        self.ffm_in = conv_block(1, fine, 3)
        self.ffm_body = conv_block(fine, fine, 3)
        self.mfm_in = conv_block(1, multi, 3)
        self.mfm_levels = nn.ModuleList(_separable(multi) for _ in range(3))
        self.mfm_out = conv_block(3 * multi, fine, 1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """The three feature maps of one input.

        Parameters
        ----------
        x : torch.Tensor
            Images, ``(N, 1, H, W)`` on 0..1, H and W multiples of 4.

        Returns
        -------
        cf, ff, mf : torch.Tensor
            Coarse, fine and multi-scale features, ``(N, f, H, W)`` each.
        """
        c = self.cfm_in(x)
        cf = self.cfm_out(c + self.cfm_body(c))
        f = self.ffm_in(x)
        ff = f + self.ffm_body(f)
        m = self.mfm_in(x)
        size = m.shape[-2:]
        levels = []
        for k, level in enumerate(self.mfm_levels):
            y = level(F.avg_pool2d(m, 2**k) if k else m)
            if k:
                y = F.interpolate(y, size=size, mode="bilinear", align_corners=False)
            levels.append(y)
        mf = self.mfm_out(torch.cat(levels, dim=1))
        return cf, ff, mf


class MdAFuse(nn.Module):
    """The MdAFuse network [1]_: ``forward(a, b)`` → fused image, shapes ``(N, 1, H, W)``.

    ``H`` and ``W`` must be multiples of :attr:`multiple` (two poolings by 2);
    :func:`brainfuse.models.inference.fuse_trained` pads any size.

    Parameters
    ----------
    coarse, fine, multi : int, optional
        Widths of the :class:`FeatureExtractor` (defaults 8, 24, 8: the shipped weights).

    References
    ----------
    .. [1] J. Wen, F. Khan, Z. Chen, Y. Peng, L. Fang, Z. Chen and X. Li, "High-quality fusion and
       visualization for MR-PET brain tumor images via multi-dimensional features", IEEE Trans.
       Image Process. 33:3550-3563, 2024.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.mdafuse import MdAFuse
    >>> MdAFuse.multiple, MdAFuse()(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8)).shape
    (4, torch.Size([1, 1, 8, 8]))
    """

    multiple = 4

    def __init__(self, coarse: int = 8, fine: int = 24, multi: int = 8) -> None:
        super().__init__()
        self.coarse, self.fine, self.multi = coarse, fine, multi
        self.extract = FeatureExtractor(coarse, fine, multi)
        # adaptive linear fusion Z = α ⊙ S + β ⊙ M + γ, per channel
        self.alpha = nn.Parameter(torch.ones(1, fine, 1, 1))
        self.beta = nn.Parameter(torch.ones(1, fine, 1, 1))
        self.gamma = nn.Parameter(torch.zeros(1, fine, 1, 1))
        self.decode = nn.Sequential(
            conv_block(fine, fine // 2, 3),
            conv_block(fine // 2, fine // 4, 3),
            nn.Conv2d(fine // 4, 1, 3, padding=1),
        )

    def fuse_features(self, a: Tensor, b: Tensor) -> Tensor:
        """The fused feature map Z before decoding.

        Coarse and fine features are fused by their maximum across the modalities, multi-scale ones
        by their mean, joined by a learned per-channel affine map.

        Parameters
        ----------
        a, b : torch.Tensor
            The two image batches, ``(N, 1, H, W)`` on 0..1.

        Returns
        -------
        z : torch.Tensor
            ``(N, f, H, W)``.
        """
        cf1, ff1, mf1 = self.extract(a)
        cf2, ff2, mf2 = self.extract(b)
        salient = torch.maximum(cf1 + ff1, cf2 + ff2)
        multi = 0.5 * (mf1 + mf2)
        return self.alpha * salient + self.beta * multi + self.gamma

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        """Fuse a batch of pairs.

        Parameters
        ----------
        a : torch.Tensor
            MRI, ``(N, 1, H, W)`` on 0..1, H and W multiples of :attr:`multiple`.
        b : torch.Tensor
            PET or SPECT, same shape.

        Returns
        -------
        fused : torch.Tensor
            ``(N, 1, H, W)`` on the 0..1 image scale (linear output, clipped at inference).
        """
        return self.decode(self.fuse_features(a, b))

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Tensor]) -> MdAFuse:
        """A network with the widths found in ``state``, its weights loaded, in eval mode.

        Parameters
        ----------
        state : mapping of str to torch.Tensor
            A ``state_dict`` of this network (e.g. from
            :func:`brainfuse.models.pretrained.load_state_dict`).

        Returns
        -------
        net : MdAFuse
            In eval mode.
        """
        net = cls(
            coarse=int(state["extract.cfm_in.0.weight"].shape[0]),
            fine=int(state["extract.ffm_in.0.weight"].shape[0]),
            multi=int(state["extract.mfm_in.0.weight"].shape[0]),
        )
        net.load_state_dict(state)
        return net.eval()


def _make(
    coarse: int = 8,
    fine: int = 24,
    multi: int = 8,
    w_int: float = 10.0,
    w_grad: float = 40.0,
    init: str = "",
):
    def build() -> MdAFuse:
        net = MdAFuse(coarse, fine, multi)
        return initialise_from(net, init) if init else net

    return build, MdAFuseLoss(w_int, w_grad)


SPEC = ModelSpec(
    name="mdafuse",
    make=_make,
    params={
        "coarse": (8, "channels of the coarse feature module (large kernels)"),
        "fine": (24, "channels of the fine feature module and of the fused features"),
        "multi": (8, "channels of each level of the multi-scale feature module"),
        "w_int": (10.0, "weight of the ℓ1 distance to the pixel maximum of the sources"),
        "w_grad": (40.0, "weight of the ℓ1 distance to the larger source gradient"),
        "init": ("", "weights to start from (fine-tuning; '' = random)"),
    },
    config=TrainConfig(steps=1200, batch_size=8, patch=64, lr=2e-3, seed=0),
    reference=REFERENCE,
    files=("init",),
)
