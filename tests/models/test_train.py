import dataclasses
import json
import zipfile

import pytest
import torch

from brainfuse.cli import main
from brainfuse.errors import InputError
from brainfuse.models.data import PatchSampler, load_pairs
from brainfuse.models.funfusean import FunFuseAn
from brainfuse.models.losses import FunFuseAnLoss
from brainfuse.models.train import (
    MAX_BATCH_PIXELS,
    MIN_PATCH,
    TrainConfig,
    TrainingDiverged,
    sha256_file,
    train,
)

CONFIG = TrainConfig(
    steps=5, batch_size=4, patch=32, lr=2e-3, seed=1, val_every=2, val_batches=2, threads=1
)


def _samplers(root):
    tr = PatchSampler(load_pairs(root, "train"), patch=32, batch_size=4, seed=1)
    va = PatchSampler(load_pairs(root, "val"), patch=32, batch_size=4, seed=2)
    return tr, va


def test_training_overfits_one_fixed_batch(overfit):
    # trained/initial was at most 0.066 over seeds 0-9 with 1 and 2 threads (x86_64)
    initial, trained = overfit(lambda: FunFuseAn(4), FunFuseAnLoss(0.8), steps=60, lr=1e-2, seed=0)
    assert trained < 0.3 * initial


def test_train_writes_weights_manifest_and_curve(mini_aanlib, tmp_path):
    tr, va = _samplers(mini_aanlib)
    out = tmp_path / "ffa.pt"
    res = train(
        lambda: FunFuseAn(width=4),
        FunFuseAnLoss(0.8),
        tr,
        CONFIG,
        out,
        val_data=va,
        name="funfusean",
        params={"width": 4, "lam": 0.8},
        progress=False,
    )
    assert res.weights == out and res.seconds > 0
    trained = FunFuseAn.from_state_dict(torch.load(out, weights_only=True))
    assert trained.width == 4
    assert len(res.history) == CONFIG.steps
    assert [h["step"] for h in res.history] == list(range(1, CONFIG.steps + 1))
    # validated every val_every steps and at the end
    assert [v["step"] for v in res.validation] == [2.0, 4.0, 5.0]
    assert all(v["loss"] > 0 for v in res.validation)
    m = json.loads((tmp_path / "ffa.json").read_text())
    assert m == res.manifest
    assert m["sha256"] == sha256_file(out) and m["weights"] == "ffa.pt"
    assert m["model"] == "funfusean" and m["params"] == {"width": 4, "lam": 0.8}
    assert m["steps_done"] == CONFIG.steps and m["config"]["seed"] == 1
    assert m["epochs"] == round(CONFIG.steps * 4 * 32 * 32 / (4 * 256 * 256), 3)
    assert m["data"]["split"] == "train" and m["val_data"]["split"] == "val"
    assert set(m["final_train_losses"]) == {"loss", "ssim", "l2"}
    assert m["final_val_losses"] == res.validation[-1]
    assert m["best_val_loss"] == min(v["loss"] for v in res.validation)
    assert not {"wall_seconds", "elapsed", "time"} & set(m)
    assert (tmp_path / "ffa.loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ckpt = torch.load(tmp_path / "ffa.pt.ckpt", weights_only=True)
    assert ckpt["step"] == CONFIG.steps and "elapsed" not in ckpt
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ffa.json",
        "ffa.loss.png",
        "ffa.pt",
        "ffa.pt.ckpt",
    ]


def _ffa4() -> FunFuseAn:
    return FunFuseAn(4)


