"""Correct one recording file, or a folder of them on a Dask cluster.

:func:`correct_recording` is what ``brainfuse eeg-fmri correct`` runs: read (any format MNE
reads), prepare and correct (:func:`.methods.correct`), write FIF or EDF with the provenance.
:func:`correct_cohort` does the same for every recording of a folder, one task per recording,
one after another or on Dask (a local cluster or a scheduler address). The outputs of a cohort
are written into a hidden staging folder first and moved into place only when every recording
succeeded, so a bad recording leaves no partial cohort behind.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["INPUT_SUFFIXES", "correct_cohort", "correct_recording", "find_recordings"]

#: Recording files :func:`find_recordings` picks up (MNE reads each by its suffix).
INPUT_SUFFIXES = (".edf", ".bdf", ".vhdr", ".fif", ".fif.gz", ".set", ".mff")


def correct_recording(
    raw_path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    method: str = "obs-ica",
    *,
    ecg: str | None = None,
    gradient: bool = True,
    marker: str = "TR",
    gradient_window: int = 5,
    params: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Read ``raw_path``, remove the gradient artefact and the BCG, write ``output``.

    Parameters
    ----------
    raw_path : path
        Any recording MNE reads, with an ECG channel and volume markers.
    output : path
        ``.fif``, ``.fif.gz`` or ``.edf``; never one of the inputs.
    method : str
        A name of ``brainfuse list bcg``.
    ecg : str, optional
        The ECG channel (needed for EDF/BrainVision, which store no channel types).
    gradient : bool
        Remove the gradient artefact on the volume markers first.
    marker : str
        Annotation description of a volume onset.
    gradient_window : int
        Volumes per gradient template.
    params : dict, optional
        The method's parameters.

    Returns
    -------
    dict
        The provenance written into the output (method, parameters, beats, components ...).

    Raises
    ------
    InputError
        Unreadable input, no ECG channel or markers, too short, bad output path.
    """
    from .. import __version__
    from ..io.atomic import check_output_path
    from .io import _suffix, read_recording, write_recording
    from .methods import CORRECTIONS, correct

    raw_path, output = Path(raw_path), Path(output)
    entry = CORRECTIONS.get(method)
    bound = entry.bind(params)
    check_output_path(output, [raw_path])
    _suffix(output)
    raw = read_recording(raw_path, ecg=ecg)
    result = correct(
        raw,
        method,
        ecg=ecg,
        gradient=gradient,
        marker=marker,
        gradient_window=gradient_window,
        params=bound,
    )
    provenance = {
        "software": f"brainfuse {__version__}",
        "input": str(raw_path),
        "method": method,
        "params": result.params,
        "gradient_aas": gradient,
        "gradient_window": gradient_window if gradient else None,
        "band_pass_hz": [1.0, 50.0],
        "beats": int(result.peaks.size),
        "components": result.components,
        "reference": entry.reference,
    }
    write_recording(result.raw, output, provenance=provenance, inputs=(raw_path,))
    return provenance


def find_recordings(folder: str | os.PathLike[str]) -> list[Path]:
    """The recordings directly inside ``folder`` (by :data:`INPUT_SUFFIXES`), sorted by name.

    Parameters
    ----------
    folder : path
        A folder.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    InputError
        Not a folder, or no recording in it.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "not a folder")
    found = sorted(
        p
        for p in folder.iterdir()
        if not p.name.startswith(".") and p.name.lower().endswith(INPUT_SUFFIXES)
    )
    if not found:
        raise InputError(folder, f"no recording ({', '.join(INPUT_SUFFIXES)}) in the folder")
    return found


def _output_name(path: Path, method: str) -> str:
    name = path.name
    for s in sorted(INPUT_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(s):
            name = name[: -len(s)]
            break
    return f"{name}_{method}_raw.fif"


def correct_cohort(
    inputs: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    method: str = "obs-ica",
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    **kwargs: Any,
) -> list[Path]:
    """Correct every recording of ``inputs`` into ``out_dir`` (``<name>_<method>_raw.fif``).

    Parameters
    ----------
    inputs : sequence of path
        Recordings (see :func:`find_recordings` for a folder).
    out_dir : path
        Output folder (created); none of the outputs may already exist.
    method : str
        A name of ``brainfuse list bcg``.
    scheduler : str, optional
        ``"local"`` (a Dask ``LocalCluster`` of ``workers`` one-thread processes) or a scheduler
        address ``tcp://HOST:PORT`` whose workers see the same paths; None runs the recordings
        one after another here.
    workers : int, optional
        Workers of a local cluster.
    **kwargs
        Passed to :func:`correct_recording` (``ecg``, ``gradient``, ``marker``,
        ``gradient_window``, ``params``).

    Returns
    -------
    list of pathlib.Path
        The written files, in the order of ``inputs``.

    Raises
    ------
    InputError
        The first recording that failed (by input order), a clash of outputs, or an output
        that exists; nothing is left in ``out_dir`` then.
    """
    from .methods import CORRECTIONS

    CORRECTIONS.get(method).bind(kwargs.get("params"))
    inputs = [Path(p) for p in inputs]
    out_dir = Path(out_dir)
    names = [_output_name(p, method) for p in inputs]
    if len(set(names)) != len(names):
        raise InputError(out_dir, "two recordings would give the same output name")
    finals = [out_dir / n for n in names]
    for f in finals:
        if f.exists():
            raise InputError(f, "already exists; choose another output folder")
    resolved = {p.resolve() for p in inputs}
    if out_dir.resolve() in resolved:
        raise InputError(out_dir, "the output folder is one of the inputs")
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = out_dir / f".brainfuse-partial-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    staged = [staging / n for n in names]
    try:
        for err in _run(inputs, staged, method, scheduler, workers, kwargs):
            if err is not None:
                raise err
        for src, dst in zip(staged, finals, strict=True):
            os.replace(src, dst)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return finals


def _one(raw_path: Path, output: Path, method: str, kwargs: dict[str, Any]) -> Exception | None:
    """One task: ``None`` on success, else the input error (picklable, it crosses processes),
    so that the first failure by input order is the one reported."""
    from ..errors import BrainFuseError

    try:
        correct_recording(raw_path, output, method, **kwargs)
    except BrainFuseError as exc:
        return exc
    return None


def _run(inputs, staged, method, scheduler, workers, kwargs) -> list[Exception | None]:
    if scheduler is None:
        from rich.progress import track

        pairs = list(zip(inputs, staged, strict=True))
        return [
            _one(src, dst, method, kwargs)
            for src, dst in track(pairs, description="recordings", transient=True)
        ]
    from ..bench.cluster import check_scheduler, dask_client

    with dask_client(check_scheduler(scheduler), workers) as client:
        futures = client.map(_one, inputs, staged, method=method, kwargs=kwargs, pure=False)
        return client.gather(futures)
