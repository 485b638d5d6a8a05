"""Task-based and truth-based scores: the CHO against known d', and each score against the truth."""

import math

import numpy as np
import pytest
from scipy import stats

from brainfuse.errors import InputError
from brainfuse.fusion import fuse_arrays
from brainfuse.metrics.task import (
    channel_outputs,
    cho,
    cho_cases,
    colour_readback,
    contrast_recovery,
    gradient_correlation,
    laguerre_gauss,
    lesion_cnr,
    noise_amplification,
    score_case,
)
from brainfuse.phantom import PlantedLesion, make_case, make_ensemble


def test_cho_recovers_a_known_d_prime():
    """Gaussian channel outputs with Δμ = (1, 1, 0, 0) and K = I have d' = √2."""
    rng = np.random.default_rng(3)
    cov = np.eye(4)
    absent = rng.multivariate_normal(np.zeros(4), cov, 3000)
    present = rng.multivariate_normal([1.0, 1.0, 0.0, 0.0], cov, 3000)
    r = cho(present, absent)
    assert r.d_prime == pytest.approx(math.sqrt(2), abs=0.06)
    assert r.auc == pytest.approx(stats.norm.cdf(1.0), abs=0.02)
    assert r.auc_empirical == pytest.approx(stats.norm.cdf(1.0), abs=0.02)
    assert r.d_prime_resubstitution == pytest.approx(math.sqrt(2), abs=0.06)


def test_cho_uses_the_covariance():
    """Correlated noise that a Hotelling observer can cancel: d' well above the raw SNR."""
    rng = np.random.default_rng(4)
    common = rng.normal(size=(2000, 1)) * 5
    absent = np.hstack([common, common]) + rng.normal(size=(2000, 2)) * 0.5
    common = rng.normal(size=(2000, 1)) * 5
    present = np.hstack([common, common]) + rng.normal(size=(2000, 2)) * 0.5 + [1.0, 0.0]
    r = cho(present, absent)
    # channel 1 alone: SNR 1/5; w = K⁻¹Δμ removes the common part: d' ≈ 1/(0.5·√2)·... ≈ 1.41
    assert r.d_prime > 1.2


def test_resubstitution_is_optimistic_on_small_ensembles():
    rng = np.random.default_rng(5)
    gaps = []
    for _ in range(20):
        absent = rng.normal(size=(20, 8))
        present = rng.normal(size=(20, 8)) + 0.3
        r = cho(present, absent)
        gaps.append(r.d_prime_resubstitution - r.d_prime)
    assert np.mean(gaps) > 0.5


def test_laguerre_gauss_channels_are_orthonormal_in_2d():
    yy, xx = np.mgrid[-60:61, -60:61]
    u = laguerre_gauss(np.stack([yy, xx], -1).astype(float), 10.0, 6).reshape(6, -1)
    np.testing.assert_allclose(u @ u.T, np.eye(6), atol=1e-6)


def test_channel_outputs_follow_the_centre():
    img = np.zeros((64, 64))
    img[20, 30] = 1.0
    moved = np.roll(img, (5, -7), axis=(0, 1))
    a = channel_outputs([img, moved], [(20, 30), (25, 23)], width=4.0, n_channels=3)
    np.testing.assert_allclose(a[0], a[1])
    rgb = np.stack([img, 2 * img, 0 * img], -1)
    c = channel_outputs([rgb], [(20, 30)], width=4.0, n_channels=3)
    np.testing.assert_allclose(c[0], np.concatenate([a[0], 2 * a[0], 0 * a[0]]))


def test_cho_ranks_planted_contrasts_in_order():
    """The acceptance check: lesions planted with more contrast are more detectable."""
    d = []
    for contrast in (1.1, 1.25, 1.6):
        lesion = PlantedLesion((-40.0, -20.0, 10.0), 4.0, contrast)
        ens = make_ensemble(30, seed=8, vary="noise", lesions=[lesion], counts="low")
        r = cho_cases(
            [c.functional for c in ens.present], [c.functional for c in ens.absent], ens.present
        )
        d.append(r.d_prime)
    assert d[0] < d[1] < d[2]
    assert d[0] > 0


def test_cho_of_fusion_lies_between_the_sources():
    ens = make_ensemble(40, seed=2, hyper=True)

    def score(f):
        return cho_cases(
            [f(c) for c in ens.present], [f(c) for c in ens.absent], ens.present, ens.absent
        ).d_prime

    pet = score(lambda c: c.functional)
    mri = score(lambda c: c.anatomy)
    avg = score(lambda c: fuse_arrays(c.anatomy, c.functional, "average"))
    assert mri < 0.3 < avg < pet


