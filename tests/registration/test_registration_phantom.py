"""MI registration where the true alignment is exact: the MNI152 phantom's MRI, PET and SPECT.

The phantom's emission images are simulated from the MRI template's own tissue maps, so the
true transform is the identity (no shared data needed: nilearn ships the templates).
"""

import numpy as np
import pytest

from brainfuse.color import apply_palette, rgb_to_grey
from brainfuse.io.image import Image
from brainfuse.phantom import make_phantom
from brainfuse.registration import Transform, apply_transform, pad, register, tre, world_points

from .test_registration_register import misalign, rigid_2d


@pytest.fixture(scope="module")
def phantom():
    return make_phantom(seed=0)  # 2 mm grid, 99 x 117 x 95


def _slice(volume: Image, z: int) -> Image:
    """Axial slice ``z`` at 1 mm pixels (2 mm samples interpolated), in a 256 x 256 frame."""
    from scipy import ndimage

    a = ndimage.zoom(np.rot90(volume.array[:, :, z].astype(np.float64)), 2, order=1)
    out = np.zeros((256, 256))
    r0, c0 = (256 - a.shape[0]) // 2, (256 - a.shape[1]) // 2
    out[r0 : r0 + a.shape[0], c0 : c0 + a.shape[1]] = np.clip(a, 0, None)
    return Image((out * 255.0 / out.max()).astype(np.float32), bit_depth=8)


def test_mi_recovers_a_moved_phantom_pet_slice_to_sub_pixel(phantom):
    mri, pet = _slice(phantom.mri, 50), _slice(phantom.pet, 50)
    for true in (rigid_2d(8.0, 15.0, -12.0, mri.shape), rigid_2d(-9.0, -18.0, 6.0, mri.shape)):
        _, est = register(mri, misalign(pet, true))
        assert pad(true, est, mri.shape) < 0.5  # the 2D target (measured 0.16 px)


def test_a_jet_coloured_spect_slice_registers_through_its_principal_component(phantom):
    # jet's luma folds over (dark blue and dark red are both dark), which misleads MI; the
    # colours' principal component keeps the scale's order well enough.
    mri, spect = _slice(phantom.mri, 50), _slice(phantom.spect, 50)
    color = Image(apply_palette(spect.array, "jet").astype(np.float32), rgb=True, bit_depth=8)
    for true in (rigid_2d(8.0, 15.0, -12.0, mri.shape), rigid_2d(-9.0, -18.0, 6.0, mri.shape)):
        moved = misalign(color, true)
        _, est = register(mri, moved)
        assert pad(true, est, mri.shape) < 1.0  # measured 0.44 and 0.39 px
        _, est_luma = register(mri, Image(rgb_to_grey(moved.array), bit_depth=8))
        assert pad(true, est_luma, mri.shape) > 3.0  # measured 5.6 and 5.1 px


def test_mi_affine_recovers_a_scaled_and_sheared_pet_slice(phantom):
    # Rigid first, then affine: started directly, the affine descent ended 1.72 and 1.42 px off.
    mri, pet = _slice(phantom.mri, 50), _slice(phantom.pet, 50)
    c = (np.array(mri.shape[::-1], dtype=float) - 1.0) / 2.0
    for angle, sx, sy, shear, shift in (
        (8.0, 1.06, 0.95, 0.03, (12.0, -9.0)),
        (-7.0, 0.94, 1.05, -0.02, (-15.0, 10.0)),
    ):
        r = np.radians(angle)
        linear = np.array([[np.cos(r), -np.sin(r)], [np.sin(r), np.cos(r)]]) @ np.array(
            [[sx, shear], [0.0, sy]]
        )
        true = np.eye(3)
        true[:2, :2], true[:2, 2] = linear, c + np.array(shift) - linear @ c
        _, est = register(mri, misalign(pet, true), "mi", "affine")
        assert est.kind == "affine"
        assert pad(true, est, mri.shape) < 1.5  # measured 1.35 and 0.27 px


def test_mi_recovers_a_moved_phantom_spect_volume_to_sub_millimetre(phantom):
    mri, spect = phantom.mri, phantom.spect
    pts = world_points(mri, mri.array > 0.1 * mri.array.max())
    c, a = pts.mean(axis=0), np.radians(7.0)
    r = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    true = np.eye(4)
    true[:3, :3], true[:3, 3] = r, c + np.array([-5.0, 8.0, 4.0]) - r @ c
    _, est = register(mri, apply_transform(spect, spect, Transform(true).inverse()))
    assert tre(true, est, pts) < 1.0  # the 3D target (measured 0.43 mm)
