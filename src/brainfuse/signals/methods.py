"""The BCG corrections of Gallego-Rudolf et al. (2022) in one registry, and the pipeline.

``brainfuse list bcg`` lists them; :func:`correct` runs the article's chain on a recording:
gradient-artefact AAS on the TR markers (optional), 1-50 Hz band-pass, QRS detection with
correction, then the chosen BCG correction. Every correction has the same shape,
``func(raw, peaks, **params) -> Correction``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..registry import Entry, Registry, param, parameters_of
from . import artefacts
from . import ica as ica_mod

__all__ = ["CORRECTIONS", "Correction", "correct", "prepare"]


@dataclass
class Correction:
    """The result of a BCG correction.

    Attributes
    ----------
    raw : mne.io.BaseRaw
        The corrected recording.
    method : str
        The correction's name.
    components : list of int
        ICA components removed (or, for ``ife``, kept; for PROJIC, corrected).
    params : dict
        The parameters used.
    peaks : numpy.ndarray
        The R-peak samples used.
    """

    raw: Any
    method: str
    components: list[int] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    peaks: np.ndarray = field(default_factory=lambda: np.zeros(0, int))


_WINDOW = param("beats per AAS template", minimum=3, maximum=200)
_NCOMP = param("principal components per channel (OBS)", minimum=1, maximum=20)
_DELAY = param("R-peak to BCG peak (s)", minimum=0.0, maximum=0.6)
_COMPS = param("ICA components chosen by hand, e.g. '0,3,5' (empty: automatic)")
_SEED = param("seed of the Infomax ICA", minimum=0)
_DECIM = param("fit the ICA on every DECIM-th sample", minimum=1, maximum=50)


def aas(raw: Any, peaks: np.ndarray, *, window: int = 30, delay: float = 0.21) -> Correction:
    """BCG average artefact subtraction (Allen et al. 1998); see
    :func:`brainfuse.signals.artefacts.bcg_aas`."""
    return Correction(artefacts.bcg_aas(raw, peaks, window=window, delay=delay), "aas")


def obs(raw: Any, peaks: np.ndarray, *, n_components: int = 4, delay: float = 0.21) -> Correction:
    """BCG optimal basis sets (Niazy et al. 2005); see
    :func:`brainfuse.signals.artefacts.bcg_obs`."""
    return Correction(artefacts.bcg_obs(raw, peaks, n_components=n_components, delay=delay), "obs")


def _ica_step(raw, peaks, components, seed, decim, name) -> Correction:
    fitted = ica_mod.fit_ica(raw, seed=seed, decim=decim)
    chosen = ica_mod.select_bcg_components(fitted, raw, peaks, components or None)
    return Correction(ica_mod.ica_remove(raw, fitted, chosen), name, chosen)


def ica(
    raw: Any, peaks: np.ndarray, *, components: str = "", seed: int = 0, decim: int = 4
) -> Correction:
    """Infomax ICA, BCG components removed (chosen by the article's three criteria or by
    hand); see :mod:`brainfuse.signals.ica`."""
    return _ica_step(raw, peaks, components, seed, decim, "ica")


def obs_ica(
    raw: Any,
    peaks: np.ndarray,
    *,
    n_components: int = 4,
    components: str = "",
    seed: int = 0,
    decim: int = 4,
) -> Correction:
    """OBS, then ICA removal of the residual BCG components."""
    first = artefacts.bcg_obs(raw, peaks, n_components=n_components)
    return _ica_step(first, peaks, components, seed, decim, "obs-ica")


def aas_ica(
    raw: Any,
    peaks: np.ndarray,
    *,
    window: int = 30,
    components: str = "",
    seed: int = 0,
    decim: int = 4,
) -> Correction:
    """AAS, then ICA removal of the residual BCG components."""
    first = artefacts.bcg_aas(raw, peaks, window=window)
    return _ica_step(first, peaks, components, seed, decim, "aas-ica")


def _projic(raw, peaks, how, components, seed, decim, **kw) -> Correction:
    fitted = ica_mod.fit_ica(raw, seed=seed, decim=decim)
    chosen = ica_mod.select_bcg_components(fitted, raw, peaks, components or None)
    out = ica_mod.projic(raw, fitted, chosen, peaks, method=how, **kw)
    return Correction(out, f"projic-{how}", chosen)


def projic_aas(
    raw: Any,
    peaks: np.ndarray,
    *,
    window: int = 30,
    components: str = "",
    seed: int = 0,
    decim: int = 4,
) -> Correction:
    """PROJIC-AAS (Abreu et al. 2016): AAS on the BCG components, projected back."""
    return _projic(raw, peaks, "aas", components, seed, decim, window=window)


def projic_obs(
    raw: Any,
    peaks: np.ndarray,
    *,
    n_components: int = 4,
    components: str = "",
    seed: int = 0,
    decim: int = 4,
) -> Correction:
    """PROJIC-OBS (Abreu et al. 2016): OBS on the BCG components, projected back."""
    return _projic(raw, peaks, "obs", components, seed, decim, n_components=n_components)


def ife(
    raw: Any, peaks: np.ndarray, *, components: str = "", seed: int = 0, decim: int = 4
) -> Correction:
    """ICA feature extraction: only the alpha components are kept."""
    fitted = ica_mod.fit_ica(raw, seed=seed, decim=decim)
    keep = ica_mod.select_alpha_components(fitted, raw, components or None)
    return Correction(ica_mod.ife(raw, fitted, keep), "ife", keep)


#: The BCG corrections by name (``brainfuse eeg-fmri correct --method NAME``,
#: ``brainfuse list bcg``).
CORRECTIONS: Registry[Entry] = Registry("BCG correction")
_ALLEN = "Allen et al. 1998, NeuroImage 8:229"
_NIAZY = "Niazy et al. 2005, NeuroImage 28:720"
_ABREU = "Abreu et al. 2016, Brain Topogr. 29:228"
_GR = "Gallego-Rudolf et al. 2022, Front. Neurosci. 16:951321"
_ICA = "Infomax ICA (Bell & Sejnowski 1995; MNE-Python)"
for _name, _func, _family, _ref, _summary, _docs in (
    ("aas", aas, "template", _ALLEN, "average artefact subtraction, 30-beat template",
     {"window": _WINDOW, "delay": _DELAY}),
    ("obs", obs, "template", _NIAZY, "optimal basis sets: mean + 4 PCs fitted per beat",
     {"n_components": _NCOMP, "delay": _DELAY}),
    ("ica", ica, "ica", f"{_ICA}; {_GR}", "Infomax ICA, BCG components removed",
     {"components": _COMPS, "seed": _SEED, "decim": _DECIM}),
    ("obs-ica", obs_ica, "ica", f"{_NIAZY}; {_GR}", "OBS, then ICA removal of residual BCG",
     {"n_components": _NCOMP, "components": _COMPS, "seed": _SEED, "decim": _DECIM}),
    ("aas-ica", aas_ica, "ica", f"{_ALLEN}; {_GR}", "AAS, then ICA removal of residual BCG",
     {"window": _WINDOW, "components": _COMPS, "seed": _SEED, "decim": _DECIM}),
    ("projic-aas", projic_aas, "projic", _ABREU, "AAS on the BCG components, projected back",
     {"window": _WINDOW, "components": _COMPS, "seed": _SEED, "decim": _DECIM}),
    ("projic-obs", projic_obs, "projic", _ABREU, "OBS on the BCG components, projected back",
     {"n_components": _NCOMP, "components": _COMPS, "seed": _SEED, "decim": _DECIM}),
    ("ife", ife, "feature extraction", _GR, "ICA feature extraction: keep only alpha components",
     {"components": _COMPS, "seed": _SEED, "decim": _DECIM}),
):  # fmt: skip
    CORRECTIONS.add(
        Entry(
            name=_name,
            kind="BCG correction",
            family=_family,
            func=_func,
            summary=_summary,
            reference=_ref,
            params=parameters_of(_func, _docs, f"correction '{_name}'"),
            dims=(1,),
            capabilities=frozenset({"eeg"}),
            extra="signals",
        )
    )


def prepare(
    raw: Any,
    *,
    ecg: str | None = None,
    gradient: bool = True,
    marker: str = "TR",
    gradient_window: int = 5,
    l_freq: float = 1.0,
    h_freq: float = 50.0,
) -> tuple[Any, np.ndarray]:
    """The article's steps before the BCG correction: gradient AAS (5-volume window) on the
    ``marker`` annotations when ``gradient``, band-pass ``l_freq``-``h_freq`` Hz (MNE's FIR),
    QRS detection with correction.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording with an ECG channel (and volume markers when ``gradient``).
    ecg : str, optional
        The ECG channel's name.
    gradient : bool
        Remove the gradient artefact first.
    marker : str
        Annotation description of a volume onset.
    gradient_window : int
        Volumes per gradient template (5 in the article; see :func:`.artefacts.gradient_aas`
        for what a short window costs).
    l_freq, h_freq : float
        Band-pass edges (Hz).

    Returns
    -------
    raw : mne.io.BaseRaw
        The prepared copy.
    peaks : numpy.ndarray
        R-peak samples.

    Raises
    ------
    InputError
        No ECG channel, no markers, a recording too short for the windows.
    """
    name = artefacts.ecg_channel(raw, ecg)
    raw = raw.copy().load_data()
    sf = raw.info["sfreq"]
    if h_freq >= sf / 2:
        raise InputError(
            artefacts._source(raw),
            f"sampled at {sf:g} Hz: the {h_freq:g}-Hz low-pass needs more than {2 * h_freq:g} Hz",
        )
    if raw.n_times < 10 * sf:
        src = artefacts._source(raw)
        raise InputError(src, f"too short: {raw.n_times / sf:.1f} s, need at least 10 s")
    if gradient:
        raw = artefacts.gradient_aas(raw, marker=marker, window=gradient_window)
    peaks = artefacts.detect_qrs(raw, name)
    raw.filter(l_freq, h_freq, picks="eeg", verbose="error")
    return raw, peaks


def correct(
    raw: Any,
    method: str,
    *,
    ecg: str | None = None,
    gradient: bool = True,
    marker: str = "TR",
    gradient_window: int = 5,
    params: dict[str, Any] | None = None,
) -> Correction:
    """Run :func:`prepare` and the BCG correction ``method`` (a name of :data:`CORRECTIONS`).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    method : str
        ``aas``, ``obs``, ``ica``, ``obs-ica``, ``aas-ica``, ``projic-aas``, ``projic-obs`` or
        ``ife``.
    ecg : str, optional
        The ECG channel.
    gradient : bool
        Remove the gradient artefact on the volume markers first.
    marker : str
        Annotation description of a volume onset.
    gradient_window : int
        Volumes per gradient template.
    params : dict, optional
        The method's parameters (checked against the registry).

    Returns
    -------
    Correction
        The corrected recording and what was done.

    Examples
    --------
    >>> from brainfuse.signals.simulate import simulate_session
    >>> s = simulate_session(3, duration=40.0, sfreq=250.0)
    >>> out = correct(s.inside, "aas")
    >>> out.method, out.raw.ch_names == s.inside.ch_names
    ('aas', True)
    """
    entry = CORRECTIONS.get(method)
    bound = entry.bind(params)
    prepared, peaks = prepare(
        raw, ecg=ecg, gradient=gradient, marker=marker, gradient_window=gradient_window
    )
    result = entry.func(prepared, peaks, **bound)
    result.params = bound
    result.peaks = peaks
    return result
