"""Spectral features of Gallego-Rudolf et al. (2022): band power, % change, EC/EO ratio, IAF.

- Epochs: non-overlapping 2-s epochs (:func:`epochs`), the first ``n`` clean ones; an epoch is
  rejected when its peak-to-peak amplitude exceeds a threshold on any EEG channel (the article
  rejected epochs by eye; a threshold is the repeatable stand-in), or, when a condition is
  asked for, when it does not lie wholly inside an ``EC`` or ``EO`` annotation.
- Power: the periodogram of each epoch (MNE's :func:`mne.time_frequency.psd_array_welch` with
  one boxcar segment per epoch, i.e. the FFT the article used), averaged over epochs, in
  V²/Hz; the absolute power of a band is ``Σ_{f ∈ band} P(f) Δf`` with both edges included;
  relative power divides by the 1-50 Hz total.
- % change: ``100 · P_in / P_out − 100`` per electrode and band (the article's formula).
- EC/EO ratio: alpha (8-12 Hz) power in eyes-closed epochs over eyes-open epochs, on the mean
  of O1 and O2's power (the article leaves open whether O1/O2 are averaged before or after the
  ratio; averaging the power first is the choice here).
- IAF and CoG (Corcoran et al. 2018, Psychophysiology 55:e13064): the spectrum (Welch, 2-s
  segments zero-padded to 0.25-Hz bins) smoothed by a Savitzky-Golay filter (frame 11,
  order 5; :func:`scipy.signal.savgol_filter`); the peak alpha frequency is where the smoothed
  first derivative crosses zero downwards inside 7-13 Hz at the highest power (linear
  interpolation between bins); the centre of gravity is ``Σ f P(f) / Σ P(f)`` between the
  derivative's zero crossings either side of the peak (7 and 13 Hz when there are none).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from .artefacts import annotation_spans

__all__ = [
    "BANDS",
    "band_power",
    "ec_eo_ratio",
    "epochs",
    "iaf_cog",
    "percent_change",
    "spectrum",
]

#: The article's bands (Hz), edges included.
BANDS: dict[str, tuple[float, float]] = {
    "delta": (1.0, 3.0),
    "theta": (4.0, 7.0),
    "alpha": (8.0, 12.0),
    "slow beta": (13.0, 17.0),
    "fast beta": (18.0, 30.0),
    "gamma": (31.0, 50.0),
}


def epochs(
    raw: Any,
    *,
    length: float = 2.0,
    n: int | None = None,
    condition: str | None = None,
    reject_uv: float = 200.0,
    picks: Any = "eeg",
) -> np.ndarray:
    """The first ``n`` clean non-overlapping epochs of ``length`` seconds.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    length : float
        Epoch length (s).
    n : int, optional
        How many (all clean ones when None).
    condition : str, optional
        Only epochs wholly inside annotations with this description (``"EC"``, ``"EO"``).
    reject_uv : float
        Peak-to-peak rejection threshold (µV) on any channel.
    picks : str or list
        Channels (MNE picks).

    Returns
    -------
    numpy.ndarray
        (n_epochs, n_channels, samples), volts.

    Raises
    ------
    InputError
        Fewer than ``n`` clean epochs, or no epoch at all.
    """
    sf = raw.info["sfreq"]
    size = round(length * sf)
    data = raw.get_data(picks=picks)
    starts = np.arange(0, data.shape[1] - size + 1, size)
    if condition is not None:
        spans = annotation_spans(raw, condition)
        t0 = starts / sf
        inside = np.zeros(starts.size, bool)
        for a, b in spans:
            inside |= (t0 >= a - 1e-9) & (t0 + length <= b + 1e-9)
        starts = starts[inside]
    ep = data[:, starts[:, None] + np.arange(size)[None, :]].transpose(1, 0, 2)
    ptp = ep.max(axis=2) - ep.min(axis=2)
    ep = ep[(ptp <= reject_uv * 1e-6).all(axis=1)]
    where = f"{condition} " if condition else ""
    if ep.shape[0] == 0 or (n is not None and ep.shape[0] < n):
        raise InputError(
            None, f"only {ep.shape[0]} clean {where}epochs of {length:g} s, need {n or 1}"
        )
    return ep if n is None else ep[:n]


def spectrum(ep: np.ndarray, sfreq: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean periodogram of epochs: (channels, frequencies) in V²/Hz and the frequencies.

    Parameters
    ----------
    ep : numpy.ndarray
        (n_epochs, n_channels, samples).
    sfreq : float
        Sampling rate (Hz).

    Returns
    -------
    psd : numpy.ndarray
        (n_channels, n_freqs).
    freqs : numpy.ndarray
        0 to Nyquist in steps of 1/length.
    """
    from mne.time_frequency import psd_array_welch

    size = ep.shape[-1]
    psd, freqs = psd_array_welch(
        ep, sfreq, fmin=0.0, fmax=sfreq / 2, n_fft=size, n_overlap=0, window="boxcar",
        verbose="error",
    )  # fmt: skip
    return psd.mean(axis=0), freqs


