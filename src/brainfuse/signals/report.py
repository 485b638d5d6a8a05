"""Tables of the article's measures, for one recording or a simulated cohort.

:func:`spectral_table` is what ``brainfuse eeg-fmri spectra`` prints. :func:`evaluate_subject`
scores every BCG correction on one simulated subject against the known truth (what
``brainfuse eeg-fmri bench`` and ``python -m benchmarks.eeg_fmri`` run for each subject).

``x_true`` is the clean EEG passed through the same gradient AAS (on the same volume markers)
and 1-50 Hz band-pass as the recording, so that the measures isolate the BCG step. Gradient
AAS is linear and its template averages the current volume with its neighbours, so it takes
about ``1/window`` of the power of any activity not locked to the volumes (20 % with the
article's 5-volume window); ``gradient_aas_error`` reports that cost per band, against the
clean EEG.

- ``cardiac_cut``: how much of the BCG's power at the cardiac harmonics (bins within 0.15 Hz of
  k × heart rate, 1-15 Hz) is gone: ``1 − P(x_corrected − x_true) / P(x_uncorrected −
  x_true)``, over all EEG channels (the uncorrected recording is the one after gradient AAS
  and the 1-50 Hz band-pass);
- ``band_error``: per band, ``100 · (P_corrected / P_true − 1)`` of absolute power (all 2-s
  epochs, all channels);
- ``percent_change``: the article's % change against the outside recording, per band;
- ``ec_eo``: EC/EO alpha ratio on O1/O2 of the corrected and the true recording;
- ``iaf_error``: |IAF(corrected) − IAF(true)| on O1 and O2 (Hz);
- ``components``: ICA components removed (kept, for ``ife``).

Per subject, ``truth["alpha_in_artefact_span"]`` says how much any *spatial* correction must
cost: the share of the true alpha power (8-12 Hz, all channels) that lies in the artefact's
spatial subspace, i.e. that the orthogonal projection ``x − U Uᵀ x`` removes, with ``U`` the
first :data:`ARTEFACT_RANK` left singular vectors of ``x_uncorrected − x_true``. A method that
removes the artefact's topographies (ICA removal, SSP) removes that much alpha with them unless
its unmixing separates alpha exactly. ``obs_basis_alpha`` gives, for O1 and O2, the share of
8-12 Hz power in each principal component of the OBS basis (:func:`~.artefacts.obs_basis`): near
zero when the components describe the artefact, large when they have become alpha rhythms.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .artefacts import annotation_spans
from .spectra import BANDS, band_power, ec_eo_ratio, epochs, iaf_cog, percent_change, spectrum

__all__ = [
    "ARTEFACT_RANK",
    "alpha_in_span",
    "cardiac_harmonics",
    "evaluate_subject",
    "spectral_table",
]

#: Spatial dimensions of the artefact subspace used by :func:`alpha_in_span`.
ARTEFACT_RANK = 3


def _mean_psd(raw: Any, *, n: int | None = None, reject_uv: float = np.inf):
    ep = epochs(raw, n=n, reject_uv=reject_uv)
    return spectrum(ep, raw.info["sfreq"])


def spectral_table(
    raw: Any,
    reference: Any = None,
    *,
    n_epochs: int = 22,
    reject_uv: float = 200.0,
    names: tuple[str | os.PathLike[str] | None, ...] = (),
) -> dict[str, Any]:
    """Band power (mean over EEG channels), % change, EC/EO ratio, IAF and CoG of ``raw``.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The (corrected) recording.
    reference : mne.io.BaseRaw, optional
        The outside recording (same channels and sampling rate).
    n_epochs : int
        The first ``n_epochs`` clean 2-s epochs.
    reject_uv : float
        Peak-to-peak rejection (µV).
    names : tuple
        The files, for messages.

    Returns
    -------
    dict
        ``bands`` (per band: ``absolute_uv2``, ``relative``, ``percent_change``),
        ``ec_eo_ratio``, ``iaf_hz``, ``cog_hz`` (None when not computable).

    Raises
    ------
    InputError
        Mismatched sampling rates or channels, or too few clean epochs.
    """
    from ..errors import InputError

    where = names[0] if names else None
    if reference is not None:
        ref_name = names[1] if len(names) > 1 else None
        if reference.info["sfreq"] != raw.info["sfreq"]:
            raise InputError(
                ref_name,
                f"sampling rate {reference.info['sfreq']:g} Hz differs from "
                f"{raw.info['sfreq']:g} Hz (mismatched sampling rates)",
            )
        eeg = raw.copy().pick("eeg").ch_names
        missing = [c for c in eeg if c not in reference.ch_names]
        if missing:
            raise InputError(ref_name, f"lacks the channels {missing[:5]}")
    try:
        psd, f = _mean_psd(raw, n=n_epochs, reject_uv=reject_uv)
        absolute, relative = band_power(psd, f)
        change = None
        if reference is not None:
            ref = reference.copy().pick(raw.copy().pick("eeg").ch_names)
            rpsd, rf = _mean_psd(ref, n=n_epochs, reject_uv=reject_uv)
            change = {
                k: float(np.mean(percent_change(absolute[k], v)))
                for k, v in band_power(rpsd, rf)[0].items()
            }
    except InputError as exc:
        raise InputError(where, exc.problem) from None
    table: dict[str, Any] = {
        "bands": {
            k: {
                "absolute_uv2": float(absolute[k].mean() * 1e12),
                "relative": float(relative[k].mean()),
                "percent_change": None if change is None else change[k],
            }
            for k in BANDS
        }
    }
    table["ec_eo_ratio"] = None
    blocks = annotation_spans(raw, "EC") and annotation_spans(raw, "EO")
    if blocks and {"O1", "O2"} <= set(raw.ch_names):
        try:
            table["ec_eo_ratio"] = ec_eo_ratio(raw, n=None, reject_uv=reject_uv)
        except InputError:
            pass
    iaf = [
        iaf_cog(raw.get_data(picks=c)[0], raw.info["sfreq"])
        for c in ("O1", "O2")
        if c in raw.ch_names
    ]
    good = [v for v in iaf if np.isfinite(v[0])]
    table["iaf_hz"] = float(np.mean([v[0] for v in good])) if good else None
    table["cog_hz"] = float(np.mean([v[1] for v in good])) if good else None
    return table


def cardiac_harmonics(freqs: np.ndarray, heart_rate_hz: float, fmax: float = 15.0) -> np.ndarray:
    """Mask of the bins within 0.15 Hz of a multiple of the heart rate, 1 Hz to ``fmax``.

    Parameters
    ----------
    freqs : numpy.ndarray
        Frequencies (Hz).
    heart_rate_hz : float
        Heart rate (Hz).
    fmax : float
        Highest frequency.

    Returns
    -------
    numpy.ndarray of bool
        The mask.

    Examples
    --------
    >>> f = np.arange(0, 5.01, 0.25)
    >>> [float(x) for x in f[cardiac_harmonics(f, 1.2, 3.0)]]
    [1.25, 2.25, 2.5]
    """
    mask = np.zeros(freqs.size, bool)
    for k in range(1, int(fmax / heart_rate_hz) + 2):
        mask |= np.abs(freqs - k * heart_rate_hz) <= 0.15 + 1e-9
    return mask & (freqs >= 1.0) & (freqs <= fmax)


def alpha_in_span(
    x_true: np.ndarray, artefact: np.ndarray, sfreq: float, rank: int = ARTEFACT_RANK
) -> float:
    """Share of the alpha power of ``x_true`` inside the artefact's spatial subspace.

    Parameters
    ----------
    x_true : numpy.ndarray
        (n_channels, n_times) clean EEG.
    artefact : numpy.ndarray
        (n_channels, n_times) the artefact alone (uncorrected − clean).
    sfreq : float
        Sampling rate (Hz).
    rank : int
        Dimensions of the subspace (the first left singular vectors of ``artefact``).

    Returns
    -------
    float
        ``1 − P_α(x − U Uᵀ x) / P_α(x)`` with ``P_α`` the 8-12 Hz power summed over channels.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(2500) / 250.0
    >>> alpha = np.outer([1.0, 0.0, 0.0], np.sin(2 * np.pi * 10 * t))
    >>> artefact = np.outer([1.0, 0.0, 0.0], rng.standard_normal(t.size))
    >>> round(alpha_in_span(alpha, artefact, 250.0, rank=1), 3)
    1.0
    >>> round(alpha_in_span(alpha, np.roll(artefact, 1, axis=0), 250.0, rank=1), 3)
    0.0
    """
    u = np.linalg.svd(artefact, full_matrices=False)[0][:, :rank]
    kept = x_true - u @ (u.T @ x_true)
    f = np.fft.rfftfreq(x_true.shape[-1], 1.0 / sfreq)
    band = (f >= 8.0) & (f <= 12.0)

    def power(y: np.ndarray) -> float:
        return float((np.abs(np.fft.rfft(y, axis=-1)[:, band]) ** 2).sum())

    return 1.0 - power(kept) / power(x_true)


def _obs_basis_alpha(raw: Any, peaks: np.ndarray, channels: list[int]) -> list[list[float]]:
    import mne

    from .artefacts import BCG_DELAY_S, _bcg_tiling, obs_basis

    sf = raw.info["sfreq"]
    tiling = _bcg_tiling(raw, peaks, BCG_DELAY_S)
    x = raw.get_data(picks="eeg")[channels]
    hp = mne.filter.filter_data(x, sf, 0.4, None, verbose="error")
    out = []
    for row in hp:
        comps = obs_basis(tiling.epochs(row), 4)[:, 1:].T
        f = np.fft.rfftfreq(comps.shape[1], 1.0 / sf)
        p = np.abs(np.fft.rfft(comps, axis=1)) ** 2
        out.append((p[:, (f >= 8) & (f <= 12)].sum(axis=1) / p.sum(axis=1)).tolist())
    return out


def _iaf(raw: Any) -> float:
    values = [iaf_cog(raw.get_data(picks=c)[0], raw.info["sfreq"])[0] for c in ("O1", "O2")]
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def evaluate_subject(
    seed: int,
    *,
    duration: float = 240.0,
    sfreq: float = 250.0,
    n_channels: int = 18,
    methods: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Simulate subject ``seed`` and score every BCG correction against the truth.

    Parameters
    ----------
    seed : int
        The subject.
    duration : float
        Length of each recording (s).
    sfreq : float
        Sampling rate (Hz).
    n_channels : int
        18 or 32.
    methods : tuple of str, optional
        Corrections (default: all of :data:`~brainfuse.signals.methods.CORRECTIONS`).

    Returns
    -------
    dict
        ``truth`` (EC/EO ratio, IAF, alpha per volume), ``uncorrected`` and one entry per
        method with the measures listed in the module's docstring, plus ``alpha_per_volume``
        (for the GLM) and ``psd_o`` (mean O1/O2 spectrum, for figures).
    """
    from mne.time_frequency import psd_array_welch

    from .artefacts import gradient_aas
    from .glm import alpha_regressor
    from .methods import CORRECTIONS, prepare
    from .simulate import simulate_session

    session = simulate_session(seed, duration=duration, sfreq=sfreq, n_channels=n_channels)
    raw, peaks = prepare(session.inside)
    clean = session.truth.copy().filter(1.0, 50.0, verbose="error")
    clean.set_annotations(session.inside.annotations)
    # the reference: the clean EEG through the same gradient AAS and band-pass as the recording
    truth = session.truth.copy()
    truth.set_annotations(session.inside.annotations)
    truth = gradient_aas(truth).filter(1.0, 50.0, verbose="error")
    outside = session.outside.copy().filter(1.0, 50.0, verbose="error").pick("eeg")
    x_true = truth.get_data(picks="eeg")
    hr = sfreq / float(np.median(np.diff(peaks)))

    def resid_psd(x):
        psd, f = psd_array_welch(
            x - x_true, sfreq, fmin=0.5, fmax=20, n_fft=int(8 * sfreq), verbose="error"
        )
        return psd, f

    p_unc, f_r = resid_psd(raw.get_data(picks="eeg"))
    harm = cardiac_harmonics(f_r, hr)
    t_psd, t_f = _mean_psd(truth.copy().pick("eeg"))
    t_abs = band_power(t_psd, t_f)[0]
    c_abs0 = band_power(*_mean_psd(clean.copy().pick("eeg")))[0]
    o_psd, o_f = _mean_psd(outside)
    o_abs, o_rel = band_power(o_psd, o_f)
    o_idx = [truth.ch_names.index(c) for c in ("O1", "O2")]
    truth_ratio = ec_eo_ratio(truth, n=None, reject_uv=np.inf)
    truth_alpha, _ = alpha_regressor(clean, reject_uv=np.inf)
    out: dict[str, Any] = {
        "seed": seed,
        "heart_rate_bpm": 60 * hr,
        "beats": int(peaks.size),
        "truth": {
            "ec_eo": truth_ratio,
            "iaf": _iaf(truth),
            "alpha_in_artefact_span": alpha_in_span(
                x_true, raw.get_data(picks="eeg") - x_true, sfreq
            ),
            "alpha_per_volume": truth_alpha.tolist(),
            "log_power": {k: float(np.log10(v.mean())) for k, v in t_abs.items()},
            "psd_o": t_psd[o_idx].mean(axis=0).tolist(),
        },
        "outside": {
            "log_power": {k: float(np.log10(v.mean())) for k, v in o_abs.items()},
            "relative": {k: float(v.mean()) for k, v in o_rel.items()},
            "ec_eo": ec_eo_ratio(outside, n=None, reject_uv=np.inf),
        },
        "gradient_aas_error": {
            k: float(100 * (t_abs[k].mean() / c_abs0[k].mean() - 1)) for k in BANDS
        },
        "freqs": t_f.tolist(),
        "methods": {},
    }

    def score(name: str, corrected: Any, components: list[int]) -> dict[str, Any]:
        x = corrected.get_data(picks="eeg")
        p_res, _ = resid_psd(x)
        c_psd, c_f = _mean_psd(corrected.copy().pick("eeg"))
        c_abs, c_rel = band_power(c_psd, c_f)
        alpha, _ = alpha_regressor(corrected, reject_uv=np.inf)
        return {
            "cardiac_cut": float(1 - p_res[:, harm].sum() / p_unc[:, harm].sum()),
            "band_error": {k: float(100 * (c_abs[k].mean() / t_abs[k].mean() - 1)) for k in BANDS},
            "percent_change": {
                k: float(np.mean(percent_change(c_abs[k], o_abs[k]))) for k in BANDS
            },
            "log_power": {k: float(np.log10(v.mean())) for k, v in c_abs.items()},
            "relative": {k: float(v.mean()) for k, v in c_rel.items()},
            "topo_alpha_error": (100 * (c_abs["alpha"] / t_abs["alpha"] - 1)).tolist(),
            "ec_eo": ec_eo_ratio(corrected, n=None, reject_uv=np.inf),
            "iaf_error": abs(_iaf(corrected) - out["truth"]["iaf"]),
            "components": components,
            "alpha_per_volume": alpha.tolist(),
            "psd_o": c_psd[o_idx].mean(axis=0).tolist(),
        }

    out["obs_basis_alpha"] = _obs_basis_alpha(raw, peaks, o_idx)
    out["uncorrected"] = score("uncorrected", raw, [])
    for name in methods or tuple(CORRECTIONS.names()):
        entry = CORRECTIONS.get(name)
        result = entry.func(raw, peaks, **entry.bind())
        out["methods"][name] = score(name, result.raw, result.components)
    return out


