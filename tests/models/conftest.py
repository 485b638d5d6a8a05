"""Fixtures for the network tests: a small harvard-aanlib-style folder of real pairs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def mini_aanlib(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six real PET-MRI and SPECT-MRI pairs (4 train, 2 val) linked into a temporary folder."""
    src = shared_data / "harvard-aanlib"
    with open(src / "split.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    picked = []
    for pairset in ("PET-MRI", "SPECT-MRI"):
        for split, n in (("train", 2), ("val", 1)):
            picked += [r for r in rows if r["pairset"] == pairset and r["split"] == split][:n]
    root = tmp_path_factory.mktemp("aanlib")
    for r in picked:
        func = r["pairset"].split("-")[0]
        for modality in ("MRI", func):
            (root / r["pairset"] / modality).mkdir(parents=True, exist_ok=True)
            (root / r["pairset"] / modality / r["file"]).symlink_to(
                src / r["pairset"] / modality / r["file"]
            )
    overlap = next(r for r in rows if r["split"] == "benchmark-overlap")
    with open(root / "split.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows([*picked, overlap])
    return root


@pytest.fixture
def one_thread():
    """Torch on one thread during the test: two OpenMP threads on a busy 2-core machine spin
    far more than they compute."""
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def train_tiny(mini_aanlib: Path, tmp_path_factory: pytest.TempPathFactory):
    """``train_tiny(name, build, objective)`` → weights (with manifest) after 2 trainer steps."""
    from brainfuse.models.data import PatchSampler, load_pairs
    from brainfuse.models.train import TrainConfig, train

    def run(name, build, objective) -> Path:
        sampler = PatchSampler(load_pairs(mini_aanlib, "train"), patch=32, batch_size=2)
        cfg = TrainConfig(steps=2, batch_size=2, patch=32, seed=0, threads=1)
        out = tmp_path_factory.mktemp(name) / f"{name}.pt"
        train(build, objective, sampler, cfg, out, name=name, progress=False)
        return out

    return run


def overfit_one_batch(
    root: Path,
    out_dir: Path,
    build,
    objective,
    *,
    steps: int,
    lr: float,
    seed: int,
    threads: int = 1,
) -> tuple[float, float]:
    """Train ``build()`` with :func:`~brainfuse.models.train.train` on one fixed batch whose
    two inputs are the same real MRI crops; return the objective on that batch before and
    after (model in training mode, the mode the trainer minimises in).

    With both inputs equal, the fused image ``F = a`` brings every fusion objective of BrainFuse
    (SSIM, l1/l2 and gradient terms to the sources, reconstructions) to its minimum, so the
    loss can fall far below its starting value on any machine: what training guarantees,
    unlike the loss after a few steps on fresh batches, which follows one float trajectory.
    """
    import copy

    import numpy as np
    import torch

    from brainfuse.models.data import PairSet, PatchSampler, load_pairs
    from brainfuse.models.train import TrainConfig, train

    pairs = load_pairs(root, "train")
    crops = [pairs.a[i][112:144, 112:144] for i in (0, len(pairs) - 1)]
    fixed = torch.from_numpy(np.stack(crops)[:, None].copy())

    class OneBatch(PatchSampler):
        def batch(self, step: int) -> tuple[torch.Tensor, torch.Tensor]:
            return fixed.clone(), fixed.clone()

    data = OneBatch(PairSet(crops, crops, ["crop0", "crop1"]), patch=32, batch_size=2)
    cfg = TrainConfig(
        steps=steps,
        batch_size=2,
        patch=32,
        lr=lr,
        seed=seed,
        threads=threads,
        checkpoint_every=steps,
    )

    def loss(net: torch.nn.Module) -> float:
        with torch.no_grad():
            return float(objective(copy.deepcopy(net).train(), fixed, fixed)["loss"])

    torch.manual_seed(seed)
    initial = loss(build())
    res = train(build, objective, data, cfg, out_dir / "overfit.pt", progress=False)
    net = build()
    net.load_state_dict(torch.load(res.weights, weights_only=True))
    return initial, loss(net)


@pytest.fixture
def overfit(mini_aanlib: Path, tmp_path: Path):
    """``overfit(build, objective, steps=, lr=, seed=)`` → (initial, trained) loss on one fixed
    batch (:func:`overfit_one_batch`)."""

    def run(build, objective, **kwargs) -> tuple[float, float]:
        return overfit_one_batch(mini_aanlib, tmp_path, build, objective, **kwargs)

    return run