def band_power(
    psd: np.ndarray, freqs: np.ndarray, bands: dict[str, tuple[float, float]] | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Absolute (V²) and relative band power per channel.

    Parameters
    ----------
    psd : numpy.ndarray
        (..., n_freqs) power spectral density (V²/Hz).
    freqs : numpy.ndarray
        Its frequencies (evenly spaced).
    bands : dict, optional
        Name -> (low, high) Hz, edges included (default :data:`BANDS`).

    Returns
    -------
    absolute, relative : dict of numpy.ndarray
        Per band; relative power is over the 1-50 Hz total.

    Examples
    --------
    >>> f = np.arange(0, 60.5, 0.5)
    >>> psd = np.where((f >= 8) & (f <= 12), 2.0, 1.0)
    >>> absolute, relative = band_power(psd, f)
    >>> float(absolute["alpha"]), round(float(relative["alpha"]), 4)
    (9.0, 0.1667)
    """
    bands = BANDS if bands is None else bands
    df = float(freqs[1] - freqs[0])
    tol = 1e-9
    total = psd[..., (freqs >= 1 - tol) & (freqs <= 50 + tol)].sum(axis=-1) * df
    absolute = {
        k: psd[..., (freqs >= lo - tol) & (freqs <= hi + tol)].sum(axis=-1) * df
        for k, (lo, hi) in bands.items()
    }
    return absolute, {k: v / total for k, v in absolute.items()}


def percent_change(inside: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """``100 · inside / outside − 100`` (the article's % change of absolute power).

    Parameters
    ----------
    inside, outside : numpy.ndarray
        Band powers.

    Returns
    -------
    numpy.ndarray
        Percent change.

    Examples
    --------
    >>> float(percent_change(np.array(3.0), np.array(2.0)))
    50.0
    """
    return np.asarray(inside, dtype=float) / np.asarray(outside, dtype=float) * 100.0 - 100.0


def ec_eo_ratio(
    raw: Any,
    *,
    channels: tuple[str, ...] = ("O1", "O2"),
    n: int | None = 20,
    reject_uv: float = 200.0,
) -> float:
    """Alpha (8-12 Hz) power in eyes-closed over eyes-open epochs on ``channels``.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        A recording with ``EC`` and ``EO`` annotations.
    channels : tuple of str
        Electrodes whose power is averaged (the article: O1 and O2).
    n : int, optional
        The first ``n`` clean 2-s epochs of each condition (the article: 20).
    reject_uv : float
        Peak-to-peak rejection threshold (µV).

    Returns
    -------
    float
        The ratio.

    Raises
    ------
    InputError
        A channel is missing or there are too few epochs of a condition.
    """
    missing = [c for c in channels if c not in raw.ch_names]
    if missing:
        raise InputError(None, f"channels {missing} not in the recording (needed for EC/EO)")
    sf = raw.info["sfreq"]
    power = {}
    for cond in ("EC", "EO"):
        ep = epochs(raw, n=n, condition=cond, reject_uv=reject_uv, picks=list(channels))
        psd, f = spectrum(ep, sf)
        power[cond] = band_power(psd.mean(axis=0), f, {"alpha": BANDS["alpha"]})[0]["alpha"]
    return float(power["EC"] / power["EO"])


def iaf_cog(
    x: np.ndarray,
    sfreq: float,
    *,
    window: tuple[float, float] = (7.0, 13.0),
    frame: int = 11,
    order: int = 5,
    resolution: float = 0.25,
) -> tuple[float, float]:
    """Individual alpha peak frequency and centre of gravity (Corcoran et al. 2018).

    Parameters
    ----------
    x : numpy.ndarray
        One channel's signal (volts), band-passed 1-40 Hz beforehand as in the article.
    sfreq : float
        Sampling rate (Hz).
    window : tuple of float
        Alpha search window (Hz).
    frame, order : int
        Savitzky-Golay frame width (bins) and polynomial order.
    resolution : float
        Frequency bin (Hz) of the zero-padded Welch spectrum (2-s segments).

    Returns
    -------
    iaf, cog : float
        Hz; NaN when the smoothed spectrum has no peak inside ``window``.

    Examples
    --------
    >>> fs = 250.0
    >>> t = np.arange(int(60 * fs)) / fs
    >>> rng = np.random.default_rng(0)
    >>> x = np.sin(2 * np.pi * 10.3 * t) + 0.5 * rng.standard_normal(t.size)
    >>> iaf, cog = iaf_cog(x, fs)
    >>> abs(iaf - 10.3) < 0.15, abs(cog - 10.3) < 0.3
    (True, True)
    """
    from mne.time_frequency import psd_array_welch
    from scipy.signal import savgol_filter

    seg = round(2 * sfreq)
    psd, f = psd_array_welch(
        np.asarray(x, float), sfreq, fmin=1.0, fmax=40.0, n_per_seg=seg,
        n_fft=round(sfreq / resolution), verbose="error",
    )  # fmt: skip
    smooth = savgol_filter(psd, frame, order)
    deriv = savgol_filter(psd, frame, order, deriv=1)
    lo, hi = window
    idx = np.flatnonzero((f >= lo) & (f < hi))
    down = [i for i in idx if deriv[i] > 0 >= deriv[i + 1]]
    if not down:
        return float("nan"), float("nan")
    i = max(down, key=lambda j: smooth[j])
    peak = f[i] + (f[i + 1] - f[i]) * deriv[i] / (deriv[i] - deriv[i + 1])
    left = [j for j in idx if j < i and deriv[j] < 0 <= deriv[j + 1]]
    right = [j for j in idx if j > i and deriv[j] < 0 <= deriv[j + 1]]
    a = f[left[-1] + 1] if left else lo
    b = f[right[0]] if right else hi
    span = (f >= a) & (f <= b)
    cog = float((f[span] * psd[span]).sum() / psd[span].sum())
    return float(peak), cog
