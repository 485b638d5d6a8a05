"""DRBIF: disentangled-representation brain image fusion with a complementary group lasso.

Wang A. et al. 2022, "A Disentangled Representation Based Brain Image Fusion via Group Lasso
Penalty", Frontiers in Neuroscience 16:937861, doi:10.3389/fnins.2022.937861 (Research Topic
"Multimodal brain image fusion: methods, evaluations, and applications").

Each source ``I*`` is split into complementary features ``C* = EnC*(I*)`` (an encoder per
modality) and redundant features ``R* = EnR(I*)`` (one encoder shared by both modalities); one
shared decoder ``DeS`` maps features back to an image (Eq. 2-5). Table 1: every encoder is
three 3×3 convolutions ``1 → w → w → 2w`` with ReLU, the last two followed by batch
normalisation (conv → ReLU → BN, as the text words it); the decoder is ``2w → w → w → 1``,
ReLU + BN after the first two, sigmoid after the last. The paper has ``w = 64``.

Training (Eq. 6-14), on sources ``I1`` (MRI) and ``I2`` (CT, PET or SPECT) in [0, 1]:

- reconstructions ``Ĩ1 = DeS(C1 + R1)``, ``Ĩ2 = DeS(C2 + R2)`` and the cross terms
  ``Ĩ12 = DeS(C1 + R2)`` (should look like I1), ``Ĩ21 = DeS(C2 + R1)``;
- ``L_rec = λ_SSIM·Σ(1 − SSIM) + Σ MSE`` over the four (I, Ĩ) pairs, λ_SSIM = 1000;
- ``L_r = mean|DeS(R1) − DeS(R2)|``, λ_r = 10;
- ``L_c = mean over pixels of ω1‖C1‖₂ + ω2‖C2‖₂`` (complementary group lasso, one group
  per pixel), λ_c = 10, with ``ω1 = sigmoid(k(φ2 − φ1))``, ``ω2 = 1 − ω1``, ``k = 1/r²``,
  ``r`` the cosine similarity of C1 and C2 at the pixel and ``φ*`` the 3×3 mean of the
  per-pixel ℓ1 norm ``‖C*‖₁`` — see :func:`group_lasso_weights`.

Fusion (Eq. 15-19): ``Cf`` by ``add`` (C1 + C2), ``max`` (element-wise maximum) or ``l1``
(``µ1 C1 + µ2 C2`` with ``µ1 = A1/(A1 + A2)``, ``A* = ‖C*‖₁`` per pixel), ``Rf = (R1 + R2)/2``
and ``If = DeS(Cf + Rf)``.

Choices where the paper is silent, and deviations:

- The sign of Eq. 10: as printed, ``ω1 = 1/(1 + exp(k(φ2 − φ1)))`` gives ω1 → 1 when C1 is the
  more important feature, the opposite of the text ("ω1 tends to become zero": the less
  important feature is penalised and pushed out of the complementary maps). The default
  follows the text; ``printed_sign=True`` keeps the printed formula.
- ω is computed without gradient (the penalty weights of a group lasso are given, not
  optimised); ``r²`` is kept at least 1e-4 so that ``k`` stays finite; ``φ`` uses 3×3 means
  with the border replicated; L_c and the MSE terms are means over pixels (the paper sums over
  positions, which with λ_c = 10 would outweigh the reconstruction by four orders of magnitude
  on 120×120 crops); the MSE is the mean squared error (the paper prints ‖·‖₂ under the name
  MSE).
- ``w = 16`` in the shipped weights (the paper's ``w = 64`` costs 36 GMAC per 256×256 pair,
  about a second on a CPU core; ``w = 16`` costs 2.3 GMAC); the encoder shared by both
  modalities runs on both images in one batch, so during training its batch statistics pool
  the two modalities.
- VGG-19 initialisation (the paper initialises the three encoders with VGG-19's first three
  convolutions) is optional: :func:`init_encoders_from_vgg19` reads a torchvision ``vgg19``
  checkpoint the user supplies (nothing is downloaded); conv1_1's RGB kernels are summed to
  one grey input channel (exact for a grey image repeated on R, G and B), and a network
  narrower than 64 takes the first ``w`` (``2w``) filters.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from ..errors import InputError
from ..registry import param
from .inference import trained_networks
from .layers import run_pair
from .losses import DRBIFLoss
from .shipped import initialise_from, shipped_name
from .train import ModelSpec, TrainConfig, load_torch_dict

__all__ = [
    "DRBIF",
    "FUSION_RULES",
    "REFERENCE",
    "SPEC",
    "fuse",
    "fuse_complementary",
    "init_encoders_from_vgg19",
    "load",
]

REFERENCE = (
    "Wang A. et al. 2022, Front. Neurosci. 16 (DRBIF, disentangled representation based brain "
    "image fusion via group lasso penalty)"
)

#: Rules for the complementary features at fusion time (Eq. 15-18).
FUSION_RULES = ("add", "max", "l1")

_EPS = 1e-8


def _block(c_in: int, c_out: int, *, norm: bool) -> nn.Sequential:
    # conv → ReLU → BN (Table 1; "with ReLU activation ... each followed by a BN layer")
    layers: list[nn.Module] = [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(inplace=True)]
    if norm:
        layers.append(nn.BatchNorm2d(c_out))
    return nn.Sequential(*layers)


def _encoder(width: int) -> nn.Sequential:
    return nn.Sequential(
        _block(1, width, norm=False),
        _block(width, width, norm=True),
        _block(width, 2 * width, norm=True),
    )


class DRBIF(nn.Module):
    """The DRBIF encoders and decoder (Table 1 of Wang A. et al. [1]_) with ``w = width``.

    ``encode(i1, i2)`` → ``(C1, C2, R1, R2)``; ``decode(features)`` → image in (0, 1);
    ``forward(i1, i2, rule)`` → the fused image :math:`DeS(C_f + R_f)`. All tensors
    ``(N, ·, H, W)``; any size (``multiple = 1``: no down-sampling).

    Parameters
    ----------
    width : int, optional
        w (default 16: the shipped weights; paper: 64).

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022. doi:10.3389/fnins.2022.937861

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.drbif import DRBIF
    >>> net = DRBIF(4)
    >>> [c.shape[1] for c in net.encode(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8))]
    [8, 8, 8, 8]
    >>> net(torch.zeros(1, 1, 8, 8), torch.zeros(1, 1, 8, 8)).shape
    torch.Size([1, 1, 8, 8])
    """

    multiple = 1

    def __init__(self, width: int = 16) -> None:
        super().__init__()
        self.width = width
        self.enc_c1 = _encoder(width)
        self.enc_c2 = _encoder(width)
        self.enc_r = _encoder(width)
        self.dec = nn.Sequential(
            _block(2 * width, width, norm=True),
            _block(width, width, norm=True),
            nn.Conv2d(width, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def encode(self, i1: Tensor, i2: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """Complementary ``C1, C2`` and redundant ``R1, R2`` features.

        Parameters
        ----------
        i1, i2 : torch.Tensor
            The two image batches, ``(N, 1, H, W)`` on 0..1.

        Returns
        -------
        c1, c2, r1, r2 : torch.Tensor
            ``(N, 2w, H, W)`` each.
        """
        r1, r2 = self.enc_r(torch.cat([i1, i2], dim=0)).chunk(2, dim=0)
        return self.enc_c1(i1), self.enc_c2(i2), r1, r2

    def decode(self, features: Tensor) -> Tensor:
        """The shared decoder DeS: features → image.

        Parameters
        ----------
        features : torch.Tensor
            ``(N, 2w, H, W)``.

        Returns
        -------
        image : torch.Tensor
            ``(N, 1, H, W)`` in (0, 1).
        """
        return self.dec(features)

    def forward(self, i1: Tensor, i2: Tensor, rule: str = "add") -> Tensor:
        """Fuse a batch of pairs: :math:`DeS(C_f + (R_1 + R_2)/2)`.

        Parameters
        ----------
        i1, i2 : torch.Tensor
            The two image batches, ``(N, 1, H, W)`` on 0..1.
        rule : {"add", "max", "l1"}, optional
            The rule of :func:`fuse_complementary` (default ``"add"``).

        Returns
        -------
        fused : torch.Tensor
            ``(N, 1, H, W)`` in (0, 1).
        """
        c1, c2, r1, r2 = self.encode(i1, i2)
        return self.decode(fuse_complementary(c1, c2, rule) + 0.5 * (r1 + r2))

    @classmethod
    def from_state_dict(cls, state: Mapping[str, Tensor]) -> DRBIF:
        """A network with the width found in ``state``, its weights loaded, in eval mode.

        Parameters
        ----------
        state : mapping of str to torch.Tensor
            A ``state_dict`` of this network (e.g. from
            :func:`brainfuse.models.pretrained.load_state_dict`).

        Returns
        -------
        net : DRBIF
            In eval mode.
        """
        net = cls(width=int(state["enc_r.0.0.weight"].shape[0]))
        net.load_state_dict(state)
        return net.eval()


def fuse_complementary(c1: Tensor, c2: Tensor, rule: str = "add") -> Tensor:
    r"""The fused complementary features :math:`C_f` from :math:`C_1, C_2` (Eq. 15-18).

    Parameters
    ----------
    c1, c2 : torch.Tensor
        Complementary features, ``(N, C, H, W)``.
    rule : {"add", "max", "l1"}, optional
        ``add`` (Eq. 15, default), ``max`` (Eq. 16, element-wise) or ``l1`` (Eq. 17-18).

    Returns
    -------
    cf : torch.Tensor
        ``c1``'s shape.

    Raises
    ------
    InputError
        If ``rule`` is none of the three.

    Notes
    -----
    ``l1``: with the activity :math:`A_k = \|C_k(x, y)\|_1` over the channels,
    :math:`\mu_1 = A_1/(A_1 + A_2)`, :math:`\mu_2 = 1 - \mu_1` and
    :math:`C_f = \mu_1 C_1 + \mu_2 C_2`; where both activities are 0 the weights are 1/2.

    References
    ----------
    .. [1] A. Wang et al., "A disentangled representation based brain image fusion via group
       lasso penalty", Frontiers in Neuroscience 16:937861, 2022. doi:10.3389/fnins.2022.937861

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.drbif import fuse_complementary
    >>> c1 = torch.tensor([1.0, 0.0]).reshape(1, 2, 1, 1)
    >>> c2 = torch.tensor([0.0, 3.0]).reshape(1, 2, 1, 1)
    >>> fuse_complementary(c1, c2, "add").flatten(), fuse_complementary(c1, c2, "l1").flatten()
    (tensor([1., 3.]), tensor([0.2500, 2.2500]))
    """
    if rule == "add":
        return c1 + c2
    if rule == "max":
        return torch.maximum(c1, c2)
    if rule == "l1":
        a1 = c1.abs().sum(dim=1, keepdim=True)
        a2 = c2.abs().sum(dim=1, keepdim=True)
        total = a1 + a2
        mu1 = torch.where(total > 0, a1 / total.clamp(min=_EPS), torch.full_like(a1, 0.5))
        return mu1 * c1 + (1.0 - mu1) * c2
    raise InputError(None, f"unknown DRBIF fusion rule '{rule}'; valid: {', '.join(FUSION_RULES)}")


#: torchvision ``vgg19`` state_dict keys of conv1_1, conv1_2 and conv2_1.
_VGG19_CONVS = ("features.0", "features.2", "features.5")


def init_encoders_from_vgg19(model: DRBIF, checkpoint: str | Path) -> None:
    """Initialise EnC1, EnC2 and EnR with VGG-19's conv1_1, conv1_2 and conv2_1.

    conv1_1's kernels are summed over R, G, B (one grey input); with w < 64 the first w
    (conv1_1, conv1_2) and 2w (conv2_1) filters are used.

    Parameters
    ----------
    model : DRBIF
        The network, changed in place.
    checkpoint : str or pathlib.Path
        torchvision's ``vgg19`` ``state_dict`` file (e.g. ``vgg19-dcbb9e9d.pth``), supplied by the
        user.

    Raises
    ------
    InputError
        For a missing or unreadable file, one without those layers, or a width above 64.
    """
    path = Path(checkpoint)
    if not path.is_file():
        raise InputError(path, "VGG-19 checkpoint not found (torchvision vgg19 state_dict)")
    state = load_torch_dict(path, "PyTorch checkpoint")
    expected = {"features.0": (64, 3), "features.2": (64, 64), "features.5": (128, 64)}
    for key, (c_out, c_in) in expected.items():
        w = state.get(f"{key}.weight")
        if not isinstance(w, Tensor) or tuple(w.shape) != (c_out, c_in, 3, 3):
            raise InputError(path, f"no VGG-19 layer {key}.weight of shape {(c_out, c_in, 3, 3)}")
        if not isinstance(state.get(f"{key}.bias"), Tensor):
            raise InputError(path, f"no VGG-19 layer {key}.bias")
    width = model.width
    if width > 64:
        raise InputError(path, f"VGG-19 initialisation needs width ≤ 64, got {width}")
    shapes = ((width, None), (width, width), (2 * width, width))
    with torch.no_grad():
        for enc in (model.enc_c1, model.enc_c2, model.enc_r):
            for block, key, (c_out, c_in) in zip(enc, _VGG19_CONVS, shapes, strict=True):
                w = state[f"{key}.weight"]
                w = w[:c_out].sum(dim=1, keepdim=True) if c_in is None else w[:c_out, :c_in]
                block[0].weight.copy_(w)
                block[0].bias.copy_(state[f"{key}.bias"][:c_out])


def _make(
    width: int = 16,
    lambda_ssim: float = 1000.0,
    lambda_r: float = 10.0,
    lambda_c: float = 10.0,
    sign: str = "prose",
    vgg19: str = "",
    init: str = "",
):
    if sign not in ("prose", "printed"):
        raise InputError(None, f"DRBIF sign must be 'prose' or 'printed', got {sign!r}")

    def build() -> DRBIF:
        net = DRBIF(width)
        if vgg19:
            init_encoders_from_vgg19(net, vgg19)
        if init:
            initialise_from(net, init)
        return net

    return build, DRBIFLoss(lambda_ssim, lambda_r, lambda_c, printed_sign=sign == "printed")


SPEC = ModelSpec(
    name="drbif",
    make=_make,
    params={
        "width": (16, "channels w of Table 1's layers (w → w → 2w; the paper has 64)"),
        "lambda_ssim": (1000.0, "λ_SSIM of the reconstruction loss"),
        "lambda_r": (10.0, "λ_r of the redundant consistency loss"),
        "lambda_c": (10.0, "λ_c of the complementary group lasso"),
        "sign": (
            "prose",
            param(
                "ω of Eq. 10: 'prose' (penalise the less important feature) or 'printed'",
                choices=("prose", "printed"),
            ),
        ),
        "vgg19": ("", "torchvision vgg19 state_dict to initialise the encoders ('' = random)"),
        "init": ("", "weights to start from, e.g. the CT model for PET/SPECT ('' = random)"),
    },
    # batch 8, learning rate 1e-4 (§4.1: 120×120 crops; no schedule is given)
    config=TrainConfig(
        steps=1500, batch_size=8, patch=96, lr=1e-4, lr_final=1.0, seed=0, threads=1
    ),
    reference=REFERENCE,
    files=("vgg19", "init"),
    pairsets=("CT-MRI",),
)


def load(modality: str = "auto", weights: str | Path | None = None) -> DRBIF:
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
    net : DRBIF
        In eval mode.

    Raises
    ------
    InputError
        If the modality is unknown, or the weights file is missing or its hash differs from its
        manifest.
    """
    return trained_networks(DRBIF, shipped_name("drbif", modality, weights), weights)[0]


