"""Reading and writing recordings for ``brainfuse eeg-fmri``: whatever MNE reads, FIF or EDF out.

MNE-Python reads EDF/BDF, BrainVision, EGI (.mff), FIF, EEGLAB (.set) and more
(:func:`mne.io.read_raw` picks the reader from the suffix); every failure becomes one
:class:`~brainfuse.errors.InputError` naming the file. Corrected recordings are written as FIF
(:meth:`mne.io.Raw.save`) or EDF (:func:`mne.export.export_raw`, through edfio) atomically
(:func:`brainfuse.io.atomic.atomic_path`), with the provenance (method, parameters, inputs,
BrainFuse version) as JSON in ``info["description"]`` (FIF) or in an annotation at 0 s whose
description starts with ``brainfuse:`` (EDF, which has no free-text header field).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path, check_output_path

__all__ = ["OUTPUT_SUFFIXES", "read_recording", "write_recording"]

#: What ``write_recording`` writes, by suffix.
OUTPUT_SUFFIXES = (".fif", ".fif.gz", ".edf")


def read_recording(path: str | os.PathLike[str], *, ecg: str | None = None) -> Any:
    """Read a recording with MNE and check it.

    Parameters
    ----------
    path : str or os.PathLike
        EDF/BDF, BrainVision (.vhdr), EGI (.mff), FIF, EEGLAB (.set) ...
    ecg : str, optional
        A channel to type as ECG (EDF and BrainVision files do not store channel types).

    Returns
    -------
    mne.io.BaseRaw
        The recording, loaded.

    Raises
    ------
    InputError
        Missing or unreadable file, no EEG channel, non-finite samples, or an absent ``ecg``.
    """
    import mne

    path = Path(path)
    if not path.exists():
        raise InputError(path, "file not found")
    try:
        raw = mne.io.read_raw(path, preload=True, verbose="error")
    except Exception as exc:  # MNE raises many types for a corrupt or foreign file
        reason = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise InputError(path, f"cannot read as an EEG recording ({reason})") from None
    _check_rates(raw, path)
    if ecg is not None:
        if ecg not in raw.ch_names:
            raise InputError(path, f"no channel '{ecg}' (the ECG channel) in the recording")
        raw.set_channel_types({ecg: "ecg"}, verbose="error")
    if "eeg" not in raw.get_channel_types():
        raise InputError(path, "no EEG channel in the recording")
    if not np.isfinite(raw._data).all():
        raise InputError(path, "the recording holds NaN or infinite samples")
    return raw


def _check_rates(raw: Any, path: Path) -> None:
    """EDF/BDF channels may each have their own sampling rate; MNE then upsamples every channel
    to the highest one, silently. A BCG correction needs the ECG and the EEG at one rate, so
    such a file is refused."""
    extras = getattr(raw, "_raw_extras", None) or [{}]
    n_samps = extras[0].get("n_samps") if isinstance(extras[0], dict) else None
    if n_samps is None or len(n_samps) != len(raw.ch_names):
        return
    n_samps = np.asarray(n_samps, dtype=float)
    if np.unique(n_samps).size > 1:
        rates = sorted({float(raw.info["sfreq"]) * n / n_samps.max() for n in n_samps})
        shown = ", ".join(f"{r:g}" for r in rates)
        raise InputError(path, f"channels sampled at {shown} Hz (mismatched sampling rates)")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in OUTPUT_SUFFIXES:
        if name.endswith(s):
            return s
    raise InputError(path, f"unknown output format; use one of {', '.join(OUTPUT_SUFFIXES)}")


def write_recording(
    raw: Any,
    path: str | os.PathLike[str],
    *,
    provenance: dict[str, Any],
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """Write ``raw`` as FIF or EDF (by suffix), atomically, with its provenance.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    path : str or os.PathLike
        ``.fif``, ``.fif.gz`` or ``.edf``.
    provenance : dict
        JSON-serialisable record of what was done.
    inputs : tuple of path
        Input files, which the output may not overwrite.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    InputError
        Unknown suffix, an output that is an input, or a folder that cannot be written.
    """
    import mne

    out = check_output_path(path, inputs)
    suffix = _suffix(out)
    text = json.dumps(provenance, sort_keys=True)
    raw = raw.copy()
    with atomic_path(out) as tmp:
        if suffix == ".edf":
            raw.set_annotations(
                raw.annotations + mne.Annotations([0.0], [0.0], [f"brainfuse: {text}"])
            )
            mne.export.export_raw(tmp, raw, fmt="edf", overwrite=True, verbose="error")
        else:
            raw.info["description"] = text
            raw.save(tmp, overwrite=True, verbose="error")
    return out
