"""Gradient AAS, QRS detection, BCG AAS and OBS against the simulator's truth and exact cases."""

from __future__ import annotations

import mne
import numpy as np

from brainfuse.signals import artefacts
from brainfuse.signals.simulate import simulate_session


def _cardiac_power(x, sf, hr):
    from mne.time_frequency import psd_array_welch

    psd, f = psd_array_welch(x, sf, fmin=0.5, fmax=15, n_fft=int(8 * sf), verbose="error")
    harm = np.zeros(f.size, bool)
    for h in range(1, 20):
        harm |= np.abs(f - h * hr) <= 0.15
    return psd[:, harm & (f <= 15)].sum()


def test_gradient_aas_removes_the_tr_locked_artefact(session):
    # the same seed without the gradient artefact: every other draw is the same
    plain = simulate_session(0, duration=60.0, sfreq=250.0, gradient=False).inside.get_data()
    with_ga = session.inside.get_data()
    corrected = artefacts.gradient_aas(session.inside).get_data()
    before = np.sqrt(((with_ga - plain) ** 2).mean())
    after = np.sqrt(((corrected - plain) ** 2).mean())
    assert before > 300e-6  # the artefact is large (hundreds of µV)
    # what remains is mostly the EEG and BCG that the 5-volume template averages in
    assert after < 0.04 * before
    eeg = np.sqrt(((plain - plain.mean(axis=1, keepdims=True)) ** 2).mean())
    assert after < eeg / np.sqrt(5) * 1.5


def test_gradient_aas_takes_one_window_th_of_unlocked_power():
    # white "EEG" with no artefact: the template averages the volume with its neighbours, so
    # the corrected power is 1 - 1/window of the original
    sf, n_vol, length = 100.0, 120, 200
    rng = np.random.default_rng(0)
    info = mne.create_info(4, sf, "eeg")
    raw = mne.io.RawArray(rng.standard_normal((4, n_vol * length)) * 1e-5, info, verbose="error")
    raw.set_annotations(mne.Annotations(np.arange(n_vol) * length / sf, 0.0, "TR"))
    before = (raw.get_data() ** 2).mean()
    for window in (5, 30):
        after = (artefacts.gradient_aas(raw, window=window).get_data() ** 2).mean()
        assert abs(after / before - (1 - 1 / window)) < 0.01


def test_gradient_aas_needs_markers(session):
    raw = session.truth.copy()
    import pytest

    from brainfuse.errors import InputError

    with pytest.raises(InputError, match="no volume markers"):
        artefacts.gradient_aas(raw)


def test_qrs_detection_finds_the_true_beats(session, prepared):
    _, peaks = prepared
    true = session.r_peaks
    dist = np.abs(peaks[:, None] - true[None, :]).min(axis=1)
    assert abs(peaks.size - true.size) <= 1
    assert np.mean(dist <= 3) >= 0.95  # within 12 ms at 250 Hz


def test_aas_removes_an_exactly_periodic_artefact():
    sf, n = 250.0, 250 * 40
    peaks = np.arange(50, n - 200, 200)
    shape = np.sin(np.linspace(0, 3 * np.pi, 120)) * 50e-6
    x = np.zeros(n)
    for p in peaks:
        x[p + 20 : p + 140] += shape
    info = mne.create_info(["C3"], sf, "eeg")
    raw = mne.io.RawArray(x[None], info, verbose="error")
    # every epoch sees its neighbours' artefacts: give the correction all beats but the ends
    out = artefacts.bcg_aas(raw, peaks[1:-1], delay=0.0).get_data()[0]
    assert np.abs(out[300:9500]).max() < 1e-12


def test_obs_fit_removes_epochs_in_the_span_of_its_basis():
    rng = np.random.default_rng(0)
    basis = rng.standard_normal((3, 80))
    epochs = rng.standard_normal((40, 3)) @ basis
    fitted = artefacts.obs_fit(epochs, epochs, 4)
    np.testing.assert_allclose(fitted, epochs, atol=1e-10)


def test_aas_and_obs_cut_the_cardiac_band_residual(prepared, truth_filtered, session):
    raw, peaks = prepared
    sf = raw.info["sfreq"]
    hr = sf / np.median(np.diff(peaks))
    before = _cardiac_power(raw.get_data(picks="eeg") - truth_filtered, sf, hr)
    for func, cut in ((artefacts.bcg_aas, 0.6), (artefacts.bcg_obs, 0.8)):
        out = func(raw, peaks).get_data(picks="eeg")
        after = _cardiac_power(out - truth_filtered, sf, hr)
        assert after < (1 - cut) * before, func.__name__


def test_corrections_leave_the_input_and_the_ecg_alone(prepared):
    raw, peaks = prepared
    copy = raw.get_data().copy()
    out = artefacts.bcg_obs(raw, peaks)
    np.testing.assert_array_equal(raw.get_data(), copy)
    np.testing.assert_array_equal(out.get_data(picks="ecg"), raw.get_data(picks="ecg"))


def test_too_few_beats_for_the_window_is_refused(prepared):
    import pytest

    from brainfuse.errors import InputError

    raw, peaks = prepared
    with pytest.raises(InputError, match="the 30-beat AAS template needs 30"):
        artefacts.bcg_aas(raw, peaks[:20])
    with pytest.raises(InputError, match="OBS with 4 components needs 10"):
        artefacts.bcg_obs(raw, peaks[:6])
