"""One unsupervised trainer for every fusion network of BrainFuse.

A network is trained from three things: a zero-argument ``build`` that returns the
``torch.nn.Module``, an ``objective(model, a, b) -> {"loss": total, name: term, ...}`` that runs
the model on a batch of registered patches and returns the scalar to minimise under ``"loss"``
(other entries are logged), and a :class:`~brainfuse.models.data.PatchSampler` of training
patches (plus optionally one of validation patches). The objective receives the model rather
than its output so that networks with several outputs (self- and cross-reconstructions,
decomposition branches) fit the same loop.

What :func:`train` guarantees:

- **seeded**: the initial weights come from ``torch.manual_seed(config.seed)`` before ``build``;
  batch ``k`` depends only on the sampler's seed and ``k``; same data, seed and thread count →
  the same weights, bit for bit;
- **reproducible files**: same data, parameters, configuration and thread count on the same
  machine → the same bytes in every file written (``W.pt``, ``W.json``, ``W.loss.png``,
  ``W.pt.ckpt``), wherever they are written. No wall-clock time goes into a file (the time a
  run took is :attr:`TrainResult.seconds`), and the PyTorch archives are written without the
  (temporary) file name that ``torch.save`` would otherwise store in them;
- **resumable**: every ``checkpoint_every`` steps, on Ctrl-C or any error after the first
  completed step, and when ``max_minutes`` runs out, the model, optimiser, step and loss history
  are written atomically to ``W.pt.ckpt``; ``resume=True`` continues from it and ends with the
  same weights as an uninterrupted run. ``max_minutes`` limits each call, so a resumed run has
  its own budget;
- **checked**: :class:`TrainConfig` refuses values that cannot train (no steps, an empty batch,
  a learning rate that is not a positive number, ...) with an :class:`InputError` naming the
  field, and nothing is written before the configuration, the samplers and the checkpoint to
  resume from have been checked;
- **visible**: a tqdm progress bar with the running loss, and at the end ``W.pt`` (the
  ``state_dict``), ``W.json`` (the manifest: model, parameters, data, split,
  steps, epochs, seed, final losses, sha256 of the weights) and ``W.loss.png``
  (loss curves).

Optimiser: Adam with learning rate ``lr`` decayed along a half cosine to ``lr · lr_final`` at
the last step (or, with ``lr_step_epochs > 0``, multiplied by ``lr_step_gamma`` every
``lr_step_epochs`` epochs, as papers that give a step schedule do), gradients clipped to a
global norm of ``clip_grad``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import numbers
import platform
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from ..errors import BrainFuseError, InputError
from ..io.atomic import atomic_path
from ..registry import Entry, Parameter, ParamSpec, param
from .data import PatchSampler

__all__ = [
    "MAX_BATCH_PIXELS",
    "MIN_PATCH",
    "ModelSpec",
    "Objective",
    "TrainConfig",
    "TrainResult",
    "TrainingDiverged",
    "load_torch_dict",
    "sha256_file",
    "train",
]

#: ``objective(model, a, b)`` → ``{"loss": total, "term": value, ...}`` (scalar tensors).
Objective = Callable[[nn.Module, Tensor, Tensor], Mapping[str, Tensor]]


class TrainingDiverged(BrainFuseError):
    """The loss became NaN or infinite during :func:`train` (the last checkpoint is kept).

    Attributes
    ----------
    problem : str
        What happened, with the step.
    """


#: Smallest patch side: every objective of BrainFuse uses SSIM with an 11×11 window.
MIN_PATCH = 11

#: Largest batch (``batch_size · patch²`` pixels of each input) :class:`TrainConfig` accepts.
MAX_BATCH_PIXELS = 1 << 22


def _whole(name: str, value: Any, low: int, high: int | None = None) -> None:
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"≥ {low}"
        raise InputError(name, f"must be a whole number {bound}, got {value!r}")


def _real(name: str, value: Any, *, positive: bool, allow_inf: bool = False) -> None:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        x = float(value)
        ok = not math.isnan(x) and (allow_inf or math.isfinite(x))
        ok = ok and (x > 0 if positive else x >= 0)
    if not ok:
        kind = "a positive" if positive else "a non-negative"
        finite = "" if allow_inf else " finite"
        raise InputError(name, f"must be {kind}{finite} number, got {value!r}")


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run, all recorded in the manifest.

    Every value is checked when the object is made.

    Parameters
    ----------
    steps : int, optional
        Optimiser steps, ≥ 1 (default 3000).
    batch_size : int, optional
        Patches per step, ≥ 1 (default 16).
    patch : int, optional
        Patch side in pixels, ≥ :data:`MIN_PATCH` (default 64); ``batch_size · patch²`` at most
        :data:`MAX_BATCH_PIXELS`.
    lr : float, optional
        Initial learning rate of Adam, > 0 (default 1e-3).
    lr_final : float, optional
        Final learning rate as a fraction of ``lr`` at the end of the half-cosine schedule, ≥ 0
        (default 0.1).
    lr_step_epochs : float, optional
        If > 0, a step schedule instead: ``lr`` times ``lr_step_gamma`` every this many epochs
        (default 0: the cosine schedule).
    lr_step_gamma : float, optional
        The factor of the step schedule, > 0 (default 1).
    clip_grad : float, optional
        Gradient norm clipping, > 0 (``inf``: none; default 1).
    seed : int, optional
        Seed of the weights and the patches, 0 to 2⁶³ − 1 (default 0).
    val_every : int, optional
        Validate every this many steps, ≥ 1 (default 100).
    val_batches : int, optional
        Fixed validation batches, ≥ 1 (default 8).
    checkpoint_every : int, optional
        Write a checkpoint every this many steps, ≥ 1 (default 100).
    threads : int, optional
        Torch CPU threads, ≥ 1 (default 2).
    max_minutes : float, optional
        Stop (and save) after this many minutes of this run, ≥ 0 (default 0: no limit).

    Raises
    ------
    InputError
        Naming the field whose value is out of range or of the wrong type.

    Examples
    --------
    >>> from brainfuse.models.train import TrainConfig
    >>> TrainConfig(steps=10).run_fields()["steps"]
    10
    """

    steps: int = 3000
    batch_size: int = 16
    patch: int = 64
    lr: float = 1e-3
    lr_final: float = 0.1
    lr_step_epochs: float = 0.0
    lr_step_gamma: float = 1.0
    clip_grad: float = 1.0
    seed: int = 0
    val_every: int = 100
    val_batches: int = 8
    checkpoint_every: int = 100
    threads: int = 2
    max_minutes: float = 0.0

    # fields that change the arithmetic of a run: a resumed run must share them
    _RUN_FIELDS = (
        "steps",
        "batch_size",
        "patch",
        "lr",
        "lr_final",
        "lr_step_epochs",
        "lr_step_gamma",
        "clip_grad",
        "seed",
    )

    def __post_init__(self) -> None:
        # an InputError names the field; `brainfuse train` reports it under its option
        _whole("steps", self.steps, 1)
        _whole("batch_size", self.batch_size, 1)
        _whole("patch", self.patch, MIN_PATCH)
        if self.batch_size * self.patch**2 > MAX_BATCH_PIXELS:
            raise InputError(
                "batch_size",
                f"{self.batch_size} patches of {self.patch}x{self.patch} are "
                f"{self.batch_size * self.patch**2} pixels per batch; at most "
                f"{MAX_BATCH_PIXELS} are allowed",
            )
        _real("lr", self.lr, positive=True)
        _real("lr_final", self.lr_final, positive=False)
        _real("lr_step_epochs", self.lr_step_epochs, positive=False)
        _real("lr_step_gamma", self.lr_step_gamma, positive=True)
        _real("clip_grad", self.clip_grad, positive=True, allow_inf=True)
        _whole("seed", self.seed, 0, 2**63 - 1)
        _whole("val_every", self.val_every, 1)
        _whole("val_batches", self.val_batches, 1)
        _whole("checkpoint_every", self.checkpoint_every, 1)
        _whole("threads", self.threads, 1)
        _real("max_minutes", self.max_minutes, positive=False)

    def run_fields(self) -> dict[str, Any]:
        """The settings that change the arithmetic of a run; a resumed run must share them.

        Returns
        -------
        fields : dict
            ``steps``, ``batch_size``, ``patch``, ``lr``, ``lr_final``, ``lr_step_epochs``,
            ``lr_step_gamma``, ``clip_grad`` and ``seed``.
        """
        return {k: getattr(self, k) for k in self._RUN_FIELDS}


