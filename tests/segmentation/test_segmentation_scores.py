"""BraTS labels and regions, and the per-region scores on spheres with known offsets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.segmentation.evaluate import EMPTY_HD95_MM, score_case, summarise_cases
from brainfuse.segmentation.labels import assemble, check_labels, regions, small_et_to_ncr

pytest.importorskip("monai")


def _sphere(shape, centre, radius):
    grid = np.indices(shape, dtype=np.float64)
    d2 = sum((g - c) ** 2 for g, c in zip(grid, centre, strict=True))
    return d2 <= radius**2


def test_regions_nest_and_assembly_inverts_them():
    rng = np.random.default_rng(0)
    label = rng.choice(np.array([0, 1, 2, 4], np.uint8), size=(8, 8, 8))
    r = regions(label)
    assert np.all(r["ET"] <= r["TC"]) and np.all(r["TC"] <= r["WT"])
    assert np.array_equal(assemble(r["WT"], r["TC"], r["ET"]), label)


def test_brats_2023_et_code_and_bad_codes():
    assert check_labels(np.array([0, 3])).tolist() == [0, 4]
    with pytest.raises(InputError, match="codes other than 0, 1, 2, 4"):
        check_labels(np.array([0, 5]), "seg.nii.gz")
    with pytest.raises(InputError, match="NaN"):
        check_labels(np.array([0.0, np.nan]))


def test_small_et_becomes_core_and_large_et_stays():
    label = np.zeros((20, 20, 20), np.uint8)
    label[5:9, 5:9, 5:9] = 4  # 64 voxels
    assert np.count_nonzero(small_et_to_ncr(label) == 4) == 0
    assert np.count_nonzero(small_et_to_ncr(label, min_voxels=64) == 4) == 64


@pytest.mark.parametrize("shift", [0, 2, 4])
def test_dice_and_hd95_of_shifted_spheres_match_geometry(shift):
    shape, r = (48, 48, 48), 10.0
    truth = _sphere(shape, (24, 24, 24), r).astype(np.uint8) * 2
    pred = _sphere(shape, (24, 24, 24 + shift), r).astype(np.uint8) * 2
    wt = score_case(pred, truth)["WT"]
    # two balls of radius r, centres d apart: overlap π(4r + d)(2r − d)²/12
    overlap = math.pi * (4 * r + shift) * (2 * r - shift) ** 2 / 12
    dice = overlap / (4 / 3 * math.pi * r**3)
    assert wt.dice == pytest.approx(dice, abs=0.02)
    assert wt.hd95 <= shift + 1e-9 and wt.hd95 >= 0.6 * shift  # the largest distance is d
    assert wt.iou == pytest.approx(wt.dice / (2 - wt.dice), abs=1e-6)
    assert wt.sensitivity == pytest.approx(wt.dice, abs=1e-6)  # same volumes: sens = precision
    assert wt.specificity > 0.97


def test_hd95_is_in_millimetres_of_the_given_spacing():
    shape = (40, 40, 40)
    truth = _sphere(shape, (20, 20, 20), 8).astype(np.uint8) * 4
    pred = _sphere(shape, (20, 20, 23), 8).astype(np.uint8) * 4
    one = score_case(pred, truth)["ET"].hd95
    two = score_case(pred, truth, spacing=(2.0, 2.0, 2.0))["ET"].hd95
    assert two == pytest.approx(2 * one, rel=0.05)


def test_empty_regions_follow_the_brats_convention():
    truth = np.zeros((16, 16, 16), np.uint8)
    truth[4:10, 4:10, 4:10] = 2  # edema only: no TC, no ET
    s = score_case(truth, truth)
    assert (s["ET"].dice, s["ET"].hd95) == (1.0, 0.0)
    pred = truth.copy()
    pred[6:8, 6:8, 6:8] = 4  # a false ET
    s = score_case(pred, truth)
    assert (s["ET"].dice, s["ET"].hd95) == (0.0, EMPTY_HD95_MM)
    with pytest.raises(InputError, match="differs from truth"):
        score_case(pred[:8], truth)


def test_summary_is_mean_and_sample_sd():
    shape = (32, 32, 32)
    truth = _sphere(shape, (16, 16, 16), 8).astype(np.uint8) * 2
    cases = [score_case(_sphere(shape, (16, 16, 16 + d), 8).astype(np.uint8) * 2, truth)
             for d in (0, 2)]  # fmt: skip
    mean, sd = summarise_cases(cases)["WT"]["dice"]
    values = [c["WT"].dice for c in cases]
    assert mean == pytest.approx(np.mean(values)) and sd == pytest.approx(np.std(values, ddof=1))
