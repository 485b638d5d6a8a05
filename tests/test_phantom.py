"""The embedded phantom: uptake ratio, point spread function, lesions, determinism."""

import numpy as np
import pytest
from scipy import ndimage, optimize

from brainfuse.phantom import LESIONS, gaussian_psf, make_phantom


@pytest.fixture(scope="module")
def phantom():
    return make_phantom(seed=0)


def _gtm_ratio(img, ph, fwhm):
    """Grey:white uptake estimated from the noisy, blurred image by a geometric transfer
    matrix fit (Rousset et al. 1998): image ≈ c_g·PSF*GM + c_w·PSF*WM outside the lesions."""
    g = gaussian_psf(ph.grey_matter, fwhm, ph.mri.spacing)
    w = gaussian_psf(ph.white_matter, fwhm, ph.mri.spacing)
    lesion = np.zeros(g.shape, bool)
    for m in ph.lesion_masks.values():
        lesion |= m
    keep = ~ndimage.binary_dilation(lesion, iterations=int(2 * fwhm / 2)) & (g + w > 0.05)
    coef = np.linalg.lstsq(np.stack([g[keep], w[keep]], 1), img.array[keep], rcond=None)[0]
    return coef[0] / coef[1]


def _fwhm_estimate(img, ph):
    """FWHM (mm) of the Gaussian that best maps the true activity onto the image."""
    act = ph.activity.astype(np.float64)
    y = img.array.astype(np.float64).ravel()

    def misfit(fwhm):
        x = gaussian_psf(act, fwhm, ph.mri.spacing).ravel()
        s = (x @ y) / (x @ x)
        return float(((y - s * x) ** 2).sum())

    return optimize.minimize_scalar(misfit, bounds=(1.0, 20.0), method="bounded").x


def test_grey_white_ratio_is_four_within_ten_percent(phantom):
    assert _gtm_ratio(phantom.pet, phantom, 6.0) == pytest.approx(4.0, rel=0.10)
    assert _gtm_ratio(phantom.spect, phantom, 12.0) == pytest.approx(4.0, rel=0.10)


def test_point_spread_functions_within_ten_percent(phantom):
    assert _fwhm_estimate(phantom.pet, phantom) == pytest.approx(6.0, rel=0.10)
    assert _fwhm_estimate(phantom.spect, phantom) == pytest.approx(12.0, rel=0.10)


def test_gaussian_psf_has_the_requested_fwhm():
    delta = np.zeros((81, 3, 3))
    delta[40, 1, 1] = 1.0
    profile = gaussian_psf(delta, 6.0, (0.25, 2.0, 2.0))[:, 1, 1]
    above = np.flatnonzero(profile >= profile.max() / 2)
    assert (above[-1] - above[0] + 1) * 0.25 == pytest.approx(6.0, abs=0.5)


def test_lesions_show_on_pet_not_on_mri(phantom):
    hypo, hyper = (phantom.lesion_masks[les.name] for les in LESIONS)
    grey = phantom.grey_matter > 0.8
    pet, mri = phantom.pet.array, phantom.mri.array
    healthy = grey & ~hypo & ~hyper
    assert pet[hyper & grey].mean() > 1.2 * pet[healthy].mean()
    assert pet[hypo & grey].mean() < 0.7 * pet[healthy].mean()
    assert mri[hypo & grey].mean() == pytest.approx(mri[healthy].mean(), rel=0.15)


def test_same_seed_same_volumes_bit_for_bit(phantom):
    again = make_phantom(seed=0)
    np.testing.assert_array_equal(again.pet.array, phantom.pet.array)
    np.testing.assert_array_equal(again.spect.array, phantom.spect.array)
    other = make_phantom(seed=1)
    assert not np.array_equal(other.pet.array, phantom.pet.array)


def test_phantom_geometry(phantom):
    assert phantom.pet.shape == phantom.mri.shape == (99, 117, 95)
    np.testing.assert_array_equal(phantom.pet.affine, phantom.mri.affine)
    assert phantom.pet.modality.value == "PET" and phantom.pet.colormap == "pet"


