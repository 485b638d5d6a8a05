"""The bounded generalized Gaussian of Wang J. et al. (2022) against numerical integration."""

import numpy as np
import pytest
from scipy import integrate, ndimage, special, stats

from brainfuse.io import Image, load
from brainfuse.registration import Transform, apply_transform, bggmm, pad
from brainfuse.registration.grid import Grid, foreground, grid_of

CASES = [(40.0, 12.0, 2.0), (3.0, 20.0, 1.0), (250.0, 30.0, 3.5), (-10.0, 15.0, 0.8), (128, 60, 6)]


def _density(y, u, s, lam):
    return float(np.exp(bggmm.gg_logpdf(y, u, s, lam)))


@pytest.mark.parametrize(("u", "s", "lam"), CASES)
def test_density_is_scipy_gennorm_with_sigma_the_standard_deviation(u, s, lam):
    y = np.linspace(-50, 300, 41)
    scale = s * np.sqrt(special.gamma(1 / lam) / special.gamma(3 / lam))
    ref = stats.gennorm.logpdf(y, lam, loc=u, scale=scale)
    assert np.allclose(bggmm.gg_logpdf(y, u, s, lam), ref, rtol=1e-12, atol=1e-12)
    assert stats.gennorm.std(lam, scale=scale) == pytest.approx(s, rel=1e-12)


def test_shape_two_is_the_gaussian_and_one_the_laplacian():
    y = np.linspace(-3, 3, 13)
    assert np.allclose(bggmm.gg_logpdf(y, 0.0, 1.0, 2.0), stats.norm.logpdf(y))
    b = 1 / np.sqrt(2)  # Laplace scale with standard deviation 1
    assert np.allclose(bggmm.gg_logpdf(y, 0.0, 1.0, 1.0), stats.laplace.logpdf(y, scale=b))


@pytest.mark.parametrize(("u", "s", "lam"), CASES)
def test_closed_form_truncated_normaliser_matches_numerical_integration(u, s, lam):
    ref, _ = integrate.quad(_density, 0.0, 255.0, args=(u, s, lam), points=[min(max(u, 0), 255)])
    assert bggmm.truncated_normaliser(u, s, lam, 0.0, 255.0) == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize(("u", "s", "lam"), CASES)
def test_bounded_support_corrections_match_numerical_integration(u, s, lam):
    lo, hi = 0.0, 255.0
    z, _ = integrate.quad(_density, lo, hi, args=(u, s, lam), points=[min(max(u, lo), hi)])

    def expect(fn):
        val, _ = integrate.quad(
            lambda y: fn(y) * _density(y, u, s, lam), lo, hi, points=[min(max(u, lo), hi)]
        )
        return val / z

    beta = float(bggmm.gg_beta(lam))
    r = expect(lambda y: np.sign(u - y) * abs(y - u) ** (lam - 1))
    g = expect(lambda y: -1 + lam * beta * abs(y - u) ** lam / s**lam)
    assert bggmm.mean_correction(u, s, lam, lo, hi) == pytest.approx(r, rel=1e-6, abs=1e-9)
    assert bggmm.scale_correction(u, s, lam, lo, hi) == pytest.approx(g, rel=1e-6, abs=1e-9)


def test_corrections_vanish_when_the_support_covers_the_density():
    assert abs(bggmm.mean_correction(128.0, 5.0, 2.0, 0.0, 255.0)) < 1e-12
    assert abs(bggmm.scale_correction(128.0, 5.0, 2.0, 0.0, 255.0)) < 1e-12


@pytest.mark.parametrize("lam", [0.7, 1.0, 1.6, 2.0, 3.3, 7.0])
def test_shape_score_and_its_derivative_match_finite_differences(lam):
    # catches the printed typos of Eqs. 20-21 (trigamma terms, factor 2)
    y, u, s, h = np.array([3.0, 10.5, 14.0, 40.0]), 12.0, 7.0, 1e-5
    num_f = (bggmm.gg_logpdf(y, u, s, lam + h) - bggmm.gg_logpdf(y, u, s, lam - h)) / (2 * h)
    assert np.allclose(bggmm.shape_score(y, u, s, lam), num_f, rtol=1e-6, atol=1e-8)
    num_g = (bggmm.shape_score(y, u, s, lam + h) - bggmm.shape_score(y, u, s, lam - h)) / (2 * h)
    assert np.allclose(bggmm.shape_score_derivative(y, u, s, lam), num_g, rtol=1e-5, atol=1e-6)