class _Fusion(nn.Module):
    def __init__(self, net: DRBIF, rule: str) -> None:
        super().__init__()
        self.net, self.rule = net, rule

    def forward(self, i1: Tensor, i2: Tensor) -> Tensor:
        return self.net(i1, i2, self.rule)


def fuse(
    a: np.ndarray,
    b: np.ndarray,
    *,
    modality: str = "auto",
    weights: str | Path | None = None,
    rule: str = "add",
    zero_background: bool = True,
) -> np.ndarray:
    """Fuse a grey 2D pair with DRBIF.

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
    rule : {"add", "max", "l1"}, optional
        Fusion of the complementary features (:func:`fuse_complementary`; default ``"add"``);
        the redundant ones are averaged.
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
    >>> from brainfuse.models.drbif import fuse
    >>> a = np.zeros((16, 16), np.float32); a[4:12, 4:12] = 120
    >>> f = fuse(a, np.zeros((16, 16), np.float32))
    >>> f.shape, f.dtype, float(f[0, 0])
    ((16, 16), dtype('float32'), 0.0)
    """
    if rule not in FUSION_RULES:
        raise InputError(
            None, f"unknown DRBIF fusion rule '{rule}'; valid: {', '.join(FUSION_RULES)}"
        )
    net = trained_networks(DRBIF, shipped_name("drbif", modality, weights), weights)[1]
    out = np.clip(run_pair(_Fusion(net, rule), a, b), 0.0, 1.0) * np.float32(255.0)
    if zero_background:
        out[(a == 0) & (b == 0)] = 0.0
    return out.astype(np.float32, copy=False)
