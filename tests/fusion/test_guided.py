import cv2
import numpy as np
import pytest
from scipy import ndimage

import brainfuse
from brainfuse.color import apply_palette, rgb_to_ycbcr, rgb_to_ycbcr_studio, ycbcr_studio_to_rgb
from brainfuse.errors import InputError
from brainfuse.fusion import get_method
from brainfuse.fusion.guided import (
    _entropy_weights,
    _extreme,
    _guided,
    _legff_ycbcr,
    _uint8,
    _Workspace,
    box_mean,
    guided_filter,
    legf_decompose,
)
from brainfuse.io import load
from brainfuse.rounding import to_uint8_matlab


def _pair(shape, seed=0):
    rng = np.random.default_rng(seed)
    grids = np.meshgrid(*[np.linspace(-1, 1, n) for n in shape], indexing="ij")
    r2 = sum(g**2 for g in grids)
    a = 40 + 150 * (r2 < 0.6) + 40 * (r2 < 0.2) + rng.normal(0, 3, shape)
    b = 220 * np.exp(-sum((g - 0.3) ** 2 for g in grids) / 0.1)
    return np.clip(np.rint(a), 0, 255).astype(np.float32), np.rint(b).astype(np.float32)


def _ball(radius, ndim):
    g = np.meshgrid(*[np.arange(-radius, radius + 1)] * ndim, indexing="ij")
    return sum(v**2 for v in g) <= radius**2


# ----------------------------------------------------------------------- building blocks


def _brute_force_guided(p, g, size, eps, border):
    """He's guided filter by explicit ridge least squares in every window (no box filters).

    "clip": windows cut at the border; "replicate": the image, and then a and b, extended by
    repeating their edge samples (MATLAB imguidedfilter).
    """
    h = size // 2
    pad = h if border == "replicate" else 0
    gp, pp = np.pad(g, pad, mode="edge"), np.pad(p, pad, mode="edge")

    def window(arr, i, j):  # the window centred on sample (i, j) of the original grid
        i, j = i + pad, j + pad
        return arr[max(i - h, 0) : i + h + 1, max(j - h, 0) : j + h + 1]

    a, b = np.zeros(g.shape), np.zeros(g.shape)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            x, y = window(gp, i, j).ravel(), window(pp, i, j).ravel()
            # min Σ (a x + b − y)² + n ε a²: the ridge as one extra least-squares row
            design = np.vstack([np.c_[x, np.ones_like(x)], [np.sqrt(x.size * eps), 0.0]])
            (a[i, j], b[i, j]), *_ = np.linalg.lstsq(design, np.r_[y, 0.0], rcond=None)
    ap, bp = np.pad(a, pad, mode="edge"), np.pad(b, pad, mode="edge")
    q = np.zeros(g.shape)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            q[i, j] = window(ap, i, j).mean() * g[i, j] + window(bp, i, j).mean()
    return q


@pytest.mark.parametrize("border", ["clip", "replicate"])
@pytest.mark.parametrize("size,eps", [(3, 0.01), (5, 50.0)])
def test_guided_filter_equals_windowed_least_squares(border, size, eps):
    rng = np.random.default_rng(size)
    g = rng.random((9, 11)) * 255
    p = 0.5 * g + rng.random((9, 11)) * 60
    ours = guided_filter(p, g, size, eps, border=border)
    np.testing.assert_allclose(ours, _brute_force_guided(p, g, size, eps, border), atol=1e-8)


def test_box_means_match_scipy_in_2d_and_3d():
    rng = np.random.default_rng(0)
    for shape in [(30, 41), (10, 12, 9)]:
        x = rng.random(shape)
        ref = ndimage.uniform_filter(x, 7, mode="nearest")
        np.testing.assert_allclose(box_mean(x, 7, border="replicate"), ref, atol=1e-12)
        ones = np.ones(shape)
        clip = ndimage.uniform_filter(x, 7, mode="constant") / ndimage.uniform_filter(
            ones, 7, mode="constant"
        )
        np.testing.assert_allclose(box_mean(x, 7, border="clip"), clip, atol=1e-12)


