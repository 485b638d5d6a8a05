"""FunFuseAn's fast inference computes what the plain whole-image forward pass computes: the
background window (to the float rounding of the convolutions), the banded in-place max-average
rule (bit for bit), the receptive radius the window relies on."""

import numpy as np
import pytest
import torch

import brainfuse
from brainfuse.models.funfusean import FunFuseAn, _max_average
from brainfuse.models.inference import _signal_window, fuse_trained, trained_networks
from brainfuse.models.layers import run_pair


@pytest.fixture(scope="module")
def folded():
    torch.set_num_threads(1)
    return trained_networks(FunFuseAn, "funfusean")[1]


def _whole_image(net, a, b):
    """The previous inference: the network on every pixel, clipped, scaled, background zeroed."""
    out = np.clip(run_pair(net, a, b), 0.0, 1.0) * np.float32(255.0)
    out[(a == 0) & (b == 0)] = 0.0
    return out


@pytest.fixture(scope="module")
def pairs(shared_data):
    base = shared_data / "harvard-cddfuse-test"
    mri = brainfuse.load(base / "MRI_PET" / "MRI" / "12.png").array
    pet = brainfuse.load(base / "MRI_PET" / "PET" / "12.png").grey()
    ct_mri = brainfuse.load(base / "MRI_CT" / "MRI" / "11.png").array
    ct = brainfuse.load(base / "MRI_CT" / "CT" / "11.png").array
    small = [np.zeros((256, 256), np.float32) for _ in range(2)]
    small[0][150:230, 30:130] = mri[90:170, 60:160]  # a wide empty margin on three sides
    small[1][150:230, 30:130] = pet[90:170, 60:160]
    return {"pet": (mri, pet), "ct": (ct_mri, ct), "margin": tuple(small)}


@pytest.mark.parametrize("name", ["pet", "ct", "margin"])
def test_background_window_gives_the_whole_image_result(name, pairs, folded):
    # oneDNN may pick another convolution kernel for a small window (here "margin", 96×116):
    # the same sums in another order, a few float32 ulps of the 0..1 output
    a, b = pairs[name]
    out = fuse_trained(FunFuseAn, "funfusean", a, b)
    whole = _whole_image(folded, a, b)
    np.testing.assert_allclose(out / 255.0, whole / 255.0, rtol=0, atol=1e-6)
    signal = (a != 0) | (b != 0)
    assert not out[~signal].any() and out.dtype == np.float32 and out.max() > 100


def test_signal_window_is_the_grown_bounding_box():
    signal = np.zeros((30, 40), bool)
    signal[10, 5] = signal[14, 33] = True
    assert _signal_window(signal, 8) == (slice(2, 23), slice(0, 40))
    assert _signal_window(signal, 2) == (slice(8, 17), slice(3, 36))
    assert _signal_window(np.zeros((5, 5), bool), 8) is None
    zeros = np.zeros((12, 12), np.float32)
    np.testing.assert_array_equal(fuse_trained(FunFuseAn, "funfusean", zeros, zeros), zeros)


def test_receptive_radius_is_the_receptive_field(folded):
    assert folded.receptive_radius == 8 == FunFuseAn(width=4).receptive_radius
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 255, (2, 41, 41)).astype(np.float32)
    base = run_pair(folded, a, b)[20, 20]
    # the MRI reaches 3 + 2 + 1 pixels (3×3 HF layers), the functional image 5 + 2 + 1 (5×5)
    for image, radius in ((0, 6), (1, 8)):
        for offset, changes in ((radius, True), (radius + 1, False)):
            moved = [a.copy(), b.copy()]
            moved[image][20, 20 + offset] += 200.0
            moved[image][20 - offset, 20] += 200.0
            value = run_pair(folded, *moved)[20, 20]
            assert bool(value != base) is changes, (image, offset)


def test_banded_in_place_rule_equals_the_autograd_formula():
    gen = torch.Generator().manual_seed(0)
    h1 = torch.randn(1, 32, 45, 37, generator=gen).contiguous(memory_format=torch.channels_last)
    h2 = -h1 + 0.02 * torch.randn(1, 32, 45, 37, generator=gen)  # many |H1 + H2| < 1e-2
    h2[0, 0, 0, :4] = -h1[0, 0, 0, :4]  # exactly 0
    with torch.enable_grad():
        expected = _max_average(h1, h2)
    small = ((h1 + h2).abs() < 1e-2).float().mean()
    with torch.inference_mode():
        got = _max_average(h1.clone(), h2.clone())
    assert 0.2 < small < 0.9
    assert torch.equal(got, expected)
