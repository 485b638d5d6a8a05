"""LatLRR fusion (Li & Wu 2018) and its inexact-ALM solver."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import brainfuse
from brainfuse.errors import InputError
from brainfuse.fusion import get_method
from brainfuse.fusion.lowrank import latent_lrr, singular_value_threshold


def _image(shape: tuple[int, int], seed: int) -> np.ndarray:
    """A smooth blob with texture: a small stand-in for a brain slice, on 0..255."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    cy, cx = shape[0] / 2, shape[1] / 2
    blob = np.exp(-(((yy - cy) / (0.3 * shape[0])) ** 2) - ((xx - cx) / (0.3 * shape[1])) ** 2)
    return (200 * blob + 30 * rng.random(shape)).astype(np.float32)


def test_singular_value_threshold_known_case():
    m = np.diag([3.0, 1.0, 0.5])
    np.testing.assert_allclose(singular_value_threshold(m, 2.0), np.diag([1.0, 0.0, 0.0]))
    np.testing.assert_array_equal(singular_value_threshold(m, 10.0), np.zeros((3, 3)))


def test_latent_lrr_reconstructs_the_input():
    x = _image((20, 26), 0).astype(np.float64) / 255.0
    z, low, e, iterations = latent_lrr(x, 0.8)
    assert z.shape == (26, 26) and low.shape == (20, 20) and e.shape == (20, 26)
    assert 1 < iterations < 2000
    assert np.abs(x - x @ z - low @ x - e).max() < 1e-6  # X = XZ + LX + E
    # the nuclear norms are what the model minimises: both parts are far from full rank
    for part in (x @ z, low @ x):
        s = np.linalg.svd(part, compute_uv=False)
        assert (s > 1e-3 * s[0]).sum() < min(x.shape)


def test_latent_lrr_of_zero_is_zero():
    z, low, e, iterations = latent_lrr(np.zeros((5, 4)))
    assert iterations == 1 and not z.any() and not low.any() and not e.any()


def test_latlrr_fusion_follows_the_paper_rule():
    a, b = _image((16, 18), 1), _image((16, 18), 2)
    parts = []
    for img in (a, b):
        x = img.astype(np.float64) / 255.0
        z, low, _, _ = latent_lrr(x, 0.8)
        parts.append((np.clip(x @ z, 0, 1), np.clip(low @ x, 0, 1)))
    expected = 255 * (0.5 * (parts[0][0] + parts[1][0]) + parts[0][1] + parts[1][1])
    fused = brainfuse.fuse(a, b, "latlrr")
    assert fused.dtype == np.float32 and fused.shape == a.shape
    np.testing.assert_allclose(fused, expected, rtol=1e-6, atol=1e-4)


def test_latlrr_is_symmetric_and_deterministic_but_not_idempotent():
    a, b = _image((15, 13), 3), _image((15, 13), 4)
    ab = brainfuse.fuse(a, b, "latlrr")
    np.testing.assert_array_equal(ab, brainfuse.fuse(b, a, "latlrr"))
    np.testing.assert_array_equal(ab, brainfuse.fuse(a, b, "latlrr"))
    # identical inputs: the salient part is counted twice, so the result is not the input
    same = brainfuse.fuse(a, a, "latlrr")
    assert np.abs(same - a).max() > 1.0


def test_latlrr_odd_sizes_colour_and_parameters():
    a = _image((7, 11), 5)
    assert brainfuse.fuse(a, a[::-1], "latlrr").shape == (7, 11)
    rgb = np.zeros((7, 11, 3), np.float32)
    rgb[..., 1] = 180.0
    assert brainfuse.fuse(a, rgb, "latlrr").shape == (7, 11, 3)
    m = get_method("latlrr")
    assert (m.family, m.dims, {p.name: p.default for p in m.params}) == (
        "low-rank",
        (2,),
        {"lam": 0.8},
    )
    with pytest.raises(InputError, match="lam"):
        brainfuse.fuse(a, a, "latlrr", lam=0.0)


@pytest.mark.slow
def test_latlrr_on_a_real_pair(shared_data: Path):
    root = shared_data / "harvard-cddfuse-test" / "MRI_SPECT"
    name = sorted(p.name for p in (root / "MRI").iterdir())[0]
    mri, spect = brainfuse.load(root / "MRI" / name), brainfuse.load(root / "SPECT" / name)
    fused = brainfuse.fuse(mri, spect, "latlrr").array
    assert fused.shape == (256, 256, 3) and np.isfinite(fused).all()


def test_solver_survives_an_svd_that_lapack_gesdd_rejects(shared_data: Path):
    # On this slice NumPy's divide-and-conquer SVD stops with "SVD did not converge" at ALM
    # iteration 111 (numpy 2.4, OpenBLAS); the solver must go on with the QR-iteration SVD.
    from brainfuse.metrics import read_cddfuse_grey

    x = read_cddfuse_grey(shared_data / "harvard-cddfuse-test" / "MRI_PET" / "MRI" / "12.png")
    z, low, e, iterations = latent_lrr(x / 255.0, 0.8, max_iter=115)
    assert iterations == 115
    assert all(np.isfinite(m).all() for m in (z, low, e))
    assert np.linalg.norm(low) > 0
