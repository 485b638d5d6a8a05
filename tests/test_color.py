import cv2
import numpy as np
import pytest

from brainfuse.color import (
    apply_palette,
    fuse_luminance,
    hsi_to_rgb,
    hsv_to_rgb,
    is_grey_rgb,
    rgb_to_grey,
    rgb_to_hsi,
    rgb_to_hsv,
    rgb_to_principal_grey,
    rgb_to_ycbcr,
    rgb_to_ycbcr_studio,
    ycbcr_studio_to_rgb,
    ycbcr_to_rgb,
)
from brainfuse.errors import InputError
from brainfuse.rounding import round_half_away, to_uint8_matlab

RNG = np.random.default_rng(7)
RGB = RNG.integers(0, 256, (64, 64, 3)).astype(np.uint8)


@pytest.mark.parametrize(
    ("to", "back"),
    [(rgb_to_ycbcr, ycbcr_to_rgb), (rgb_to_hsi, hsi_to_rgb), (rgb_to_hsv, hsv_to_rgb)],
)
def test_round_trip_within_one_grey_level(to, back):
    restored = np.rint(back(to(RGB))).astype(int)
    assert np.abs(restored - RGB).max() <= 1


def test_full_range_ycbcr_matches_opencv_within_one_level():
    ours = np.rint(rgb_to_ycbcr(RGB)).astype(int)
    ycrcb = cv2.cvtColor(RGB, cv2.COLOR_RGB2YCrCb).astype(int)
    assert np.abs(ours[..., 0] - ycrcb[..., 0]).max() <= 1
    assert np.abs(ours[..., 1] - ycrcb[..., 2]).max() <= 1  # Cb
    assert np.abs(ours[..., 2] - ycrcb[..., 1]).max() <= 1  # Cr


def test_grey_is_bt601_luma():
    px = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255]], np.float32)
    np.testing.assert_allclose(rgb_to_grey(px), [0.299 * 255, 0.587 * 255, 0.114 * 255], rtol=1e-6)


def test_studio_swing_matches_matlab_known_values():
    # MATLAB: rgb2ycbcr(uint8([255 255 255; 0 0 0; 255 0 0; 0 255 0; 0 0 255]))
    rgb = np.array([[[255, 255, 255], [0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]]], np.uint8)
    expected = [[235, 128, 128], [16, 128, 128], [81, 90, 240], [145, 54, 34], [41, 240, 110]]
    ycc = rgb_to_ycbcr_studio(rgb)
    assert ycc.dtype == np.uint8
    np.testing.assert_array_equal(ycc[0], expected)
    back = ycbcr_studio_to_rgb(ycc)
    np.testing.assert_array_equal(back[0, :2], [[255, 255, 255], [0, 0, 0]])


def test_studio_swing_grey_formula_and_rounding():
    v = np.arange(256, dtype=np.uint8)
    grey = np.stack([v, v, v], axis=-1)[None]
    ycc = rgb_to_ycbcr_studio(grey)[0].astype(int)
    # Y = 16 + 219 v / 255, MATLAB rounding (halves never occur: 438 v is even, 255 (2k+1) odd)
    np.testing.assert_array_equal(
        ycc[:, 0], np.floor(16 + 219 * v.astype(int) / 255 + 0.5).astype(int)
    )
    assert (ycc[:, 1] == 128).all() and (ycc[:, 2] == 128).all()
    # float input is returned unrounded
    assert rgb_to_ycbcr_studio(grey.astype(float))[0, 1, 0] == pytest.approx(16 + 219 / 255)


def test_studio_round_trip_within_two_levels():
    back = ycbcr_studio_to_rgb(rgb_to_ycbcr_studio(RGB)).astype(int)
    assert np.abs(back - RGB).max() <= 2  # 8-bit studio swing loses resolution


def test_matlab_rounding_is_half_away_from_zero():
    np.testing.assert_array_equal(
        round_half_away(np.array([0.5, 1.5, 2.5, -0.5, -2.5])), [1, 2, 3, -1, -3]
    )
    np.testing.assert_array_equal(
        to_uint8_matlab(np.array([-3.0, 0.5, 254.5, 300.0, np.nan])), [0, 1, 255, 255, 0]
    )