@dataclass
class TrainResult:
    """What :func:`train` wrote and measured.

    Parameters
    ----------
    weights : pathlib.Path
        The weights file.
    manifest : dict
        Its manifest.
    history : list of dict
        The training losses per step.
    validation : list of dict
        The validation losses.
    seconds : float, optional
        Wall time of the call, kept out of the files (which depend only on data, parameters,
        configuration and machine).
    """

    weights: Path
    manifest: dict[str, Any]
    history: list[dict[str, float]] = field(repr=False)
    validation: list[dict[str, float]] = field(repr=False)
    seconds: float = 0.0


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes.

    Parameters
    ----------
    path : str or pathlib.Path
        The file.

    Returns
    -------
    digest : str

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.models.train import sha256_file
    >>> path = Path(tempfile.mkdtemp()) / "empty"
    >>> path.touch()
    >>> sha256_file(path)[:16]
    'e3b0c44298fc1c14'
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _learning_rate(config: TrainConfig, step: int, epoch: float) -> float:
    if config.lr_step_epochs > 0:
        return config.lr * config.lr_step_gamma ** math.floor(epoch / config.lr_step_epochs)
    t = min(step / max(config.steps - 1, 1), 1.0)
    return config.lr * (config.lr_final + (1 - config.lr_final) * 0.5 * (1 + math.cos(math.pi * t)))


