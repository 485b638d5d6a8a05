"""Trained fusion networks (PyTorch): architectures, losses, training data, the trainer, weights.

This is the only package of BrainFuse that imports torch at module level; the fusers that wrap
these networks (:mod:`brainfuse.fusion.learned`) import it inside their functions.

:data:`TRAINABLE` lists the networks ``brainfuse train`` knows: name → ``"module:attribute"`` of
a :class:`~brainfuse.models.train.ModelSpec` (add one line per network).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    from .train import ModelSpec

__all__ = ["TRAINABLE", "get_spec"]

TRAINABLE: dict[str, str] = {
    "funfusean": "brainfuse.models.funfusean:SPEC",
    "mfinet": "brainfuse.models.mfinet:SPEC",
    "drbif": "brainfuse.models.drbif:SPEC",
    "mdafuse": "brainfuse.models.mdafuse:SPEC",
}


def get_spec(name: str) -> ModelSpec:
    """The :class:`~brainfuse.models.train.ModelSpec` of a trainable network.

    Parameters
    ----------
    name : str
        A key of :data:`TRAINABLE` (``funfusean``, ``mdafuse``, ``mfinet``, ``drbif``).

    Returns
    -------
    spec : ModelSpec

    Raises
    ------
    InputError
        If the name is not trainable (the message lists the valid ones).

    Examples
    --------
    >>> from brainfuse.models import get_spec
    >>> spec = get_spec("funfusean")
    >>> spec.name, spec.bind()["lam"]
    ('funfusean', 0.8)
    """
    if name not in TRAINABLE:
        raise InputError(None, f"unknown model '{name}'; trainable: {', '.join(sorted(TRAINABLE))}")
    module, attr = TRAINABLE[name].split(":")
    return getattr(importlib.import_module(module), attr)
