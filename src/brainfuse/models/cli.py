"""``brainfuse train``: train a fusion network on registered pairs of a split.

Every argument is checked before the first file is written: a bad option, data folder,
``split.csv``, parameter, output path or checkpoint ends in one line naming it and the problem,
and no weights, checkpoint, manifest or curve appears.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InputError

__all__ = ["train_command"]

#: ``TrainConfig`` field → the option of ``brainfuse train`` that sets it.
_OPTIONS = {
    "steps": "--steps",
    "batch_size": "--batch-size",
    "patch": "--patch",
    "lr": "--lr",
    "seed": "--seed",
    "threads": "--threads",
    "max_minutes": "--max-minutes",
}


class _Number(click.ParamType):
    """An int or float option whose bad value is an :class:`InputError` naming the option (one
    line from ``brainfuse.cli.main``, not click's usage message)."""

    def __init__(self, kind: type[int] | type[float]) -> None:
        self.kind = kind
        self.name = "integer" if kind is int else "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, self.kind) and not isinstance(value, bool):
            return value
        try:
            return self.kind(str(value).strip())
        except ValueError:
            option = max(param.opts, key=len) if param is not None else None
            what = "a whole number" if self.kind is int else "a number"
            raise InputError(option, f"must be {what}, got {value!r}") from None


INT, FLOAT = _Number(int), _Number(float)


@click.command("train")
@click.argument("model", required=False)
@click.option(
    "--data",
    "data_dir",
    default=None,
    type=click.Path(path_type=Path),
    help="Folder of registered pairs with split.csv (harvard-aanlib layout). Required.",
)
@click.option("--split", default="train", show_default=True, help="Split to train on.")
@click.option(
    "--val-split", default="val", show_default=True, help="Split to validate on ('' for none)."
)
@click.option(
    "--out",
    default=None,
    type=click.Path(path_type=Path),
    help="Weights file to write (.pt); its folder must exist. Required.",
)
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Model/loss parameter."
)
@click.option("--pairsets", default=None, help="Comma-separated pair sets (default: the model's).")
@click.option("--steps", type=INT, default=None, help="Optimiser steps, ≥ 1 (default: model's).")
@click.option("--batch-size", type=INT, default=None, help="Patches per step, ≥ 1.")
@click.option("--patch", type=INT, default=None, help="Patch side in pixels, ≥ 11.")
@click.option("--lr", type=FLOAT, default=None, help="Initial learning rate (Adam), > 0.")
@click.option("--seed", type=INT, default=None, help="Seed of weights and patches, ≥ 0.")
@click.option("--threads", type=INT, default=None, help="Torch CPU threads, ≥ 1.")
@click.option(
    "--max-minutes",
    type=FLOAT,
    default=None,
    help="Stop (and save) after this many minutes of this run (0: no limit).",
)
@click.option("--resume", is_flag=True, help="Continue from OUT.ckpt.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def train_command(
    model: str | None,
    data_dir: Path | None,
    split: str,
    val_split: str,
    out: Path | None,
    params: tuple[str, ...],
    pairsets: str | None,
    steps: int | None,
    batch_size: int | None,
    patch: int | None,
    lr: float | None,
    seed: int | None,
    threads: int | None,
    max_minutes: float | None,
    resume: bool,
    quiet: bool,
) -> None:
    """Train fusion network MODEL without supervision on the SPLIT pairs of --data.

    Writes OUT (weights), OUT's .json manifest, its .loss.png curves and OUT.ckpt (for
    --resume). The same data, options and thread count give the same bytes in every file.
    Without MODEL, or with an unknown -p KEY, the error lists the valid choices. Example:

    \b
    brainfuse train funfusean --data harvard-aanlib --out funfusean.pt
    \f

    The text above is the command's help; what follows documents the function that
    ``brainfuse train`` calls with its parsed arguments (click stops the help at the form
    feed). It is a thin shell over :func:`brainfuse.models.plan.plan_training`.

    Parameters
    ----------
    model : str or None
        The network (MODEL); None lists the trainable ones in the error.
    data_dir : pathlib.Path or None
        The folder of registered pairs with ``split.csv`` (``--data``).
    split : str
        The split to train on (``--split``).
    val_split : str
        The split to validate on (``--val-split``; ``""`` for none).
    out : pathlib.Path or None
        The weights file to write (``--out``).
    params : tuple of str
        ``KEY=VALUE`` parameters of the model and its loss (``-p``).
    pairsets : str or None
        Comma-separated pair sets (``--pairsets``; default the model's).
    steps, batch_size, patch, seed, threads : int or None
        Training settings (``--steps``, ``--batch-size``, ``--patch``, ``--seed``,
        ``--threads``); None keeps the model's.
    lr, max_minutes : float or None
        Initial learning rate and time limit (``--lr``, ``--max-minutes``).
    resume : bool
        Continue from ``OUT.ckpt`` (``--resume``).
    quiet : bool
        No progress bar (``--quiet``).

    Raises
    ------
    InputError
        Naming the option, parameter, file or folder that is wrong, before any file is
        written.
    """
    from ..clikit import parse_params
    from . import TRAINABLE, get_spec
    from .plan import plan_training

    if not model:
        raise InputError("MODEL", f"missing; trainable: {', '.join(sorted(TRAINABLE))}")
    get_spec(model)
    if data_dir is None:
        raise InputError("--data", "missing: give the folder of registered pairs")
    if out is None:
        raise InputError("--out", "missing: give the weights file to write (.pt)")
    settings = {
        "steps": steps,
        "batch_size": batch_size,
        "patch": patch,
        "lr": lr,
        "seed": seed,
        "threads": threads,
        "max_minutes": max_minutes,
    }
    try:
        plan = plan_training(
            model,
            data_dir,
            out,
            split=split,
            val_split=val_split,
            params=parse_params(params),
            pairsets=None if pairsets is None else tuple(s.strip() for s in pairsets.split(",")),
            **{k: v for k, v in settings.items() if v is not None},
        )
    except InputError as exc:  # a training setting is named by its option
        if exc.source not in _OPTIONS:
            raise
        raise InputError(_OPTIONS[exc.source], exc.problem) from None
    click.echo(plan.describe())
    result = plan.run(resume=resume, progress=not quiet)
    m = result.manifest
    losses = ", ".join(f"{k} {v:.4f}" for k, v in m["final_train_losses"].items())
    click.echo(
        f"wrote {out} after {m['steps_done']} steps ({m['epochs']} epochs, "
        f"{result.seconds:.0f} s); final train {losses}"
    )
