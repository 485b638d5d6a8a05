"""Band power, % change, epochs, EC/EO ratio, IAF/CoG, RM-ANOVA with Greenhouse-Geisser."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.signals import spectra, stats


def test_band_power_of_a_sinusoid_lands_in_its_band():
    sf = 250.0
    t = np.arange(int(2 * sf)) / sf
    ep = (20e-6 * np.sin(2 * np.pi * 10 * t))[None, None, :].repeat(3, axis=0)
    psd, f = spectra.spectrum(ep, sf)
    absolute, relative = spectra.band_power(psd, f)
    # a sine of amplitude A has power A²/2
    assert absolute["alpha"][0] == pytest.approx((20e-6) ** 2 / 2, rel=1e-6)
    assert relative["alpha"][0] == pytest.approx(1.0, abs=1e-9)
    assert absolute["theta"][0] < 1e-20


def test_epochs_reject_and_follow_conditions(session):
    raw = session.truth
    ec = spectra.epochs(raw, condition="EC")
    eo = spectra.epochs(raw, condition="EO")
    # 60 s with blocks of 20 s from 2 s: EC 2-22, 42-62 (cut), EO 22-42 → 10 + 10 epochs
    assert ec.shape[0] == 10 and eo.shape[0] == 10
    with pytest.raises(InputError, match="clean EC epochs"):
        spectra.epochs(raw, condition="EC", n=50)
    with pytest.raises(InputError, match="only 0 clean"):
        spectra.epochs(raw, reject_uv=1.0)


def test_ec_eo_ratio_recovers_the_simulated_reactivity(session):
    ratio = spectra.ec_eo_ratio(session.truth, n=None)
    planted = session.params["ec_eo_ratio"]
    # background power in 8-12 Hz lowers the measured ratio below the alpha-only one
    assert 1.5 < ratio <= planted * 1.2


def test_iaf_and_cog_of_the_truth(session):
    x = session.truth.get_data(picks="O1")[0]
    iaf, cog = spectra.iaf_cog(x, session.truth.info["sfreq"])
    assert abs(iaf - session.iaf) < 0.3 and abs(cog - session.iaf) < 0.5


def test_percent_change_formula():
    np.testing.assert_allclose(spectra.percent_change([2.0, 1.0], [1.0, 4.0]), [100.0, -75.0])


def test_gg_epsilon_matches_the_orthonormal_contrast_formula():
    rng = np.random.default_rng(3)
    data = rng.standard_normal((15, 5)) @ rng.standard_normal((5, 5))
    k = data.shape[1]
    # orthonormal contrasts: Helmert-like basis orthogonal to the ones vector
    q, _ = np.linalg.qr(np.column_stack([np.ones(k), np.eye(k)[:, : k - 1]]))
    m = q[:, 1:].T
    lam = np.linalg.eigvalsh(m @ np.cov(data, rowvar=False) @ m.T)
    expected = lam.sum() ** 2 / ((k - 1) * (lam**2).sum())
    assert stats.gg_epsilon(data) == pytest.approx(expected, rel=1e-10)


def test_rm_anova_f_by_hand_and_corrected_p():
    rng = np.random.default_rng(4)
    data = rng.standard_normal((12, 4)) + np.array([0, 0.5, 1.0, 0.2])
    n, k = data.shape
    grand = data.mean()
    ss_cond = n * ((data.mean(0) - grand) ** 2).sum()
    ss_subj = k * ((data.mean(1) - grand) ** 2).sum()
    ss_err = ((data - grand) ** 2).sum() - ss_cond - ss_subj
    f = (ss_cond / (k - 1)) / (ss_err / ((n - 1) * (k - 1)))
    res = stats.rm_anova(data)
    assert res.f == pytest.approx(f) and (res.df1, res.df2) == (3, 33)
    assert 1 / 3 <= res.epsilon <= 1 and res.p_gg >= res.p
    assert res.df2_gg == pytest.approx(res.epsilon * 33)


def test_posthoc_is_bonferroni_adjusted():
    from scipy.stats import ttest_rel

    rng = np.random.default_rng(5)
    data = rng.standard_normal((10, 3)) + np.array([0.0, 1.0, 0.0])
    out = stats.posthoc_vs_reference(data)
    assert out[0][1] == pytest.approx(min(1.0, 2 * ttest_rel(data[:, 1], data[:, 0]).pvalue))
    with pytest.raises(InputError):
        stats.rm_anova(np.array([[1.0, np.nan], [2.0, 3.0]]))