def _moment(fn, u, s, lam):
    """``E[fn(S)]`` under the generalized Gaussian truncated to [0, 255], by quad."""
    z, _ = integrate.quad(_density, 0, 255, args=(u, s, lam), points=[u])
    val, _ = integrate.quad(lambda y: fn(y) * _density(y, u, s, lam), 0, 255, points=[u], limit=200)
    return val / z


@pytest.mark.parametrize(("u", "s", "lam"), [(20.0, 15.0, 1.3), (200.0, 40.0, 2.6)])
def test_truncated_shape_moments_match_numerical_integration(u, s, lam):
    e_f, e_f2g = bggmm.truncated_shape_moments(
        np.array([u]), np.array([s]), np.array([lam]), 0.0, 255.0
    )

    def f(y):
        return float(bggmm.shape_score(y, u, s, lam))

    def f2g(y):
        return f(y) ** 2 + float(bggmm.shape_score_derivative(y, u, s, lam))

    assert e_f[0] == pytest.approx(_moment(f, u, s, lam), rel=1e-4, abs=1e-6)
    assert e_f2g[0] == pytest.approx(_moment(f2g, u, s, lam), rel=1e-3)


def _sample_bounded(rng, n, u, s, lam):
    scale = s * np.sqrt(special.gamma(1 / lam) / special.gamma(3 / lam))
    out = np.empty((0, len(u)))
    while len(out) < n:
        x = stats.gennorm.rvs(lam, loc=u, scale=scale, size=(n, len(u)), random_state=rng)
        out = np.vstack([out, x[np.all((x >= 0) & (x <= 255), axis=1)]])
    return out[:n]


def test_em_recovers_a_bounded_mixture_and_never_lowers_the_likelihood():
    rng = np.random.default_rng(7)
    true = [
        (0.6, [20.0, 200.0], [15.0, 10.0], [1.2, 3.0]),
        (0.4, [150.0, 60.0], [25.0, 20.0], [2.5, 1.5]),
    ]
    x = np.vstack(
        [
            _sample_bounded(rng, int(t * 8000), np.array(u), np.array(s), np.array(lam))
            for t, u, s, lam in true
        ]
    )
    mix = bggmm.Mixture.from_kmeans(x, 2)
    lls = [mix.em_step(x, np.ones(len(x))) for _ in range(80)]
    assert np.min(np.diff(lls)) > -1e-6 * abs(lls[-1])
    order = np.argsort(mix.u[:, 0])
    assert np.allclose(mix.tau[order], [0.6, 0.4], atol=0.01)
    assert np.allclose(mix.u[order], [t[1] for t in true], atol=1.5)
    assert np.allclose(mix.sigma[order], [t[2] for t in true], rtol=0.08)
    assert np.allclose(mix.lam[order], [t[3] for t in true], rtol=0.15)


def test_gaussian_mixture_special_case_keeps_lambda_two():
    rng = np.random.default_rng(0)
    x = np.vstack([rng.normal(60, 8, (500, 2)), rng.normal(180, 12, (500, 2))])
    mix = bggmm.Mixture.from_kmeans(x, 2, bounded=False, fit_shape=False)
    for _ in range(30):
        mix.em_step(x, np.ones(len(x)))
    assert np.all(mix.lam == 2.0)
    assert np.allclose(np.sort(mix.u[:, 0]), [60, 180], atol=1.5)


# ------------------------------------------------------------------------ registration
def _rigid(phi_deg, tx, ty, shape):
    c = (np.array(shape[::-1], dtype=float) - 1) / 2
    p = np.radians(phi_deg)
    m = np.eye(3)
    m[:2, :2] = [[np.cos(p), -np.sin(p)], [np.sin(p), np.cos(p)]]
    m[:2, 2] = c + np.array([tx, ty]) - m[:2, :2] @ c
    return m


def _moved(array, true):
    """``array`` moved so that ``true`` (fixed -> moving, pixel x, y) registers it back."""
    img = Image(array.astype(np.float32))
    return grid_of(apply_transform(img, img, Transform(true).inverse()))


