"""Degenerate inputs: numbers instead of NaN, no RuntimeWarning, size refusals as InputError.

The reference codes return NaN (or a complex number) in several of these cases; the values
are decided from the formulas (see each metric's docstring and docs/metrics.md).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brainfuse.errors import InputError
from brainfuse.metrics import (
    PROFILES,
    evaluate,
    feature_mutual_information,
    mef_ssim,
    nava_mutual_information,
    phase,
    zhao_qp,
)
from brainfuse.metrics._common import normalize1
from brainfuse.metrics.information import _tsallis

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


# --- Q_P: constant fused images, flat sources, tiny images ------------------------------


@pytest.mark.parametrize("profile", ["paper", "mefb", "liu2012"])
@pytest.mark.parametrize("level", [0.0, 100.0, 255.0])
def test_qp_of_a_constant_fused_image_is_zero(profile: str, level: float) -> None:
    a, b = _levels((48, 48), 1), _levels((48, 48), 2)
    f = np.full_like(a, level)
    assert _call(profile, "Q_P", f, a, b) == 0.0


def test_phase_congruency_of_a_constant_image_has_no_features() -> None:
    pc, big, small = phase.phase_congruency(np.zeros((16, 20)))
    assert np.all(pc == 0)
    assert np.allclose(big, 5e-5, rtol=0, atol=1e-12)
    assert np.allclose(small, -5e-5, rtol=0, atol=1e-12)


def test_qp_with_a_flat_source_is_a_number_in_range() -> None:
    a = _levels((32, 32), 3)
    for b in (np.zeros_like(a), np.full_like(a, 77.0)):
        for f in (a, (a + b) / 2):
            assert 0.0 <= zhao_qp(f, a, b) <= 1.0


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (1, 9), (9, 2)])
def test_qp_refuses_images_under_3_pixels_a_side(shape: tuple[int, int]) -> None:
    phase._filters.cache_clear()  # the filter bank is cached: its warnings come only once
    x = np.ones(shape)
    with pytest.raises(InputError, match=r"too small for Q_P \(3 pixels"):
        zhao_qp(x, x, x)


# --- liu2012: no RuntimeWarning on constant, zero, tiny and real inputs -----------------


def test_liu2012_prints_no_warning_on_constant_zero_and_tiny_images() -> None:
    phase._filters.cache_clear()  # Q_P's filter bank warned on 1-pixel sides, once per size
    triples = [tuple(np.zeros((24, 24)) for _ in range(3))]
    triples.append((np.full((24, 24), 9.0), np.zeros((24, 24)), np.full((24, 24), 255.0)))
    triples += [(_levels(s, 4), _levels(s, 5), _levels(s, 6)) for s in [(1, 1), (1, 7), (7, 1)]]
    for f, a, b in triples:
        for metric in PROFILES["liu2012"].metrics:
            _call("liu2012", metric, f, a, b)


def test_liu2012_prints_no_warning_on_a_real_triple(reference_dir) -> None:
    import cv2

    t = reference_dir / "triples"
    f, a, b = (
        cv2.imread(str(t / f"MRI_PET_11_{r}.png"), cv2.IMREAD_GRAYSCALE).astype(np.float64)
        for r in ("F_avg", "A", "B")
    )
    for metric in PROFILES["liu2012"].metrics:
        assert _call("liu2012", metric, f, a, b) is not None


def test_nava_with_a_constant_source_is_real() -> None:
    """A constant source has entropy 0 (its marginal sums to 1 + 2e-16, so the computed
    entropy was -3e-16 and its 0.43137th power complex). With B constant, I_q(B;F),
    I_q(A;B) and H(B) vanish: the measure is I_q(A;F) / H(A)^q."""
    a = np.arange(9, dtype=np.float64).reshape(3, 3) * 30
    b = np.full((3, 3), 100.0)
    q = 0.43137
    got = nava_mutual_information(a, a, b, q=q)
    an = normalize1(a)
    want = _tsallis(an, an, q, False) / math.log2(9) ** q
    assert got == pytest.approx(want, rel=1e-12)


# --- MEF-SSIM: a negative scale value ---------------------------------------------------


def test_mef_ssim_of_an_inverted_image_is_zero_not_nan() -> None:
    """F = 255 − A against A = B: every scale's structure term is about −1, whose fractional
    power is undefined; clipped at 0 as MS-SSIM does."""
    a = _levels((48, 48), 0)
    f = 255 - a
    assert mef_ssim(f, a, a.copy()) == 0.0
    assert _call("tang", "MS_SSIM", f, a, a.copy()) == 0.0


# --- tiny sizes: every metric of every profile ------------------------------------------

TINY_2D = [(1, 1), (2, 2), (1, 9), (9, 1), (3, 3)]
TINY_3D = [(1, 1, 1), (2, 2, 2), (1, 1, 5)]


@pytest.mark.parametrize("profile", list(PROFILES))
def test_tiny_images_give_numbers_or_size_errors(profile: str) -> None:
    phase._filters.cache_clear()
    for shape in TINY_2D + TINY_3D:
        f, a, b = _levels(shape, 7), _levels(shape, 8), np.zeros(shape)
        for metric, m in PROFILES[profile].metrics.items():
            if len(shape) == 2 or m.volumes:
                _call(profile, metric, f, a, b)


def test_one_pixel_refusals_name_the_minimum_size() -> None:
    x = np.ones((1, 1))
    for profile, metric, minimum in [
        ("mefb", "FMI", "3x3"),
        ("paper", "SSIM", "11"),
        ("paper", "VIF", "41"),
        ("mefb", "MEF_SSIM", "44"),
        ("liu2012", "Q_P", "3"),
    ]:
        with pytest.raises(InputError, match=minimum):
            evaluate(x, x, x, metrics=[metric], profile=profile)


# --- every profile and metric on degenerate content (hypothesis) ------------------------

KINDS = ["zeros", "constant", "white", "spot", "binary", "levels", "fractions", "roundoff"]
SHAPES_2D = [(1, 1), (1, 6), (6, 1), (2, 2), (3, 3), (5, 4), (9, 9), (16, 12), (48, 48)]
SHAPES_3D = [(1, 1, 1), (2, 2, 2), (1, 1, 5), (4, 5, 6), (12, 12, 12)]  # last axis != 3 (RGB)
DEGENERATE = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _image(kind: str, shape: tuple[int, ...], level: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "zeros":
        return np.zeros(shape)
    if kind == "constant":
        return np.full(shape, level)
    if kind == "white":
        return np.full(shape, 255.0)
    if kind == "spot":
        x = np.zeros(shape)
        x[tuple(int(rng.integers(n)) for n in shape)] = 255.0
        return x
    if kind == "binary":
        return (rng.random(shape) < 0.5) * 255.0
    if kind == "levels":
        return rng.integers(0, 256, shape).astype(np.float64)
    if kind == "fractions":
        return rng.random(shape) * 255.0
    # "roundoff": a bright pixel among values of 1e-17..1e-15 (a float fusion result)
    x = rng.random(shape) * 1e-15
    x[tuple(int(rng.integers(n)) for n in shape)] = 200.0
    return x


@st.composite
def triples(draw: st.DrawFn, shapes: list[tuple[int, ...]]) -> tuple[np.ndarray, ...]:
    shape = draw(st.sampled_from(shapes))
    level = draw(st.sampled_from([1.0, 17.0, 127.5, 254.0]))
    f, a, b = (
        _image(draw(st.sampled_from(KINDS)), shape, level, draw(st.integers(0, 2**16)))
        for _ in range(3)
    )
    relation = draw(st.sampled_from(["none", "F=A", "F=B", "A=B"]))
    if relation == "F=A":
        f = a.copy()
    elif relation == "F=B":
        f = b.copy()
    elif relation == "A=B":
        b = a.copy()
    return f, a, b


@pytest.mark.parametrize("profile", list(PROFILES))
@DEGENERATE
@given(triple=triples(SHAPES_2D))
def test_every_2d_metric_gives_a_number_or_a_size_error(profile: str, triple) -> None:
    for metric in PROFILES[profile].metrics:
        _call(profile, metric, *triple)


@pytest.mark.parametrize("profile", list(PROFILES))
@DEGENERATE
@given(triple=triples(SHAPES_3D))
def test_every_volume_metric_gives_a_number_or_a_size_error(profile: str, triple) -> None:
    for metric, m in PROFILES[profile].metrics.items():
        if m.volumes:
            _call(profile, metric, *triple)
