"""ICA-based BCG corrections: component selection, removal, PROJIC and ICA feature extraction.

The decomposition is MNE-Python's Infomax ICA (:class:`mne.preprocessing.ICA` with
``method="infomax"``, the equivalent of EEGLAB's ``runica`` that Gallego-Rudolf et al. 2022
used). With ``x = A s`` (``A`` the mixing matrix in sensor space, ``s`` the sources):

- removal: ``x' = x − A_R s_R`` for the BCG components ``R`` (MNE's ``ICA.apply``);
- PROJIC (Abreu et al. 2016, Brain Topogr. 29:228): the BCG components' time courses are
  corrected with AAS or OBS instead of being removed, ``x' = x − A_R (s_R − s'_R)``;
- IFE (ICA feature extraction): only the alpha components ``K`` are kept, ``x' = A_K s_K``.

The article chose the BCG components by eye, requiring all three of: (1) a time course with
peaks following the ECG, (2) a spectrum with peaks at cardiac frequencies, (3) a topography
whose polarity inverts left-right or front-back. :func:`select_bcg_components` encodes them as
numbers (thresholds below) so that the choice is automatic and repeatable; ``components=``
overrides it. :func:`select_alpha_components` does the same for IFE's criteria (alpha during
eyes closed, a peak near 10 Hz, a posterior topography). These scores are written here: MNE's
``find_bads_ecg`` scores correlation with the ECG but not the article's criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from .artefacts import BCG_DELAY_S, _bcg_tiling, _sliding_template, annotation_spans, obs_fit

__all__ = [
    "BcgScores",
    "fit_ica",
    "ica_remove",
    "ife",
    "mixing_matrix",
    "projic",
    "select_alpha_components",
    "select_bcg_components",
]

#: Thresholds of the three BCG criteria: share of a component's variance in its R-locked
#: average, or depth of modulation of its R-locked power (residual BCG after AAS/OBS changes
#: from beat to beat, so its average is near zero but its power still follows the heart); mean
#: ratio of power at the first cardiac harmonics to the neighbouring bins; share of the
#: topography's absolute weight carried by the minority sign.
LOCKED_MIN = 0.2
POWER_LOCKED_MIN = 0.5
HARMONIC_MIN = 1.5
INVERSION_MIN = 0.1


def fit_ica(raw: Any, *, seed: int = 0, decim: int = 1, n_components: int | None = None) -> Any:
    """Fit Infomax ICA on the EEG channels of ``raw`` (band-passed 1-50 Hz beforehand).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    seed : int
        Seed of the Infomax start (same seed, same decomposition).
    decim : int
        Fit on every ``decim``-th sample (faster; the sources are computed at full rate).
    n_components : int, optional
        Components (default: the rank of the EEG channels).

    Returns
    -------
    mne.preprocessing.ICA
        The fitted decomposition.
    """
    import mne

    ica = mne.preprocessing.ICA(
        n_components=n_components,
        method="infomax",
        random_state=seed,
        max_iter="auto",
        verbose="error",
    )
    ica.fit(raw, picks="eeg", decim=decim, verbose="error")
    return ica


def mixing_matrix(ica: Any) -> np.ndarray:
    """The mixing matrix ``A`` in sensor units: ``x − mean = A s`` (channels × components).

    Parameters
    ----------
    ica : mne.preprocessing.ICA
        A fitted decomposition.

    Returns
    -------
    numpy.ndarray
        Shape (n_channels, n_components).
    """
    pca = ica.pca_components_[: ica.n_components_]
    a = pca.T @ ica.mixing_matrix_
    return a * ica.pre_whitener_


def _sources(ica: Any, raw: Any) -> np.ndarray:
    return ica.get_sources(raw).get_data()


def _eeg(raw: Any, ica: Any) -> np.ndarray:
    return raw.get_data(picks=ica.ch_names)


@dataclass(frozen=True)
class BcgScores:
    """The three criteria per component (see :func:`select_bcg_components`)."""

    locked: np.ndarray
    power_locked: np.ndarray
    harmonics: np.ndarray
    inversion: np.ndarray

    def selected(self) -> list[int]:
        """Components that meet all three criteria."""
        ok = (
            ((self.locked >= LOCKED_MIN) | (self.power_locked >= POWER_LOCKED_MIN))
            & (self.harmonics >= HARMONIC_MIN)
            & (self.inversion >= INVERSION_MIN)
        )
        return [int(i) for i in np.flatnonzero(ok)]


def bcg_scores(ica: Any, raw: Any, peaks: np.ndarray) -> BcgScores:
    """Score every component against the article's three BCG criteria.

    1. Cardiac-locked time course: the share of the component's variance in its average over
       beats aligned on the R-peak + 210 ms (near 1/beats for activity unrelated to the
       heart), or the depth of modulation (SD over mean) of its R-locked average power.
    2. Cardiac spectral peaks: the mean, over the first 4 harmonics of the heart rate below
       15 Hz, of the power at the harmonic divided by the median power between 0.3 Hz away
       and half-way to the next harmonic.
    3. Polarity inversion: the absolute topography weight of the minority sign over the total.

    Parameters
    ----------
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    raw : mne.io.BaseRaw
        The recording it was fitted on.
    peaks : numpy.ndarray
        R-peak samples.

    Returns
    -------
    BcgScores
        One value per component and criterion.
    """
    from mne.time_frequency import psd_array_welch

    src = _sources(ica, raw)
    sf = raw.info["sfreq"]
    tiling = _bcg_tiling(raw, peaks, BCG_DELAY_S)
    locked = np.empty(src.shape[0])
    power_locked = np.empty(src.shape[0])
    for i, s in enumerate(src):
        ep = tiling.epochs(s)
        locked[i] = ep.mean(axis=0).var() / max(ep.var(axis=1).mean(), 1e-30)
        power = (ep**2).mean(axis=0)
        power_locked[i] = power.std() / max(power.mean(), 1e-30)
    n_per = int(min(src.shape[1], 8 * sf))
    psd, freqs = psd_array_welch(src, sf, fmin=0.3, fmax=20.0, n_fft=n_per, verbose="error")
    hr = sf / np.median(np.diff(peaks))
    harm = [h * hr for h in range(1, 5) if h * hr < 15.0]
    ratios = []
    for f in harm:
        at = np.abs(freqs - f) <= 0.1
        # neighbours: between 0.3 Hz and half-way to the next harmonic
        near = (np.abs(freqs - f) >= 0.3) & (np.abs(freqs - f) <= max(0.5 * hr, 0.4))
        ratios.append(psd[:, at].max(axis=1) / np.median(psd[:, near], axis=1))
    harmonics = np.mean(ratios, axis=0) if ratios else np.zeros(src.shape[0])
    topo = mixing_matrix(ica)
    pos = np.clip(topo, 0, None).sum(axis=0)
    neg = np.clip(-topo, 0, None).sum(axis=0)
    inversion = np.minimum(pos, neg) / (pos + neg)
    return BcgScores(locked, power_locked, harmonics, inversion)


def _parse_components(components: str | list[int] | None, n: int, where: str) -> list[int] | None:
    if components is None or components == "":
        return None
    if isinstance(components, str):
        try:
            items = [int(c) for c in components.replace(" ", "").split(",") if c]
        except ValueError:
            raise InputError(
                where, f"components must be integers like '0,3,5', got {components!r}"
            ) from None
    else:
        items = [int(c) for c in components]
    bad = [c for c in items if not 0 <= c < n]
    if bad:
        raise InputError(where, f"components {bad} out of range 0-{n - 1}")
    return sorted(set(items))


def select_bcg_components(
    ica: Any, raw: Any, peaks: np.ndarray, components: str | list[int] | None = None
) -> list[int]:
    """The BCG components: ``components`` when given (manual), else those meeting all three
    criteria of :func:`bcg_scores`.

    Parameters
    ----------
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    raw : mne.io.BaseRaw
        The recording.
    peaks : numpy.ndarray
        R-peak samples.
    components : str or list of int, optional
        Manual choice, e.g. ``"0,2,5"``.

    Returns
    -------
    list of int
        Component indices.
    """
    manual = _parse_components(components, ica.n_components_, "components")
    if manual is not None:
        return manual
    return bcg_scores(ica, raw, peaks).selected()


def ica_remove(raw: Any, ica: Any, exclude: list[int]) -> Any:
    """``x − A_R s_R``: the recording without the components ``exclude`` (MNE's
    ``ICA.apply``).

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    exclude : list of int
        Components to remove.

    Returns
    -------
    mne.io.BaseRaw
        The corrected copy.
    """
    return ica.apply(raw.copy(), exclude=list(exclude), verbose="error")


def projic(
    raw: Any,
    ica: Any,
    components: list[int],
    peaks: np.ndarray,
    *,
    method: str = "aas",
    window: int = 30,
    n_components: int = 4,
    delay: float = BCG_DELAY_S,
) -> Any:
    """PROJIC: correct the BCG components' time courses with AAS or OBS, then project back.

    Abreu et al. 2016, Brain Topogr. 29:228: ``x' = x − A_R (s_R − s'_R)``, where ``s'_R``
    is ``s_R`` after AAS (``method="aas"``) or OBS (``"obs"``). Written here: MNE has neither
    PROJIC nor AAS/OBS.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    components : list of int
        The BCG components.
    peaks : numpy.ndarray
        R-peak samples.
    method : {"aas", "obs"}
        The correction applied to the components.
    window, n_components, delay : int, int, float
        AAS beats per template, OBS principal components, R-peak to BCG delay (s).

    Returns
    -------
    mne.io.BaseRaw
        The corrected copy.
    """
    import mne

    out = raw.copy().load_data()
    if not components:
        return out
    src = _sources(ica, raw)[components]
    tiling = _bcg_tiling(raw, peaks, delay)
    cleaned = np.empty_like(src)
    hp = mne.filter.filter_data(src, raw.info["sfreq"], 0.4, None, verbose="error")
    for i, s in enumerate(src):
        ep = tiling.epochs(s)
        art = (
            _sliding_template(ep, window)
            if method == "aas"
            else obs_fit(ep, tiling.epochs(hp[i]), n_components)
        )
        cleaned[i] = tiling.subtract(s, art)
    picks = [out.ch_names.index(c) for c in ica.ch_names]
    out._data[picks] -= mixing_matrix(ica)[:, components] @ (src - cleaned)
    return out


def alpha_scores(ica: Any, raw: Any) -> dict[str, np.ndarray]:
    """IFE criteria per component: EC/EO alpha ratio, alpha peak ratio, posterior share.

    - ``reactivity``: 8-12 Hz power of the source in eyes-closed over eyes-open blocks
      (annotations ``EC`` and ``EO``; 1 when the recording has none);
    - ``peak``: mean 8-12 Hz power over the mean of 4-7 and 14-20 Hz;
    - ``posterior``: share of the squared topography on parietal, occipital and posterior
      temporal electrodes (names starting with P, O, T5, T6, or containing "PO").
    """
    from mne.time_frequency import psd_array_welch

    sf = raw.info["sfreq"]
    src = _sources(ica, raw)
    psd, f = psd_array_welch(src, sf, fmin=1, fmax=30, n_fft=int(2 * sf), verbose="error")
    alpha = psd[:, (f >= 8) & (f <= 12)].mean(axis=1)
    side = psd[:, ((f >= 4) & (f <= 7)) | ((f >= 14) & (f <= 20))].mean(axis=1)
    reactivity = np.ones(src.shape[0])
    blocks = {d: annotation_spans(raw, d) for d in ("EC", "EO")}
    if blocks["EC"] and blocks["EO"]:
        t = raw.times
        power = {}
        for d, spans in blocks.items():
            mask = np.zeros(t.size, bool)
            for a, b in spans:
                mask |= (t >= a) & (t < b)
            p, _f2 = psd_array_welch(
                src[:, mask], sf, fmin=8, fmax=12, n_fft=int(2 * sf), verbose="error"
            )
            power[d] = p.mean(axis=1)
        reactivity = power["EC"] / np.maximum(power["EO"], 1e-30)
    topo = mixing_matrix(ica) ** 2
    post = np.array(
        [c.upper().startswith(("P", "O", "T5", "T6")) or "PO" in c.upper() for c in ica.ch_names]
    )
    posterior = topo[post].sum(axis=0) / topo.sum(axis=0)
    return {"reactivity": reactivity, "peak": alpha / side, "posterior": posterior}


def select_alpha_components(
    ica: Any, raw: Any, components: str | list[int] | None = None
) -> list[int]:
    """The alpha components IFE keeps: ``components`` when given, else those with an EC/EO
    alpha ratio ≥ 1.5, an 8-12 Hz peak ≥ 2 × the neighbouring bands and ≥ 40 % of the
    topography's power posterior (at least the best-scoring one).

    Parameters
    ----------
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    raw : mne.io.BaseRaw
        The recording.
    components : str or list of int, optional
        Manual choice.

    Returns
    -------
    list of int
        Component indices.
    """
    manual = _parse_components(components, ica.n_components_, "components")
    if manual is not None:
        return manual
    s = alpha_scores(ica, raw)
    ok = (s["reactivity"] >= 1.5) & (s["peak"] >= 2.0) & (s["posterior"] >= 0.4)
    if not ok.any():
        return [int(np.argmax(s["peak"] * s["reactivity"] * s["posterior"]))]
    return [int(i) for i in np.flatnonzero(ok)]


def ife(raw: Any, ica: Any, keep: list[int]) -> Any:
    """ICA feature extraction: ``x' = A_K s_K``, the recording rebuilt from the kept
    components only.

    Parameters
    ----------
    raw : mne.io.BaseRaw
        The recording.
    ica : mne.preprocessing.ICA
        A fitted decomposition.
    keep : list of int
        Components to keep.

    Returns
    -------
    mne.io.BaseRaw
        The copy.
    """
    out = raw.copy().load_data()
    src = _sources(ica, raw)
    picks = [out.ch_names.index(c) for c in ica.ch_names]
    out._data[picks] = mixing_matrix(ica)[:, keep] @ src[keep]
    return out
