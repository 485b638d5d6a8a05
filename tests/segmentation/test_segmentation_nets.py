"""Liu et al.'s networks: PIF-Net, MSFF and the stage network, their losses and schedule, and the
stage-2 window; checked against the article's parameter counts and the properties they promise."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("monai")

from brainfuse.segmentation.nets import (  # noqa: E402
    MSFF,
    PIFNet,
    max_tumour_window,
    pif_loss,
    poly_lr,
    seg_loss,
)


def test_pifnet_has_the_articles_parameter_count_and_fuses_between_its_sources():
    torch.manual_seed(0)
    net = PIFNet()
    assert sum(p.numel() for p in net.parameters()) == 390_017  # Table 1, with biases
    s1 = torch.rand(1, 1, 12, 12, 12)
    s2 = torch.rand(1, 1, 12, 12, 12)
    s1[..., :4], s2[..., :4] = 0.0, 0.0  # background in both
    fused, w = net(s1, s2)
    assert fused.shape == s1.shape and w.shape == s1.shape
    assert torch.all(fused >= torch.minimum(s1, s2) - 1e-6)
    assert torch.all(fused <= torch.maximum(s1, s2) + 1e-6)
    assert torch.all(fused[..., :4] == 0)  # a mask keeps the background at 0
    pif_loss(fused, s1, s2, beta=2.0, gamma=2.0).backward()
    assert net.conv1.weight.grad.abs().sum() > 0 and net.conv2.weight.grad.abs().sum() > 0


def test_pif_loss_is_zero_only_when_f_equals_both_sources():
    x = torch.rand(1, 1, 16, 16, 16)
    y = torch.rand(1, 1, 16, 16, 16)
    assert float(pif_loss(x, x, x)) < 1e-4
    assert float(pif_loss(x, x, y)) > float(pif_loss(x, x, x)) + 1.0  # α = 450 weighs SSIM


def test_msff_weights_sum_to_one_and_equal_inputs_give_one_feature():
    torch.manual_seed(1)
    for n, params in ((3, 1652), (6, 3236)):
        msff = MSFF(n)
        assert sum(p.numel() for p in msff.parameters()) == params  # N·448 + 68 + N·80
        _, s = msff.attention(torch.rand(2, n, 8, 8, 8))
        assert s.shape == (2, n, 16) and torch.allclose(s.sum(dim=1), torch.ones(2, 16))
    msff = MSFF(3)
    with torch.no_grad():
        for conv in msff.convs[1:]:
            conv.load_state_dict(msff.convs[0].state_dict())
    x = torch.rand(1, 1, 8, 8, 8).repeat(1, 3, 1, 1, 1)
    assert torch.allclose(msff(x), msff.convs[0](x[:, :1]), atol=1e-6)  # V = U_i


def test_seg_loss_zero_when_right_about_one_when_disjoint_and_bce_as_torch():
    g = torch.zeros(1, 2, 8, 8, 8)
    g[:, :, :4] = 1
    assert float(seg_loss(g, g)) == pytest.approx(0.0, abs=1e-5)
    assert float(seg_loss(1 - g, g, lam=0.0)) == pytest.approx(1.0, abs=1e-5)
    p = torch.rand(1, 2, 8, 8, 8) * 0.98 + 0.01
    bce = torch.nn.functional.binary_cross_entropy(p, g)
    assert float(seg_loss(p, g, lam=1.0) - seg_loss(p, g, lam=0.0)) == pytest.approx(float(bce))


def test_poly_lr():
    assert poly_lr(0) == 1e-4
    assert poly_lr(150) == pytest.approx(5.359e-5, rel=1e-3)  # the article's example epoch
    assert poly_lr(300) == 0.0


def test_max_tumour_window_is_the_brute_force_best():
    rng = np.random.default_rng(4)
    for _ in range(5):
        mask = rng.random((12, 10, 9)) < 0.2
        size = (5, 4, 6)
        best = max(
            mask[i : i + 5, j : j + 4, k : k + 6].sum()
            for i, j, k in itertools.product(range(8), range(7), range(4))
        )
        window = max_tumour_window(mask, size, step=1)
        assert mask[window].sum() == best
        assert tuple(s.stop - s.start for s in window) == size
    assert max_tumour_window(mask, (64, 64, 64))[0] == slice(0, 12)  # clipped to the volume
