"""The discrepancy and OP of Amini & Mostaar 2022; MdAFuse's normalisation of metric tables."""

from __future__ import annotations

import math

import numpy as np
import pytest

from brainfuse.metrics import evaluate
from brainfuse.metrics.noreference import average_gradient
from brainfuse.metrics.ranking import discrepancy, normalise_scores, overall_performance


def test_discrepancy_is_the_mean_absolute_difference_per_band() -> None:
    rng = np.random.default_rng(3)
    pet = rng.integers(0, 200, (32, 32, 3)).astype(np.float64)
    fused = pet.copy()
    fused[..., 0] += 12  # only the red band moves
    assert discrepancy(pet, pet) == 0
    assert discrepancy(fused, pet) == pytest.approx(4.0)
    assert discrepancy(fused[..., 0], pet[..., 0]) == pytest.approx(12.0)


def test_op_is_discrepancy_per_unit_of_average_gradient() -> None:
    y, x = np.mgrid[:40, :40]
    pet = (x * 3.0 + y).astype(np.float64)
    fused = pet + 5
    assert overall_performance(fused, pet) == pytest.approx(5 / average_gradient(fused))
    flat = np.full((40, 40), 7.0)
    assert overall_performance(flat, flat) == 0
    assert math.isinf(overall_performance(flat, pet))
    got = evaluate(fused, np.zeros_like(pet), pet, metrics="discrepancy,OP")
    assert got["discrepancy"] == pytest.approx(5.0)


def test_normalise_scores_maps_each_metric_to_0_1_across_methods() -> None:
    table = {"a": {"EN": 3.0, "MI": 2.0}, "b": {"EN": 5.0, "MI": 2.0}, "c": {"EN": 4.0, "MI": 2.0}}
    out = normalise_scores(table)
    assert [out[m]["EN"] for m in "abc"] == [0.0, 1.0, 0.5]
    assert {out[m]["MI"] for m in "abc"} == {0.0}
    assert normalise_scores({}) == {}
