"""SRCC, KRCC, PLCC, RMSE and the logistic mappings against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.quality.compare import comparison_table
from brainfuse.quality.stats import agreement, logistic4, map_scores


def test_agreement_against_hand_computed_values():
    # ranks of x: 1 2 3 4 5; of y: 2 1 3 5 4 -> sum d^2 = 4, SRCC = 1 - 6*4/(5*24) = 0.8
    # pairs: 10, discordant 2 ((1,2) and (4,5)) -> KRCC = (8 - 2) / 10 = 0.6
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    y = np.array([0.4, 0.2, 0.6, 1.0, 0.8])
    r = agreement(x, y)
    assert r.srcc == pytest.approx(0.8)
    assert r.krcc == pytest.approx(0.6)
    # Pearson: x - 3 = (-2,-1,0,1,2), y - 0.6 = (-.2,-.4,0,.4,.2):
    # products sum to 1.6, squares to 10 and 0.4
    assert r.plcc == pytest.approx(1.6 / np.sqrt(10 * 0.4))
    # RMSE without mapping: the scores themselves against the MOS
    assert r.rmse == pytest.approx(np.sqrt(np.mean((x - y) ** 2)))


def test_rmse_after_mapping_is_that_of_the_fitted_curve():
    x = np.linspace(-3, 3, 25)
    mos = 0.2 + 0.8 / (1 + np.exp(-1.5 * x))
    r = agreement(x, mos, "logistic4")
    assert r.rmse < 1e-4
    assert r.plcc == pytest.approx(1.0, abs=1e-6)
    # the same scores, linearly: the error of the best straight line
    slope, intercept = np.polyfit(x, mos, 1)
    linear = np.sqrt(np.mean((slope * x + intercept - mos) ** 2))
    assert agreement(x, mos, "logistic5").rmse < linear


def test_logistic4_asymptotes_and_centre():
    assert logistic4(np.array([-1e6]), 1.0, 0.2, 0.0, 1.0)[0] == pytest.approx(0.2)
    assert logistic4(np.array([1e6]), 1.0, 0.2, 0.0, 1.0)[0] == pytest.approx(1.0)
    assert logistic4(np.array([3.0]), 1.0, 0.2, 3.0, 1.0)[0] == pytest.approx(0.6)


def test_mapping_never_does_worse_than_a_straight_line():
    rng = np.random.default_rng(0)
    x = rng.random(40)
    y = rng.random(40)
    mapped = map_scores(x, y, "logistic4")
    slope, intercept = np.polyfit(x, y, 1)
    assert np.sum((mapped - y) ** 2) <= np.sum((slope * x + intercept - y) ** 2) + 1e-12


def test_ties_and_constant_scores():
    mos = np.array([0.2, 0.4, 0.6, 0.8, 1.0, 0.6])
    tied = np.array([0.2, 0.2, 0.6, 0.6, 1.0, 0.6])
    r = agreement(tied, mos)
    assert 0 < r.krcc <= r.srcc < 1
    flat = agreement(np.full(6, 0.6), mos)
    assert (flat.srcc, flat.krcc, flat.plcc) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("scores", "mos", "problem"),
    [
        ([1, 2], [1, 2], "at least 3"),
        ([1, 2, 3], [1, 2], "3 scores but 2"),
        ([1, np.nan, 3], [1, 2, 3], "finite"),
    ],
)
def test_bad_inputs_are_refused(scores, mos, problem):
    with pytest.raises(InputError, match=problem):
        agreement(scores, mos)


def test_comparison_table_signs():
    mos = np.array([0.2, 0.4, 0.6, 0.8, 1.0])
    table = comparison_table({"up": mos**3, "down": 1 - mos}, mos)
    assert table["up"].srcc == pytest.approx(1.0)
    assert table["down"].srcc == pytest.approx(-1.0)
    assert table["up"].plcc > 0.99
