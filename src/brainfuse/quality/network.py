"""The conditional GAN of Tang et al. for fusion quality assessment guided by MOS (PyTorch).

Tang et al., "Medical image fusion quality assessment based on conditional generative
adversarial network", Frontiers in Neuroscience (Research Topic "Multimodal brain image fusion:
methods, evaluations, and applications", 2022). Three parts, all on 128×128 grey images on 0..1:

- **dual-channel encoder–decoders** (:class:`EncoderDecoder`, one per modality): the input is
  the source image concatenated with a constant plane holding the MOS condition; three
  convolution blocks ``[conv 3×3 → BN → LeakyReLU] × 2 → max-pool 2×2`` give the features
  ``F_i1, F_i2, F_i3`` (64, 32 and 16 px); seven ``[transposed conv → BN → ReLU]`` groups (three
  of stride 2) reconstruct the source, and the loss ``L_ED`` compares the reconstruction with
  the source (Eq. 2);
- **the generator** (:class:`Generator`) fuses the two modalities' encoder features with
  self-attention fusion blocks (:class:`SAFB`, Eq. 3): concatenate ``F_1j`` and ``F_2j``,
  weight them with self-attention, a 1×1 convolution, concatenate with the previous block's
  output, a 3×3 convolution; max pooling after each block of the down path (64 → 32 → 16 → 8);
  the up path has no pooling and ReLU activations;
- **the discriminator** (:class:`Discriminator`): four ``conv 3×3 stride 2 → BN → LeakyReLU``
  blocks (128 → 8 px) and one 3×3 convolution without padding: a 6×6 map of real/fake scores.

Losses (:func:`generator_losses`, :func:`discriminator_loss`): least squares (LSGAN, Mao et al.
2017: "we apply mean square error as the loss function" of D), ``L_fusion = |y_true − G|_1``
with weight α = 100 (Eq. 5) and ``L_ED`` with weight β = 20 (Eq. 8).

Where the paper is silent BrainFuse follows these choices (each a parameter or documented):

- channel widths ``w, 2w, 4w`` (``width``; the paper gives none; 16 here, for CPU training),
  LeakyReLU slope 0.2, 2×2 max pooling, MOS broadcast to a constant plane;
- the decoder: stride-1/stride-2 alternation ``1, 2, 1, 2, 1, 2, 1`` (3 × stride 2 take 16 px
  back to 128 px), the last group ending in a sigmoid instead of BN → ReLU so that the
  reconstruction lives on 0..1 like the source;
- self-attention: the parameter-free spatial attention of Zagoruyko & Komodakis ("Paying more
  attention to attention", ICLR 2017, the work the paper cites as "Sergey and Nikos, 2017"):
  ``a = sigmoid(standardise(Σ_c A_c²))`` multiplied onto the features (``attention=False``
  gives the "w/o SA" ablation);
- the up path: four ×2 steps (transposed convolution 4×4 stride 2) from 8 to 128 px, each an
  SA-FB whose first input is the up-sampled features concatenated with the down-path SA-FB
  output of the same size (U-Net-like skip), then a 1×1 convolution and a sigmoid;
- D is conditioned like pix2pix: its input is ``(fused, MI1, MI2, MOS plane)``;
- ``L_ED`` is the mean (not the sum) of absolute differences per pixel, so that β = 20 weighs it
  on the same per-pixel scale as α = 100 weighs ``L_fusion`` (with the sum over 128×128 pixels
  the reconstruction would outweigh everything else by four orders of magnitude);
- the encoder–decoders are trained jointly with G through ``β·L_ED``.

Only this module of :mod:`brainfuse.quality` imports torch (after
:func:`brainfuse._extras.require`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .._extras import require

torch = require("torch", extra="learned", what="the learned quality assessment (Tang et al.)")

import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402

__all__ = [
    "ALPHA",
    "BETA",
    "SAFB",
    "SIZE",
    "CGANConfig",
    "Discriminator",
    "EncoderDecoder",
    "Generator",
    "QualityCGAN",
    "discriminator_loss",
    "generator_losses",
    "mos_plane",
    "spatial_attention",
]

#: Side of the images the networks see (Tang et al. work on 128×128).
SIZE = 128

#: Weight of ``L_fusion`` in the generator objective (Eq. 5).
ALPHA = 100.0

#: Weight of ``L_ED`` in the total objective (Eq. 8).
BETA = 20.0

_SLOPE = 0.2


@dataclass(frozen=True)
class CGANConfig:
    """Architecture of :class:`QualityCGAN`.

    Parameters
    ----------
    width : int, optional
        Channels of the first encoder block (then ``2·width`` and ``4·width``; default 16).
    attention : bool, optional
        Self-attention in the SA-FBs (default True; False is the paper's "w/o SA" ablation).
    alpha, beta : float, optional
        Loss weights α (``L_fusion``) and β (``L_ED``), default 100 and 20 as in the paper.

    Examples
    --------
    >>> from brainfuse.quality.network import CGANConfig
    >>> CGANConfig().alpha, CGANConfig().beta
    (100.0, 20.0)
    """

    width: int = 16
    attention: bool = True
    alpha: float = ALPHA
    beta: float = BETA

    def as_dict(self) -> dict[str, Any]:
        """The fields, for a manifest.

        Returns
        -------
        fields : dict
        """
        return asdict(self)


def mos_plane(mos: Tensor, like: Tensor) -> Tensor:
    """The MOS condition as a constant plane of ``like``'s batch and size.

    Parameters
    ----------
    mos : torch.Tensor
        ``(N,)`` MOS values on 0..1.
    like : torch.Tensor
        A ``(N, C, H, W)`` tensor.

    Returns
    -------
    plane : torch.Tensor
        ``(N, 1, H, W)``, each image's plane filled with its MOS.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import mos_plane
    >>> p = mos_plane(torch.tensor([0.2, 1.0]), torch.zeros(2, 1, 3, 3))
    >>> p.shape, float(p[1].min())
    (torch.Size([2, 1, 3, 3]), 1.0)
    """
    n, _, h, w = like.shape
    return mos.to(like.dtype).view(n, 1, 1, 1).expand(n, 1, h, w)


def spatial_attention(x: Tensor) -> Tensor:
    r"""Parameter-free spatial attention (Zagoruyko & Komodakis 2017) applied to ``x``.

    The attention map is :math:`a = \sigma(z)` with :math:`z` the map
    :math:`\sum_c A_c^2` standardised over each image's pixels; the result is ``x · a``.

    Parameters
    ----------
    x : torch.Tensor
        ``(N, C, H, W)`` features.

    Returns
    -------
    weighted : torch.Tensor
        ``x`` times its attention map (same shape).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import spatial_attention
    >>> x = torch.zeros(1, 2, 4, 4)
    >>> x[0, :, 0, 0] = 3.0
    >>> y = spatial_attention(x)
    >>> bool(y[0, 0, 0, 0] > 1.5), float(y[0, 0, 1, 1])
    (True, 0.0)
    """
    energy = x.pow(2).sum(1, keepdim=True)
    mean = energy.mean((2, 3), keepdim=True)
    std = energy.std((2, 3), keepdim=True)
    return x * torch.sigmoid((energy - mean) / (std + 1e-6))


def _conv(c_in: int, c_out: int, k: int, act: nn.Module) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(c_in, c_out, k, padding=k // 2), nn.BatchNorm2d(c_out), act)


class EncoderDecoder(nn.Module):
    """One channel of the dual-channel encoder–decoder: (source, MOS plane) → features, source.

    Parameters
    ----------
    width : int
        Channels of the first block (``width``, ``2·width``, ``4·width``).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import EncoderDecoder
    >>> net = EncoderDecoder(4)
    >>> feats, rec = net(torch.zeros(1, 1, 128, 128), torch.tensor([0.6]))
    >>> [tuple(f.shape[1:]) for f in feats], tuple(rec.shape)
    ([(4, 64, 64), (8, 32, 32), (16, 16, 16)], (1, 1, 128, 128))
    """

    def __init__(self, width: int) -> None:
        super().__init__()
        chans = (width, 2 * width, 4 * width)
        blocks = []
        c_in = 2
        for c in chans:
            act = nn.LeakyReLU(_SLOPE, inplace=True)
            blocks.append(nn.Sequential(_conv(c_in, c, 3, act), _conv(c, c, 3, act)))
            c_in = c
        self.blocks = nn.ModuleList(blocks)
        groups: list[nn.Module] = []
        # seven [deconvolution -> BN -> ReLU] groups, strides 1,2,1,2,1,2,1: 16 px -> 128 px
        plan = [
            (4 * width, 4 * width, 1),
            (4 * width, 2 * width, 2),
            (2 * width, 2 * width, 1),
            (2 * width, width, 2),
            (width, width, 1),
            (width, width, 2),
        ]
        for c_i, c_o, stride in plan:
            deconv = (
                nn.ConvTranspose2d(c_i, c_o, 4, stride=2, padding=1)
                if stride == 2
                else nn.ConvTranspose2d(c_i, c_o, 3, padding=1)
            )
            groups.append(nn.Sequential(deconv, nn.BatchNorm2d(c_o), nn.ReLU(inplace=True)))
        groups.append(nn.Sequential(nn.ConvTranspose2d(width, 1, 3, padding=1), nn.Sigmoid()))
        self.decoder = nn.Sequential(*groups)

    def forward(self, image: Tensor, mos: Tensor) -> tuple[list[Tensor], Tensor]:
        """Encode ``image`` under the condition ``mos`` and reconstruct it.

        Parameters
        ----------
        image : torch.Tensor
            ``(N, 1, 128, 128)`` on 0..1.
        mos : torch.Tensor
            ``(N,)`` on 0..1.

        Returns
        -------
        features : list of torch.Tensor
            ``F_i1, F_i2, F_i3`` (after pooling).
        reconstruction : torch.Tensor
            ``(N, 1, 128, 128)``.
        """
        x = torch.cat([image, mos_plane(mos, image)], 1)
        feats = []
        for block in self.blocks:
            x = F.max_pool2d(block(x), 2)
            feats.append(x)
        return feats, self.decoder(x)


class SAFB(nn.Module):
    """Self-attention fusion block (Eq. 3): SA → 1×1 conv → concat previous output → 3×3 conv.

    Parameters
    ----------
    c_in : int
        Channels of the concatenated inputs.
    c_prev : int
        Channels of the previous block's output (0 for the first block).
    c_out : int
        Output channels.
    attention : bool
        Apply :func:`spatial_attention` (False: the "w/o SA" ablation).
    down : bool
        Down path (LeakyReLU; the caller pools) or up path (ReLU).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import SAFB
    >>> block = SAFB(8, 0, 6, attention=True, down=True)
    >>> block(torch.zeros(1, 8, 16, 16), None).shape
    torch.Size([1, 6, 16, 16])
    """

    def __init__(self, c_in: int, c_prev: int, c_out: int, *, attention: bool, down: bool) -> None:
        super().__init__()
        self.attention = attention

        def act() -> nn.Module:
            return nn.LeakyReLU(_SLOPE, inplace=True) if down else nn.ReLU(inplace=True)

        self.adapt = _conv(c_in, c_out, 1, act())
        self.merge = _conv(c_out + c_prev, c_out, 3, act())

    def forward(self, inputs: Tensor, previous: Tensor | None) -> Tensor:
        """Fuse ``inputs`` (the concatenated features) with ``previous`` (or nothing).

        Parameters
        ----------
        inputs : torch.Tensor
            ``(N, c_in, H, W)``.
        previous : torch.Tensor or None
            ``(N, c_prev, H, W)``, None for the first block.

        Returns
        -------
        out : torch.Tensor
            ``(N, c_out, H, W)``.
        """
        x = spatial_attention(inputs) if self.attention else inputs
        x = self.adapt(x)
        if previous is not None:
            x = torch.cat([x, previous], 1)
        return self.merge(x)


class Generator(nn.Module):
    """G: the two encoders' features → the fused image of the conditioned quality.

    Parameters
    ----------
    width : int
        The encoders' first width.
    attention : bool
        Self-attention in the SA-FBs.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import Generator
    >>> g = Generator(4, True)
    >>> f1 = [torch.zeros(1, 4, 64, 64), torch.zeros(1, 8, 32, 32), torch.zeros(1, 16, 16, 16)]
    >>> g(f1, f1).shape
    torch.Size([1, 1, 128, 128])
    """

    def __init__(self, width: int, attention: bool) -> None:
        super().__init__()
        w = width
        chans = (w, 2 * w, 4 * w)
        self.down = nn.ModuleList(
            [
                SAFB(2 * chans[0], 0, chans[0], attention=attention, down=True),
                SAFB(2 * chans[1], chans[0], chans[1], attention=attention, down=True),
                SAFB(2 * chans[2], chans[1], chans[2], attention=attention, down=True),
            ]
        )
        # up path: 8 -> 16 -> 32 -> 64 -> 128, skips from the down path at 16, 32 and 64 px
        ups = [(chans[2], chans[2]), (chans[2], chans[1]), (chans[1], chans[0]), (chans[0], w)]
        skips = [chans[2], chans[1], chans[0], 0]
        self.upsample = nn.ModuleList(
            [nn.ConvTranspose2d(c_i, c_o, 4, stride=2, padding=1) for c_i, c_o in ups]
        )
        self.up = nn.ModuleList(
            [
                SAFB(c_o + s, c_o, c_o, attention=attention, down=False)
                for (_, c_o), s in zip(ups, skips, strict=True)
            ]
        )
        self.out = nn.Conv2d(w, 1, 1)

    def forward(self, f1: list[Tensor], f2: list[Tensor]) -> Tensor:
        """The generated fused image.

        Parameters
        ----------
        f1, f2 : list of torch.Tensor
            The encoder features of each modality (:class:`EncoderDecoder`).

        Returns
        -------
        fused : torch.Tensor
            ``(N, 1, 128, 128)`` on 0..1.
        """
        previous = None
        skips = []
        for j, block in enumerate(self.down):
            if previous is not None:
                previous = F.max_pool2d(previous, 2)
            previous = block(torch.cat([f1[j], f2[j]], 1), previous)
            skips.append(previous)
        x = F.max_pool2d(previous, 2)  # 8 px
        skip_for = [skips[2], skips[1], skips[0], None]
        for upsample, block, skip in zip(self.upsample, self.up, skip_for, strict=True):
            x = upsample(x)
            inputs = x if skip is None else torch.cat([x, skip], 1)
            x = block(inputs, x)
        return torch.sigmoid(self.out(x))


class Discriminator(nn.Module):
    """D: (fused, MI1, MI2, MOS plane) at 128×128 → a 6×6 map of real/fake scores.

    Parameters
    ----------
    width : int
        Channels of the first block (then ``2·width``, ``4·width``, ``4·width``).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import Discriminator
    >>> d = Discriminator(4)
    >>> x = torch.zeros(2, 1, 128, 128)
    >>> d(x, x, x, torch.tensor([0.2, 0.8])).shape
    torch.Size([2, 1, 6, 6])
    """

    def __init__(self, width: int) -> None:
        super().__init__()
        chans = (width, 2 * width, 4 * width, 4 * width)
        layers: list[nn.Module] = []
        c_in = 4
        for c in chans:
            layers += [
                nn.Conv2d(c_in, c, 3, stride=2, padding=1),
                nn.BatchNorm2d(c),
                nn.LeakyReLU(_SLOPE, inplace=True),
            ]
            c_in = c
        layers.append(nn.Conv2d(c_in, 1, 3))
        self.net = nn.Sequential(*layers)

    def forward(self, fused: Tensor, a: Tensor, b: Tensor, mos: Tensor) -> Tensor:
        """Patch scores of ``fused`` as a fusion of ``a`` and ``b`` of quality ``mos``.

        Parameters
        ----------
        fused, a, b : torch.Tensor
            ``(N, 1, 128, 128)``.
        mos : torch.Tensor
            ``(N,)``.

        Returns
        -------
        scores : torch.Tensor
            ``(N, 1, 6, 6)``.
        """
        return self.net(torch.cat([fused, a, b, mos_plane(mos, fused)], 1))


class QualityCGAN(nn.Module):
    """The whole model: two encoder–decoders, G and D.

    Parameters
    ----------
    config : CGANConfig, optional
        The architecture (default :class:`CGANConfig`).

    Examples
    --------
    >>> import torch
    >>> from brainfuse.quality.network import CGANConfig, QualityCGAN
    >>> model = QualityCGAN(CGANConfig(width=4))
    >>> x = torch.rand(2, 1, 128, 128)
    >>> fake, rec_a, rec_b = model.generate(x, x, torch.tensor([0.4, 1.0]))
    >>> fake.shape, rec_a.shape
    (torch.Size([2, 1, 128, 128]), torch.Size([2, 1, 128, 128]))
    """

    def __init__(self, config: CGANConfig | None = None) -> None:
        super().__init__()
        self.config = config or CGANConfig()
        w = self.config.width
        self.encoder_a = EncoderDecoder(w)
        self.encoder_b = EncoderDecoder(w)
        self.generator = Generator(w, self.config.attention)
        self.discriminator = Discriminator(w)

    def generator_parameters(self) -> list[nn.Parameter]:
        """Parameters updated by the generator step (both encoder–decoders and G).

        Returns
        -------
        params : list of torch.nn.Parameter
        """
        return [
            *self.encoder_a.parameters(),
            *self.encoder_b.parameters(),
            *self.generator.parameters(),
        ]

    def generate(self, a: Tensor, b: Tensor, mos: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """G(a, b | mos) and the two reconstructions.

        Parameters
        ----------
        a, b : torch.Tensor
            ``(N, 1, 128, 128)`` sources on 0..1.
        mos : torch.Tensor
            ``(N,)`` conditions on 0..1.

        Returns
        -------
        fake, rec_a, rec_b : torch.Tensor
            Each ``(N, 1, 128, 128)``.
        """
        fa, rec_a = self.encoder_a(a, mos)
        fb, rec_b = self.encoder_b(b, mos)
        return self.generator(fa, fb), rec_a, rec_b


def generator_losses(
    model: QualityCGAN, a: Tensor, b: Tensor, fused: Tensor, mos: Tensor
) -> tuple[Tensor, dict[str, Tensor], Tensor]:
    """The objective of the generator step: ``LSGAN_G + α·L_fusion + β·L_ED``.

    Parameters
    ----------
    model : QualityCGAN
        The model.
    a, b, fused : torch.Tensor
        ``(N, 1, 128, 128)``: the sources and the real fused image of quality ``mos``.
    mos : torch.Tensor
        ``(N,)`` on 0..1.

    Returns
    -------
    loss : torch.Tensor
        The scalar to minimise.
    terms : dict of str to torch.Tensor
        ``adv`` (``MSE(D(G), 1)``), ``fusion`` (L1), ``ed`` (mean absolute reconstruction error
        of both sources), all detached.
    fake : torch.Tensor
        The generated images (not detached), for the discriminator step.
    """
    cfg = model.config
    fake, rec_a, rec_b = model.generate(a, b, mos)
    pred = model.discriminator(fake, a, b, mos)
    adv = F.mse_loss(pred, torch.ones_like(pred))
    fusion = F.l1_loss(fake, fused)
    ed = F.l1_loss(rec_a, a) + F.l1_loss(rec_b, b)
    loss = adv + cfg.alpha * fusion + cfg.beta * ed
    terms = {"adv": adv.detach(), "fusion": fusion.detach(), "ed": ed.detach()}
    return loss, terms, fake


def discriminator_loss(
    model: QualityCGAN, a: Tensor, b: Tensor, fused: Tensor, fake: Tensor, mos: Tensor
) -> Tensor:
    """LSGAN loss of D: ``½[MSE(D(real), 1) + MSE(D(fake), 0)]``.

    Parameters
    ----------
    model : QualityCGAN
        The model.
    a, b, fused : torch.Tensor
        The sources and the real fused image.
    fake : torch.Tensor
        G's output (detached here).
    mos : torch.Tensor
        The condition.

    Returns
    -------
    loss : torch.Tensor
        A scalar.
    """
    real = model.discriminator(fused, a, b, mos)
    gen = model.discriminator(fake.detach(), a, b, mos)
    return 0.5 * (F.mse_loss(real, torch.ones_like(real)) + F.mse_loss(gen, torch.zeros_like(gen)))