@pytest.fixture(scope="module")
def remapped_phantom():
    """A 128 x 128 Shepp-Logan 'MRI' and a 'second modality': tissue classes remapped
    non-monotonically, blurred."""
    from skimage.data import shepp_logan_phantom
    from skimage.transform import resize

    ph = np.pad(resize(shepp_logan_phantom(), (96, 96), order=1, anti_aliasing=True), 16)
    other = np.select([ph < 0.05, ph < 0.25, ph < 0.35], [0.0, 200.0, 60.0], 140.0)
    return ph * 255.0, ndimage.gaussian_filter(other, 1.5)


def test_conditional_likelihood_gradient_matches_finite_differences(remapped_phantom):
    # the motion step climbs d/dtheta mean log p(A | B(T_theta)) at a fixed mixture
    fixed, moving = (grid_of(Image(a.astype(np.float32))) for a in remapped_phantom)
    centre = fixed.centre()
    level = bggmm._Level(
        fixed,
        moving,
        Grid(foreground(fixed).astype(np.uint8), fixed.to_space),
        "rigid",
        centre,
        1 << 14,
    )
    start = bggmm._update(np.array([0.05, 3.0, -2.0]), "rigid", centre)
    inside, b, grad = level.sample_moving(start, gradient=True)
    mix = bggmm.Mixture.from_kmeans(np.column_stack([level.a[inside], b]))
    bggmm._JointHistogram(level.a[inside], b).fit(mix, 30)
    eta = mix.responsibilities(np.column_stack([level.a[inside], b]))[0]
    eta_b = mix.log_marginal(b, 1)[0]
    u, s, lam = mix.u[:, 1], mix.sigma[:, 1], mix.lam[:, 1]
    score = ((eta - eta_b) * bggmm.location_score(b[:, None], u, s, lam)).sum(axis=1)
    to_index = np.linalg.inv(moving.to_space) @ start
    jac = np.einsum("nd,ndp->np", grad @ to_index[:2, :2], level.jac_update[inside])
    analytic = jac.T @ score / inside.sum()
    for k, h in enumerate([1e-4, 1e-2, 1e-2]):
        e = np.zeros(3)
        e[k] = h
        up = level.loglik(mix, start @ bggmm._update(e, "rigid", centre))
        down = level.loglik(mix, start @ bggmm._update(-e, "rigid", centre))
        assert (up - down) / (2 * h) == pytest.approx(analytic[k], rel=0.1, abs=1e-4)


@pytest.mark.parametrize("func", [bggmm.register_bggmm, bggmm.register_gmm_er])
def test_random_rigid_transforms_of_a_remapped_phantom_are_recovered(remapped_phantom, func):
    mri, other = remapped_phantom
    fixed = grid_of(Image(mri.astype(np.float32)))
    for phi, tx, ty in [(-9.0, 17.0, -14.0), (7.0, -19.0, 12.0)]:
        true = _rigid(phi, tx, ty, mri.shape)
        est = func(fixed, _moved(other, true), "rigid", np.eye(3))
        assert pad(true, est, mri.shape) < 1.0


@pytest.mark.slow
def test_real_mri_pet_pairs_are_registered_to_their_own_optimum(shared_data):
    # before the conditional likelihood and the coarse search: PAD-self 10-25 px on these
    folder = shared_data / "harvard-cddfuse-test" / "MRI_PET"
    errors = []
    for name, (phi, tx, ty) in zip(
        ("12", "13", "14", "15"),
        [(-6, 15, -18), (8, -17, 9), (4, 12, 19), (-9, -14, -11)],
        strict=True,
    ):
        mri, pet = load(folder / "MRI" / f"{name}.png"), load(folder / "PET" / f"{name}.png")
        fixed = grid_of(mri)
        own = bggmm.register_bggmm(fixed, grid_of(pet), "rigid", np.eye(3))
        true = _rigid(phi, tx, ty, mri.shape)
        moved = grid_of(apply_transform(pet, pet, Transform(true).inverse()))
        est = bggmm.register_bggmm(fixed, moved, "rigid", np.eye(3))
        errors.append(pad(true @ own, est, mri.shape))
    assert np.median(errors) < 1.0, errors