def _archive_folders(path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {name.split("/")[0] for name in z.namelist()}


def test_same_seed_gives_the_same_bytes_in_every_file(mini_aanlib, tmp_path):
    tr, va = _samplers(mini_aanlib)

    def run(folder: str, seed: int) -> dict[str, bytes]:
        (tmp_path / folder).mkdir()
        cfg = dataclasses.replace(CONFIG, seed=seed, checkpoint_every=3)
        out = tmp_path / folder / "w.pt"
        train(_ffa4, FunFuseAnLoss(0.8), tr, cfg, out, val_data=va, progress=False)
        return {p.name: p.read_bytes() for p in sorted((tmp_path / folder).iterdir())}

    first, second = run("one", 1), run("two", 1)
    assert sorted(first) == ["w.json", "w.loss.png", "w.pt", "w.pt.ckpt"]
    assert first == second
    # the archives hold no trace of the (temporary) file they were written to
    assert _archive_folders(tmp_path / "one" / "w.pt") == {"archive"}
    assert _archive_folders(tmp_path / "one" / "w.pt.ckpt") == {"archive"}
    other = run("three", 2)
    assert all(other[name] != first[name] for name in first)


class _Crash(Exception):
    pass


class _Interrupting(FunFuseAnLoss):
    """FunFuseAn's loss that crashes on its ``stop_at``-th call."""

    def __init__(self, stop_at: int) -> None:
        super().__init__(0.8)
        self.calls, self.stop_at = 0, stop_at

    def __call__(self, model, a, b):
        self.calls += 1
        if self.calls == self.stop_at:
            raise _Crash
        return super().__call__(model, a, b)


def test_resumed_run_ends_with_the_same_weights_bit_for_bit(mini_aanlib, tmp_path):
    tr, _ = _samplers(mini_aanlib)
    cfg = TrainConfig(steps=6, batch_size=4, patch=32, seed=1, threads=1, checkpoint_every=100)
    whole = train(
        lambda: FunFuseAn(4), FunFuseAnLoss(0.8), tr, cfg, tmp_path / "a.pt", progress=False
    )
    with pytest.raises(_Crash):
        train(lambda: FunFuseAn(4), _Interrupting(4), tr, cfg, tmp_path / "b.pt", progress=False)
    assert torch.load(tmp_path / "b.pt.ckpt", weights_only=False)["step"] == 3
    resumed = train(
        lambda: FunFuseAn(4),
        FunFuseAnLoss(0.8),
        tr,
        cfg,
        tmp_path / "b.pt",
        resume=True,
        progress=False,
    )
    sa = torch.load(whole.weights, weights_only=True)
    sb = torch.load(resumed.weights, weights_only=True)
    assert all(torch.equal(sa[k], sb[k]) for k in sa)
    assert [h["loss"] for h in whole.history] == [h["loss"] for h in resumed.history]
    other = TrainConfig(steps=6, batch_size=4, patch=32, seed=2, threads=1)
    with pytest.raises(InputError, match="checkpoint was written with"):
        train(
            lambda: FunFuseAn(4),
            FunFuseAnLoss(0.8),
            tr,
            other,
            tmp_path / "b.pt",
            resume=True,
            progress=False,
        )


def test_divergence_is_reported(mini_aanlib, tmp_path):
    tr, _ = _samplers(mini_aanlib)

    def nan_loss(model, a, b):
        return {"loss": model(a, b).sum() * float("nan")}

    cfg = TrainConfig(steps=3, batch_size=4, patch=32, threads=1)
    with pytest.raises(TrainingDiverged, match="loss is nan at step 0"):
        train(lambda: FunFuseAn(4), nan_loss, tr, cfg, tmp_path / "n.pt", progress=False)
    # no step completed: nothing to resume from, nothing written
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("steps", 0, "whole number ≥ 1, got 0"),
        ("steps", -5, "whole number ≥ 1, got -5"),
        ("steps", 2.5, "whole number ≥ 1, got 2.5"),
        ("batch_size", 0, "whole number ≥ 1"),
        ("patch", 10, "whole number ≥ 11"),
        ("lr", 0.0, "positive finite number, got 0.0"),
        ("lr", -1e-3, "positive finite number"),
        ("lr", float("nan"), "positive finite number, got nan"),
        ("lr", float("inf"), "positive finite number, got inf"),
        ("lr_final", -0.1, "non-negative finite number"),
        ("lr_step_gamma", 0.0, "positive finite number"),
        ("clip_grad", float("nan"), "positive number"),
        ("seed", -1, "whole number from 0 to"),
        ("threads", 0, "whole number ≥ 1"),
        ("val_every", 0, "whole number ≥ 1"),
        ("checkpoint_every", True, "whole number ≥ 1, got True"),
        ("max_minutes", float("nan"), "non-negative finite number"),
    ],
)
def test_config_refuses_values_that_cannot_train(field, value, problem):
    with pytest.raises(InputError, match=problem) as info:
        TrainConfig(**{field: value})
    assert info.value.source == field


def test_config_refuses_huge_batches_and_accepts_the_edges():
    with pytest.raises(InputError, match="pixels per batch"):
        TrainConfig(batch_size=4097, patch=32)
    edge = TrainConfig(steps=1, batch_size=4096, patch=32, lr_final=0.0, seed=2**63 - 1)
    assert edge.batch_size * edge.patch**2 == MAX_BATCH_PIXELS and edge.patch >= MIN_PATCH


