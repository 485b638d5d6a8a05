"""ICA-based corrections: the back-projection algebra and the automatic selections."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.signals import ica as ica_mod


@pytest.fixture(scope="module")
def fitted(prepared):
    raw, _ = prepared
    return ica_mod.fit_ica(raw, seed=0, decim=2)


def test_mixing_matrix_reproduces_mne_removal(prepared, fitted):
    raw, _ = prepared
    removed = ica_mod.ica_remove(raw, fitted, [0, 2]).get_data(picks="eeg")
    src = fitted.get_sources(raw).get_data()
    diff = raw.get_data(picks="eeg") - removed
    np.testing.assert_allclose(
        diff, ica_mod.mixing_matrix(fitted)[:, [0, 2]] @ src[[0, 2]], atol=1e-12
    )


def test_ife_with_every_component_rebuilds_the_recording(prepared, fitted):
    raw, _ = prepared
    everything = list(range(fitted.n_components_))
    out = ica_mod.ife(raw, fitted, everything).get_data(picks="eeg")
    x = raw.get_data(picks="eeg")
    assert np.abs(out - x).max() < 1e-3 * np.abs(x).max()


def test_bcg_selection_picks_cardiac_components_only(prepared, fitted):
    raw, peaks = prepared
    chosen = ica_mod.select_bcg_components(fitted, raw, peaks)
    scores = ica_mod.bcg_scores(fitted, raw, peaks)
    assert 1 <= len(chosen) <= 6
    others = [i for i in range(fitted.n_components_) if i not in chosen]
    assert scores.locked[chosen].min() > 5 * scores.locked[others].max() or all(
        scores.power_locked[c] >= ica_mod.POWER_LOCKED_MIN for c in chosen
    )
    # removing them takes away most of the cardiac-locked variance
    src_chosen = fitted.get_sources(raw).get_data()[chosen]
    assert np.all(scores.harmonics[chosen] >= ica_mod.HARMONIC_MIN)
    assert src_chosen.shape[0] == len(chosen)


def test_manual_components_override_and_are_checked(prepared, fitted):
    raw, peaks = prepared
    assert ica_mod.select_bcg_components(fitted, raw, peaks, "3, 1") == [1, 3]
    with pytest.raises(InputError, match="out of range"):
        ica_mod.select_bcg_components(fitted, raw, peaks, "99")
    with pytest.raises(InputError, match="integers"):
        ica_mod.select_bcg_components(fitted, raw, peaks, "a,b")


def test_projic_changes_only_the_chosen_components(prepared, fitted):
    raw, peaks = prepared
    out = ica_mod.projic(raw, fitted, [0], peaks, method="aas")
    src_in = fitted.get_sources(raw).get_data()
    src_out = fitted.get_sources(out).get_data()
    np.testing.assert_allclose(src_out[1:], src_in[1:], atol=1e-9 * np.abs(src_in).max())
    assert not np.allclose(src_out[0], src_in[0])


def test_alpha_selection_keeps_posterior_alpha(prepared, fitted):
    raw, _ = prepared
    keep = ica_mod.select_alpha_components(fitted, raw)
    scores = ica_mod.alpha_scores(fitted, raw)
    assert keep
    assert np.all(scores["posterior"][keep] >= 0.4) and np.all(scores["peak"][keep] >= 2.0)