# --- the case generator (make_case, make_twins, make_ensemble) --------------------------------

from brainfuse.errors import InputError  # noqa: E402
from brainfuse.phantom import (  # noqa: E402
    PlantedLesion,
    case_seeds,
    make_case,
    make_ensemble,
    make_twins,
)


@pytest.fixture(scope="module")
def twins():
    return make_twins(2, modality="pet")


def test_twins_share_background_and_geometry_but_not_noise(twins):
    present, absent = twins
    np.testing.assert_array_equal(present.background_activity, absent.background_activity)
    np.testing.assert_array_equal(present.anatomy_true, absent.anatomy_true)
    np.testing.assert_array_equal(present.lesions[0].mask, absent.lesions[0].mask)
    assert present.lesions[0].centre == absent.lesions[0].centre
    assert present.lesion_present and not absent.lesion_present
    assert not absent.lesions[0].present
    # the truth differs exactly on the lesion
    differ = present.activity != absent.activity
    assert differ.any() and not (differ & ~present.lesions[0].mask).any()
    np.testing.assert_array_equal(absent.activity, absent.background_activity)
    assert not np.array_equal(present.anatomy, absent.anatomy)  # independent noise


def test_same_arguments_same_case_bit_for_bit(twins):
    again = make_case(2, modality="pet")
    for name in ("anatomy", "functional", "activity", "functional_mean"):
        np.testing.assert_array_equal(getattr(again, name), getattr(twins[0], name))
    other = make_case(4, modality="pet")
    assert other.lesions[0].planted != twins[0].lesions[0].planted


@pytest.mark.parametrize("ndim", [2, 3])
@pytest.mark.parametrize("modality", ["pet", "ct"])
def test_true_lesion_to_background_ratio_is_the_planted_contrast(ndim, modality):
    lesion = PlantedLesion((-40.0, -20.0, 10.0), 6.0, 1.5)
    case = make_case(7, modality=modality, ndim=ndim, lesions=[lesion])
    les = case.lesions[0]
    ratio = case.activity[les.mask].mean() / case.activity[les.background].mean()
    assert ratio == pytest.approx(les.true_ratio, rel=1e-5)
    tol = 1e-5 if ndim == 3 else 0.05  # a 2D slice sees only its ring of the 3D shell
    assert les.true_ratio >= 1.5 * (1 - tol) and les.hyper
    site = case.background_activity[les.mask].mean()  # the tissue it replaced
    assert case.activity[les.mask].mean() >= 1.5 * site * (1 - tol)
    # 6 mm radius: the mask holds the sphere's tissue voxels (2 mm grid)
    full = 4 / 3 * np.pi * 6.0**3 / 8.0 if ndim == 3 else np.pi * 6.0**2 / 4.0
    assert 0.6 * full <= les.mask.sum() <= 1.2 * full


def test_lesion_centre_indexes_the_mask(twins):
    les = twins[0].lesions[0]
    r, c = (round(x) for x in les.centre)
    assert les.mask[r, c]
    np.testing.assert_allclose(np.argwhere(les.mask).mean(axis=0), les.centre, atol=1.0)


def test_lesion_shows_on_the_functional_image_not_on_the_mri(twins):
    present, absent = twins
    m = present.lesions[0].mask
    hot = present.lesions[0].hyper
    diff = present.functional_mean[m].mean() - absent.functional_mean[m].mean()
    assert (diff > 5) if hot else (diff < -5)
    np.testing.assert_array_equal(present.anatomy_true, absent.anatomy_true)


def test_poisson_noise_matches_the_count_level():
    case = make_case(2, modality="pet", ndim=3, counts=200.0)
    scale = 160.0 / 200.0  # counts -> 0..255
    core = case.uniform_mask & (case.functional_mean > 20)
    resid = case.functional[core] - case.functional_mean[core]
    ratio = resid.var() / (scale * case.functional_mean[core].mean())
    assert ratio == pytest.approx(1.0, rel=0.1)
    assert abs(resid.mean()) < 0.5


