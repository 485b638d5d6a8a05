"""The demo's views of the phantom, checked where a reader would look: a black background
around the head, no tint where the PET does not drive FunFuseAn, a hypometabolic lesion that
reads low in the PET overlay."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from brainfuse.color import rgb_to_grey, rgb_to_hsv
from brainfuse.io.slicing import display_slice
from brainfuse.pair import to_fusion_scale
from brainfuse.phantom import LESION_SLICE_Z_MM, LESIONS, make_phantom
from brainfuse.viz import input_gradients, overlay


@pytest.fixture(scope="module")
def views():
    ph = make_phantom(seed=0)
    aff = ph.mri.affine

    def axial_slice(volume, affine):
        return display_slice(volume, affine, at_mm=(0.0, 0.0, LESION_SLICE_Z_MM))

    mri = axial_slice(to_fusion_scale(ph.mri), aff)
    pet = axial_slice(to_fusion_scale(ph.pet), aff)
    lesion = next(les for les in LESIONS if not les.hyper)
    return {
        "mri": mri,
        "pet": pet,
        "lesion": axial_slice(ph.lesion_masks[lesion.name].astype(np.float32), aff) > 0.5,
        "grey_matter": axial_slice(ph.grey_matter, aff) > 0.6,
        "tumour": axial_slice(
            ph.lesion_masks[next(les.name for les in LESIONS if les.hyper)].astype(np.float32), aff
        )
        > 0.5,
        # outside the head: more than 3 pixels (6 mm, the PET's blur) beyond the brain
        "outside": ~ndimage.binary_dilation(mri > 25.0, iterations=3),
    }


def test_the_phantom_slice_has_residue_and_counts_outside_the_head(views):
    """The inputs are not 0 outside the head (what made the views speckled and striped)."""
    out = views["outside"]
    assert np.count_nonzero(views["mri"][out]) > 500  # ~1e-40 template residue, in stripes
    assert np.count_nonzero(views["pet"][out]) > 200  # Poisson counts


def test_funfusean_gradient_colours_show_the_tumour_in_colour_on_a_readable_anatomy(views):
    from brainfuse.models.pretrained import weights_path

    if not weights_path("funfusean").is_file():
        pytest.skip("FunFuseAn weights not shipped")
    g = input_gradients(views["mri"], views["pet"], "funfusean")
    rgb = g.color()
    assert np.all(rgb[views["outside"]] == 0)
    frame = np.ones(rgb.shape[:2], bool)
    frame[8:-8, 8:-8] = False
    assert np.all(rgb[frame] == 0)  # no stripes along the borders
    chroma = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    tumour = views["tumour"]
    mirror = tumour[::-1, :]  # the MNI grid is symmetric about x = 0: same anatomy, normal uptake
    assert chroma[tumour].mean() > 1.5 * chroma[mirror].mean()  # the hypermetabolic lesion
    brain = views["mri"] > 25.0
    assert rgb_to_hsv(rgb)[..., 1][brain].mean() > 0.1  # colour, not a grey brain
    value = rgb.max(axis=-1)
    assert np.corrcoef(value[brain], g.fused[brain])[0, 1] > 0.95  # the anatomy as fused, readable


def test_pet_overlay_shows_the_hypometabolic_lesion_low_and_leaves_the_background_black(views):
    mri, pet, lesion = views["mri"], views["pet"], views["lesion"]
    mirror = lesion[:, ::-1]  # the MNI grid is symmetric about x = 0: same anatomy, normal uptake
    assert lesion.sum() > 100 and not (lesion & mirror).any()
    assert abs(mri[lesion].mean() - mri[mirror].mean()) < 5
    out = overlay(mri, pet, palette="pet", alpha=0.5)
    lum = rgb_to_grey(out)
    # darker than the same anatomy with normal uptake, and than the bare MRI there
    assert lum[lesion].mean() < lum[mirror].mean() - 5
    assert lum[lesion].mean() < 0.75 * mri[lesion].mean()
    # the functional layer the lesion gets is the palette's low end: darker and less red than
    # that of normal grey matter (pet palette: black, teal, blue, purple, red, orange, white)
    grey = (mri - mri.min()) * (255.0 / (mri.max() - mri.min()))
    layer = (out - 0.5 * grey[..., None]) / 0.5
    normal = views["grey_matter"] & ~lesion & ~views["tumour"]
    assert rgb_to_grey(layer)[lesion].mean() < rgb_to_grey(layer)[normal].mean() - 10
    assert layer[lesion, 0].mean() < layer[normal, 0].mean() - 40
    assert np.all(out[views["outside"]] < 0.5)  # black in the PNG (the MRI's residue ~1e-40)


def test_mdafuse_energy_colours_the_tumour_and_not_its_mirror(views):
    from brainfuse.models.pretrained import weights_path
    from brainfuse.viz import enhance

    if not weights_path("mdafuse").is_file():
        pytest.skip("MdAFuse weights not shipped")
    rgb = enhance(views["mri"], views["pet"])
    chroma = np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])
    tumour = views["tumour"]
    mirror = tumour[::-1, :]
    assert chroma[tumour].mean() > 3 * chroma[mirror].mean()  # measured: 144 against 16
    assert chroma[tumour].mean() > 100
