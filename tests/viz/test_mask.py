"""The signal mask: background residue and counts are not signal, dark structures inside are."""

from __future__ import annotations

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.viz.mask import signal_mask

RNG = np.random.default_rng(5)


def _head(shape=(40, 50)) -> np.ndarray:
    yy, xx = np.indices(shape)
    return ((yy - 20) / 15.0) ** 2 + ((xx - 25) / 20.0) ** 2 <= 1.0


def test_template_residue_and_poisson_background_are_not_signal():
    head = _head()
    mri = np.where(head, 150.0, 0.0)
    mri[::3, :] += np.where(head[::3, :], 0.0, 3e-41)  # interpolation residue in rows (stripes)
    mri[head & (np.indices(head.shape)[0] % 7 == 0)] = 0.0  # dark lines inside: still head
    pet = np.where(head, 100.0, 0.0) + RNG.poisson(0.3, head.shape)  # stray counts everywhere
    pet[20, 25] = 255.0
    mask = signal_mask(mri, pet)
    assert np.array_equal(mask, head)
    assert np.count_nonzero(mri[~head]) > 100 and np.count_nonzero(pet[~head]) > 200


def test_the_holes_inside_are_filled_and_either_image_counts():
    head = _head()
    mri = np.where(head, 200.0, 0.0)
    mri[15:25, 20:30] = 0.0  # a ventricle, dark in the MRI
    pet = np.zeros(head.shape)
    pet[0:4, 0:4] = 50.0  # functional signal where the MRI has none
    mask = signal_mask(mri, pet)
    assert mask[15:25, 20:30].all() and mask[0:4, 0:4].all()
    assert mask.sum() == head.sum() + 16


def test_windows_and_threshold_and_refusals():
    x = np.linspace(0.0, 100.0, 101)[None, :]
    zero = np.zeros_like(x)
    assert signal_mask(x, zero, threshold=0.3).sum() == 71
    assert signal_mask(x, zero, threshold=0.3, windows=((0.0, 50.0), None)).sum() == 86
    assert signal_mask(zero, zero).sum() == 0  # constant images: no signal
    with pytest.raises(InputError, match="threshold"):
        signal_mask(x, zero, threshold=1.5)
    with pytest.raises(InputError, match="differ in shape"):
        signal_mask(x, zero[:, :5])
