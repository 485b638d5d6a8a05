"""The weights shipped with BrainFuse (``brainfuse/models/weights/``) and user-trained ones.

Each network ``NAME`` ships ``NAME.pt`` (a ``state_dict``) and ``NAME.json``, the manifest
written by :func:`brainfuse.models.train.train`: training data and split, steps, epochs, seed,
final losses and the SHA-256 of ``NAME.pt``. :func:`load_state_dict` refuses a file whose hash
differs from its manifest's, so a corrupt or swapped file is never used silently.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from ..errors import InputError
from .train import load_torch_dict, sha256_file

__all__ = ["WEIGHTS_DIR", "load_state_dict", "manifest", "weights_path"]

#: Folder of the shipped weights and their manifests.
WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def weights_path(name: str) -> Path:
    """The path of shipped weights: ``WEIGHTS_DIR/<name>.pt``.

    Parameters
    ----------
    name : str
        The weights' name (``"funfusean"``, ``"mfinet-pet"`` ...).

    Returns
    -------
    path : pathlib.Path
        It may not exist.

    Examples
    --------
    >>> from brainfuse.models.pretrained import weights_path
    >>> weights_path("funfusean").name
    'funfusean.pt'
    """
    return WEIGHTS_DIR / f"{name}.pt"


def _manifest_path(weights: Path) -> Path:
    return weights.with_name(weights.name.removesuffix(".pt") + ".json")


def manifest(weights: str | Path) -> dict[str, Any]:
    """The manifest (``.json`` beside a ``.pt``) of a weights file.

    Parameters
    ----------
    weights : str or pathlib.Path
        The weights file.

    Returns
    -------
    manifest : dict
        Training data and split, steps, epochs, seed, final losses, sha256 of the weights ...

    Raises
    ------
    InputError
        If the manifest is missing or not JSON.

    Examples
    --------
    >>> from brainfuse.models.pretrained import manifest, weights_path
    >>> "sha256" in manifest(weights_path("funfusean"))
    True
    """
    path = _manifest_path(Path(weights))
    if not path.is_file():
        raise InputError(weights, f"no manifest {path.name} beside the weights")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(path, f"unreadable manifest ({exc})") from None


def load_state_dict(weights: str | Path) -> dict[str, torch.Tensor]:
    """Load a ``state_dict`` after checking its SHA-256 against its manifest.

    Parameters
    ----------
    weights : str or pathlib.Path
        The weights file.

    Returns
    -------
    state : dict of str to torch.Tensor

    Raises
    ------
    InputError
        When the file or its manifest is missing, the hash differs, or the file is not a PyTorch
        ``state_dict``.
    """
    path = Path(weights)
    if not path.is_file():
        raise InputError(
            path,
            "weights not found; train them with `brainfuse train` or reinstall BrainFuse",
        )
    expected = manifest(path).get("sha256")
    actual = sha256_file(path)
    if actual != expected:
        raise InputError(path, f"SHA-256 {actual[:12]}… differs from the manifest's {expected}")
    return load_torch_dict(path, "PyTorch state_dict")
