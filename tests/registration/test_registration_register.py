"""register(): known transforms recovered on synthetic and real images; bad input refused."""

import numpy as np
import pytest
from scipy import ndimage
from skimage.data import shepp_logan_phantom
from skimage.transform import resize

import brainfuse
from brainfuse.errors import InputError
from brainfuse.io.image import Image
from brainfuse.registration import (
    Transform,
    apply_transform,
    pad,
    register,
    resample,
    tre,
    world_points,
)


def rigid_2d(phi_deg: float, tx: float, ty: float, shape: tuple[int, int]) -> np.ndarray:
    """Rotation about the image centre, then a translation (pixel x = column, y = row)."""
    c = (np.array(shape[::-1], dtype=float) - 1) / 2
    p = np.radians(phi_deg)
    r = np.array([[np.cos(p), -np.sin(p)], [np.sin(p), np.cos(p)]])
    m = np.eye(3)
    m[:2, :2] = r
    m[:2, 2] = c + np.array([tx, ty]) - r @ c
    return m


def misalign(image: Image, true: np.ndarray) -> Image:
    """``image`` moved so that ``true`` (fixed -> moving) registers it back."""
    return apply_transform(image, image, Transform(true).inverse())


@pytest.fixture(scope="module")
def phantom():
    """A 128 x 128 Shepp-Logan 'MRI' and a second modality: non-monotonic remap + blur."""
    ph = resize(shepp_logan_phantom(), (128, 128), order=1, anti_aliasing=True)
    mri = (ph * 255).astype(np.float32)
    other = np.select([ph < 0.05, ph < 0.25, ph < 0.35], [0.0, 200.0, 60.0], 140.0)
    return Image(mri), Image(ndimage.gaussian_filter(other, 1.5).astype(np.float32))


@pytest.mark.parametrize("method", ["mi", "bggmm", "gmm-er"])
def test_multimodal_methods_recover_a_rigid_transform_of_the_phantom(phantom, method):
    mri, other = phantom
    true = rigid_2d(6.0, 7.0, -5.0, mri.shape)
    _, est = register(mri, misalign(other, true), method)
    assert est.kind == "rigid" and est.method == method
    assert pad(true, est, mri.shape) < 0.6


def test_ecc_recovers_a_same_modality_transform(phantom):
    mri, _ = phantom
    true = rigid_2d(-4.0, -6.0, 3.0, mri.shape)
    _, est = register(mri, misalign(mri, true), "ecc")
    assert pad(true, est, mri.shape) < 0.05


def test_mi_affine_recovers_scale_and_shear(phantom):
    mri, other = phantom
    true = np.array([[1.06, 0.04, -5.0], [-0.02, 0.95, 4.0], [0, 0, 1]])
    _, est = register(mri, misalign(other, true), "mi", "affine")
    assert est.kind == "affine"
    assert pad(true, est, mri.shape) < 0.6


@pytest.mark.parametrize("method", ["mi", "bggmm"])
def test_same_inputs_give_the_identical_matrix(phantom, method):
    mri, other = phantom
    moving = misalign(other, rigid_2d(3.0, 4.0, 2.0, mri.shape))
    first = register(mri, moving, method)[1].matrix
    second = register(mri, moving, method)[1].matrix
    assert np.array_equal(first, second)


def test_colour_moving_is_registered_through_its_colours_and_resampled_in_colour(phantom):
    mri, other = phantom
    true = rigid_2d(-5.0, 6.0, 6.0, mri.shape)
    rgb = np.stack([other.array, 0.5 * other.array, 255 - other.array], axis=-1)
    moving = misalign(Image(rgb, rgb=True), true)
    out, est = register(mri, moving)
    assert out.rgb and out.shape == mri.shape
    assert pad(true, est, mri.shape) < 0.6
    back = misalign(Image(rgb, rgb=True), np.eye(3)).array
    inner = (slice(20, 108), slice(20, 108))
    assert np.abs(out.array[inner] - back[inner]).mean() < 6.0


def test_arrays_in_arrays_out_and_moving_of_another_size(phantom):
    mri, other = phantom
    bigger = np.pad(other.array, ((10, 10), (20, 20)))  # 148 x 168, centres aligned
    out, est = register(mri.array, bigger)
    assert isinstance(out, np.ndarray) and out.shape == (128, 128)
    assert np.allclose(est.matrix[:2, 2], [20.0, 10.0], atol=0.5)


