"""CPU inference with trained fusion networks: cached loading, any image size, clean output."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from torch import Tensor, nn

from .layers import fold_batchnorm, run_pair
from .pretrained import load_state_dict, weights_path

__all__ = ["TrainedNetwork", "fuse_trained", "trained_networks"]


class TrainedNetwork(Protocol):
    """The shape of a network class that rebuilds itself from a ``state_dict``.

    Attributes
    ----------
    multiple : int
        Its inputs' height and width must be multiples of this (4 for MdAFuse, else 1).
    """

    multiple: int

    @classmethod
    def from_state_dict(cls, state: dict[str, Tensor]) -> nn.Module:
        """A network of the shape the state describes, its weights loaded, in eval mode.

        Parameters
        ----------
        state : dict of str to torch.Tensor
            A ``state_dict``.

        Returns
        -------
        net : torch.nn.Module
        """
        ...


#: glibc's largest dynamic mmap threshold is 32 MiB (``DEFAULT_MMAP_THRESHOLD_MAX``).
_SETTLE_BYTES = 31 << 20


@lru_cache(maxsize=1)
def _settle_allocator() -> None:
    """Let glibc's malloc keep the memory a forward pass frees, as it adapts to on its own.

    A forward pass allocates and frees tens of MB of activations. glibc serves blocks above its
    mmap threshold (128 KiB at start) by ``mmap`` and returns the top of the heap to the system
    once more than the trim threshold (twice the mmap threshold) is free, so in a fresh process
    every pass touched fresh pages again: about 7 000 page faults, 15-20 ms of a 50 ms
    FunFuseAn call on one core. glibc raises both thresholds itself when a block above the
    mmap threshold (up to 32 MiB) is freed (mallopt(3), "M_MMAP_THRESHOLD": dynamic
    adjustment); freeing one 31 MiB block does that once, as any process handling a volume
    does anyway. No allocator setting is changed (the adjustment stays dynamic), and on other
    allocators this is one allocation, freed.
    """
    block = np.empty(_SETTLE_BYTES, dtype=np.uint8)
    del block


@lru_cache(maxsize=8)
def _cached(cls: type, path: str, mtime_ns: int) -> tuple[nn.Module, nn.Module]:
    _settle_allocator()
    net = cls.from_state_dict(load_state_dict(path))
    return net, fold_batchnorm(net).to(memory_format=torch.channels_last)


def trained_networks(
    cls: type[TrainedNetwork], name: str, weights: str | Path | None = None
) -> tuple[nn.Module, nn.Module]:
    """The network and its inference copy, both in eval mode, cached per file.

    The inference copy has its batch norms folded into the convolutions and its weights in
    channels-last memory order (oneDNN's faster layout for these narrow convolutions); it computes
    the same function up to float rounding.

    Parameters
    ----------
    cls : type
        The network class (:class:`TrainedNetwork`).
    name : str
        The shipped weights' name (``"funfusean"``, ``"mfinet-ct"`` ...).
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its ``.json`` manifest beside it); None:
        the shipped ``<name>.pt``.

    Returns
    -------
    net, inference : torch.nn.Module

    Raises
    ------
    InputError
        For a missing file or a hash that differs from its manifest.
    """
    path = Path(weights) if weights else weights_path(name)
    return _cached(cls, str(path), path.stat().st_mtime_ns if path.is_file() else 0)


def fuse_trained(
    cls: type[TrainedNetwork],
    name: str,
    a: np.ndarray,
    b: np.ndarray,
    *,
    weights: str | Path | None = None,
    zero_background: bool = True,
) -> np.ndarray:
    """Fuse a grey 2D pair (0..255) with a trained network whose output is on 0..1.

    Any size: the pair is padded to ``cls.multiple`` and the output cropped back. The output is
    clipped to [0, 1] (the image range) and scaled to 0..255. With ``zero_background`` and a
    network that states its ``receptive_radius`` (FunFuseAn), the network runs only on the
    bounding box of the pixels where either input is non-zero, grown by that radius: the other
    pixels are set to 0 anyway, and those inside get the values the whole image would give
    them (see :func:`_signal_window`).

    Parameters
    ----------
    cls : type
        The network class (:class:`TrainedNetwork`).
    name : str
        The shipped weights' name.
    a, b : numpy.ndarray
        The two grey 2D images, one shape, on the 0..255 scale.
    weights : str or pathlib.Path, optional
        A weights file written by ``brainfuse train`` (its ``.json`` manifest beside it); None:
        the shipped ``<name>.pt``.
    zero_background : bool, optional
        Set the result to exactly 0 where both inputs are 0 (default True; a network's output is
        never exactly 0 there on its own).

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, on the 0..255 scale.

    Raises
    ------
    InputError
        For a missing weights file or a hash that differs from its manifest.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.models.funfusean import FunFuseAn
    >>> from brainfuse.models.inference import fuse_trained
    >>> a = np.zeros((8, 8), np.float32); a[2:6, 2:6] = 200
    >>> f = fuse_trained(FunFuseAn, "funfusean", a, np.zeros((8, 8), np.float32))
    >>> f.shape, float(f[0, 0]), bool(0 <= f.min() and f.max() <= 255)
    ((8, 8), 0.0, True)
    """
    net = trained_networks(cls, name, weights)[1]
    radius = getattr(net, "receptive_radius", None)
    if not zero_background or radius is None or cls.multiple != 1:
        out = run_pair(net, a, b, multiple=cls.multiple)
        out = np.clip(out, 0.0, 1.0) * np.float32(255.0)
        if zero_background:
            out[(a == 0) & (b == 0)] = 0.0
        return out.astype(np.float32, copy=False)
    signal = (a != 0) | (b != 0)
    out = np.zeros(np.shape(a), dtype=np.float32)
    window = _signal_window(signal, radius)
    if window is not None:
        part = run_pair(net, a[window], b[window])
        out[window] = np.clip(part, 0.0, 1.0) * np.float32(255.0)
        out[~signal] = 0.0
    return out


def _signal_window(signal: np.ndarray, radius: int) -> tuple[slice, ...] | None:
    """The bounding box of ``signal`` grown by ``radius`` and cut at the image (None if empty).

    Where both inputs are 0 the result is set to 0, so only pixels of ``signal`` need the
    network; each depends on the inputs within ``radius`` (its receptive field) and, at the
    image border, on the layers' zero padding. Inside this box those are the same as in the
    whole image, so the network run on the box gives those pixels the same sums. The same
    values to float rounding: oneDNN may pick another convolution kernel for a small box
    (differences of a few float32 ulps); bit for bit on the 136 test pairs of
    ``harvard-cddfuse-test``.
    """
    window = []
    for axis in range(signal.ndim):
        hits = np.flatnonzero(signal.any(axis=1 - axis))
        if hits.size == 0:
            return None
        stop = min(int(hits[-1]) + radius + 1, signal.shape[axis])
        window.append(slice(max(int(hits[0]) - radius, 0), stop))
    return tuple(window)
