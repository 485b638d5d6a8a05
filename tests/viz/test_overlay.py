"""Overlays, checkerboards and difference maps: content, ranges and refusals."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.color import apply_palette
from brainfuse.errors import InputError
from brainfuse.viz.overlay import checkerboard, difference, grey_window, overlay

RNG = np.random.default_rng(3)
A = RNG.uniform(0, 1000, (24, 30)).astype(np.float32)  # MRI in scanner units
F = RNG.uniform(0, 40, (24, 30)).astype(np.float32)  # PET in kBq/ml


def test_alpha_zero_gives_the_grey_anatomy():
    out = overlay(A, F, alpha=0.0, threshold=0.0)
    assert out.shape == (24, 30, 3)
    assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 1], out[..., 2])
    np.testing.assert_allclose(out[..., 0], (A - A.min()) * 255 / (A.max() - A.min()), atol=1e-3)


def test_alpha_one_colours_the_head_whatever_its_uptake_and_leaves_the_background_grey():
    a = np.zeros((24, 30), np.float32)
    a[4:20, 6:26] = 800.0  # the head
    a[10:14, 12:16] = 0.0  # a dark structure inside it (ventricle)
    f = RNG.uniform(0, 3, (24, 30)).astype(np.float32)  # background counts
    f[4:20, 6:26] = RNG.uniform(0, 40, (16, 20))  # uptake, low and high
    out = overlay(a, f, palette="hot", alpha=1.0, threshold=0.5)
    head = np.zeros((24, 30), bool)
    head[4:20, 6:26] = True
    assert (f[head] < 0.2 * f.max()).sum() > 20  # low uptake inside the head ...
    np.testing.assert_allclose(out[head], apply_palette(f, "hot")[head], atol=1e-4)  # ... shown
    assert np.all(out[~head] == 0)  # background: the grey (black) anatomy, uncoloured


def test_half_alpha_is_the_mean_of_grey_and_colour_in_range():
    out = overlay(A, F, palette="pet", alpha=0.5, threshold=0.0, vmin=0, vmax=40)
    expect = 0.5 * grey_window(A)[..., None] + 0.5 * apply_palette(F, "pet", vmin=0, vmax=40)
    np.testing.assert_allclose(out, expect, atol=1e-3)
    assert out.min() >= 0 and out.max() <= 255


def test_colour_functional_keeps_its_own_colours():
    rgb = np.zeros((24, 30, 3), np.float32)
    rgb[5:10, 5:10] = (255, 0, 0)
    out = overlay(A, rgb, palette="jet", alpha=1.0, threshold=0.1)
    assert np.array_equal(out[7, 7], [255, 0, 0])
    assert out[0, 0, 0] == out[0, 0, 1] == out[0, 0, 2]  # black background stays transparent


def test_overlay_refuses_mismatch_and_bad_alpha():
    with pytest.raises(InputError, match="differs"):
        overlay(A, F[:10])
    with pytest.raises(InputError, match="alpha"):
        overlay(A, F, alpha=1.5)
    with pytest.raises(InputError, match="unknown palette"):
        overlay(A, F, palette="nope")


def test_checkerboard_alternates_square_tiles():
    a = np.zeros((40, 60), np.float32)
    b = np.full((40, 60), 200, np.float32)
    board = checkerboard(a, b, tiles=4)  # side ceil(40 / 4) = 10
    assert board[0, 0] == 0 and board[9, 9] == 0
    assert board[0, 10] == 200 and board[10, 0] == 200 and board[10, 10] == 0
    assert (board == 0).sum() == (board == 200).sum()


def test_checkerboard_of_grey_and_colour_is_colour():
    b = np.zeros((40, 60, 3), np.float32)
    b[..., 2] = 255
    board = checkerboard(np.full((40, 60), 7, np.float32), b, tiles=2)
    assert board.shape == (40, 60, 3)
    assert board[0, 0].tolist() == [7, 7, 7] and board[0, 20].tolist() == [0, 0, 255]


def test_difference_is_signed_and_uses_luminance_of_colour():
    a = np.full((4, 4), 100, np.float32)
    b = np.full((4, 4, 3), 50, np.float32)
    assert np.allclose(difference(a, b), 50)
    assert np.allclose(difference(b[..., 0], a), -50)
    with pytest.raises(InputError):
        difference(a, np.zeros((5, 4)))
