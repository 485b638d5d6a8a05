"""MRI-PET fusion weighted by the first-layer features of an ImageNet VGG19.

Amini & Mostaar 2022, "Deep learning approach for fusion of magnetic resonance imaging-positron
emission tomography image based on extract image features using pretrained network (VGG19)",
J. Med. Signals Sens. 12(1):25-31, doi:10.4103/jmss.JMSS_80_20.

Steps of the paper and how they are realised here:

1. The colour PET is converted to HSI and only its intensity ``I`` is fused (the colour path of
   :func:`brainfuse.fusion.learned.vgg19` uses :func:`brainfuse.color.fuse_luminance` with
   ``space="hsi"``); a grey functional image or CT is used as it is.
2. Each image goes through the first convolution layer of VGG19 (``conv1_1``: 64 filters of
   3×3×3, stride 1, padding 1). The grey image is repeated on the three colour channels, scaled
   to 0..1 and normalised with the ImageNet mean and standard deviation of torchvision's
   weights; the output is taken before the ReLU (the layer's own response).
3. Only the first three of the 64 feature maps are kept; each is normalised to [0, 1] by its
   minimum and maximum over the image.
4. ``F = A·MRI + B·PET + W_MRI·MRI + W_PET·PET`` with A = 0.3 and B = 0.1 (Eq. 1), where the
   paper's three-channel weights act on the three channels of the image and the fused intensity
   is their mean (HSI intensity = (R + G + B)/3); this equals Eq. 1 with ``W`` the mean of the
   three normalised maps, which is what :func:`fuse` computes. No clipping (the paper has none;
   the colour path clips to 0..255 after the inverse HSI transform).

The pretrained weights cannot be downloaded by BrainFuse. Any file with torchvision's ``vgg19``
layout works (``features.0.weight`` of shape (64, 3, 3, 3) and ``features.0.bias``), looked
for in this order: the ``weights`` argument, the environment variable
``BRAINFUSE_VGG19_WEIGHTS``, then torch's hub cache
(``$TORCH_HOME/hub/checkpoints/vgg19-dcbb9e9d.pth``, where ``torchvision.models.vgg19(weights=
"IMAGENET1K_V1")`` stores it). Only ``conv1_1`` is read; the layer is built here, without
torchvision.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import InputError

__all__ = [
    "ENV_VAR",
    "HUB_FILENAME",
    "find_checkpoint",
    "first_layer_weights",
    "fuse",
    "load_conv1_1",
]

ENV_VAR = "BRAINFUSE_VGG19_WEIGHTS"
#: File name of torchvision's ImageNet VGG19 weights (``VGG19_Weights.IMAGENET1K_V1``).
HUB_FILENAME = "vgg19-dcbb9e9d.pth"
_URL = "https://download.pytorch.org/models/" + HUB_FILENAME

_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


def _hub_file() -> Path:
    return Path(torch.hub.get_dir()) / "checkpoints" / HUB_FILENAME


def find_checkpoint(weights: str | os.PathLike[str] | None = None) -> Path:
    """The VGG19 checkpoint to use.

    Parameters
    ----------
    weights : str or os.PathLike, optional
        A file; else ``$BRAINFUSE_VGG19_WEIGHTS``, else the torch hub cache.

    Returns
    -------
    path : pathlib.Path

    Raises
    ------
    InputError
        Saying where to put the file when none exists.
    """
    for given, origin in ((weights, "weights"), (os.environ.get(ENV_VAR), ENV_VAR)):
        if given:
            path = Path(given)
            if not path.is_file():
                raise InputError(path, f"VGG19 weights file not found (given by {origin})")
            return path
    hub = _hub_file()
    if hub.is_file():
        return hub
    raise InputError(
        None,
        f"VGG19 weights not found: BrainFuse cannot download them. Put torchvision's ImageNet "
        f"VGG19 checkpoint ({_URL}) at {hub}, or set {ENV_VAR}=/path/to/{HUB_FILENAME}, "
        f"or pass -p weights=/path/to/{HUB_FILENAME}",
    )


@lru_cache(maxsize=2)
def _conv1_1(path: str, mtime_ns: int) -> tuple[torch.Tensor, torch.Tensor]:
    try:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        except RuntimeError:  # legacy (non-zip) checkpoints cannot be memory-mapped
            state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InputError(path, f"not a PyTorch checkpoint ({exc})") from None
    if isinstance(state, dict) and "state_dict" in state:
        state = state["state_dict"]
    w = state.get("features.0.weight") if isinstance(state, dict) else None
    b = state.get("features.0.bias") if isinstance(state, dict) else None
    if w is None or b is None or tuple(w.shape) != (64, 3, 3, 3) or tuple(b.shape) != (64,):
        raise InputError(
            path,
            "not a torchvision vgg19 checkpoint: needs features.0.weight (64, 3, 3, 3) and "
            "features.0.bias (64,)",
        )
    return w.detach().float().clone(), b.detach().float().clone()


def load_conv1_1(
    weights: str | os.PathLike[str] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights and bias of VGG19's first convolution (cached per file).

    Parameters
    ----------
    weights : str or os.PathLike, optional
        As :func:`find_checkpoint`.

    Returns
    -------
    weight : torch.Tensor
        ``(64, 3, 3, 3)``.
    bias : torch.Tensor
        ``(64,)``.

    Raises
    ------
    InputError
        If no checkpoint is found, or it is not a PyTorch checkpoint with torchvision's ``vgg19``
        layout.
    """
    path = find_checkpoint(weights)
    return _conv1_1(str(path), path.stat().st_mtime_ns)