def _floats(terms: Mapping[str, Tensor]) -> dict[str, float]:
    return {k: float(v.detach()) for k, v in terms.items()}


def _validate(
    model: nn.Module, objective: Objective, batches: list[tuple[Tensor, Tensor]]
) -> dict[str, float]:
    model.eval()
    sums: dict[str, float] = {}
    with torch.no_grad():
        for a, b in batches:
            for k, v in _floats(objective(model, a, b)).items():
                sums[k] = sums.get(k, 0.0) + v
    model.train()
    return {k: v / len(batches) for k, v in sums.items()}


def _save_torch(obj: Any, path: Path) -> None:
    # torch.save to a file names the archive's inner folder after that file (here a random
    # temporary name); to a buffer the folder is always "archive", so the bytes depend on obj only
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())


_CHECKPOINT_KEYS = {
    "config": dict,
    "model": dict,
    "optimiser": dict,
    "step": int,
    "history": list,
    "validation": list,
}


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def load_torch_dict(path: str | Path, what: str) -> dict[str, Any]:
    """The dict saved in the PyTorch file ``path`` (tensors and plain Python values only).

    Parameters
    ----------
    path : str or pathlib.Path
        The file.
    what : str
        What it should be, for the error message (``"checkpoint"``, ``"state_dict"`` ...).

    Returns
    -------
    obj : dict

    Raises
    ------
    InputError
        "not a ``what``" when the file cannot be read that way or holds something other than a
        dict.
    """
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InputError(path, f"not a {what} ({_first_line(exc)})") from None
    if not isinstance(state, dict):
        raise InputError(path, f"not a {what}")
    return state


def _read_checkpoint(path: Path, config: TrainConfig) -> dict[str, Any]:
    """The checkpoint at ``path``, checked to be one of this trainer written with ``config``."""
    if not path.is_file():
        raise InputError(path, "no checkpoint to resume from")
    state = load_torch_dict(path, "checkpoint of brainfuse train")
    for key, kind in _CHECKPOINT_KEYS.items():
        if not isinstance(state.get(key), kind):
            raise InputError(path, f"not a checkpoint of brainfuse train (no valid '{key}')")
    # fields added after a checkpoint was written take their defaults
    if {**TrainConfig().run_fields(), **state["config"]} != config.run_fields():
        raise InputError(
            path, f"checkpoint was written with {state['config']}, not {config.run_fields()}"
        )
    if not 0 <= state["step"] <= config.steps:
        raise InputError(path, f"checkpoint step {state['step']} outside 0..{config.steps}")
    return state


