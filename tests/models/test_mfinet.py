import copy
import json
import shutil

import numpy as np
import pytest
import torch

from brainfuse.errors import InputError
from brainfuse.models.losses import MFINetLoss, gradient_magnitude
from brainfuse.models.mfinet import (
    CBAM,
    DFEM,
    GFEU,
    MDTA,
    SPEC,
    GatedNormalization,
    MFINet,
    RestormerBlock,
    fuse,
)

pytestmark = pytest.mark.usefixtures("one_thread")


def _small() -> MFINet:
    torch.manual_seed(0)
    return MFINet(width=4, heads=1, pairs=1)


def test_gnb_is_the_identity_at_its_initial_values():
    gnb = GatedNormalization(6)
    x = torch.randn(2, 6, 9, 11)
    assert torch.equal(gnb(x), x)


def test_gnb_gates_channels_by_their_normalised_energy():
    gnb = GatedNormalization(2)
    with torch.no_grad():
        gnb.gamma.fill_(1.0)
    x = torch.ones(1, 2, 4, 4)
    x[:, 1] *= 3.0  # channel 1 has three times the energy of channel 0
    y = gnb(x)
    # ŝ = √2·(1, 3)/√10; gate = 1 + tanh(ŝ)
    s_hat = torch.tensor([1.0, 3.0]) * (2**0.5) / (10**0.5)
    expected = x * (1 + torch.tanh(s_hat)).view(1, 2, 1, 1)
    torch.testing.assert_close(y, expected, rtol=1e-5, atol=1e-6)
    # the gate depends on relative, not absolute, energy: scaling x scales y
    torch.testing.assert_close(gnb(10 * x), 10 * y, rtol=1e-4, atol=1e-5)


def test_blocks_keep_shape_on_odd_sizes():
    x = torch.randn(2, 4, 7, 13)
    for block in (MDTA(4, 2), RestormerBlock(4, 2, 2.0), CBAM(4), GFEU(4), DFEM(4)):
        assert block(x).shape == x.shape


def test_mdta_attends_across_channels_with_a_size_independent_map():
    # the attention map is C/h × C/h whatever the image size: a 5x3 and a 64x64 input work
    attn = MDTA(4, 2)
    for h, w in ((5, 3), (64, 64)):
        assert attn(torch.randn(1, 4, h, w)).shape == (1, 4, h, w)


def test_network_output_range_odd_sizes_and_eval_determinism():
    net = _small().eval()
    for h, w in ((37, 53), (1, 1), (64, 31)):
        a, b = torch.rand(1, 1, h, w), torch.rand(1, 1, h, w)
        with torch.no_grad():
            y1, y2 = net(a, b), net(a, b)
        assert y1.shape == (1, 1, h, w)
        assert torch.equal(y1, y2)
        assert float(y1.min()) > 0 and float(y1.max()) < 1


def test_channels_last_network_matches_the_default_layout():
    net = _small().eval()
    fast = copy.deepcopy(net).to(memory_format=torch.channels_last)
    a, b = torch.rand(1, 1, 40, 24), torch.rand(1, 1, 40, 24)
    with torch.no_grad():
        torch.testing.assert_close(fast(a, b), net(a, b), rtol=1e-5, atol=1e-6)


def test_from_state_dict_rebuilds_the_shape():
    net = MFINet(width=6, sfe_blocks=2, heads=3, expansion=2.0, pairs=2)
    again = MFINet.from_state_dict(net.state_dict())
    assert again.width == 6 and len(again.sfe) == 2 and len(again.dfem_ct) == 2
    assert again.sfe[0].attn.heads == 3


def test_gradients_reach_both_inputs():
    net = _small().train()
    a = torch.rand(2, 1, 24, 24, requires_grad=True)
    b = torch.rand(2, 1, 24, 24, requires_grad=True)
    MFINetLoss()(net, a, b)["loss"].backward()
    assert float(a.grad.abs().sum()) > 0 and float(b.grad.abs().sum()) > 0
    assert all(p.grad is not None for p in net.parameters() if p.requires_grad)