def test_cho_refuses_mixed_lesions_and_bad_arrays():
    ens = make_ensemble(4, seed=0)
    hot = [c.lesions[0].hyper for c in ens.present]
    assert len(set(hot)) == 2  # this seed mixes them
    with pytest.raises(InputError, match="mixes hyper- and hypo"):
        cho_cases(
            [c.functional for c in ens.present], [c.functional for c in ens.absent], ens.present
        )
    with pytest.raises(InputError, match="NaN"):
        cho(np.full((5, 2), np.nan), np.zeros((5, 2)))
    with pytest.raises(InputError, match="at least 4"):
        cho(np.zeros((3, 2)), np.zeros((3, 2)))
    with pytest.raises(InputError, match="estimate"):
        cho(np.zeros((5, 2)), np.zeros((5, 2)), estimate="loo")


@pytest.fixture(scope="module")
def case():
    return make_case(2)


def test_crc_is_one_on_the_truth_and_lower_after_blur(case):
    les = case.lesions[0]
    assert contrast_recovery(case.activity, les.mask, les.background, les.true_ratio) == (
        pytest.approx(1.0, rel=1e-5)
    )
    blurred = contrast_recovery(case.functional_mean, les.mask, les.background, les.true_ratio)
    assert 0.2 < blurred < 0.95


def test_cnr_sign_follows_the_lesion():
    img = np.array([[10.0, 12.0, 10.0, 12.0, 4.0]])
    les = img == 4.0
    assert lesion_cnr(img, les, ~les, hyper=False) == pytest.approx(7.0)
    assert lesion_cnr(img, les, ~les, hyper=True) == pytest.approx(-7.0)


def test_anatomical_fidelity_prefers_the_true_anatomy(case):
    inner = case.brain_mask
    assert gradient_correlation(case.anatomy_true, case.anatomy_true, inner) == pytest.approx(1.0)
    mri = gradient_correlation(case.anatomy, case.anatomy_true, inner)
    pet = gradient_correlation(case.functional, case.anatomy_true, inner)
    assert pet < mri < 1.0


def test_noise_amplification(case):
    src = case.functional
    assert noise_amplification(src, src, case.uniform_mask) == 1.0
    smooth = fuse_arrays(case.anatomy, src, "average")
    assert noise_amplification(smooth, src, case.uniform_mask) < 0.8
    assert math.isnan(noise_amplification(src, src, np.zeros_like(case.uniform_mask)))


def test_colour_readback_of_the_rendering_and_of_a_fusion(case):
    rgb = case.functional_rgb()
    rho, r2 = colour_readback(rgb, case.activity, case.brain_mask, "pet")
    assert rho > 0.6 and 0.3 < r2 <= 1.0
    # luminance fusion keeps the chroma, which the read-back relies on
    fused = fuse_arrays(case.anatomy, rgb, "average")
    rho_f, _ = colour_readback(fused, case.activity, case.brain_mask, "pet")
    assert rho_f == pytest.approx(rho, abs=0.05)
    # a grey image shown as RGB carries no colour to read
    grey = np.repeat(fuse_arrays(case.anatomy, case.functional, "average")[..., None], 3, -1)
    rho_g, _ = colour_readback(grey, case.activity, case.brain_mask, "pet")
    assert rho_g < rho - 0.2


def test_score_case_keys_and_grey_or_colour(case):
    grey = score_case(case.functional, case)
    assert set(grey) == {
        "crc",
        "cnr",
        "gradient_correlation",
        "ssim_anatomy",
        "noise_amplification",
        "colour_rho",
        "colour_r2",
    }
    assert math.isnan(grey["colour_rho"]) and grey["noise_amplification"] == 1.0
    colour = score_case(case.functional_rgb(), case)
    assert colour["colour_rho"] > 0.6 and colour["noise_amplification"] == 1.0
    absent = make_case(2, lesion=False)
    assert math.isnan(score_case(absent.functional, absent)["crc"])


def test_score_case_refuses_a_mismatched_or_nan_image(case):
    with pytest.raises(InputError, match="does not match"):
        score_case(np.zeros((10, 10)), case)
    bad = case.functional.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        score_case(bad, case)