def summarise(subjects: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per method, the means over subjects of :func:`evaluate_subject`'s measures.

    Parameters
    ----------
    subjects : list of dict
        Outputs of :func:`evaluate_subject`.

    Returns
    -------
    dict
        Method -> ``cardiac_cut_pct``, ``alpha_error_pct``, ``alpha_within_10_pct`` (share of
        subjects whose alpha error is within ±10 %), ``band_error_pct`` (mean absolute
        over bands), ``ec_eo_recovery`` (corrected ratio over true ratio), ``iaf_error_hz``,
        ``components`` (mean count), ``alpha_change_vs_outside_pct`` and
        ``alpha_regressor_r`` (correlation of the alpha-per-volume series with the truth's).
    """
    names = ["uncorrected", *subjects[0]["methods"]]
    out = {}
    for name in names:
        rows = [s["uncorrected"] if name == "uncorrected" else s["methods"][name] for s in subjects]
        out[name] = {
            "cardiac_cut_pct": 100 * float(np.mean([r["cardiac_cut"] for r in rows])),
            "cardiac_cut_min_pct": 100 * float(np.min([r["cardiac_cut"] for r in rows])),
            "alpha_error_pct": float(np.mean([r["band_error"]["alpha"] for r in rows])),
            "alpha_within_10_pct": 100
            * float(np.mean([abs(r["band_error"]["alpha"]) <= 10 for r in rows])),
            "band_error_pct": float(
                np.mean([np.mean(np.abs(list(r["band_error"].values()))) for r in rows])
            ),
            "ec_eo_recovery": float(
                np.mean(
                    [r["ec_eo"] / s["truth"]["ec_eo"] for r, s in zip(rows, subjects, strict=True)]
                )
            ),
            "iaf_error_hz": float(np.nanmean([r["iaf_error"] for r in rows])),
            "alpha_regressor_r": float(
                np.mean(
                    [
                        np.corrcoef(r["alpha_per_volume"], s["truth"]["alpha_per_volume"])[0, 1]
                        for r, s in zip(rows, subjects, strict=True)
                    ]
                )
            ),
            "components": float(np.mean([len(r["components"]) for r in rows])),
            "alpha_change_vs_outside_pct": float(
                np.mean([r["percent_change"]["alpha"] for r in rows])
            ),
        }
    return out
