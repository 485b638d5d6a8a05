import math

import numpy as np
import pytest
import torch

from brainfuse.errors import InputError
from brainfuse.models.drbif import (
    DRBIF,
    SPEC,
    fuse,
    fuse_complementary,
    init_encoders_from_vgg19,
)
from brainfuse.models.losses import DRBIFLoss, group_lasso_penalty, group_lasso_weights

pytestmark = pytest.mark.usefixtures("one_thread")


def _features(*vectors: tuple[float, ...]) -> torch.Tensor:
    """``(len(vectors), C, 3, 3)`` maps, each constant over the 3x3 positions."""
    return torch.tensor(vectors).view(len(vectors), -1, 1, 1).expand(-1, -1, 3, 3).clone()


def test_group_lasso_weights_are_one_half_for_equal_features():
    c = torch.randn(2, 6, 5, 7)
    w = group_lasso_weights(c, c.clone())
    torch.testing.assert_close(w, torch.full((2, 1, 5, 7), 0.5))
    torch.testing.assert_close(group_lasso_weights(c, c, printed_sign=True), w)


def test_group_lasso_weights_move_toward_choose_max_as_similarity_falls():
    # C1 = (2, 0) has twice the l1 norm of C2 = (cos θ, sin θ)/(cos θ + sin θ) (l1 norm 1):
    # φ1 − φ2 = 1 for every θ while the cosine similarity r = cos θ falls, k = 1/r² rises and
    # ω1 = σ(k(φ2 − φ1)) = σ(−1/cos²θ) goes from average-like σ(−1) to choose-max 0: the more
    # important C1 is penalised less and less, C2 fully.
    thetas = [math.radians(d) for d in (0, 30, 60, 75, 85)]
    c1 = _features(*[(2.0, 0.0)] * len(thetas))
    c2 = _features(
        *[
            (math.cos(t) / (math.cos(t) + math.sin(t)), math.sin(t) / (math.cos(t) + math.sin(t)))
            for t in thetas
        ]
    )
    w = group_lasso_weights(c1, c2)[:, 0, 1, 1]
    expected = torch.tensor([1 / (1 + math.exp(1 / math.cos(t) ** 2)) for t in thetas])
    torch.testing.assert_close(w, expected, rtol=1e-4, atol=1e-12)
    assert float(w[0]) == pytest.approx(1 / (1 + math.e), rel=1e-6)
    assert torch.all(w[1:] < w[:-1]) and float(w[-1]) < 1e-30
    # the printed sign of Eq. 10 gives the mirror image: ω1 → 1
    printed = group_lasso_weights(c1, c2, printed_sign=True)[:, 0, 1, 1]
    torch.testing.assert_close(printed, 1 - w)
    # orthogonal features: k = 1/max(r², 1e-4) stays finite, ω exactly choose-max
    ortho = group_lasso_weights(_features((2.0, 0.0)), _features((0.0, 1.0)))
    assert torch.isfinite(ortho).all() and float(ortho.max()) < 1e-30


def test_group_lasso_uses_the_local_three_by_three_mean_of_the_l1_norm():
    c1 = torch.zeros(1, 2, 5, 5)
    c2 = torch.zeros(1, 2, 5, 5)
    c1[0, 0, 2, 2] = 9.0  # a single strong C1 pixel: φ1 = 1 on its 3x3 neighbourhood
    c2[0, 0] = 0.5  # C2 parallel to C1 (r = 1 where both are non-zero), φ2 = 0.5
    w = group_lasso_weights(c1, c2)
    assert float(w[0, 0, 2, 2]) == pytest.approx(float(torch.sigmoid(torch.tensor(-0.5))))
    # where C1 = 0, r = 0 → k = 1e4 and φ2 > φ1 there: ω1 → 1 (C1 penalised)
    assert float(w[0, 0, 0, 0]) == pytest.approx(1.0)


