"""Chunked volume fusion equals whole-volume fusion bit for bit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from brainfuse import load
from brainfuse.bench.chunked import VOXELWISE_METHODS, can_chunk, fuse_chunked
from brainfuse.fusion import fuse_arrays, list_methods
from brainfuse.pair import to_fusion_scale


def test_which_methods_chunk() -> None:
    for m in list_methods():
        assert can_chunk(m.name) == (m.name in VOXELWISE_METHODS or 3 not in m.dims)
    assert can_chunk("average") and can_chunk("weighted")
    # PCA weights come from the whole volume's moments: slabs would change the result.
    assert not can_chunk("pca")
    rng = np.random.default_rng(5)
    a = rng.uniform(0, 255, (16, 16, 8)).astype(np.float32)
    b = (a**2 / 255 + rng.uniform(0, 40, a.shape)).astype(np.float32)
    by_slab = np.concatenate(
        [fuse_arrays(a[..., k : k + 4], b[..., k : k + 4], "pca") for k in (0, 4)], axis=2
    )
    assert not np.array_equal(by_slab, fuse_arrays(a, b, "pca"))
    assert np.array_equal(fuse_chunked(a, b, "pca", slab=4), fuse_arrays(a, b, "pca"))


@pytest.mark.parametrize("slab", [1, 7, 16, 200])
def test_pixel_rules_by_slabs_equal_whole(slab: int) -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0, 255, (21, 17, 30)).astype(np.float32)
    b = rng.uniform(0, 255, (21, 17, 30)).astype(np.float32)
    for method, params in (("average", {}), ("weighted", {"w": 0.3}), ("maximum", {})):
        whole = fuse_arrays(a, b, method, **params)
        got = fuse_chunked(a, b, method, slab=slab, **params)
        assert got.dtype == np.float32 and got.shape == a.shape
        assert np.array_equal(got, whole)


def test_2d_methods_by_slabs_equal_whole() -> None:
    flat = [m.name for m in list_methods() if 3 not in m.dims and not m.learned]
    if not flat:
        pytest.skip("no 2D-only method is registered yet")
    rng = np.random.default_rng(4)
    a = rng.uniform(0, 255, (40, 36, 6)).astype(np.float32)
    b = rng.uniform(0, 255, (40, 36, 6)).astype(np.float32)
    name = flat[0]
    assert np.array_equal(fuse_chunked(a, b, name, slab=4), fuse_arrays(a, b, name))


def test_spm12_volumes(shared_data: Path) -> None:
    t1 = load(shared_data / "volumes/spm12/T1.nii")
    pet = load(shared_data / "volumes/spm12/PET.nii")
    a, b = to_fusion_scale(t1), to_fusion_scale(pet)
    assert a.shape == (91, 109, 91)
    assert np.array_equal(fuse_chunked(a, b, "maximum", slab=10), fuse_arrays(a, b, "maximum"))
