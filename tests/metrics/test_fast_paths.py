"""The fast paths of the CDDFuse-protocol metrics against the straightforward computations
they replace (the golden tests compare them with the reference code itself)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import ndimage
from sklearn.metrics import mutual_info_score

from brainfuse.metrics import vifp
from brainfuse.metrics._common import uniform_mean
from brainfuse.metrics.hvs import _DistStats, _log10_sum, _vif_scale_maps
from brainfuse.metrics.information import mutual_information


def _eight_bit(shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(rng.random(shape) * 255).astype(np.float32)


@pytest.mark.parametrize("shape", [(40, 33), (9, 12, 10)])
def test_uniform_mean_is_scipys_uniform_filter_bit_for_bit(shape: tuple[int, ...]) -> None:
    x = _eight_bit(shape, 0)
    y = _eight_bit(shape, 1)
    for v in (x, x * x, x * y):
        got = uniform_mean(v, 7)
        assert got.dtype == np.float32
        assert np.array_equal(got, ndimage.uniform_filter(v, 7))


@pytest.mark.filterwarnings("ignore:Clustering metrics expects discrete values")
def test_mi_of_8bit_images_equals_scikit_learn() -> None:
    f, a, b = (_eight_bit((64, 48), s) for s in (2, 3, 4))
    a[a > 200] = 7  # some grey levels absent
    want = mutual_info_score(f.ravel(), a.ravel()) + mutual_info_score(f.ravel(), b.ravel())
    got = mutual_information(f, a, b, bins="values", base=math.e)
    assert got == pytest.approx(want, rel=1e-13)
    # Non-integer values take the general (ranked classes) path: same definition.
    fx = f + 0.25
    got = mutual_information(fx, a, b, bins="values", base=math.e)
    want = mutual_info_score(fx.ravel(), a.ravel()) + mutual_info_score(fx.ravel(), b.ravel())
    assert got == pytest.approx(want, rel=1e-13)


def _vif_reference(f: np.ndarray, x: np.ndarray) -> float:
    # The full maps with the reference's masked assignments (the path VIFF uses).
    maps = _vif_scale_maps(x, _DistStats(f), 2.0)
    return sum(float(num.sum()) for num, _, _ in maps) / sum(float(den.sum()) for _, den, _ in maps)


def test_vif_with_a_black_border_equals_the_full_map_computation() -> None:
    # vifp skips the windows where all three images are 0 (they add 0 to both sums).
    f, a, b = (np.pad(_eight_bit((60, 70), s), ((31, 17), (20, 41))) for s in (5, 6, 7))
    want = _vif_reference(f, a) + _vif_reference(f, b)
    assert vifp(f, a, b, combine="sum") == pytest.approx(want, rel=1e-12)


def test_log10_sum_of_products_and_its_overflow_fallback() -> None:
    rng = np.random.default_rng(8)
    t = 1 + rng.random((37, 41)) * 1e4
    want = float(np.log10(t[:30, :35]).sum())
    assert _log10_sum(t.copy(), 30, 35) == pytest.approx(want, rel=1e-14)
    huge = np.full((6, 7), 1e300)
    assert _log10_sum(huge, 6, 7) == pytest.approx(42 * 300.0)