@pytest.mark.parametrize("size,eps", [(3, 0.01), (7, 0.01), (11, 0.01), (5, 500.0)])
def test_guided_filter_of_integer_images_from_uint8_sums_is_bit_exact(size, eps):
    # LEGFF's re-quantised images and their erosions: the box means from 8/16-bit sums
    rng = np.random.default_rng(size)
    pu = rng.integers(0, 256, (67, 53), dtype=np.uint8)
    pu[20:40, 10:30] = 255  # flat, saturated patches: var + ε is ε there
    gu = cv2.erode(pu, np.ones((3, 3), np.uint8))
    p, g = pu.astype(np.float64), gu.astype(np.float64)
    for u8, (pf, gf) in (((pu, gu), (p, g)), ((pu, pu), (p, p))):
        plain = _guided(pf, gf, size, eps, "replicate", _Workspace(p.shape), np.empty(p.shape))
        fast = _guided(pf, gf, size, eps, "replicate", _Workspace(p.shape), np.empty(p.shape),
                       u8=u8)  # fmt: skip
        np.testing.assert_array_equal(fast, plain)
        assert np.abs(fast - pf).max() > (10 if eps > 1 else 1e-5)  # the filter did something


@pytest.mark.parametrize("tables", [True, False])
@pytest.mark.parametrize("shape", [(40, 37), (9, 12, 11)])
@pytest.mark.parametrize("radius", [1, 3, 11])
def test_disk_erosion_and_dilation_are_exact(shape, radius, tables, monkeypatch):
    if not tables:  # the running extrema that large arrays use
        monkeypatch.setattr("brainfuse.fusion.guided._KEEP_WORKSPACE_SAMPLES", 0)
    x = np.random.default_rng(radius).random(shape) * 255
    fp = _ball(radius, len(shape))
    ero = ndimage.minimum_filter(x, footprint=fp, mode="constant", cval=np.inf)
    dil = ndimage.maximum_filter(x, footprint=fp, mode="constant", cval=-np.inf)
    np.testing.assert_array_equal(_extreme(x, radius, np.minimum), ero)
    np.testing.assert_array_equal(_extreme(x, radius, np.maximum), dil)
    u = x.astype(np.uint8)
    ero_u = ndimage.minimum_filter(u, footprint=fp, mode="constant", cval=255)
    np.testing.assert_array_equal(_extreme(u, radius, np.minimum), ero_u)


def test_matlab_uint8_rounding():
    x = np.array([-3.5, -0.5, 0.49999999999999994, 0.5, 1.5, 2.5, 2.4999, 254.5, 255.4, 300.0])
    np.testing.assert_array_equal(_uint8(x), to_uint8_matlab(x))
    np.testing.assert_array_equal(_uint8(x), [0, 0, 0, 1, 2, 3, 2, 255, 255, 255])


# ----------------------------------------------------------------------- LEGFF properties


def test_telescoping_without_requantisation_and_bounded_with_it():
    a, _ = _pair((48, 52))
    feats, base = legf_decompose(a, requantize=False)
    np.testing.assert_allclose(sum(feats) + base, a, atol=1e-9)
    feats, base = legf_decompose(a)  # uint8 re-quantisation of scales 2..5: ≤ 0.5 each
    assert np.abs(sum(feats) + base - a).max() <= 0.5 * 4 + 1e-9


def test_constant_image_has_no_features():
    feats, base = legf_decompose(np.full((20, 24), 77.0))
    assert all(np.abs(f).max() < 1e-9 for f in feats)
    np.testing.assert_allclose(base, 77.0, atol=1e-9)


def test_bright_and_dark_dots_land_in_the_first_scale():
    x = np.full((31, 31), 100.0)
    x[10, 10], x[20, 20] = 200.0, 0.0
    (f1, *_), _ = legf_decompose(x)
    assert np.unravel_index(f1.argmax(), x.shape) == (10, 10) and f1[10, 10] > 50
    assert np.unravel_index(f1.argmin(), x.shape) == (20, 20) and f1[20, 20] < -50
    assert np.abs(f1[:4]).max() < 1e-6  # flat far from the dots


def test_entropy_weights_are_at_least_one_with_minimum_one():
    a, b = _pair((40, 44), seed=5)
    fa, _ = legf_decompose(a)
    fb, _ = legf_decompose(b)
    bright = [np.maximum(np.maximum(u, 0), np.maximum(v, 0)) for u, v in zip(fa, fb, strict=True)]
    w = _entropy_weights(bright)
    assert w.shape == (5,) and w.min() == 1.0 and np.all(w >= 1.0) and w.max() > 1.0


