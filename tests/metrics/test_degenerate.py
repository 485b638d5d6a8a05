"""Degenerate inputs: numbers instead of NaN, no RuntimeWarning, size refusals as InputError.

The reference codes return NaN (or a complex number) in several of these cases; the values
are decided from the formulas (see each metric's docstring and docs/metrics.md).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np

from brainfuse.errors import InputError
from brainfuse.metrics import (
    evaluate,
    feature_mutual_information,
)

#: Metrics whose formula is infinite in documented cases (MSE = 0; a flat F; flat sources).
DOCUMENTED_INF = {"PSNR", "OP", "rSFe"}
SIZE_PROBLEM = re.compile(r"(too small|smaller than).*\d")


def _levels(shape: tuple[int, ...], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, shape).astype(np.float64)


def _call(profile: str, metric: str, f: np.ndarray, a: np.ndarray, b: np.ndarray) -> float | None:
    """The metric's value, or None if it refused the image size; RuntimeWarnings raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            value = evaluate(f, a, b, metrics=[metric], profile=profile)[metric]
        except InputError as exc:
            assert SIZE_PROBLEM.search(exc.problem), (profile, metric, exc.problem)
            return None
    assert isinstance(value, float)
    if metric in DOCUMENTED_INF:
        assert not math.isnan(value), (profile, metric)
    else:
        assert math.isfinite(value), (profile, metric, value)
    return value


# --- FMI: a point-mass window (float fused images) --------------------------------------


def test_fmi_of_a_flat_window_against_a_point_mass_is_zero_not_nan() -> None:
    """A bright pixel beside round-off values (a float fusion result) makes F's window a
    point mass up to 1e-17: the Fréchet bound's covariance is 0 and fmi.m's mix c/0 gave
    NaN. The bound then equals the product of the marginals: no shared information."""
    z = np.zeros((3, 3))
    f = np.zeros((3, 3))
    f[0, 0] = 6.0
    f[2, 2] = 1e-16
    exact = f.copy()
    exact[2, 2] = 0.0  # an exact point mass: the standard deviation branch gives 0
    for feature in ("none", "dct"):
        got = feature_mutual_information(f, z, z, feature=feature)
        assert abs(got) < 1e-12, feature
    assert feature_mutual_information(exact, z, z) == 0.0


def test_fmi_is_a_number_on_the_gff_result_of_mri_pet_11(shared_data) -> None:
    import brainfuse
    from brainfuse.color import rgb_to_grey

    pair = shared_data / "harvard-cddfuse-test" / "MRI_PET"
    a = brainfuse.load(pair / "MRI" / "11.png")
    b = brainfuse.load(pair / "PET" / "11.png")
    fused = brainfuse.fuse(a, b, "gff").array
    assert fused.dtype.kind == "f" and np.any((fused > 0) & (fused < 1e-10))  # round-off
    grey = [rgb_to_grey(x.array) if x.rgb else x.array for x in (a, b)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        got = evaluate(rgb_to_grey(fused), *grey, metrics="FMI")
    assert 0.5 < got["FMI"] < 1.0