def test_loss_terms_against_a_network_that_outputs_the_pixel_maximum():
    class Max(torch.nn.Module):
        def forward(self, a, b):
            return torch.maximum(a, b)

    g = torch.Generator().manual_seed(0)
    a, b = torch.rand(2, 1, 32, 32, generator=g), torch.rand(2, 1, 32, 32, generator=g)
    terms = MFINetLoss()(Max(), a, b)
    m = torch.maximum(a, b)
    assert float(terms["ssim"]) == pytest.approx(0.0, abs=1e-6)
    pix = ((m - a) ** 2).mean() + ((m - b) ** 2).mean()
    assert float(terms["pix"]) == pytest.approx(float(pix), rel=1e-5)
    g_max = torch.maximum(gradient_magnitude(a), gradient_magnitude(b))
    grad = ((gradient_magnitude(m) - g_max) ** 2).mean()
    assert float(terms["grad"]) == pytest.approx(float(grad), rel=1e-5)
    total = 10 * terms["ssim"] + 100 * terms["grad"] + terms["pix"]
    assert float(terms["loss"]) == pytest.approx(float(total), rel=1e-6)


def test_training_overfits_one_fixed_batch(overfit):
    # trained/initial was at most 0.12 over seeds 0-9 with 1 and 2 threads (x86_64)
    initial, trained = overfit(_small, MFINetLoss(), steps=60, lr=1e-2, seed=0)
    assert trained < 0.3 * initial


def test_spec_builds_the_shipped_configuration():
    build, objective = SPEC.make(**SPEC.bind({"width": "6", "heads": "3"}))
    net = build()
    assert isinstance(net, MFINet) and net.width == 6 and len(net.dfem_ct) == 3
    assert net.embed.weight.is_contiguous(memory_format=torch.channels_last)
    assert isinstance(objective, MFINetLoss) and objective.lambda_grad == 100.0
    assert SPEC.config.lr == 2e-4 and SPEC.pairsets == ("CT-MRI",)
    assert (SPEC.config.lr_step_epochs, SPEC.config.lr_step_gamma) == (5.0, 0.95)


@pytest.fixture(scope="module")
def tiny_weights(train_tiny):
    return train_tiny("mfinet", _small, MFINetLoss())


def test_fuse_any_size_zero_background_and_determinism(tiny_weights):
    rng = np.random.default_rng(0)
    for h, w in ((37, 53), (256, 256), (3, 2)):
        a = rng.uniform(0, 255, (h, w)).astype(np.float32)
        b = rng.uniform(0, 255, (h, w)).astype(np.float32)
        a[0, :] = 0
        b[0, :] = 0
        out = fuse(a, b, weights=tiny_weights)
        assert out.shape == (h, w) and out.dtype == np.float32
        assert np.all(out[0] == 0) and np.all(out[1:] > 0) and float(out.max()) < 255
        assert np.array_equal(out, fuse(a, b, weights=tiny_weights))
    kept = fuse(a, b, weights=tiny_weights, zero_background=False)
    assert np.all(kept[0] > 0)


def test_manifest_of_trained_weights_logs_every_loss_term(tiny_weights):
    manifest = json.loads(tiny_weights.with_suffix(".json").read_text())
    assert set(manifest["final_train_losses"]) == {"loss", "ssim", "grad", "pix"}
    assert manifest["model"] == "mfinet" and manifest["steps_done"] == 2


def test_fuse_refuses_weights_whose_hash_differs(tiny_weights, tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(tiny_weights.read_bytes() + b"\0")
    shutil.copy(tiny_weights.with_suffix(".json"), tmp_path / "bad.json")
    with pytest.raises(InputError, match="differs from the manifest"):
        fuse(np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32), weights=bad)
    with pytest.raises(InputError, match="no mfinet model for modality 'mri'"):
        fuse(np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32), modality="mri")
