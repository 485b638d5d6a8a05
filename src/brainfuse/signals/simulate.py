"""Simulated simultaneous EEG-fMRI sessions with a known truth.

The article's recordings (Gallego-Rudolf et al. 2022, Front. Neurosci. 16:951321) are not
reachable offline, so the corrections are measured on sessions built here, where the clean EEG
under the artefacts is known sample by sample. One subject gives:

- ``truth``: the EEG inside the scanner without artefacts: a spatially smooth 1/f background
  (independent pink-noise sources mixed by a distance kernel over the electrodes) plus two
  posterior alpha sources at the subject's individual alpha frequency, whose amplitude follows
  the eyes-closed/eyes-open blocks (20-s blocks, eyes closed first) and slow random drifts;
- ``inside``: ``truth`` + the ballistocardiogram (BCG) + a TR-locked gradient artefact, with an
  ECG channel and ``TR`` / ``EC`` / ``EO`` annotations. The BCG is quasi-periodic: after each
  R-peak (RR intervals jittered around the subject's heart rate, with respiratory sinus
  arrhythmia) three spatial patterns (a left-right gradient, an anterior-posterior gradient and
  a rotation-like mixture, so topographies invert polarity) each carry their own waveform
  peaking about 210 ms after the R-peak, with amplitude and time scale varying slowly from beat
  to beat (respiration, drift). The gradient artefact repeats one volume pattern (slice bursts)
  per TR with a slowly varying gain per channel;
- ``outside``: the same subject (same topographies, alpha frequency, EC/EO reactivity) recorded
  outside the scanner: a new realisation of the background and alpha, an ECG, no artefacts;
- ``alpha_envelope``: the true alpha amplitude per sample (what the BOLD signal follows).

:func:`simulate_bold` builds the matching 4-D BOLD volume from nilearn's MNI152 template with
a planted cluster whose signal follows the negative HRF-convolved true alpha power.
Everything is seeded: the same seed gives the same arrays, bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["CHANNELS_18", "CHANNELS_32", "SimulatedSession", "simulate_bold", "simulate_session"]

#: The 18 electrodes the article analyses (Cz is the reference).
CHANNELS_18 = (
    "Fp1", "Fp2", "F3", "F4", "F7", "F8", "Fz", "C3", "C4",
    "P3", "P4", "Pz", "T3", "T4", "T5", "T6", "O1", "O2",
)  # fmt: skip
#: A 32-electrode 10-20 set: the 18 and 14 more (the article's cap has 32 channels).
CHANNELS_32 = (
    *CHANNELS_18,
    "FC1", "FC2", "FC5", "FC6", "CP1", "CP2", "CP5", "CP6",
    "Oz", "POz", "AFz", "FCz", "CPz", "TP9",
)  # fmt: skip


@dataclass
class SimulatedSession:
    """One simulated subject: the recordings and what is true about them.

    Attributes
    ----------
    inside, outside, truth : mne.io.Raw
        The in-scanner recording (EEG + BCG + gradient artefact, ECG, markers), the outside
        recording and the in-scanner EEG without artefacts (same channels, no ECG).
    r_peaks : numpy.ndarray
        The true R-peak samples of ``inside``.
    alpha_envelope : numpy.ndarray
        The true alpha amplitude of ``inside``, per sample (relative units).
    iaf : float
        The subject's individual alpha frequency (Hz).
    heart_rate : float
        Mean heart rate (beats per minute).
    tr : float
        Repetition time of the scanner (s); ``TR`` annotations mark each volume's start.
    """

    inside: object
    outside: object
    truth: object
    r_peaks: np.ndarray
    alpha_envelope: np.ndarray
    iaf: float
    heart_rate: float
    tr: float
    params: dict = field(default_factory=dict)


def _positions(channels: tuple[str, ...]) -> np.ndarray:
    """Unit-sphere-ish 3-D positions (x right, y anterior, z up) of 10-20 electrodes."""
    import mne

    montage = mne.channels.make_dig_montage(
        ch_pos=mne.channels.make_standard_montage("colin27_1005").get_positions()["ch_pos"]
    )
    pos = montage.get_positions()["ch_pos"]
    xyz = np.array([pos[c] for c in channels])
    xyz = xyz - xyz.mean(axis=0)
    return xyz / np.linalg.norm(xyz, axis=1, keepdims=True)


def _pink(rng: np.random.Generator, n_sources: int, n: int, sfreq: float) -> np.ndarray:
    """Unit-variance 1/f noise (power ~ 1/f), one row per source."""
    spec = rng.standard_normal((n_sources, n // 2 + 1)) + 1j * rng.standard_normal(
        (n_sources, n // 2 + 1)
    )
    f = np.fft.rfftfreq(n, 1.0 / sfreq)
    spec *= 1.0 / np.sqrt(np.maximum(f, 0.5))
    spec[:, 0] = 0.0
    out = np.fft.irfft(spec, n=n)
    return out / out.std(axis=1, keepdims=True)


def _slow(rng: np.random.Generator, n: int, sfreq: float, cutoff: float) -> np.ndarray:
    """A smooth random series of unit variance with content below ``cutoff`` Hz."""
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.fft.rfftfreq(n, 1.0 / sfreq)
    spec[(f > cutoff) | (f == 0)] = 0.0
    out = np.fft.irfft(spec, n=n)
    return out / (out.std() or 1.0)


def _blocks(n: int, sfreq: float, block_s: float, start_s: float) -> np.ndarray:
    """1 in eyes-closed blocks, 0 in eyes-open ones (EC first), smoothed over 1 s."""
    t = np.arange(n) / sfreq
    closed = (np.floor(np.maximum(t - start_s, 0.0) / block_s) % 2 == 0).astype(float)
    width = max(1, int(sfreq))
    kernel = np.hanning(width)
    return np.convolve(closed, kernel / kernel.sum(), mode="same")


def _clean_eeg(rng, mixing_bg, alpha_topo, n, sfreq, iaf, ec_eo_ratio, block_s, start_s):
    """Background + alpha (µV) and the alpha envelope, shape (n_channels, n)."""
    n_ch = mixing_bg.shape[0]
    background = mixing_bg @ _pink(rng, n_ch, n, sfreq) * 6.0
    closed = _blocks(n, sfreq, block_s, start_s)
    envelope = (1.0 + (np.sqrt(ec_eo_ratio) - 1.0) * closed) * np.exp(
        0.15 * _slow(rng, n, sfreq, 0.05)
    )
    t = np.arange(n) / sfreq
    alpha = np.zeros((n_ch, n))
    for k in range(alpha_topo.shape[1]):
        freq = iaf + 0.3 * _slow(rng, n, sfreq, 0.2)
        phase = 2 * np.pi * np.cumsum(freq) / sfreq + rng.uniform(0, 2 * np.pi)
        am = 1.0 + 0.3 * _slow(rng, n, sfreq, 1.0)
        alpha += np.outer(alpha_topo[:, k], np.clip(am, 0.2, None) * np.sin(phase))
    alpha *= envelope * 7.0
    noise = 0.5 * rng.standard_normal((n_ch, n))
    del t
    return background + alpha + noise, envelope


def _r_peaks(rng, n, sfreq, heart_rate) -> np.ndarray:
    """R-peak samples: RR jittered (SD 40 ms) with respiratory sinus arrhythmia (0.25 Hz)."""
    mean_rr = 60.0 / heart_rate
    peaks, t = [], 0.3 + rng.uniform(0, mean_rr)
    while t < n / sfreq - 0.05:
        peaks.append(t)
        rr = mean_rr * (1 + 0.05 * np.sin(2 * np.pi * 0.25 * t)) + 0.04 * rng.standard_normal()
        t += float(np.clip(rr, 0.6 * mean_rr, 1.4 * mean_rr))
    return np.round(np.array(peaks) * sfreq).astype(int)


def _ecg(rng, peaks, n, sfreq) -> np.ndarray:
    """An ECG (µV) with P, QRS and T waves at the R-peaks, baseline wander and noise."""
    t = np.arange(-int(0.4 * sfreq), int(0.6 * sfreq)) / sfreq
    beat = (
        0.15 * np.exp(-(((t + 0.18) / 0.025) ** 2))
        - 0.12 * np.exp(-(((t + 0.03) / 0.008) ** 2))
        + 1.0 * np.exp(-((t / 0.01) ** 2))
        - 0.25 * np.exp(-(((t - 0.035) / 0.01) ** 2))
        + 0.3 * np.exp(-(((t - 0.3) / 0.06) ** 2))
    ) * 1000.0
    ecg = np.zeros(n)
    lo = int(0.4 * sfreq)
    for p in peaks:
        a, b = max(p - lo, 0), min(p - lo + t.size, n)
        ecg[a:b] += beat[a - (p - lo) : b - (p - lo)] * (1 + 0.05 * rng.standard_normal())
    ecg += 80.0 * _slow(rng, n, sfreq, 0.3) + 15.0 * rng.standard_normal(n)
    return ecg


def _bcg(rng, peaks, n, sfreq, patterns, amplitude) -> np.ndarray:
    """Quasi-periodic BCG (µV): one waveform per spatial pattern after each R-peak."""
    n_pat = patterns.shape[1]
    span = np.arange(int(0.9 * sfreq)) / sfreq
    centres = rng.uniform(0.19, 0.23, n_pat)
    widths = rng.uniform(0.035, 0.06, n_pat)
    second = rng.uniform(-0.7, 0.7, n_pat)
    t_s = peaks / sfreq
    resp = np.sin(2 * np.pi * 0.25 * t_s + rng.uniform(0, 2 * np.pi))
    drift = np.interp(t_s, np.arange(n) / sfreq, _slow(rng, n, sfreq, 0.02))
    out = np.zeros((patterns.shape[0], n))
    for p, tp in zip(peaks, t_s, strict=True):
        i = int(np.searchsorted(t_s, tp))
        gain = 1.0 + 0.15 * resp[i] + 0.1 * drift[i]
        stretch = 1.0 + 0.05 * drift[i] + 0.02 * rng.standard_normal()
        wave = np.empty((n_pat, span.size))
        for k in range(n_pat):
            c, w = centres[k] * stretch, widths[k] * stretch
            wave[k] = (
                np.exp(-(((span - c) / w) ** 2))
                - 0.8 * np.exp(-(((span - c - 1.6 * w) / w) ** 2))
                + second[k] * np.exp(-(((span - c - 3.5 * w) / (1.5 * w)) ** 2))
            )
        wave *= gain * amplitude
        b = min(p + span.size, n)
        out[:, p:b] += patterns @ wave[:, : b - p]
    return out


def _gradient(rng, n, sfreq, n_ch, tr, first_volume_s, n_slices=30) -> tuple[np.ndarray, list]:
    """TR-locked gradient artefact (µV) and the volume onsets (s)."""
    tr_n = round(tr * sfreq)
    slice_n = tr_n // n_slices
    ts = np.arange(slice_n) / sfreq
    burst = np.zeros(slice_n)
    for f in (31.0, 77.0, 143.0, 211.0):
        if f < sfreq / 2:
            burst += np.sin(2 * np.pi * f * ts + rng.uniform(0, 2 * np.pi))
    burst *= np.hanning(slice_n) * 1500.0
    volume = np.zeros(tr_n)
    volume[: slice_n * n_slices] = np.tile(burst, n_slices)
    start = round(first_volume_s * sfreq)
    n_vol = (n - start) // tr_n
    onsets = [(start + v * tr_n) / sfreq for v in range(n_vol)]
    gains = rng.uniform(0.5, 2.0, n_ch)
    drift = 1.0 + 0.02 * _slow(rng, n, sfreq, 0.01)
    out = np.zeros((n_ch, n))
    series = np.zeros(n)
    series[start : start + n_vol * tr_n] = np.tile(volume, n_vol)
    out[:] = np.outer(gains, series * drift)
    return out, onsets


def _raw(data_uv: np.ndarray, channels, sfreq, ecg_uv=None):
    import mne

    names = list(channels) + (["ECG"] if ecg_uv is not None else [])
    types = ["eeg"] * len(channels) + (["ecg"] if ecg_uv is not None else [])
    data = data_uv if ecg_uv is None else np.vstack([data_uv, ecg_uv])
    info = mne.create_info(names, sfreq, types)
    raw = mne.io.RawArray(data * 1e-6, info, verbose="error")
    montage = mne.channels.make_standard_montage("colin27_1005")
    raw.set_montage(montage, on_missing="ignore", verbose="error")
    return raw


def _block_annotations(duration_s: float, block_s: float, start_s: float):
    onsets, descs = [], []
    t, closed = start_s, True
    while t + block_s <= duration_s + 1e-9:
        onsets.append(t)
        descs.append("EC" if closed else "EO")
        t += block_s
        closed = not closed
    return onsets, [block_s] * len(onsets), descs


def simulate_session(
    seed: int = 0,
    *,
    duration: float = 240.0,
    sfreq: float = 1000.0,
    n_channels: int = 18,
    tr: float = 2.0,
    block_s: float = 20.0,
    heart_rate: float | None = None,
    bcg_uv: float = 60.0,
    gradient: bool = True,
) -> SimulatedSession:
    """Simulate one subject's outside and inside (simultaneous EEG-fMRI) recordings.

    Parameters
    ----------
    seed : int
        Seed of every random draw (the subject).
    duration : float
        Length of each recording (s); the article's task runs last 4 min.
    sfreq : float
        Sampling rate (Hz); the article records at 1000 Hz.
    n_channels : int
        18 (the article's electrodes) or 32.
    tr : float
        Repetition time (s) of the gradient artefact and of the ``TR`` markers.
    block_s : float
        Length of the eyes-closed / eyes-open blocks (s), eyes closed first.
    heart_rate : float, optional
        Mean heart rate (bpm); drawn in 55-80 when None.
    bcg_uv : float
        Peak amplitude of each BCG waveform before the spatial pattern (µV).
    gradient : bool
        Add the gradient artefact and ``TR`` markers to the inside recording.

    Returns
    -------
    SimulatedSession
        The recordings (MNE Raw, volts) and the truth.

    Examples
    --------
    >>> s = simulate_session(1, duration=30.0, sfreq=250.0)
    >>> s.inside.ch_names[-1], len(s.truth.ch_names), float(s.inside.times[-1] + 1 / 250)
    ('ECG', 18, 30.0)
    """
    if n_channels not in (18, 32):
        raise ValueError("n_channels must be 18 or 32")
    channels = CHANNELS_18 if n_channels == 18 else CHANNELS_32
    rng = np.random.default_rng(seed)
    n = round(duration * sfreq)
    xyz = _positions(channels)
    dist = np.linalg.norm(xyz[:, None] - xyz[None], axis=-1)
    mixing_bg = np.exp(-dist / 0.5)
    mixing_bg /= np.linalg.norm(mixing_bg, axis=1, keepdims=True)
    # two posterior alpha sources, left and right, Gaussian topographies
    alpha_topo = np.stack(
        [
            np.exp(-np.sum((xyz - np.array([sx, -0.9, 0.1])) ** 2, axis=1) / 0.35)
            for sx in (-0.4, 0.4)
        ],
        axis=1,
    )
    iaf = float(rng.uniform(9.0, 11.5))
    ratio = float(rng.uniform(2.5, 5.0))  # EC/EO alpha power ratio
    hr = float(rng.uniform(55, 80)) if heart_rate is None else float(heart_rate)
    # BCG patterns: left-right, anterior-posterior and a random smooth mixture
    x, y = xyz[:, 0], xyz[:, 1]
    patterns = np.stack(
        [x * rng.uniform(0.8, 1.2), y * rng.uniform(0.6, 1.0), (x + y) * 0.5 + 0.3 * xyz[:, 2]],
        axis=1,
    )
    patterns += 0.15 * rng.standard_normal(patterns.shape)
    start = 2.0
    # inside
    clean_in, envelope = _clean_eeg(
        rng, mixing_bg, alpha_topo, n, sfreq, iaf, ratio, block_s, start
    )
    peaks = _r_peaks(rng, n, sfreq, hr)
    ecg = _ecg(rng, peaks, n, sfreq)
    bcg = _bcg(rng, peaks, n, sfreq, patterns, bcg_uv)
    data = clean_in + bcg
    onsets_tr: list = []
    if gradient:
        ga, onsets_tr = _gradient(rng, n, sfreq, n_channels + 1, tr, 1.0)
        data = data + ga[:n_channels]
        ecg = ecg + 0.3 * ga[n_channels]
    inside = _raw(data, channels, sfreq, ecg)
    truth = _raw(clean_in, channels, sfreq)
    b_on, b_dur, b_desc = _block_annotations(duration, block_s, start)
    import mne

    ann = mne.Annotations(
        onsets_tr + b_on, [0.0] * len(onsets_tr) + b_dur, ["TR"] * len(onsets_tr) + b_desc
    )
    inside.set_annotations(ann)
    truth.set_annotations(mne.Annotations(b_on, b_dur, b_desc))
    # outside: same subject, new realisation, no artefacts
    clean_out, _ = _clean_eeg(rng, mixing_bg, alpha_topo, n, sfreq, iaf, ratio, block_s, start)
    out_peaks = _r_peaks(rng, n, sfreq, hr)
    outside = _raw(clean_out, channels, sfreq, _ecg(rng, out_peaks, n, sfreq))
    outside.set_annotations(mne.Annotations(b_on, b_dur, b_desc))
    return SimulatedSession(
        inside=inside,
        outside=outside,
        truth=truth,
        r_peaks=peaks,
        alpha_envelope=envelope,
        iaf=iaf,
        heart_rate=hr,
        tr=tr,
        params={"seed": seed, "ec_eo_ratio": ratio, "bcg_uv": bcg_uv, "n_channels": n_channels},
    )


def simulate_bold(
    alpha_power: np.ndarray,
    tr: float,
    seed: int = 0,
    *,
    centre_mm: tuple[float, float, float] = (0.0, -84.0, 8.0),
    radius_mm: float = 12.0,
    percent: float = 2.0,
    noise_percent: float = 1.0,
    resolution: int = 4,
):
    """A 4-D BOLD volume on the MNI152 template whose planted cluster follows −(alpha ∗ HRF).

    Parameters
    ----------
    alpha_power : numpy.ndarray
        The true alpha power, one value per volume.
    tr : float
        Repetition time (s).
    seed : int
        Seed of the noise.
    centre_mm, radius_mm : tuple of float, float
        Centre (MNI mm) and radius of the planted sphere (default: occipital cortex).
    percent : float
        Peak-to-peak-scaled signal change in the cluster (% of the baseline, per unit SD of
        the regressor).
    noise_percent : float
        SD of the AR(1) noise (% of the baseline).
    resolution : int
        Voxel size (mm) of the nilearn MNI152 template (the article's EPI is 4 mm).

    Returns
    -------
    bold : nibabel.Nifti1Image
        The 4-D series (float32).
    cluster : nibabel.Nifti1Image
        The planted cluster's mask (uint8).
    mask : nibabel.Nifti1Image
        The brain mask.
    """
    import nibabel as nib
    from nilearn import datasets, image

    from .glm import hrf_regressor

    template = datasets.load_mni152_template(resolution=2)
    template = image.resample_img(
        template,
        target_affine=np.diag([resolution] * 3),
        interpolation="continuous",
        force_resample=True,
        copy_header=True,
    )
    t1 = np.asarray(template.get_fdata(), dtype=float)
    brain = t1 > 0.2 * t1.max()
    n_vol = alpha_power.size
    reg = hrf_regressor(np.asarray(alpha_power, float), tr)
    ijk = np.indices(t1.shape).reshape(3, -1).T
    xyz = nib.affines.apply_affine(template.affine, ijk).reshape(*t1.shape, 3)
    cluster = (np.linalg.norm(xyz - np.array(centre_mm), axis=-1) <= radius_mm) & brain
    rng = np.random.default_rng(seed)
    base = 1000.0 * (0.5 + t1 / t1.max())
    noise = rng.standard_normal((*t1.shape, n_vol)).astype(np.float32)
    for v in range(1, n_vol):
        noise[..., v] = 0.3 * noise[..., v - 1] + np.sqrt(1 - 0.09) * noise[..., v]
    bold = base[..., None] * (1.0 + noise_percent / 100.0 * noise)
    bold[cluster] -= base[cluster][:, None] * (percent / 100.0) * reg[None, :]
    bold *= brain[..., None]
    affine = template.affine
    return (
        nib.Nifti1Image(bold.astype(np.float32), affine),
        nib.Nifti1Image(cluster.astype(np.uint8), affine),
        nib.Nifti1Image(brain.astype(np.uint8), affine),
    )