def test_bad_input_is_refused_with_a_clear_message(phantom):
    mri, _ = phantom
    with pytest.raises(InputError, match="empty"):
        register(mri, Image(np.full((64, 64), 7.0, np.float32), source="flat.png"))
    with pytest.raises(InputError, match="NaN"):
        register(mri, Image(np.where(mri.array > 100, np.nan, 1.0).astype(np.float32)))
    with pytest.raises(InputError, match="3D input cannot be registered to the 2D"):
        register(mri, Image(np.ones((20, 20, 20), np.float32)))
    with pytest.raises(InputError, match="unknown method 'x'; valid: mi"):
        register(mri, mri, "x")
    with pytest.raises(InputError, match="unknown transform"):
        register(mri, mri, "mi", "elastic")
    vol = Image(np.random.default_rng(0).random((20, 20, 20)).astype(np.float32))
    for method in ("ecc", "bggmm", "gmm-er"):
        with pytest.raises(InputError, match="2D images only"):
            register(vol, vol, method)
    far = vol.replace(affine=np.eye(4), source="far.nii")
    far.affine[:3, 3] = [500.0, 0.0, 0.0]
    with pytest.raises(InputError, match=r"far\.nii: does not overlap"):
        register(vol, far)


# ------------------------------------------------------------------------ real images
def spm_slice(volume: Image, reference: Image, z: int) -> Image:
    """Axial slice z of a volume on ``reference``'s grid, 1 mm pixels, 0..255."""
    a = np.rot90(resample(reference, volume).array[:, :, z])
    a = np.clip(ndimage.zoom(a, 2, order=3), 0, None)
    return Image((a * 255 / a.max()).astype(np.float32))


def test_mi_recovers_known_transforms_of_t1_t2_slices(shared_data):
    spm = shared_data / "volumes" / "spm12"
    t1, t2 = brainfuse.load(spm / "T1.nii"), brainfuse.load(spm / "T2.nii")
    pads = []
    for z in (35, 45, 55):
        fixed, moving = spm_slice(t1, t1, z), spm_slice(t2, t1, z)
        true = rigid_2d(8.0, -15.0, 12.0, fixed.shape)
        pads.append(pad(true, register(fixed, misalign(moving, true))[1], fixed.shape))
    assert np.median(pads) < 1.0 and max(pads) < 3.0


def test_mi_finds_the_same_alignment_of_a_harvard_mri_pet_pair_after_a_known_move(shared_data):
    pair = shared_data / "harvard-cddfuse-test" / "MRI_PET"
    mri, pet = brainfuse.load(pair / "MRI" / "16.png"), brainfuse.load(pair / "PET" / "16.png")
    own = register(mri, pet)[1].matrix  # MI's optimum for the published pair
    true = rigid_2d(-7.0, 12.0, -9.0, mri.shape)
    _, est = register(mri, misalign(pet, true))
    assert pad(true @ own, est, mri.shape) < 1.0


def test_mi_recovers_a_known_rigid_transform_of_a_volume(shared_data):
    spm = shared_data / "volumes" / "spm12"
    t1, t2 = brainfuse.load(spm / "T1.nii"), brainfuse.load(spm / "T2.nii")
    pts = world_points(t1, t1.array > 0.1 * t1.array.max())
    c, a = pts.mean(axis=0), np.radians(5.0)
    r = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    true = np.eye(4)
    true[:3, :3], true[:3, 3] = r, c + np.array([6.0, -4.0, 3.0]) - r @ c
    out, est = register(t1, apply_transform(t2, t2, Transform(true).inverse()))
    assert est.ndim == 3 and out.shape == t1.shape and np.allclose(out.affine, t1.affine)
    assert tre(true, est, pts) < 1.5


def test_spect_with_flipped_header_lines_up_after_header_aware_resampling(shared_data):
    spm = shared_data / "volumes" / "spm12"
    t1, pet, spect = (brainfuse.load(spm / f"{n}.nii") for n in ("T1", "PET", "SPECT"))
    assert np.sign(spect.affine[0, 0]) != np.sign(t1.affine[0, 0])

    def asymmetry(a: np.ndarray) -> np.ndarray:
        return (a - a[::-1]).ravel()

    resampled = resample(t1, spect).array
    # the left-right asymmetries of the SPECT and PET templates agree only after resampling
    agree = np.corrcoef(asymmetry(resampled), asymmetry(pet.array))[0, 1]
    raw = np.corrcoef(asymmetry(spect.array), asymmetry(pet.array))[0, 1]
    assert agree > 0.6 and raw < -0.6
    # and registration starting from the headers stays near them
    _, est = register(t1, spect)
    assert tre(np.eye(4), est, world_points(t1, t1.array > 0.1 * t1.array.max())) < 3.0
