"""Gradient and ballistocardiogram (BCG) artefact subtraction: AAS and OBS, and QRS detection.

MNE-Python detects QRS complexes (:func:`mne.preprocessing.find_ecg_events`) but has no
template subtraction for the MR gradient artefact nor for the BCG (average artefact
subtraction, Allen et al. 1998/2000; optimal basis sets, Niazy et al. 2005): those are written
here, vectorised with NumPy, following the FMRIB plug-in's conventions that Gallego-Rudolf et
al. (2022) used (210-ms delay from the R-peak to the BCG peak, 30-beat template, 4 principal
components).

Notation. With artefact occurrences (TR onsets, or R-peaks + delay) at samples ``p_k`` and
aligned epochs ``e_k(τ) = x(p_k + τ)``:

- AAS: ``A_k(τ) = (1/N) Σ_{j ∈ W_k} e_j(τ)`` over the window ``W_k`` of ``N`` occurrences
  centred on ``k`` (shifted inwards at the ends); the corrected epoch is ``e_k − A_k``.
- OBS: the epochs of the channel (high-passed at 0.4 Hz for the PCA only) are stacked as rows
  of ``E``; the mean ``m`` and the first ``p`` right singular vectors ``U_1..U_p`` of
  ``E − m`` form the basis ``B = [m, U_1, …, U_p]``; each epoch is fitted by least squares,
  ``β_k = (BᵀB)⁻¹ Bᵀ e_k``, and ``e_k − B β_k`` is kept.

Each occurrence corrects the samples between the midpoints to its neighbours (its own
"segment"), so the corrections tile the recording without overlap.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError

__all__ = [
    "BCG_DELAY_S",
    "annotation_spans",
    "bcg_aas",
    "bcg_obs",
    "detect_qrs",
    "ecg_channel",
    "gradient_aas",
    "obs_basis",
    "obs_fit",
    "volume_onsets",
]

#: The FMRIB default delay from the R-peak to the BCG's main peak (Allen et al. 1998).
BCG_DELAY_S = 0.21


def _source(raw: Any) -> str:
    names = raw.filenames if hasattr(raw, "filenames") else ()
    return str(names[0]) if names and names[0] else "recording"


def ecg_channel(raw: Any, name: str | None = None) -> str:
    """The ECG channel's name: ``name`` if given (it must exist), else the one ECG channel.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    name : str, optional
        The channel to use.

    Returns
    -------
    str
        The channel name.

    Raises
    ------
    InputError
        The channel is absent, or no (or more than one) channel is typed ECG.
    """
    if name is not None:
        if name not in raw.ch_names:
            raise InputError(
                _source(raw), f"no channel '{name}' (the ECG channel) in the recording"
            )
        return name
    ecg = [c for c, t in zip(raw.ch_names, raw.get_channel_types(), strict=True) if t == "ecg"]
    if len(ecg) != 1:
        found = "no ECG channel" if not ecg else f"{len(ecg)} ECG channels"
        raise InputError(_source(raw), f"{found}; name the ECG channel (--ecg CH)")
    return ecg[0]


def volume_onsets(raw: Any, marker: str = "TR") -> np.ndarray:
    """Sample indices (from the recording's start) of the annotations called ``marker``.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording, with one annotation per volume.
    marker : str
        The annotation description of a volume onset.

    Returns
    -------
    numpy.ndarray
        Sorted sample indices.

    Raises
    ------
    InputError
        Fewer than 2 markers.
    """
    onsets = np.array([a for a, _ in annotation_spans(raw, marker)])
    if onsets.size < 2:
        raise InputError(
            _source(raw), f"no volume markers: fewer than 2 '{marker}' annotations ({onsets.size})"
        )
    return np.sort(np.round(onsets * raw.info["sfreq"]).astype(int))


def annotation_spans(raw: Any, label: str) -> list[tuple[float, float]]:
    """(start, stop) in seconds from the first sample of the annotations called ``label``.

    A BrainVision marker comes back from MNE as ``"Type/label"`` (``"Comment/TR"``), so a
    description ending in ``"/label"`` matches too.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    label : str
        The description, e.g. ``"TR"``, ``"EC"``.

    Returns
    -------
    list of (float, float)
        In annotation order.
    """
    ann = raw.annotations
    shift = raw.first_time if ann.orig_time is not None else 0.0
    return [
        (o - shift, o - shift + d)
        for o, d, desc in zip(ann.onset, ann.duration, ann.description, strict=True)
        if desc == label or desc.endswith("/" + label)
    ]


def _sliding_template(epochs: np.ndarray, window: int) -> np.ndarray:
    """Per occurrence, the mean of ``window`` neighbouring epochs centred on it.

    ``epochs`` has shape (n, L); the window is shifted inwards at both ends (every template
    averages ``min(window, n)`` epochs). Cumulative sums make it O(n L).
    """
    n = epochs.shape[0]
    w = min(window, n)
    lo = np.clip(np.arange(n) - w // 2, 0, n - w)
    cs = np.concatenate([np.zeros((1, epochs.shape[1])), np.cumsum(epochs, axis=0)])
    return (cs[lo + w] - cs[lo]) / w


class _Tiling:
    """Epoch indices around occurrences ``p`` (± half-widths) and the segment each sample of
    the recording belongs to (between midpoints to the neighbouring occurrences)."""

    def __init__(self, p: np.ndarray, n: int, pre: int, post: int) -> None:
        self.p, self.n, self.pre, self.post = p, n, pre, post
        self.offsets = np.arange(-pre, post + 1)
        self.index = p[:, None] + self.offsets[None, :] + pre  # into the padded signal
        bounds = np.concatenate(
            [[max(p[0] - pre, 0)], (p[:-1] + p[1:]) // 2, [min(p[-1] + post + 1, n)]]
        )
        self.start, self.stop = bounds[0], bounds[-1]
        samples = np.arange(self.start, self.stop)
        self.beat = np.searchsorted(bounds[1:-1], samples, side="right")
        self.offset = samples - p[self.beat] + pre
        ok = (self.offset >= 0) & (self.offset <= pre + post)
        self.samples, self.beat, self.offset = samples[ok], self.beat[ok], self.offset[ok]

    def epochs(self, x: np.ndarray) -> np.ndarray:
        padded = np.concatenate([np.zeros(self.pre), x, np.zeros(self.post + 1)])
        return padded[self.index]

    def subtract(self, x: np.ndarray, artefact: np.ndarray) -> np.ndarray:
        out = x.copy()
        out[self.samples] -= artefact[self.beat, self.offset]
        return out


def _picks(raw: Any, picks: Any) -> np.ndarray:
    import mne

    if picks is None:  # every channel but stimulus ones: EEG, ECG, EOG, EMG ...
        types = raw.get_channel_types()
        return np.array([i for i, t in enumerate(types) if t not in ("stim", "syst")], int)
    return mne.io.pick._picks_to_idx(raw.info, picks, exclude=())


def gradient_aas(raw: Any, *, marker: str = "TR", window: int = 5, picks: Any = None) -> Any:
    """Remove the MR gradient artefact by TR-locked average artefact subtraction.

    Each volume's artefact is the mean of the ``window`` volumes centred on it (Allen et al.
    2000, NeuroImage 12:230; the sliding 5-volume template that Gallego-Rudolf et al. 2022 ran
    in Net Station). The volumes are the annotations called ``marker``; the template length is
    the shortest interval between two markers (hardware-synchronised markers are exactly one TR
    apart). MNE has no gradient-artefact correction, hence this implementation.

    The template includes the volume itself, so it also takes a share of the EEG: for activity
    not locked to the volumes, the corrected power is ``1 − 1/window`` of the original (a
    fifth lost with 5 volumes; Allen et al. averaged 25, the FMRIB FASTR default is 30).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording (loaded; it is copied, not changed).
    marker : str
        Annotation description of a volume onset.
    window : int
        Volumes averaged per template.
    picks : str or list, optional
        Channels to correct (MNE picks); default all data channels (the ECG too).

    Returns
    -------
    mne.io.BaseRaw
        The corrected copy.

    Raises
    ------
    InputError
        Fewer than ``window`` volume markers.
    """
    onsets = volume_onsets(raw, marker)
    if onsets.size < window:
        raise InputError(
            _source(raw), f"too short: {onsets.size} volumes, the template needs {window}"
        )
    length = int(np.min(np.diff(onsets)))
    n = raw.n_times
    onsets = onsets[(onsets >= 0) & (onsets + length <= n)]
    out = raw.copy().load_data()
    data = out._data
    index = onsets[:, None] + np.arange(length)[None, :]
    for ch in _picks(out, picks):
        x = data[ch]
        epochs = x[index]
        x[index] = epochs - _sliding_template(epochs, window)
    return out


def detect_qrs(raw: Any, ecg: str | None = None, *, correct: bool = True) -> np.ndarray:
    """R-peak samples from the ECG: MNE's QRS detector, then a correction step.

    Detection is :func:`mne.preprocessing.find_ecg_events` (5-35 Hz band-pass, adaptive
    threshold). The correction (like FMRIB's ``fmrib_qrsdetect`` clean-up) moves each peak to
    the extreme of the filtered ECG within ±40 ms, drops a peak closer than 0.5 median RR to the
    previous one (keeping the larger), and fills a gap longer than 1.5 median RR with evenly
    spaced peaks.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording (after gradient-artefact removal).
    ecg : str, optional
        The ECG channel (else the channel typed ``ecg``).
    correct : bool
        Apply the correction step.

    Returns
    -------
    numpy.ndarray
        R-peak samples from the recording's first sample.

    Raises
    ------
    InputError
        No ECG channel, or fewer than 10 beats found.
    """
    import mne

    name = ecg_channel(raw, ecg)
    events, _, _ = mne.preprocessing.find_ecg_events(
        raw, ch_name=name, l_freq=5, h_freq=35, verbose="error"
    )
    peaks = np.sort(events[:, 0] - raw.first_samp) if len(events) else np.array([], int)
    if peaks.size < 10:
        raise InputError(_source(raw), f"only {peaks.size} heart beats found in '{name}'")
    if not correct:
        return peaks
    sf = raw.info["sfreq"]
    x = raw.get_data(picks=[name])[0]
    xf = mne.filter.filter_data(x, sf, 5.0, 35.0, verbose="error")
    sign = np.sign(np.median(xf[peaks])) or 1.0
    half = round(0.04 * sf)
    padded = np.concatenate([np.full(half, -np.inf), sign * xf, np.full(half, -np.inf)])
    window = peaks[:, None] + np.arange(2 * half + 1)[None, :]
    peaks = peaks + np.argmax(padded[window], axis=1) - half
    peaks = np.unique(peaks)
    med = np.median(np.diff(peaks))
    keep = [peaks[0]]
    for p in peaks[1:]:
        if p - keep[-1] < 0.5 * med:
            if sign * xf[p] > sign * xf[keep[-1]]:
                keep[-1] = p
        else:
            keep.append(p)
    filled = [keep[0]]
    for p in keep[1:]:
        gap = p - filled[-1]
        if gap > 1.5 * med:
            k = round(gap / med)
            filled.extend(filled[-1] + np.round(np.arange(1, k) * gap / k).astype(int))
        filled.append(p)
    return np.asarray(filled, dtype=int)


def _bcg_tiling(raw: Any, peaks: np.ndarray, delay: float) -> _Tiling:
    sf = raw.info["sfreq"]
    p = np.asarray(peaks, dtype=int) + round(delay * sf)
    p = p[(p >= 0) & (p < raw.n_times)]
    if p.size < 3:
        raise InputError(_source(raw), f"too short: {p.size} heart beats, need at least 3")
    half = int(np.ceil(np.max(np.diff(p)) / 2)) + 1
    half = min(half, int(2 * sf))
    return _Tiling(p, raw.n_times, half, half)


def _eeg_picks(raw: Any, picks: Any) -> np.ndarray:
    import mne

    return mne.io.pick._picks_to_idx(raw.info, "eeg" if picks is None else picks, exclude=())


def bcg_aas(
    raw: Any,
    peaks: np.ndarray,
    *,
    window: int = 30,
    delay: float = BCG_DELAY_S,
    picks: Any = None,
) -> Any:
    """Remove the BCG by average artefact subtraction (AAS).

    Allen et al. 1998, NeuroImage 8:229; the FMRIB plug-in's ``'mean'`` method (Niazy et al.
    2005): a template from the ``window`` beats centred on each beat, aligned on the R-peak
    plus ``delay``, is subtracted from that beat's segment. MNE has no BCG correction, hence
    this implementation.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording (copied).
    peaks : numpy.ndarray
        R-peak samples (:func:`detect_qrs`).
    window : int
        Beats per template (30 in FMRIB).
    delay : float
        R-peak to BCG peak (s), 0.21 in FMRIB.
    picks : str or list, optional
        Channels to correct (default the EEG channels).

    Returns
    -------
    mne.io.BaseRaw
        The corrected copy.
    """
    tiling = _bcg_tiling(raw, peaks, delay)
    if tiling.p.size < window:
        raise InputError(
            _source(raw),
            f"too short: {tiling.p.size} heart beats, "
            f"the {window}-beat AAS template needs {window}",
        )
    out = raw.copy().load_data()
    for ch in _eeg_picks(out, picks):
        epochs = tiling.epochs(out._data[ch])
        out._data[ch] = tiling.subtract(out._data[ch], _sliding_template(epochs, window))
    return out


def obs_basis(pca_epochs: np.ndarray, n_components: int) -> np.ndarray:
    """The OBS basis of one channel: the mean artefact and its first principal components.

    Parameters
    ----------
    pca_epochs : numpy.ndarray
        (n_beats, L) aligned epochs of the high-passed channel.
    n_components : int
        Principal components besides the mean (fewer when there are too few beats).

    Returns
    -------
    numpy.ndarray
        (L, 1 + k) columns: the mean epoch, then the unit-norm principal directions in order
        of explained variance.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> basis = obs_basis(rng.standard_normal((40, 25)), 4)
    >>> basis.shape, bool(np.allclose(np.linalg.norm(basis[:, 1:], axis=0), 1.0))
    ((25, 5), True)
    """
    mean = pca_epochs.mean(axis=0)
    k = min(n_components, max(pca_epochs.shape[0] - 1, 0))
    if not k:
        return mean[:, None]
    # principal directions from the smaller Gram matrix (same as the SVD's, far faster)
    centred = pca_epochs - mean
    gram = centred @ centred.T
    vals, vecs = np.linalg.eigh(gram)
    order = np.argsort(vals)[::-1][:k]
    comps = vecs[:, order].T @ centred
    comps /= np.maximum(np.linalg.norm(comps, axis=1, keepdims=True), 1e-30)
    return np.vstack([mean, comps]).T


def obs_fit(epochs: np.ndarray, pca_epochs: np.ndarray, n_components: int) -> np.ndarray:
    """The OBS artefact fitted to each epoch (rows of ``epochs``).

    Parameters
    ----------
    epochs : numpy.ndarray
        (n_beats, L) aligned epochs of one channel.
    pca_epochs : numpy.ndarray
        The same epochs of the high-passed channel, for the basis (:func:`obs_basis`).
    n_components : int
        Principal components in the basis besides the mean.

    Returns
    -------
    numpy.ndarray
        (n_beats, L) fitted artefact ``B β_k``.
    """
    basis = obs_basis(pca_epochs, n_components)
    beta, *_ = np.linalg.lstsq(basis, epochs.T, rcond=None)
    return (basis @ beta).T


def bcg_obs(
    raw: Any,
    peaks: np.ndarray,
    *,
    n_components: int = 4,
    delay: float = BCG_DELAY_S,
    highpass: float = 0.4,
    picks: Any = None,
) -> Any:
    """Remove the BCG with optimal basis sets (OBS).

    Niazy et al. 2005, NeuroImage 28:720 (the FMRIB plug-in): per channel, the beat epochs
    (aligned on the R-peak + ``delay``) of the ``highpass``-filtered channel give a basis, the
    mean artefact and its first ``n_components`` principal components; each beat's epoch is
    fitted to that basis by least squares and the fit is subtracted from the beat's segment.
    MNE-Python's ``mne.preprocessing.apply_pca_obs`` (since 1.10) centres the epochs on the
    R-peak and builds the basis from the unfiltered channel; the FMRIB plug-in that the
    article used aligns on the R-peak plus ``delay`` and builds it from the high-passed
    channel, hence this implementation.

    The basis is whatever varies most from beat to beat. When the EEG under the artefact
    (a strong eyes-closed alpha) varies more than the artefact's own shape does, the
    principal components after the first ones are EEG rhythms and the per-beat fit removes
    part of them (see ``docs/eeg-fmri.md``).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording (copied).
    peaks : numpy.ndarray
        R-peak samples (:func:`detect_qrs`).
    n_components : int
        Principal components per channel (4 in FMRIB).
    delay : float
        R-peak to BCG peak (s).
    highpass : float
        High-pass (Hz) of the data the basis is built from (FMRIB: about 0.4 Hz).
    picks : str or list, optional
        Channels to correct (default the EEG channels).

    Returns
    -------
    mne.io.BaseRaw
        The corrected copy.
    """
    import mne

    tiling = _bcg_tiling(raw, peaks, delay)
    if tiling.p.size < 2 * (n_components + 1):
        raise InputError(
            _source(raw),
            f"too short: {tiling.p.size} heart beats, OBS with {n_components} components "
            f"needs {2 * (n_components + 1)}",
        )
    out = raw.copy().load_data()
    chans = _eeg_picks(out, picks)
    hp = mne.filter.filter_data(
        out._data[chans], out.info["sfreq"], highpass, None, verbose="error"
    )
    for i, ch in enumerate(chans):
        x = out._data[ch]
        fitted = obs_fit(tiling.epochs(x), tiling.epochs(hp[i]), n_components)
        out._data[ch] = tiling.subtract(x, fitted)
    return out
