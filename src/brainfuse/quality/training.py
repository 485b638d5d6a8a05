"""Adversarial training of Tang et al.'s quality model on a MOS database, on the CPU.

One step: a batch of (A, B, fused, MOS) lines of the ``train`` split (drawn from the seed and the
step number alone, each image flipped left–right with probability ½), a generator step on
``LSGAN_G + α·L_fusion + β·L_ED`` (both encoder–decoders and G), then a discriminator step on
``½[MSE(D(real), 1) + MSE(D(G), 0)]``; Adam (lr 2·10⁻⁴, β₁ = 0.5, as pix2pix; the paper gives
no optimiser). Every ``val_every`` steps the model scores the ``val`` split by the rule of Eq. 6
and the checkpoint with the best SRCC is kept: Tang et al. keep "the checkpoint model with the
best evaluation performance" (on a split of its own here, so the test split stays unseen).

Like :func:`brainfuse.models.train.train`: seeded and bit-for-bit repeatable for the same data,
seed and thread count; resumable from ``W.pt.ckpt`` (written every ``checkpoint_every`` steps,
on Ctrl-C and when ``max_minutes`` runs out; a resumed run ends with the same weights as an
uninterrupted one, also when it is resumed with more ``steps`` than it was started with: the
learning rate is constant); progress shown with tqdm and, with ``log``, one line per validation in a
text file; no wall-clock time in any file.
"""

from __future__ import annotations

import hashlib
import io
import json
import platform
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.atomic import atomic_path
from .database import MosDatabase
from .network import CGANConfig, QualityCGAN, discriminator_loss, generator_losses, torch
from .stats import agreement

__all__ = ["QualityTrainConfig", "train_quality"]