def test_principal_grey_keeps_a_rainbow_scale_in_order():
    # matplotlib's jet scale from low to high uptake: its luma rises and falls again.
    from matplotlib import colormaps

    scale = colormaps["jet"](np.linspace(0.0, 1.0, 64))[:, :3] * 255.0
    luma = rgb_to_grey(scale[None])[0]
    assert np.any(np.diff(luma) < 0) and np.any(np.diff(luma) > 0)
    grey = rgb_to_principal_grey(scale[None])[0]
    # Luma gives the lowest and the highest uptake (dark blue, dark red) close values (jet:
    # 0.19 of its range apart).
    assert abs(float(luma[-1] - luma[0])) < 0.25 * float(np.ptp(luma))
    # The principal direction keeps them apart by nearly half its range (jet: 0.47).
    assert float(grey[-1] - grey[0]) > 0.4 * float(np.ptp(grey))


def test_principal_grey_of_grey_and_of_one_colour():
    grey = np.arange(12, dtype=np.float64).reshape(3, 4) * 20.0
    as_rgb = np.repeat(grey[..., None], 3, axis=2)
    np.testing.assert_allclose(rgb_to_principal_grey(as_rgb), np.sqrt(3.0) * grey, atol=1e-9)
    flat = np.full((2, 2, 3), [200.0, 40.0, 10.0])
    np.testing.assert_allclose(rgb_to_principal_grey(flat), rgb_to_grey(flat), rtol=1e-6)
    with pytest.raises(InputError, match="channels last"):
        rgb_to_principal_grey(grey)


def test_grey_stored_as_rgb_is_detected():
    g = RNG.integers(0, 256, (8, 8)).astype(np.uint8)
    assert is_grey_rgb(np.stack([g, g, g], -1))
    assert not is_grey_rgb(RGB)


def test_fuse_luminance_keeps_functional_chroma_everywhere():
    a = RNG.uniform(0, 255, (64, 64)).astype(np.float32)
    out = fuse_luminance(a, RGB.astype(np.float32), lambda x, y: 0.5 * (x + y))
    src, res = rgb_to_ycbcr(RGB), rgb_to_ycbcr(out)
    np.testing.assert_allclose(res[..., 1:], src[..., 1:], atol=1e-3)
    assert out.min() >= 0 and out.max() <= 255


def test_fuse_luminance_uses_fused_luminance_where_representable():
    grey_pet = np.full((4, 4, 3), 100, np.float32)  # grey: every luminance representable
    a = np.full((4, 4), 200, np.float32)
    out = fuse_luminance(a, grey_pet, lambda x, y: np.maximum(x, y))
    np.testing.assert_allclose(out, 200, atol=1e-3)


def test_fuse_luminance_clamps_luminance_of_saturated_colour():
    red = np.zeros((2, 2, 3), np.float32)
    red[..., 0] = 255  # pure red has a single representable luminance
    out = fuse_luminance(np.zeros((2, 2), np.float32), red, lambda x, y: x)
    np.testing.assert_allclose(out, red, atol=1e-3)


@pytest.mark.parametrize("space", ["hsi", "hsv"])
def test_fuse_luminance_other_spaces_keep_hue(space):
    a = RNG.uniform(0, 255, (32, 32)).astype(np.float32)
    b = RGB[:32, :32].astype(np.float32)
    out = fuse_luminance(a, b, lambda x, y: 0.5 * (x + y), space=space)
    to = rgb_to_hsi if space == "hsi" else rgb_to_hsv
    hb, ho = to(b)[..., 0], to(out)[..., 0]
    sat = to(b)[..., 1] > 0.05
    diff = np.abs(((hb - ho + 0.5) % 1.0) - 0.5)
    assert diff[sat].max() < 1e-3


def test_fuse_luminance_rejects_unknown_space():
    with pytest.raises(InputError, match="unknown colour space"):
        fuse_luminance(np.zeros((2, 2)), np.zeros((2, 2, 3)), lambda x, y: x, space="lab")


def test_dicom_pet_palette_and_matplotlib_map():
    ramp = np.linspace(0, 255, 256)
    pet = apply_palette(ramp, "pet")
    assert pet.shape == (256, 3)
    np.testing.assert_array_equal(pet[0], [0, 0, 0])  # DICOM PET palette starts black
    np.testing.assert_array_equal(pet[-1], [255, 255, 255])
    hot = apply_palette(ramp, "hot")
    assert hot[0, 0] < hot[128, 0] <= hot[255, 0]
    with pytest.raises(InputError, match="unknown palette"):
        apply_palette(ramp, "nope")
