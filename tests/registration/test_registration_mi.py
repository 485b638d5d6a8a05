"""Mutual-information registration: rank equalization and the 2D global start search."""

import numpy as np

import brainfuse
from brainfuse.registration import pad, register
from brainfuse.registration.grid import Grid, foreground, grid_of
from brainfuse.registration.mi import equalize, global_start

from .test_registration_register import misalign, rigid_2d


def test_equalize_is_the_rank_transform_onto_0_255():
    a = np.array([[0.0, 10.0], [10.0, 250.0]])
    assert equalize(a).tolist() == [[63.75, 191.25], [191.25, 255.0]]
    rng = np.random.default_rng(3)
    x = rng.gamma(0.5, 20.0, size=(40, 50))
    e = equalize(x)
    assert e.max() == 255.0 and e.min() > 0.0
    order = np.argsort(x, axis=None)
    assert np.all(np.diff(e.ravel()[order]) >= 0)  # monotone: MI's optimum is unchanged
    counts, _ = np.histogram(e, bins=16, range=(0, 256))
    assert counts.min() > 0.8 * counts.mean()  # every bin used: the point of equalizing


def _equalized(image) -> Grid:
    g = grid_of(image)
    return Grid(equalize(g.array), g.to_space)


def test_global_start_finds_a_large_move_within_one_grid_step(shared_data):
    mri = brainfuse.load(shared_data / "harvard-cddfuse-test" / "MRI_CT" / "MRI" / "12.png")
    fixed = _equalized(mri)
    mask = foreground(grid_of(mri))
    assert np.array_equal(global_start(fixed, fixed, np.eye(3), mask), np.eye(3))
    true = rigid_2d(6.0, 18.0, -14.0, mri.shape)
    found = global_start(fixed, _equalized(misalign(mri, true)), np.eye(3), mask)
    assert pad(true, found, mri.shape) < 2.0


def test_mi_recovers_a_20_pixel_10_degree_move_of_a_harvard_mri_ct_pair(shared_data):
    # Before the global search, descent from the image centres ended 13.9 px away here.
    pair = shared_data / "harvard-cddfuse-test" / "MRI_CT"
    mri, ct = brainfuse.load(pair / "MRI" / "12.png"), brainfuse.load(pair / "CT" / "12.png")
    own = register(mri, ct)[1].matrix  # MI's optimum for the published pair
    true = rigid_2d(10.0, -18.0, -15.0, mri.shape)
    _, est = register(mri, misalign(ct, true))
    assert pad(true @ own, est, mri.shape) < 1.0
    assert pad(true, est, mri.shape) < 3.0
