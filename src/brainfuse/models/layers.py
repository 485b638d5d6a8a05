"""Building blocks shared by the fusion networks, and CPU inference helpers."""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = ["conv_block", "fold_batchnorm", "run_pair"]


def conv_block(
    c_in: int,
    c_out: int,
    kernel: int,
    *,
    act: nn.Module | None = None,
    groups: int = 1,
) -> nn.Sequential:
    """Convolution ('same' zero padding, stride 1) → batch norm → activation.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels.
    kernel : int
        The kernel side (odd).
    act : torch.nn.Module, optional
        The activation (default ``nn.ReLU(inplace=True)``).
    groups : int, optional
        Convolution groups (``c_in`` for a depthwise convolution; default 1).

    Returns
    -------
    block : torch.nn.Sequential

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.layers import conv_block
    >>> block = conv_block(1, 4, 3)
    >>> [type(m).__name__ for m in block], block(torch.zeros(2, 1, 5, 5)).shape
    (['Conv2d', 'BatchNorm2d', 'ReLU'], torch.Size([2, 4, 5, 5]))
    """
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, groups=groups),
        nn.BatchNorm2d(c_out),
        act if act is not None else nn.ReLU(inplace=True),
    )


def fold_batchnorm(model: nn.Module) -> nn.Module:
    r"""A copy of an eval-mode ``model`` with each Conv2d → BatchNorm2d pair folded into one conv.

    Only pairs inside an ``nn.Sequential`` are folded; the batch norm becomes ``nn.Identity``.
    Saves the batch-norm pass at inference; the result differs from the unfolded network only by
    float rounding.

    Parameters
    ----------
    model : torch.nn.Module
        A network in eval mode (its running statistics are used).

    Returns
    -------
    folded : torch.nn.Module
        A new network; ``model`` is unchanged.

    Notes
    -----
    With running mean μ, variance σ², scale γ, shift β and ε, the folded convolution has

    .. math:: w' = w \frac{\gamma}{\sqrt{\sigma^2 + \epsilon}}, \quad
              b' = (b - \mu) \frac{\gamma}{\sqrt{\sigma^2 + \epsilon}} + \beta.

    Examples
    --------
    >>> import torch
    >>> from brainfuse.models.layers import conv_block, fold_batchnorm
    >>> block = conv_block(1, 2, 3).eval()
    >>> folded = fold_batchnorm(block)
    >>> x = torch.rand(1, 1, 5, 5)
    >>> [type(m).__name__ for m in folded], bool(torch.allclose(folded(x), block(x), atol=1e-6))
    (['Conv2d', 'Identity', 'ReLU'], True)
    """
    folded = copy.deepcopy(model).eval()
    for seq in folded.modules():
        if not isinstance(seq, nn.Sequential):
            continue
        items = list(seq)
        for i in range(len(items) - 1):
            conv, bn = items[i], items[i + 1]
            if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
                continue
            scale = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
            bias = conv.bias.detach() if conv.bias is not None else torch.zeros_like(scale)
            new = nn.Conv2d(
                conv.in_channels,
                conv.out_channels,
                conv.kernel_size,
                stride=conv.stride,
                padding=conv.padding,
                dilation=conv.dilation,
                groups=conv.groups,
                bias=True,
                padding_mode=conv.padding_mode,
            )
            with torch.no_grad():
                new.weight.copy_(conv.weight.detach() * scale.view(-1, 1, 1, 1))
                new.bias.copy_((bias - bn.running_mean) * scale + bn.bias.detach())
            seq[i] = new
            seq[i + 1] = nn.Identity()
    return folded


def run_pair(
    net: nn.Module,
    a: np.ndarray,
    b: np.ndarray,
    *,
    multiple: int = 1,
) -> np.ndarray:
    """Run a two-input network on one grey pair of any size; return its raw 2D output.

    The images are scaled to 0..1, padded with zeros at the bottom and right to the next multiple
    of ``multiple``, passed through ``net`` under ``torch.inference_mode`` and the output is
    cropped back to the input size.

    Parameters
    ----------
    net : torch.nn.Module
        A network called as ``net(a, b)`` on ``(1, 1, H, W)`` tensors.
    a, b : numpy.ndarray
        2D arrays on the 0..255 scale, one shape.
    multiple : int, optional
        The network's down-sampling factor (default 1).

    Returns
    -------
    output : numpy.ndarray
        float32, ``a``'s shape, on the network's scale (0..1 for these networks), unclipped.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from brainfuse.models.layers import run_pair
    >>> class Mean(torch.nn.Module):
    ...     def forward(self, a, b):
    ...         return (a + b) / 2
    >>> run_pair(Mean(), np.full((3, 5), 255.0), np.zeros((3, 5)), multiple=4)[0, :2]
    array([0.5, 0.5], dtype=float32)
    """
    h, w = a.shape
    ph, pw = (-h) % multiple, (-w) % multiple

    def prep(x: np.ndarray) -> Tensor:
        t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32) / np.float32(255.0))
        t = t.view(1, 1, h, w)
        return F.pad(t, (0, pw, 0, ph)) if ph or pw else t

    with torch.inference_mode():
        out = net(prep(a), prep(b))
    return out[0, 0, :h, :w].numpy().astype(np.float32, copy=True)
