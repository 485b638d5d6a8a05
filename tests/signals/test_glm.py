"""EEG-informed fMRI: the regressor, the first level and the planted cluster."""

from __future__ import annotations

import numpy as np

from brainfuse.signals.glm import alpha_regressor, first_level, interpolate_gaps
from brainfuse.signals.simulate import simulate_bold


def test_gaps_take_the_mean_of_their_kept_neighbours():
    out = interpolate_gaps(np.array([1.0, 0, 0, 7.0, 2.0]), np.array([0, 1, 1, 0, 1], bool))
    np.testing.assert_allclose(out, [1.0, 4.0, 4.0, 7.0, 7.0])


def test_first_level_finds_the_planted_cluster(session):
    truth = session.truth.copy()
    truth.set_annotations(session.inside.annotations)
    alpha, channel = alpha_regressor(truth)
    assert channel in ("O1", "O2") and alpha.size == 29  # 1 s lead, 2-s volumes in 60 s
    bold, cluster, mask = simulate_bold(alpha, 2.0, seed=0, resolution=6)
    effect = first_level(bold, alpha, 2.0, mask=mask).get_fdata()
    inside = cluster.get_fdata() > 0
    outside = (mask.get_fdata() > 0) & ~inside
    assert np.median(effect[inside]) > 5 * np.abs(np.median(effect[outside]))
    assert np.median(effect[inside]) > 0  # the negative contrast is positive there