def test_count_levels_order_the_noise():
    stds = [
        (make_case(2, counts=level).functional - make_case(2, counts=level).functional_mean)[
            make_case(2).uniform_mask
        ].std()
        for level in ("low", "medium", "high")
    ]
    assert stds[0] > stds[1] > stds[2]


def test_psf_fwhm_of_the_functional_images():
    """The noise-free PET (SPECT) is the true map blurred by 6 (12) mm: fit the FWHM back."""
    for modality, fwhm in (("pet", 6.0), ("spect", 12.0)):
        case = make_case(5, modality=modality, ndim=3)
        y = case.functional_mean.astype(np.float64).ravel()

        def misfit(f, case=case, y=y):
            x = gaussian_psf(case.activity, f, case.spacing).ravel()
            return float(((y - (x @ y) / (x @ x) * x) ** 2).sum())

        est = optimize.minimize_scalar(misfit, bounds=(1.0, 20.0), method="bounded").x
        assert est == pytest.approx(fwhm, rel=0.05)


def test_ct_has_hounsfield_units_and_a_skull():
    case = make_case(3, modality="ct", ndim=3)
    grey = case.grey_matter > 0.9
    assert case.activity[grey & ~case.lesion_mask].mean() == pytest.approx(40.0, abs=3.0)
    assert (case.activity == 1000.0).sum() > 10000  # the synthetic bone shell
    assert case.palette is None and case.modality == "CT"


def test_ensembles_vary_anatomy_or_only_noise():
    by_anatomy = make_ensemble(3, seed=5)
    centres = {c.lesions[0].planted.centre_mm for c in by_anatomy.present}
    assert len(centres) == 3 and len(by_anatomy) == 6
    by_noise = make_ensemble(3, seed=5, vary="noise")
    assert len({c.lesions[0].planted for c in by_noise.present}) == 1
    a, b = by_noise.present[:2]
    assert not np.array_equal(a.functional, b.functional)
    np.testing.assert_array_equal(a.functional_mean, b.functional_mean)
    assert case_seeds(3, 5) == [c.seed for c in by_anatomy.present]


def test_hyper_flag_and_two_lesions_on_one_slice():
    case = make_case(11, n_lesions=2, hyper=False)
    assert len(case.lesions) == 2 and not any(les.hyper for les in case.lesions)
    assert len({les.planted.centre_mm[2] for les in case.lesions}) == 1
    assert not (case.lesions[0].mask & case.lesions[1].mask).any()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"modality": "mri"}, "unknown 'mri'"),
        ({"ndim": 4}, "must be 2 or 3"),
        ({"counts": "extreme"}, "unknown level"),
        ({"counts": -1.0}, "positive"),
        ({"lesions": [PlantedLesion((0.0, 0.0, 200.0), 5.0, 1.5)]}, "outside the template"),
        ({"lesions": [PlantedLesion((-90.0, -120.0, -60.0), 5.0, 1.5)]}, "outside the brain"),
        ({"lesions": [PlantedLesion((-40.0, -20.0, 10.0), 5.0, 1.0)]}, "not 1"),
        ({"anatomy": "colin27"}, "unknown anatomy"),
        ({"fwhm_mm": float("nan")}, "fwhm_mm"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_case(1, **kwargs)


def test_spm12_anatomy(shared_data):
    case = make_case(2, anatomy="spm12-t2", data_dir=shared_data)
    assert case.shape == (109, 91) and case.anatomy_name == "spm12-t2"
    les = case.lesions[0]
    ratio = case.activity[les.mask].mean() / case.activity[les.background].mean()
    assert ratio == pytest.approx(les.true_ratio, rel=1e-5)
    assert (les.true_ratio - 1) * (les.planted.contrast - 1) > 0


def test_spm12_missing_folder_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="missing: anatomy 'spm12-t1' needs the SPM12"):
        make_case(1, anatomy="spm12-t1", data_dir=tmp_path)