@dataclass(frozen=True)
class QualityTrainConfig:
    """Settings of a training run, recorded in the manifest.

    Parameters
    ----------
    steps : int, optional
        Steps (generator + discriminator update each; default 2000).
    batch_size : int, optional
        Lines per step (default 8).
    lr : float, optional
        Adam learning rate of G and D (default 2e-4).
    seed : int, optional
        Seed of the weights, the batches and the flips (default 0).
    val_every : int, optional
        Score the ``val`` split every this many steps (default 250).
    val_images : int, optional
        Score at most this many ``val`` lines, evenly spaced in file order (default 180).
    checkpoint_every : int, optional
        Checkpoint every this many steps (default 50).
    threads : int, optional
        Torch CPU threads (default 1).
    max_minutes : float, optional
        Stop (with a checkpoint) after this many minutes of this call (0: no limit).
    width : int, optional
        Network width (:class:`~brainfuse.quality.network.CGANConfig`; default 16).
    attention : bool, optional
        Self-attention in the SA-FBs (default True).

    Examples
    --------
    >>> from brainfuse.quality.training import QualityTrainConfig
    >>> QualityTrainConfig(steps=5).network().width
    16
    """

    steps: int = 2000
    batch_size: int = 8
    lr: float = 2e-4
    seed: int = 0
    val_every: int = 250
    val_images: int = 180
    checkpoint_every: int = 50
    threads: int = 1
    max_minutes: float = 0.0
    width: int = 16
    attention: bool = True

    # the learning rate is constant, so ``steps`` only says where to stop: a finished run can
    # be resumed with more steps and ends as one run of that many steps would
    _RUN = ("batch_size", "lr", "seed", "width", "attention")

    def __post_init__(self) -> None:
        whole = ("steps", "batch_size", "val_every", "val_images", "checkpoint_every", "threads")
        for name in (*whole, "width"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(name, f"must be a whole number ≥ 1, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError("seed", f"must be a whole number ≥ 0, got {self.seed!r}")
        if not (isinstance(self.lr, (int, float)) and np.isfinite(self.lr) and self.lr > 0):
            raise InputError("lr", f"must be a positive number, got {self.lr!r}")
        if not (np.isfinite(self.max_minutes) and self.max_minutes >= 0):
            raise InputError("max_minutes", f"must be ≥ 0, got {self.max_minutes!r}")

    def network(self) -> CGANConfig:
        """The architecture.

        Returns
        -------
        config : CGANConfig
        """
        return CGANConfig(width=self.width, attention=self.attention)

    def run_fields(self) -> dict[str, Any]:
        """The fields that change the arithmetic (a resumed run must share them).

        Returns
        -------
        fields : dict
        """
        return {k: getattr(self, k) for k in self._RUN}


def _bytes(obj: Any) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _save(obj: Any, path: Path) -> None:
    data = _bytes(obj)
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _batch(db: MosDatabase, idx: np.ndarray, config: QualityTrainConfig, step: int):
    rng = np.random.default_rng([config.seed, step])
    pick = idx[rng.integers(0, len(idx), config.batch_size)]
    flip = rng.random(config.batch_size) < 0.5

    def stack(x: np.ndarray) -> Any:
        out = x[pick].copy()
        out[flip] = out[flip][:, :, ::-1]
        return torch.from_numpy(np.ascontiguousarray(out))[:, None]

    return stack(db.a), stack(db.b), stack(db.fused), torch.from_numpy(db.mos[pick].copy())


def _evenly(db: MosDatabase, n: int) -> MosDatabase:
    if len(db) <= n:
        return db
    return db.take(np.unique(np.linspace(0, len(db) - 1, n).astype(int)).tolist())


def _evaluate(model: QualityCGAN, db: MosDatabase) -> dict[str, float]:
    from .assess import predict

    scores, _ = predict(model, db.a, db.b, db.fused)
    model.train()
    r = agreement(scores, db.mos)
    return {"srcc": r.srcc, "krcc": r.krcc, "plcc": r.plcc, "rmse": r.rmse}


def _describe(db: MosDatabase) -> dict[str, Any]:
    counts = Counter(db.split)
    origins = Counter(
        (r.get("origin") or "unknown", s) for r, s in zip(db.rows, db.split, strict=True)
    )
    table = Path(db.source)
    digest = hashlib.sha256(table.read_bytes()).hexdigest() if table.is_file() else None
    return {
        "table": table.name,
        "table_sha256": digest,
        "images": dict(sorted(counts.items())),
        "by_origin": {f"{o}/{s}": n for (o, s), n in sorted(origins.items())},
    }


def _plot(history: list[dict[str, float]], validation: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    steps = np.array([h["step"] for h in history])
    win = max(1, len(history) // 40)
    kernel = np.ones(win) / win
    for key in ("adv", "fusion", "ed", "d"):
        y = np.convolve([h[key] for h in history], kernel, mode="valid")
        axes[0].plot(steps[win - 1 :], y, label=key)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("step")
    axes[0].set_title(f"training losses (moving mean over {win} steps)")
    axes[0].legend(fontsize=8)
    if validation:
        axes[1].plot([v["step"] for v in validation], [v["srcc"] for v in validation], "o-")
    axes[1].set_xlabel("step")
    axes[1].set_title("SRCC with the MOS on the val split")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def train_quality(
    db: MosDatabase,
    out: str | Path,
    config: QualityTrainConfig | None = None,
    *,
    resume: bool = False,
    init: str | Path | None = None,
    progress: bool = True,
    log: str | Path | None = None,
) -> dict[str, Any]:
    """Train on the ``train`` lines of ``db``; write ``out`` (weights) and its manifest.

    Parameters
    ----------
    db : MosDatabase
        From :func:`~brainfuse.quality.database.load_database`; needs ``train`` lines, and uses
        its ``val`` lines (if any) to select the checkpoint (else the last step is kept).
    out : str or pathlib.Path
        ``W.pt``: the weights of the encoders and G; ``W.json`` the manifest, ``W.loss.png``
        the curves, ``W.pt.ckpt`` the checkpoint.
    config : QualityTrainConfig, optional
        The settings (default :class:`QualityTrainConfig`).
    resume : bool, optional
        Continue from ``W.pt.ckpt``.
    init : str or pathlib.Path, optional
        Weights to start from (fine-tuning, e.g. the shipped ones on a site's real MOS); the
        manifest records their SHA-256.
    progress : bool, optional
        Show a progress bar.
    log : str or pathlib.Path, optional
        A text file that receives one line per validation and at the end.

    Returns
    -------
    manifest : dict

    Raises
    ------
    InputError
        For a database without ``train`` lines or a checkpoint that does not fit.
    """
    config = config or QualityTrainConfig()
    out = Path(out)
    train_idx = np.array([i for i, s in enumerate(db.split) if s == "train"])
    if train_idx.size == 0:
        raise InputError(db.source or None, "no lines of split 'train' to train on")
    val = _evenly(db.subset("val"), config.val_images) if "val" in db.split else None
    ckpt = out.with_name(out.name + ".ckpt")
    state = None
    if resume:
        if not ckpt.is_file():
            raise InputError(ckpt, "no checkpoint to resume from")
        from ..models.train import load_torch_dict

        state = load_torch_dict(ckpt, "checkpoint of brainfuse quality train")
        written = state.get("config")
        if not isinstance(written, dict) or any(
            written.get(k) != v for k, v in config.run_fields().items()
        ):
            raise InputError(ckpt, f"checkpoint was written with {written}")
        if not isinstance(state.get("step"), int) or state["step"] > config.steps:
            raise InputError(ckpt, f"checkpoint is at step {state.get('step')}, past --steps")
    previous = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _run(db, out, config, train_idx, val, ckpt, state, init, progress, log)
    finally:
        torch.set_num_threads(previous)


def _run(db, out, config, train_idx, val, ckpt, state, init, progress, log) -> dict[str, Any]:
    from tqdm.auto import tqdm

    from ..models.train import load_torch_dict, sha256_file

    t0 = time.perf_counter()
    torch.manual_seed(config.seed)
    model = QualityCGAN(config.network())
    start_model = "random initialisation (torch.manual_seed(seed))"
    if init:
        weights = load_torch_dict(init, "state_dict")
        missing, unexpected = model.load_state_dict(weights, strict=False)
        if unexpected or any(not k.startswith("discriminator.") for k in missing):
            raise InputError(init, "weights do not fit this quality model")
        start_model = f"sha256:{sha256_file(init)}"
    start_hash = hashlib.sha256(_bytes(model.state_dict())).hexdigest()
    opt_g = torch.optim.Adam(model.generator_parameters(), lr=config.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(model.discriminator.parameters(), lr=config.lr, betas=(0.5, 0.999))
    history: list[dict[str, float]] = []
    validation: list[dict[str, float]] = []
    best: dict[str, Any] = {"step": 0, "srcc": -2.0, "model": None}
    step = 0
    if state is not None:
        model.load_state_dict(state["model"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        step, history, validation, best = (
            state["step"],
            state["history"],
            state["validation"],
            state["best"],
        )
    model.train()
    logfile = open(log, "a", encoding="utf-8") if log else None

    def say(text: str) -> None:
        if logfile:
            logfile.write(text + "\n")
            logfile.flush()

    def checkpoint() -> None:
        _save(
            {
                "config": config.run_fields(),
                "model": model.state_dict(),
                "opt_g": opt_g.state_dict(),
                "opt_d": opt_d.state_dict(),
                "step": step,
                "history": history,
                "validation": validation,
                "best": best,
            },
            ckpt,
        )

    def validate() -> None:
        nonlocal best
        if val is None or len(val) < 3:
            return
        r = _evaluate(model, val)
        validation.append({"step": float(step), **r})
        say(f"step {step}: val SRCC {r['srcc']:.4f} KRCC {r['krcc']:.4f} RMSE {r['rmse']:.4f}")
        if r["srcc"] > best["srcc"]:
            best = {"step": step, "srcc": r["srcc"], "model": _generator_state(model)}

    bar = tqdm(
        total=config.steps, initial=step, disable=not progress, desc="quality", mininterval=2
    )
    say(f"training {len(train_idx)} images, {config.steps} steps, from step {step}")
    start = step
    try:
        while step < config.steps:
            if config.max_minutes and time.perf_counter() - t0 > 60 * config.max_minutes:
                break
            a, b, fused, mos = _batch(db, train_idx, config, step)
            loss_g, terms, fake = generator_losses(model, a, b, fused, mos)
            if not torch.isfinite(loss_g.detach()):
                raise InputError(None, f"the generator loss is {float(loss_g)} at step {step}")
            opt_g.zero_grad(set_to_none=True)
            loss_g.backward()
            opt_g.step()
            loss_d = discriminator_loss(model, a, b, fused, fake, mos)
            opt_d.zero_grad(set_to_none=True)
            loss_d.backward()
            opt_d.step()
            step += 1
            history.append(
                {
                    "step": float(step),
                    **{k: float(v) for k, v in terms.items()},
                    "d": float(loss_d.detach()),
                }
            )
            if step % config.val_every == 0 or step == config.steps:
                validate()
            if step % config.checkpoint_every == 0:
                checkpoint()
            bar.update(1)
            if step % 20 == 0:
                h = history[-20:]
                say_line = f"step {step}: L1 {np.mean([x['fusion'] for x in h]):.4f}"
                bar.set_postfix_str(say_line)
                if step % 100 == 0:
                    say(say_line + f" ED {np.mean([x['ed'] for x in h]):.4f}")
    except BaseException:
        if step > start:
            checkpoint()
        if logfile:
            logfile.close()
        raise
    finally:
        bar.close()
    checkpoint()
    if best["model"] is None:
        # no validation split: the last weights are written
        final_state, chosen = _generator_state(model), step
    else:
        final_state, chosen = best["model"], best["step"]
    _save(final_state, out)
    if history:
        _plot(history, validation, out.with_name(out.name.removesuffix(".pt") + ".loss.png"))
    tail = history[-max(1, len(history) // 20) :]
    manifest: dict[str, Any] = {
        "model": "tang-cgan",
        "reference": "Tang et al., Medical image fusion quality assessment based on conditional "
        "generative adversarial network, Frontiers in Neuroscience 2022",
        "params": asdict(config.network()),
        "data": _describe(db),
        "split": "train lines train; val lines select the checkpoint; test lines are never used",
        "config": asdict(config),
        "seed": config.seed,
        "start_model": start_model,
        "start_weights_sha256": start_hash,
        "steps_done": step,
        "epochs": round(step * config.batch_size / len(train_idx), 3),
        "chosen_step": chosen,
        "final_train_losses": {
            k: float(np.mean([h[k] for h in tail])) for k in ("adv", "fusion", "ed", "d")
        }
        if history
        else {},
        "validation": validation,
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "weights": out.name,
        "sha256": sha256_file(out),
    }
    with atomic_path(out.with_name(out.name.removesuffix(".pt") + ".json")) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    say(f"done: {step} steps, chosen step {chosen}, {time.perf_counter() - t0:.0f} s")
    if logfile:
        logfile.close()
    return manifest


def _generator_state(model: QualityCGAN) -> dict[str, Any]:
    return {
        k: v.detach().clone()
        for k, v in model.state_dict().items()
        if not k.startswith("discriminator.")
    }
