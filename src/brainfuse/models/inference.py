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


@lru_cache(maxsize=8)
def _cached(cls: type, path: str, mtime_ns: int) -> tuple[nn.Module, nn.Module]:
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
    clipped to [0, 1] (the image range) and scaled to 0..255.

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
    out = run_pair(net, a, b, multiple=cls.multiple)
    out = np.clip(out, 0.0, 1.0) * np.float32(255.0)
    if zero_background:
        out[(a == 0) & (b == 0)] = 0.0
    return out.astype(np.float32, copy=False)