def _plot(history: list[dict[str, float]], validation: list[dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = np.array([h["step"] for h in history])
    terms = [k for k in history[0] if k != "step"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    win = max(1, len(history) // 50)
    kernel = np.ones(win) / win
    for k in terms:
        y = np.array([h[k] for h in history])
        smooth = np.convolve(y, kernel, mode="valid")
        axes[0 if k == "loss" else 1].plot(steps[win - 1 :], smooth, label=f"train {k}")
    for k in terms:
        if validation and k in validation[0]:
            vs = [v["step"] for v in validation]
            axes[0 if k == "loss" else 1].plot(
                vs, [v[k] for v in validation], "o--", ms=3, label=f"val {k}"
            )
    axes[0].set_title(f"total loss (train: moving mean over {win} steps)")
    axes[1].set_title("loss terms")
    for ax in axes:
        ax.set_xlabel("step")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=7)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


def _final(history: list[dict[str, float]], steps: int) -> dict[str, float]:
    tail = history[-max(1, min(len(history), steps // 20)) :]
    keys = [k for k in tail[0] if k != "step"]
    return {k: float(np.mean([h[k] for h in tail])) for k in keys}


def train(
    build: Callable[[], nn.Module],
    objective: Objective,
    data: PatchSampler,
    config: TrainConfig,
    out: str | Path,
    *,
    val_data: PatchSampler | None = None,
    name: str = "model",
    params: Mapping[str, Any] | None = None,
    resume: bool = False,
    progress: bool = True,
) -> TrainResult:
    """Train ``build()`` by minimising ``objective`` on patches of ``data``; write ``out``.

    Parameters
    ----------
    build : callable
        Zero-argument callable returning a fresh ``nn.Module`` (called after seeding).
    objective : callable
        ``objective(model, a, b)`` → mapping with the scalar ``"loss"`` to minimise and any other
        scalar terms to log; ``a`` and ``b`` are ``(N, 1, P, P)`` batches on 0..1.
    data, val_data : PatchSampler
        Training patches, and optional validation patches (``config.val_batches`` fixed batches
        evaluated every ``config.val_every`` steps with the model in eval mode).
    config : TrainConfig
        :class:`TrainConfig`; its ``batch_size`` and ``patch`` must match the samplers'.
    out : str or pathlib.Path
        Weights file ``W.pt``; the manifest is ``W.json``, the curves ``W.loss.png``, the
        checkpoint ``W.pt.ckpt``.
    name : str, optional
        Model name, for the manifest (default ``"model"``).
    params : mapping, optional
        The parameters ``build`` and ``objective`` were made with, for the manifest.
    resume : bool, optional
        Continue from ``<out>.ckpt`` (an :class:`InputError` if it is missing, unreadable, of
        another network or was written with other run parameters).
    progress : bool, optional
        Show a progress bar.

    Returns
    -------
    result : TrainResult
        The weights path, the manifest, the loss history and the wall time of the call.

    Raises
    ------
    InputError
        For samplers that do not match ``config`` or a checkpoint that cannot be resumed (before
        any file is written).
    TrainingDiverged
        When the loss becomes NaN or infinite (the last checkpoint is kept).
    """
    out = Path(out)
    for sampler in (data, val_data):
        if sampler is not None and (
            sampler.batch_size != config.batch_size or sampler.patch != config.patch
        ):
            raise InputError(None, "sampler batch size / patch differ from the training config")
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _train(build, objective, data, config, out, val_data, name, params, resume, progress)
    finally:
        torch.set_num_threads(previous_threads)


def _train(
    build: Callable[[], nn.Module],
    objective: Objective,
    data: PatchSampler,
    config: TrainConfig,
    out: Path,
    val_data: PatchSampler | None,
    name: str,
    params: Mapping[str, Any] | None,
    resume: bool,
    progress: bool,
) -> TrainResult:
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    ckpt_path = out.with_name(out.name + ".ckpt")
    state = _read_checkpoint(ckpt_path, config) if resume else None
    torch.manual_seed(config.seed)
    try:
        model = build()
    except InputError:
        raise
    except Exception as exc:  # e.g. a width of 0 or heads that do not divide the width
        shown = ", ".join(f"{k}={v}" for k, v in (params or {}).items())
        raise InputError(
            None, f"{name}: no network with parameters {shown} ({_first_line(exc)})"
        ) from None
    model.train()
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    history: list[dict[str, float]] = []
    validation: list[dict[str, float]] = []
    start = 0
    if state is not None:
        try:
            model.load_state_dict(state["model"])
            optimiser.load_state_dict(state["optimiser"])
        except (RuntimeError, ValueError, KeyError, TypeError) as exc:
            raise InputError(
                ckpt_path, f"checkpoint does not fit this network ({_first_line(exc)})"
            ) from None
        start, history, validation = state["step"], state["history"], state["validation"]
    val_batches = val_data.fixed_batches(config.val_batches) if val_data is not None else []

    def checkpoint(step: int) -> None:
        _save_torch(
            {
                "config": config.run_fields(),
                "model": model.state_dict(),
                "optimiser": optimiser.state_dict(),
                "step": step,
                "history": history,
                "validation": validation,
            },
            ckpt_path,
        )

    step = start
    bar = tqdm(
        total=config.steps,
        initial=start,
        disable=True if not progress else None,
        desc=name,
        mininterval=2.0,
    )
    try:
        while step < config.steps:
            if config.max_minutes and time.perf_counter() - t0 > 60 * config.max_minutes:
                break
            for group in optimiser.param_groups:
                group["lr"] = _learning_rate(config, step, data.epochs(step))
            a, b = data.batch(step)
            terms = objective(model, a, b)
            loss = terms["loss"]
            if not torch.isfinite(loss.detach()):
                kept = f" (last checkpoint: {ckpt_path})" if step > start else ""
                raise TrainingDiverged(
                    f"{name}: loss is {loss.detach().item()} at step {step}; lower the "
                    f"learning rate{kept}"
                )
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip_grad)
            optimiser.step()
            step += 1
            history.append({"step": float(step), **_floats(terms)})
            if val_batches and step % config.val_every == 0:
                validation.append({"step": float(step), **_validate(model, objective, val_batches)})
            if step % config.checkpoint_every == 0:
                checkpoint(step)
            bar.update(1)
            if step % 10 == 0:
                bar.set_postfix(loss=f"{np.mean([h['loss'] for h in history[-10:]]):.4f}")
    except BaseException:
        # Ctrl-C, divergence or any crash: keep the last completed step for --resume (nothing
        # is written when no step was completed: the run can simply start again)
        if step > start:
            checkpoint(step)
        raise
    finally:
        bar.close()
    if val_batches and step > 0 and (not validation or validation[-1]["step"] != step):
        # the final weights are always validated, also when max_minutes stopped the run
        validation.append({"step": float(step), **_validate(model, objective, val_batches)})
    checkpoint(step)
    model.eval()
    _save_torch(model.state_dict(), out)
    if history:
        _plot(history, validation, out.with_name(out.name.removesuffix(".pt") + ".loss.png"))
    manifest: dict[str, Any] = {
        "model": name,
        "params": dict(params or {}),
        "data": data.pairs.description,
        "val_data": val_data.pairs.description if val_data is not None else None,
        "config": asdict(config),
        "steps_done": step,
        "epochs": round(data.epochs(step), 3),
        "final_train_losses": _final(history, config.steps) if history else {},
        "final_val_losses": validation[-1] if validation else {},
        "best_val_loss": min((v["loss"] for v in validation), default=None),
        "torch": torch.__version__,
        "machine": f"{platform.machine()} {platform.system()}",
        "weights": out.name,
        "sha256": sha256_file(out),
    }
    manifest_path = out.with_name(out.name.removesuffix(".pt") + ".json")
    with atomic_path(manifest_path) as tmp:
        tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    return TrainResult(out, manifest, history, validation, time.perf_counter() - t0)


@dataclass(frozen=True)
class ModelSpec:
    """A trainable network as ``brainfuse train`` sees it.

    Parameters
    ----------
    name : str
        The network's name.
    make : callable
        ``make(**params)`` returns ``(build, objective)`` for :func:`train`.
    params : mapping
        Each parameter name to ``(default, description)``, the description a string or
        :func:`brainfuse.registry.param` with the allowed values (by default an int is a size or a
        count, ≥ 1, and a float a loss weight, ≥ 0).
    config : TrainConfig
        The training settings the shipped weights were made with.
    reference : str
        The paper.
    pairsets : tuple of str, optional
        The pair sets trained on (default all three).
    files : tuple of str, optional
        The parameters that name an input file (weights to start from, a VGG-19 checkpoint;
        ``''`` for none), which the manifest records by their SHA-256.

    Examples
    --------
    >>> from brainfuse.models import get_spec
    >>> get_spec("funfusean").pairsets
    ('CT-MRI', 'PET-MRI', 'SPECT-MRI')
    """

    name: str
    make: Callable[..., tuple[Callable[[], nn.Module], Objective]]
    params: Mapping[str, tuple[Any, str | ParamSpec]]
    config: TrainConfig
    reference: str
    pairsets: tuple[str, ...] = ("CT-MRI", "PET-MRI", "SPECT-MRI")
    files: tuple[str, ...] = ()

    @property
    def entry(self) -> Entry:
        """The model in the one registry shape (:class:`brainfuse.registry.Entry`): its
        parameters with their allowed values, for listings and :meth:`bind`."""
        parameters = []
        for key, (default, spec) in self.params.items():
            if isinstance(spec, str):
                low = 1 if type(default) is int else 0 if type(default) is float else None
                spec = param(spec, minimum=low)
            parameters.append(Parameter(key, default, type(default), *spec))
        lines = (self.make.__doc__ or "").strip().splitlines()
        return Entry(
            name=self.name,
            kind="trainable model",
            family="learned",
            func=self.make,
            summary=lines[0] if lines else "",
            reference=self.reference,
            params=tuple(parameters),
            capabilities=frozenset({"learned"}),
            extra="learned",
        )

    def bind(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated with ``values``, converted and checked as every registry does.

        Parameters
        ----------
        values : mapping, optional
            Parameter values (or text, as from the command line).

        Returns
        -------
        bound : dict
            Every parameter with its value.

        Raises
        ------
        InputError
            For an unknown name or a value out of its allowed range (see
            :meth:`brainfuse.registry.Entry.bind`).

        Examples
        --------
        >>> from brainfuse.models import get_spec
        >>> get_spec("funfusean").bind({"lam": "0.5"})["lam"]
        0.5
        """
        return self.entry.bind(values)

    def input_files(self, bound: Mapping[str, Any]) -> dict[str, Path]:
        """The files named by the parameters ``bound`` (only those of :attr:`files` that are set).

        Parameters
        ----------
        bound : mapping
            Bound parameters (:meth:`bind`).

        Returns
        -------
        files : dict of str to pathlib.Path

        Raises
        ------
        InputError
            For a named file that does not exist.
        """
        found = {}
        for key in self.files:
            value = bound.get(key)
            if not value:
                continue
            path = Path(str(value))
            if not path.is_file():
                raise InputError(path, f"file of parameter '{key}' not found")
            found[key] = path
        return found

    def recorded_params(self, bound: Mapping[str, Any]) -> dict[str, Any]:
        """``bound`` as the manifest records it: each input file as ``"sha256:<hex>"`` of its bytes.

        So the manifest names the start model wherever it lies.

        Parameters
        ----------
        bound : mapping
            Bound parameters (:meth:`bind`).

        Returns
        -------
        recorded : dict
        """
        files = self.input_files(bound)
        return {k: f"sha256:{sha256_file(files[k])}" if k in files else v for k, v in bound.items()}