def first_layer_weights(
    grey: np.ndarray, weights: str | os.PathLike[str] | None = None
) -> np.ndarray:
    """The weight map W of Eq. 1 of Amini & Mostaar [1]_ for one grey image.

    Parameters
    ----------
    grey : numpy.ndarray
        A 2D image on 0..255.
    weights : str or os.PathLike, optional
        As :func:`find_checkpoint`.

    Returns
    -------
    w : numpy.ndarray
        float32, 2D: the mean of the first three ``conv1_1`` feature maps, each min–max
        normalised to [0, 1] (a constant map gives 0).

    Raises
    ------
    InputError
        If no VGG19 checkpoint is found or it cannot be read.

    References
    ----------
    .. [1] S. Amini and P. Mostaar, "Deep learning approach for fusion of magnetic resonance
       imaging-positron emission tomography image based on extract image features using
       pretrained network (VGG19)", J. Med. Signals Sens. 12(1):25-31, 2022.
       doi:10.4103/jmss.JMSS_80_20
    """
    w, b = load_conv1_1(weights)
    x = torch.from_numpy(np.asarray(grey, dtype=np.float32) / np.float32(255.0))
    mean = torch.tensor(_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(_STD).view(1, 3, 1, 1)
    rgb = (x.expand(1, 3, *x.shape) - mean) / std
    with torch.inference_mode():
        maps = F.conv2d(rgb, w[:3], b[:3], padding=1)[0]
    lo = maps.amin(dim=(1, 2), keepdim=True)
    hi = maps.amax(dim=(1, 2), keepdim=True)
    span = hi - lo
    norm = torch.where(span > 0, (maps - lo) / torch.where(span > 0, span, 1.0), 0.0)
    return norm.mean(dim=0).numpy().astype(np.float32)


def fuse(
    a: np.ndarray,
    b: np.ndarray,
    *,
    weights: str | os.PathLike[str] | None = None,
    const_a: float = 0.3,
    const_b: float = 0.1,
) -> np.ndarray:
    r"""Eq. 1 of Amini & Mostaar [1]_ on a grey 2D pair (0..255).

    Parameters
    ----------
    a : numpy.ndarray
        The MRI, 2D, on 0..255.
    b : numpy.ndarray
        The PET intensity (or a grey functional image), ``a``'s shape, on 0..255.
    weights : str or os.PathLike, optional
        As :func:`find_checkpoint`.
    const_a : float, optional
        The constant A (default 0.3, the paper's).
    const_b : float, optional
        The constant B (default 0.1, the paper's).

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, not clipped.

    Raises
    ------
    InputError
        If no VGG19 checkpoint is found or it cannot be read.

    Notes
    -----
    With :math:`W_a, W_b` from :func:`first_layer_weights`,

    .. math:: F = A \cdot a + B \cdot b + W_a \cdot a + W_b \cdot b.

    References
    ----------
    .. [1] S. Amini and P. Mostaar, "Deep learning approach for fusion of magnetic resonance
       imaging-positron emission tomography image based on extract image features using
       pretrained network (VGG19)", J. Med. Signals Sens. 12(1):25-31, 2022.
       doi:10.4103/jmss.JMSS_80_20
    """
    wa = first_layer_weights(a, weights)
    wb = first_layer_weights(b, weights)
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    out = np.float32(const_a) * a + np.float32(const_b) * b + wa * a + wb * b
    return out.astype(np.float32, copy=False)