@pytest.mark.parametrize("name", ["legff", "legff0"])
def test_legff_grey_is_symmetric_integer_and_deterministic(name):
    a, b = _pair((45, 51), seed=1)
    f = brainfuse.fuse(a, b, name)
    assert f.shape == a.shape and f.dtype == np.float32
    assert f.min() >= 0 and f.max() <= 255 and np.array_equal(f, np.rint(f))
    np.testing.assert_array_equal(f, brainfuse.fuse(b, a, name))
    np.testing.assert_array_equal(f, brainfuse.fuse(a, b, name))


def _reference_legff(a, b):
    """Zhang et al. 2022 as written in 000C §3.6, with SciPy's filters (a second, plain port)."""
    if b.ndim == 3:  # colour: MATLAB rgb2ycbcr, fuse Y, the code's chroma rule, ycbcr2rgb
        ya = rgb_to_ycbcr_studio(np.repeat(to_uint8_matlab(a)[..., None], 3, axis=-1))
        yb = rgb_to_ycbcr_studio(to_uint8_matlab(b))
        out = np.empty(yb.shape, np.uint8)
        out[..., 0] = _reference_legff(ya[..., 0], yb[..., 0])
        ca, cb = ya[..., 1:].astype(float), yb[..., 1:].astype(float)
        wa, wb = np.abs(ca - 127.5), np.abs(cb - 127.5)
        out[..., 1:] = to_uint8_matlab((ca * wa + cb * wb) / (wa + wb))
        return ycbcr_studio_to_rgb(out)

    def gf(p, g, r):
        m = lambda x: ndimage.uniform_filter(x, r, mode="nearest")  # noqa: E731
        mg, mp = m(g), m(p)
        a_ = (m(g * p) - mg * mp) / (m(g * g) - mg * mg + 0.01)
        return m(a_) * g + m(mp - a_ * mg)

    def entropy(x):
        c = np.bincount(to_uint8_matlab(x).ravel(), minlength=256)
        q = c[c > 0] / x.size
        return -np.sum(q * np.log2(q))

    bg, bright, dark = [np.asarray(a, float), np.asarray(b, float)], [], []
    for i in range(1, 6):
        r, feats = 2 * i + 1, []
        for j in (0, 1):
            img = to_uint8_matlab(bg[j]).astype(float)
            low = ndimage.minimum_filter(img, footprint=_ball(r, 2), mode="constant", cval=np.inf)
            t = gf(img, low, r)
            high = ndimage.maximum_filter(t, footprint=_ball(r, 2), mode="constant", cval=-np.inf)
            bg[j] = gf(t, high, r)
            feats.append(img - bg[j])
        bright.append(np.maximum(np.maximum(feats[0], 0), np.maximum(feats[1], 0)))
        dark.append(np.minimum(np.minimum(feats[0], 0), np.minimum(feats[1], 0)))
    eb, ed = np.array([entropy(m) for m in bright]), np.array([entropy(-m) for m in dark])
    fb = sum(w * m for w, m in zip(eb / eb.min(), bright, strict=True))
    fd = sum(w * m for w, m in zip(ed / ed.min(), dark, strict=True))
    return to_uint8_matlab(fb + fd + np.maximum(bg[0], bg[1]))


@pytest.fixture(scope="module")
def harvard(shared_data):
    root = shared_data / "harvard-cddfuse-test"
    return {
        k: (load(root / k / "MRI" / "13.png"), load(root / k / o / "13.png"))
        for k, o in (("MRI_CT", "CT"), ("MRI_PET", "PET"))
    }


@pytest.mark.parametrize("kind", ["MRI_CT", "MRI_PET"])
def test_legff_equals_a_plain_port_of_the_published_algorithm(kind, harvard):
    mri, other = harvard[kind]
    ours = brainfuse.fuse(mri, other, "legff").array
    np.testing.assert_array_equal(ours, _reference_legff(mri.array, other.array))


@pytest.mark.parametrize("name", ["legff", "legff0"])
def test_legff_chroma_rules(name, harvard):
    mri, pet = harvard["MRI_PET"]
    guidance, eps = ("self", 0.01 * 255**2) if name == "legff0" else ("extreme", 0.01)
    code = _legff_ycbcr(mri.array, pet.array, 5, "code", guidance, eps)
    article = _legff_ycbcr(mri.array, pet.array, 5, "article", guidance, eps)
    c_pet = rgb_to_ycbcr_studio(pet.array.astype(np.uint8))[..., 1:]
    np.testing.assert_array_equal(article[..., 1:], c_pet)  # the article keeps B's chroma
    np.testing.assert_array_equal(article[..., 0], code[..., 0])
    # the code's rule: weights |C − 127.5|, with the MRI's C = 128 weighing 0.5
    c = c_pet.astype(float)
    expected = to_uint8_matlab((128 * 0.5 + c * np.abs(c - 127.5)) / (0.5 + np.abs(c - 127.5)))
    np.testing.assert_array_equal(code[..., 1:], expected)
    assert 0 < np.abs(code[..., 1:].astype(int) - c_pet).max() <= 3  # "at most 3 levels"
    rgb = brainfuse.fuse(mri, pet, name).array
    np.testing.assert_array_equal(rgb, ycbcr_studio_to_rgb(code))


