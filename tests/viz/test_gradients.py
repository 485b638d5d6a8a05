"""FunFuseAn's gradient maps and colour view: exact paths, the finite-difference lattice, Ω."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from scipy import ndimage

from brainfuse.color import rgb_to_hsv
from brainfuse.errors import InputError
from brainfuse.fusion import registry
from brainfuse.viz.gradients import (
    color_code,
    finite_difference_gradients,
    functional_share,
    gradient_color,
    gradient_path,
    input_gradients,
    normalise,
)

RNG = np.random.default_rng(11)
A = RNG.uniform(0, 255, (20, 24)).astype(np.float32)
B = RNG.uniform(0, 255, (20, 24)).astype(np.float32)


def test_maximum_gradient_is_one_for_the_winner_and_zero_for_the_loser():
    g = input_gradients(A, B, "maximum")
    assert g.path == "exact" and g.detail == "analytic derivative of the pixel rule"
    a_wins = A > B
    assert np.all(g.anatomical[a_wins] == 1.0) and np.all(g.functional[a_wins] == 0.0)
    assert np.all(g.anatomical[~a_wins] == 0.0) and np.all(g.functional[~a_wins] == 1.0)


def test_minimum_average_and_weighted_gradients():
    g = input_gradients(A, B, "minimum")
    assert np.array_equal(g.anatomical, (A < B).astype(np.float32))
    g = input_gradients(A, B, "average")
    assert np.allclose(g.anatomical, 0.5) and np.allclose(g.functional, 0.5)
    g = input_gradients(A, B, "weighted", w=0.8)
    assert np.allclose(g.anatomical, 0.8) and np.allclose(g.functional, 0.2)
    assert g.params == {"w": 0.8}


def test_ties_of_maximum_and_minimum_split_the_derivative():
    a = np.array([[3.0, 7.0, 7.0]], np.float32)
    b = np.array([[5.0, 7.0, 2.0]], np.float32)
    for name, want in (("maximum", [0.0, 0.5, 1.0]), ("minimum", [1.0, 0.5, 0.0])):
        g = input_gradients(a, b, name)
        assert g.anatomical.tolist() == [want] and g.functional.tolist() == [[1 - w for w in want]]


@pytest.mark.parametrize(
    ("name", "params"),
    [("average", {}), ("maximum", {}), ("minimum", {}), ("weighted", {"w": 0.3})],
)
def test_declared_gradients_equal_finite_differences_of_the_registered_rule(name, params):
    """The analytic maps are the column sums of the numpy rule itself (no separate copy)."""
    m = registry.get_method(name)
    assert "exact-gradients" in m.capabilities and gradient_path(name) == "exact"
    bound = m.bind(params)
    exact = m.gradients(A, B, **bound)
    # a pixel-wise rule acts on each pixel alone: the lattice of stride 1 is exact
    fd = finite_difference_gradients(lambda x, y: m.func(x, y, **bound), A, B, step=0.5, stride=1)
    clear = np.abs(A - B) > 0.5  # away from the kinks of maximum and minimum
    for e, f in zip(exact, fd, strict=True):
        assert e.dtype == np.float32 and e.shape == A.shape
        np.testing.assert_allclose(e[clear], f[clear], atol=1e-3)


def test_methods_without_declared_gradients_are_differentiated_numerically():
    exact = {m.name for m in registry.list_methods() if m.gradients is not None}
    assert {"average", "maximum", "minimum", "weighted", "funfusean"} <= exact
    assert "exact-gradients" not in registry.get_method("pca").capabilities
    assert gradient_path("pca") == "finite-difference"
    assert gradient_path("mdafuse") == "finite-difference"  # no autograd declared (yet)


def test_a_declared_gradients_function_is_what_input_gradients_calls(monkeypatch):
    def fuse(a, b, *, k: float = 2.0):
        return k * a + b

    def grads(a, b, *, k: float = 2.0):
        """exact by hand

        ∂F/∂A = k, ∂F/∂B = 1.
        """
        return np.full(a.shape, k), np.ones(a.shape)

    method = registry.FusionMethod(
        name="test-linear",
        kind="fusion method",
        family="test",
        func=fuse,
        params=(registry.Parameter("k", 2.0, float, "slope"),),
        gradients=grads,
    )
    registry.METHODS.names()
    monkeypatch.setitem(registry.METHODS._entries, method.name, method)
    g = input_gradients(A, B, method.name, k=3.0)
    assert (g.path, g.detail) == ("exact", "exact by hand")
    assert np.all(g.anatomical == 3.0) and np.all(g.functional == 1.0)
    assert g.anatomical.dtype == np.float32


def test_lattice_finite_differences_equal_per_pixel_finite_differences_for_a_local_method():
    """A nonlinear rule whose pixels act within 1 pixel: the lattice of stride 3 is exact."""

    def local(a, b):
        return np.maximum(ndimage.uniform_filter(a, 3, mode="nearest"), 0.5 * b) + 0.01 * a * b

    a, b = A[:12, :12], B[:12, :12]
    g1, g2 = finite_difference_gradients(local, a, b, step=1.0, stride=3)
    base = local(a, b).astype(np.float64)
    brute = np.zeros((2, 12, 12))
    for n in range(12):
        for m in range(12):
            for k, x in enumerate((a, b)):
                moved = x.copy()
                moved[n, m] += 1.0
                out = local(moved, b) if k == 0 else local(a, moved)
                brute[k, n, m] = (out.astype(np.float64) - base).sum()
    np.testing.assert_allclose(g1, brute[0], atol=2e-3)
    np.testing.assert_allclose(g2, brute[1], atol=2e-3)


def test_lattice_keeps_the_total_for_a_wide_linear_method():
    def wide(a, b):
        return ndimage.gaussian_filter(0.7 * a + 0.3 * b, 4.0, mode="constant")

    g1, g2 = finite_difference_gradients(wide, A, B, stride=4)
    # Σ over pixels of Σ_ij ∂F_ij/∂I_nm = Σ_ij of F's response to a uniform unit step
    total1 = (wide(A + 1, B) - wide(A, B)).sum()
    assert g1.sum() == pytest.approx(total1, rel=1e-3)
    assert g2.sum() == pytest.approx((wide(A, B + 1) - wide(A, B)).sum(), rel=1e-3)


def test_finite_differences_reproduce_maximum_away_from_ties():
    g1, g2 = finite_difference_gradients(np.maximum, A, B, step=1.0, stride=5)
    clear = np.abs(A - B) > 1.0
    assert np.array_equal(g1[clear], (A > B)[clear].astype(np.float32))
    assert np.array_equal(g2[clear], (A < B)[clear].astype(np.float32))


def test_a_method_without_autograd_goes_through_finite_differences(monkeypatch):
    def smooth_max(a, b, *, sigma: float = 1.0):
        return np.maximum(ndimage.gaussian_filter(a, sigma), b)

    method = registry.FusionMethod(
        name="test-smooth-max",
        kind="fusion method",
        family="test",
        func=smooth_max,
        params=(registry.Parameter("sigma", 1.0, float, "blur"),),
    )
    registry.METHODS.names()  # load the registered methods first
    monkeypatch.setitem(registry.METHODS._entries, method.name, method)
    assert gradient_path(method.name) == "finite-difference"
    a, b = A.copy(), B.copy()
    a[4:16, 4:20], b[4:16, 4:20] = 220.0, 10.0  # the anatomy wins by far inside this block
    g = input_gradients(a, b, method.name, stride=6, sigma=0.7)
    assert g.path == "finite-difference" and "stride 6" in g.detail
    inner = (slice(7, 13), slice(7, 17))
    assert np.all(g.functional[inner] == 0)  # the losing input cannot matter
    np.testing.assert_allclose(g.anatomical[inner], 1.0, atol=1e-3)  # blur keeps the mean


def test_input_gradients_refuses_bad_input():
    with pytest.raises(InputError, match="unknown method"):
        input_gradients(A, B, "nope")
    with pytest.raises(InputError, match="one shape"):
        input_gradients(A, B[:5], "average")
    bad = A.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        input_gradients(bad, B, "average")


def test_omega_zero_gives_the_grey_fused_image_and_values_stay_in_range():
    g1 = RNG.normal(size=(16, 16))
    g2 = RNG.normal(size=(16, 16))
    f = RNG.uniform(0, 255, (16, 16))
    grey = gradient_color(g1, g2, f, omega=0.0)
    assert np.allclose(grey[..., 0], grey[..., 1]) and np.allclose(grey[..., 1], grey[..., 2])
    np.testing.assert_allclose(grey[..., 0], normalise(f) * 255, atol=1e-3)
    color = gradient_color(g1, g2, f, omega=0.6)
    assert color.min() >= 0 and color.max() <= 255
    hsv = rgb_to_hsv(color)
    np.testing.assert_allclose(hsv[..., 2], normalise(f) * 255, atol=1e-3)  # value ← F
    share = functional_share(g1, g2)
    jet = rgb_to_hsv(color_code(share))
    lit = hsv[..., 2] > 1  # saturation is undefined on black
    np.testing.assert_allclose(hsv[lit, 1], 0.6 * share[lit] * jet[lit, 1], atol=2e-3)  # S × Ω
    with pytest.raises(InputError, match="omega"):
        gradient_color(g1, g2, f, omega=1.2)
    with pytest.raises(InputError, match="sigma"):
        gradient_color(g1, g2, f, sigma=-1.0)
    with pytest.raises(InputError, match="fused image shape"):
        gradient_color(g1, g2, f[:8])


def test_hue_follows_the_functional_share():
    g1 = np.array([[1.0, 1.0, 0.0, 1.0]])
    g2 = np.array([[0.2, 9.0, 0.5, 0.0]])
    rgb = gradient_color(g1, g2, np.ones((1, 4)), omega=1.0, sigma=0)
    assert rgb[0, 0, 2] > rgb[0, 0, 0]  # small share: blue end of jet, faint
    assert rgb[0, 1, 0] > rgb[0, 1, 2]  # share 0.9: red end of jet
    assert rgb[0, 0].max() - rgb[0, 0].min() < rgb[0, 1].max() - rgb[0, 1].min()
    assert rgb[0, 3, 0] == rgb[0, 3, 1] == rgb[0, 3, 2]  # no functional drive: grey
    dark = gradient_color(g1, g2, np.array([[1.0, 0.0, 1.0, 1.0]]), omega=1.0, sigma=0)
    assert dark[0, 1].max() == 0  # F at its minimum: black, whatever the hue


def test_functional_share_is_the_pooled_ratio_and_removes_salt_and_pepper():
    g1 = np.ones((32, 32))
    g2 = np.full((32, 32), 3.0)
    np.testing.assert_allclose(functional_share(g1, g2), 0.75)  # |∇2| / (|∇1| + |∇2|)
    assert np.all(functional_share(g1, np.zeros_like(g1)) == 0)
    assert np.all(functional_share(np.zeros_like(g1), np.zeros_like(g1)) == 0)  # no drive at all
    # column sums that flip sign and size from pixel to pixel around a mean share of 1/2
    speckle = np.where(RNG.random((32, 32)) < 0.5, 0.2, 1.8) * np.sign(RNG.normal(size=(32, 32)))
    raw, pooled = (functional_share(g1, speckle, sigma=s) for s in (0, 2))
    assert raw.std() > 0.2 and pooled.std() < 0.06
    assert abs(pooled.mean() - 0.5) < 0.05


def test_constant_maps_normalise_to_one_half():
    assert np.all(normalise(np.full((3, 3), 0.5)) == 0.5)


def test_funfusean_gradients_by_autograd():
    if importlib.util.find_spec("brainfuse.models") is None:
        pytest.skip("FunFuseAn not built yet (no brainfuse.models)")
    from brainfuse.models.pretrained import weights_path

    if not weights_path("funfusean").is_file():
        pytest.skip("FunFuseAn weights not shipped yet")
    assert gradient_path("funfusean") == "exact"
    a = np.zeros((48, 48), np.float32)
    b = np.zeros((48, 48), np.float32)
    a[8:40, 8:40] = 120
    b[20:28, 20:28] = 230
    g = input_gradients(a, b, "funfusean")
    assert g.detail == "autograd of the network"
    assert np.all(np.isfinite(g.anatomical)) and np.all(np.isfinite(g.functional))
    assert np.abs(g.functional[20:28, 20:28]).mean() > 0
    assert np.abs(g.anatomical[8:40, 8:40]).mean() > 0


def test_mask_blackens_no_signal_and_keeps_it_out_of_the_normalisation():
    g1 = RNG.normal(size=(16, 16))
    g2 = RNG.normal(size=(16, 16))
    mask = np.zeros((16, 16), bool)
    mask[4:12, 4:12] = True
    f = RNG.uniform(0, 255, (16, 16))
    g1_out, f_out = g1.copy(), f.copy()
    g1_out[~mask] = 1e6  # extreme values where there is no signal must not matter
    f_out[~mask] = -1e6
    rgb = gradient_color(g1_out, g2, f_out, omega=0.6, mask=mask)
    assert np.all(rgb[~mask] == 0)
    np.testing.assert_allclose(rgb, gradient_color(g1, g2, f, omega=0.6, mask=mask), atol=1e-3)
    a = np.pad(np.full((4, 4), 90.0), 2) + 1e-40  # a template's residue outside the head
    b = np.pad(A[:4, :4] + 40.0, 2)
    b[0, 0] = 2.0  # one count of background
    g = input_gradients(a, b, "average")
    assert g.signal.sum() == 16 and g.signal[2:6, 2:6].all()