def test_resume_refuses_unreadable_and_foreign_checkpoints_without_writing(mini_aanlib, tmp_path):
    tr, _ = _samplers(mini_aanlib)
    cfg = TrainConfig(steps=2, batch_size=4, patch=32, seed=1, threads=1)
    ckpt = tmp_path / "r.pt.ckpt"

    def resume() -> str:
        before = ckpt.read_bytes()
        with pytest.raises(InputError) as info:
            train(
                lambda: FunFuseAn(4),
                FunFuseAnLoss(0.8),
                tr,
                cfg,
                tmp_path / "r.pt",
                resume=True,
                progress=False,
            )
        assert info.value.source == str(ckpt)
        assert ckpt.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == [ckpt.name]
        return info.value.problem

    ckpt.write_bytes(b"\xff\xfe" + bytes(range(256)) * 4)
    assert resume().startswith("not a checkpoint of brainfuse train (")
    torch.save({"step": 1}, ckpt)
    assert resume() == "not a checkpoint of brainfuse train (no valid 'config')"
    torch.save([1, 2], ckpt)
    assert resume() == "not a checkpoint of brainfuse train"
    # a real checkpoint, of a wider network than the one resumed
    wide = train(
        lambda: FunFuseAn(8), FunFuseAnLoss(0.8), tr, cfg, tmp_path / "w.pt", progress=False
    )
    for name in ("w.pt", "w.json", "w.loss.png"):
        (tmp_path / name).unlink()
    (tmp_path / "w.pt.ckpt").rename(ckpt)
    assert resume().startswith("checkpoint does not fit this network")
    assert wide.manifest["steps_done"] == 2


def test_cli_train_runs_and_refuses_bad_input(mini_aanlib, tmp_path, capsys):
    out = tmp_path / "w.pt"
    argv = [
        "train",
        "funfusean",
        "--data",
        str(mini_aanlib),
        "--out",
        str(out),
        "--steps",
        "2",
        "--batch-size",
        "2",
        "--patch",
        "32",
        "--threads",
        "1",
        "-p",
        "width=4",
        "--quiet",
    ]
    assert main(argv) == 0
    assert out.is_file() and (tmp_path / "w.json").is_file()
    assert "after 2 steps" in capsys.readouterr().out
    assert main([*argv[:6], "--split", "benchmark-overlap", "--out", str(out)]) == 2
    assert "never used for training" in capsys.readouterr().err
    assert main([*argv[:-1], "-p", "lam=2", "--quiet"]) == 2
    assert "must lie in [0, 1]" in capsys.readouterr().err
    assert main(["train", "nope", "--data", str(mini_aanlib), "--out", str(out)]) == 2
    assert "unknown model 'nope'" in capsys.readouterr().err
    with pytest.raises(InputError):
        load_pairs(mini_aanlib, "benchmark-overlap")


def test_step_schedule_multiplies_the_rate_every_k_epochs_and_resumes_old_checkpoints(
    mini_aanlib, tmp_path
):
    from brainfuse.models.train import _learning_rate

    cfg = TrainConfig(steps=100, lr=2e-4, lr_step_epochs=5, lr_step_gamma=0.95)
    rates = [_learning_rate(cfg, 0, e) for e in (0.0, 4.99, 5.0, 10.2)]
    assert rates == pytest.approx([2e-4, 2e-4, 1.9e-4, 1.805e-4])
    # the cosine schedule is unchanged when no step is set
    assert _learning_rate(CONFIG, 0, 3.0) == pytest.approx(CONFIG.lr)
    # a checkpoint written before the step fields existed still resumes
    tr, _ = _samplers(mini_aanlib)
    cfg = TrainConfig(steps=2, batch_size=4, patch=32, seed=1, threads=1)
    out = tmp_path / "s.pt"
    train(lambda: FunFuseAn(4), FunFuseAnLoss(0.8), tr, cfg, out, progress=False)
    ckpt = tmp_path / "s.pt.ckpt"
    state = torch.load(ckpt, weights_only=False)
    for key in ("lr_step_epochs", "lr_step_gamma"):
        del state["config"][key]
    state["elapsed"] = 12.5  # older checkpoints also held the wall time
    torch.save(state, ckpt)
    res = train(lambda: FunFuseAn(4), FunFuseAnLoss(0.8), tr, cfg, out, resume=True, progress=False)
    assert res.manifest["steps_done"] == 2