def test_legff_on_volumes_matches_2d_for_a_slab(harvard):
    # A volume constant along its last axis: the ball and cube reduce to the disk and square,
    # histograms keep their proportions, so every slice equals the 2D fusion.
    assert get_method("legff").dims == (2, 3)
    a, b = _pair((40, 36), seed=2)
    f2 = brainfuse.fuse(a, b, "legff")
    f3 = brainfuse.fuse(np.repeat(a[..., None], 6, axis=2), np.repeat(b[..., None], 6, axis=2),
                        "legff")  # fmt: skip
    diff = np.abs(f3 - f2[..., None])
    assert diff.max() <= 1 and (diff > 0).mean() < 1e-3


# ----------------------------------------------------------------------- GFF


def test_gff_identical_inputs_return_the_input_and_it_is_deterministic():
    a, b = _pair((50, 46), seed=3)
    np.testing.assert_allclose(brainfuse.fuse(a, a, "gff"), a, atol=1e-3)
    f = brainfuse.fuse(a, b, "gff")
    assert f.dtype == np.float32 and f.shape == a.shape and np.isfinite(f).all()
    np.testing.assert_array_equal(f, brainfuse.fuse(a, b, "gff"))


def test_gff_keeps_the_salient_source_per_region():
    # left half: detail only in A; right half: detail only in B -> each half follows its source
    rng = np.random.default_rng(0)
    a = np.full((64, 128), 100.0)
    b = np.full((64, 128), 100.0)
    a[:, :64] += rng.normal(0, 30, (64, 64))
    b[:, 64:] += rng.normal(0, 30, (64, 64))
    f = brainfuse.fuse(a.astype(np.float32), b.astype(np.float32), "gff")
    assert np.corrcoef(f[:, 8:56].ravel(), a[:, 8:56].ravel())[0, 1] > 0.9
    assert np.corrcoef(f[:, 72:120].ravel(), b[:, 72:120].ravel())[0, 1] > 0.9


def test_gff_volumes_match_2d_for_a_slab():
    assert get_method("gff").dims == (2, 3)
    a, b = _pair((40, 36), seed=4)
    f2 = brainfuse.fuse(a, b, "gff")
    f3 = brainfuse.fuse(np.repeat(a[..., None], 5, axis=2), np.repeat(b[..., None], 5, axis=2),
                        "gff")  # fmt: skip
    # weights are quantised to 1/255, so a 1e-13 difference can move one weight by a step
    diff = np.abs(f3 - f2[..., None])
    assert np.median(diff) < 1e-4 and diff.max() < 3


def test_gff_colour_functional_images_keep_their_chroma():
    a, b = _pair((48, 48), seed=6)
    pet = apply_palette(b, "hot")
    f = brainfuse.fuse(a, pet, "gff")  # through the luminance wrapper
    assert f.shape == pet.shape
    np.testing.assert_allclose(rgb_to_ycbcr(f)[..., 1:], rgb_to_ycbcr(pet)[..., 1:], atol=0.05)


@pytest.mark.parametrize(
    "name,params,message",
    [
        ("legff", {"scales": 0}, "'scales' of method 'legff' must be ≥ 1"),
        ("legff", {"chroma": "both"}, "'chroma' of method 'legff' must be 'code' or 'article'"),
        ("legff0", {"chroma": "x"}, "'chroma' of method 'legff0'"),
        ("gff", {"r1": 0}, "'r1' of method 'gff' must be ≥ 1"),
        ("gff", {"eps2": 0.0}, "'eps2' of method 'gff' must be > 0"),
    ],
)
def test_bad_parameters_are_input_errors(name, params, message):
    a, b = _pair((16, 16))
    with pytest.raises(InputError, match=message):
        brainfuse.fuse(a, b, name, **params)
