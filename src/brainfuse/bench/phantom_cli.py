"""The ``--phantom`` options of ``brainfuse bench`` (a thin shell over
:func:`brainfuse.bench.phantom.run_phantom_bench`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import InputError

__all__ = ["phantom_options", "run_phantom_command"]

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS = (
    click.option(
        "--phantom",
        is_flag=True,
        help="Benchmark on phantom cases with known truth (task-based ranking; no --pairs).",
    ),
    click.option(
        "--cases",
        type=int,
        default=24,
        show_default=True,
        help="Phantom: lesion-present/absent case pairs per task (hot, cold).",
    ),
    click.option("--seed", type=int, default=0, show_default=True, help="Phantom: the seed."),
    click.option(
        "--ndim", type=click.Choice(["2", "3"]), default="2", show_default=True, help="Phantom."
    ),
    click.option(
        "--modalities", default="pet", show_default=True, help="Phantom: pet, spect, ct (comma)."
    ),
    click.option(
        "--counts", default="medium", show_default=True, help="Phantom: low, medium, high."
    ),
    click.option(
        "--metric-cases",
        type=int,
        default=6,
        show_default=True,
        help="Phantom: cases per task scored by every metric of every profile.",
    ),
    click.option("--grey-only", is_flag=True, help="Phantom: skip the colour renderings."),
)


def phantom_options(func: F) -> F:
    """Add the ``--phantom`` options to a click command.

    Parameters
    ----------
    func : callable
        The command function.

    Returns
    -------
    callable
        The same function with the options attached.
    """
    for option in reversed(_OPTIONS):
        func = option(func)
    return func


def run_phantom_command(
    methods: Sequence[str] | None,
    out: Path,
    pair_dirs: Sequence[Path],
    *,
    cases: int,
    seed: int,
    ndim: str,
    modalities: str,
    counts: str,
    metric_cases: int,
    grey_only: bool,
) -> None:
    """Run the phantom benchmark from the parsed options and print where the report is.

    Parameters
    ----------
    methods : sequence of str or None
        ``--methods`` (None: every registered method).
    out : pathlib.Path
        ``--out``.
    pair_dirs : sequence of pathlib.Path
        ``--pairs``, which the phantom benchmark refuses.
    cases, seed, ndim, modalities, counts, metric_cases, grey_only
        The phantom options.

    Raises
    ------
    InputError
        If ``--pairs`` is given too, or as :func:`~brainfuse.bench.phantom.run_phantom_bench`.
    """
    if pair_dirs:
        raise InputError("--pairs", "the phantom benchmark makes its own cases; drop --pairs")
    from .phantom import run_phantom_bench

    mods = [m.strip().lower() for m in modalities.split(",") if m.strip()]
    try:
        level: str | float = float(counts)
    except ValueError:
        level = counts
    run_phantom_bench(
        methods,
        out=out,
        cases=cases,
        seed=seed,
        ndim=int(ndim),
        modalities=mods,
        counts=level,
        colour=not grey_only,
        metric_cases=metric_cases,
    )
    click.echo(f"report: {out / 'index.html'}")