def test_group_lasso_penalty_is_the_weighted_mean_of_feature_norms_without_weight_gradient():
    c1 = torch.randn(2, 4, 6, 6, requires_grad=True)
    c2 = torch.randn(2, 4, 6, 6, requires_grad=True)
    lc = group_lasso_penalty(c1, c2)
    w = group_lasso_weights(c1.detach(), c2.detach())
    n1, n2 = c1.detach().norm(dim=1, keepdim=True), c2.detach().norm(dim=1, keepdim=True)
    assert float(lc.detach()) == pytest.approx(float((w * n1 + (1 - w) * n2).mean()), rel=1e-5)
    lc.backward()
    # ω is constant: ∂L_c/∂C1 = ω1·C1/‖C1‖ / (N·H·W)
    expected = w * c1.detach() / n1 / (2 * 6 * 6)
    torch.testing.assert_close(c1.grad, expected, rtol=1e-4, atol=1e-7)


def test_fusion_rules():
    c = torch.randn(1, 4, 5, 5)
    torch.testing.assert_close(fuse_complementary(c, c, "add"), 2 * c)
    torch.testing.assert_close(fuse_complementary(c, c, "max"), c)
    torch.testing.assert_close(fuse_complementary(c, c, "l1"), c)
    c1, c2 = torch.randn(2, 4, 5, 5), torch.randn(2, 4, 5, 5)
    for rule in ("add", "max", "l1"):
        torch.testing.assert_close(
            fuse_complementary(c1, c2, rule), fuse_complementary(c2, c1, rule)
        )
    assert torch.equal(fuse_complementary(c1, c2, "max"), torch.maximum(c1, c2))
    a1, a2 = c1.abs().sum(1, keepdim=True), c2.abs().sum(1, keepdim=True)
    torch.testing.assert_close(fuse_complementary(c1, c2, "l1"), (a1 * c1 + a2 * c2) / (a1 + a2))
    zero = torch.zeros(1, 4, 3, 3)
    assert torch.equal(fuse_complementary(zero, zero, "l1"), zero)
    with pytest.raises(InputError, match="valid: add, max, l1"):
        fuse_complementary(c1, c2, "mean")


def test_table_one_shapes_shared_redundant_encoder_and_odd_sizes():
    net = DRBIF(width=8).eval()
    a, b = torch.rand(1, 1, 37, 53), torch.rand(1, 1, 37, 53)
    c1, c2, r1, r2 = net.encode(a, b)
    assert all(t.shape == (1, 16, 37, 53) for t in (c1, c2, r1, r2))
    with torch.no_grad():
        torch.testing.assert_close(r1, net.enc_r(a))
        y = net(a, b)
    assert y.shape == (1, 1, 37, 53) and 0 < float(y.min()) and float(y.max()) < 1
    assert torch.equal(net(a, b), net(a, b))
    convs = [m for m in net.enc_c1.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(m.in_channels, m.out_channels) for m in convs] == [(1, 8), (8, 8), (8, 16)]
    assert net.enc_c1[0][0].weight.data_ptr() != net.enc_c2[0][0].weight.data_ptr()
    again = DRBIF.from_state_dict(net.state_dict())
    assert again.width == 8


def test_gradients_reach_both_inputs():
    net = DRBIF(width=4).train()
    a = torch.rand(2, 1, 24, 24, requires_grad=True)
    b = torch.rand(2, 1, 24, 24, requires_grad=True)
    net(a, b, "l1").sum().backward()
    assert float(a.grad.abs().sum()) > 0 and float(b.grad.abs().sum()) > 0
    with torch.no_grad():
        terms = DRBIFLoss()(net, a.detach(), b.detach())
    assert set(terms) == {"loss", "ssim", "mse", "redundant", "lasso"}
    total = 1000 * terms["ssim"] + terms["mse"] + 10 * terms["redundant"] + 10 * terms["lasso"]
    assert float(terms["loss"]) == pytest.approx(float(total), rel=1e-6)


