"""Networks shipped as one set of weights per pair set, chosen by the second input's modality.

MFINet and DRBIF learn modality-specific features (DRBIF has an encoder per modality), so
BrainFuse trains one model per pair set of ``harvard-aanlib`` (the PET and SPECT models start
from the CT model's weights, :func:`initialise_from`) and ships ``NAME-ct.pt``,
``NAME-pet.pt`` and ``NAME-spect.pt`` (each with its manifest) in
:data:`~brainfuse.models.pretrained.WEIGHTS_DIR`. The fusers pass the modality of ``b``
when :func:`brainfuse.fuse` knows it (from the file name, folder or DICOM header) and fall
back to :data:`DEFAULT_MODALITY` otherwise.
"""

from __future__ import annotations

from pathlib import Path

from torch import nn

from ..errors import InputError
from . import pretrained

__all__ = ["DEFAULT_MODALITY", "MODALITY_PAIRSETS", "initialise_from", "shipped_name"]

#: Modality of the second input → the ``harvard-aanlib`` pair set its model was trained on.
MODALITY_PAIRSETS: dict[str, str] = {"ct": "CT-MRI", "pet": "PET-MRI", "spect": "SPECT-MRI"}

#: Model used when the modality of the second input is not known.
DEFAULT_MODALITY = "ct"


def shipped_name(name: str, modality: str = "auto", weights: str | Path | None = None) -> str:
    """The name of the shipped weights of network ``name`` for the modality of the second input.

    Parameters
    ----------
    name : str
        The network (``"mfinet"``, ``"drbif"``).
    modality : str, optional
        ``ct``, ``pet``, ``spect``; ``auto`` (default) or ``unknown`` mean
        :data:`DEFAULT_MODALITY`.
    weights : str or pathlib.Path, optional
        A user's weights file that replaces the shipped ones (then they need not be installed).

    Returns
    -------
    shipped : str
        ``"<name>-<modality>"``.

    Raises
    ------
    InputError
        For an unknown modality and, without ``weights``, for shipped weights this install does
        not have (naming those it has).

    Examples
    --------
    >>> from brainfuse.models.shipped import shipped_name
    >>> shipped_name("mfinet"), shipped_name("mfinet", "PET")
    ('mfinet-ct', 'mfinet-pet')
    """
    key = modality.strip().lower()
    if key in ("", "auto", "unknown"):
        key = DEFAULT_MODALITY
    if key not in MODALITY_PAIRSETS:
        valid = ", ".join(["auto", *MODALITY_PAIRSETS])
        raise InputError(None, f"no {name} model for modality '{modality}'; valid: {valid}")
    shipped = f"{name}-{key}"
    if not weights and not pretrained.weights_path(shipped).is_file():
        found = pretrained.WEIGHTS_DIR.glob(f"{name}-*.pt")
        have = sorted(p.stem.removeprefix(f"{name}-") for p in found)
        raise InputError(
            None,
            f"no shipped {name} model for {key.upper()} in this install "
            f"(shipped: {', '.join(have) or 'none'}); "
            "choose -p modality=... or -p weights=FILE.pt from `brainfuse train`",
        )
    return shipped


def initialise_from(net: nn.Module, weights: str | Path) -> nn.Module:
    """Load ``weights`` into ``net`` of the same shape: the start of fine-tuning elsewhere.

    Parameters
    ----------
    net : torch.nn.Module
        The network, changed in place.
    weights : str or pathlib.Path
        A file from ``brainfuse train`` with its manifest (hash checked).

    Returns
    -------
    net : torch.nn.Module
        ``net`` itself.

    Raises
    ------
    InputError
        If the file is missing, its hash differs, or its shape is not ``net``'s.
    """
    state = pretrained.load_state_dict(weights)
    try:
        net.load_state_dict(state)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0]
        raise InputError(weights, f"weights do not fit this network ({first})") from None
    return net