def test_vgg19_initialisation_from_a_torchvision_layout_checkpoint(tmp_path):
    g = torch.Generator().manual_seed(0)
    state = {}
    for i, (c_out, c_in) in {0: (64, 3), 2: (64, 64), 5: (128, 64), 7: (128, 128)}.items():
        state[f"features.{i}.weight"] = torch.randn(c_out, c_in, 3, 3, generator=g)
        state[f"features.{i}.bias"] = torch.randn(c_out, generator=g)
    path = tmp_path / "vgg19.pth"
    torch.save(state, path)
    net = DRBIF(width=8)
    init_encoders_from_vgg19(net, path)
    for enc in (net.enc_c1, net.enc_c2, net.enc_r):
        torch.testing.assert_close(enc[0][0].weight, state["features.0.weight"][:8].sum(1, True))
        torch.testing.assert_close(enc[0][0].bias, state["features.0.bias"][:8])
        torch.testing.assert_close(enc[1][0].weight, state["features.2.weight"][:8, :8])
        torch.testing.assert_close(enc[2][0].weight, state["features.5.weight"][:16, :8])
        torch.testing.assert_close(enc[2][0].bias, state["features.5.bias"][:16])
    # a grey image repeated on R, G, B gives the same first-layer response as the summed kernel
    x = torch.rand(1, 1, 9, 9)
    rgb = torch.nn.functional.conv2d(
        x.expand(-1, 3, -1, -1), state["features.0.weight"][:8], padding=1
    )
    torch.testing.assert_close(
        torch.nn.functional.conv2d(x, net.enc_r[0][0].weight, padding=1), rgb, rtol=1e-4, atol=1e-5
    )
    build, _ = SPEC.make(width=8, vgg19=str(path))
    torch.testing.assert_close(build().enc_c2[1][0].weight, net.enc_c2[1][0].weight)


def test_vgg19_initialisation_refuses_bad_checkpoints(tmp_path):
    net = DRBIF(width=8)
    with pytest.raises(InputError, match="VGG-19 checkpoint not found"):
        init_encoders_from_vgg19(net, tmp_path / "missing.pth")
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="not a PyTorch checkpoint"):
        init_encoders_from_vgg19(net, junk)
    other = tmp_path / "resnet.pth"
    torch.save({"conv1.weight": torch.zeros(64, 3, 7, 7)}, other)
    with pytest.raises(InputError, match=r"no VGG-19 layer features\.0\.weight"):
        init_encoders_from_vgg19(net, other)
    with pytest.raises(InputError, match="sign must be 'prose' or 'printed'"):
        SPEC.make(sign="minus")


def test_training_overfits_one_fixed_batch(overfit):
    # trained/initial was at most 0.044 over seeds 0-9 with 1 and 2 threads (x86_64)
    initial, trained = overfit(*SPEC.make(width=4), steps=40, lr=1e-2, seed=0)
    assert trained < 0.3 * initial


@pytest.fixture(scope="module")
def tiny_weights(train_tiny):
    return train_tiny("drbif", *SPEC.make(width=4))


def test_fuse_rules_any_size_and_determinism(tiny_weights):
    rng = np.random.default_rng(1)
    a = rng.uniform(0, 255, (37, 53)).astype(np.float32)
    b = rng.uniform(0, 255, (37, 53)).astype(np.float32)
    a[:, :3] = 0
    b[:, :3] = 0
    outs = {rule: fuse(a, b, weights=tiny_weights, rule=rule) for rule in ("add", "max", "l1")}
    net = DRBIF.from_state_dict(torch.load(tiny_weights, weights_only=True))
    x1 = torch.from_numpy(a / np.float32(255)).view(1, 1, 37, 53)
    x2 = torch.from_numpy(b / np.float32(255)).view(1, 1, 37, 53)
    for rule, out in outs.items():
        assert out.shape == (37, 53) and out.dtype == np.float32
        assert np.all(out[:, :3] == 0) and np.all(out[:, 3:] > 0)
        assert np.array_equal(out, fuse(a, b, weights=tiny_weights, rule=rule))
        with torch.no_grad():
            ref = net(x1, x2, rule)[0, 0].numpy() * 255
        np.testing.assert_allclose(out[:, 3:], ref[:, 3:], rtol=1e-4, atol=1e-3)
    assert not np.array_equal(outs["add"], outs["max"])
    with pytest.raises(InputError, match="unknown DRBIF fusion rule 'sum'"):
        fuse(a, b, weights=tiny_weights, rule="sum")


def test_training_can_start_from_another_models_weights(tiny_weights, tmp_path):
    build, _ = SPEC.make(width=4, init=str(tiny_weights))
    state = torch.load(tiny_weights, weights_only=True)
    started = build().state_dict()
    assert all(torch.equal(started[k], state[k]) for k in state)
    with pytest.raises(InputError, match="weights do not fit this network"):
        SPEC.make(width=8, init=str(tiny_weights))[0]()
