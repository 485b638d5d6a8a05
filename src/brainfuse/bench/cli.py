"""``brainfuse bench``: the benchmark command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from .phantom_cli import phantom_options, run_phantom_command

__all__ = ["bench_command"]


def _split_list(value: str | None, option: str) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise InputError(option, "is empty")
    return items


def _method_params(pairs: tuple[str, ...]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for item in pairs:
        key, sep, value = item.partition("=")
        method, dot, name = key.partition(".")
        if not sep or not dot or not method.strip() or not name.strip():
            raise InputError("-p", f"expected METHOD.KEY=VALUE, got {item!r}")
        out.setdefault(method.strip(), {})[name.strip()] = value.strip()
    return out


@click.command("bench")
@click.option(
    "--pairs",
    "pair_dirs",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Pair folder (harvard-cddfuse-test or harvard-aanlib layout); repeatable.",
)
@click.option("--methods", default=None, help="Comma-separated method names.")
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path), help="Report folder.")
@click.option("--profile", default="paper", show_default=True, help="Metric profile.")
@click.option("--metrics", default=None, help="Comma-separated metrics (default: the profile's).")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="METHOD.KEY=VALUE", help="Method parameter."
)
@click.option("--split", default=None, help="Only these splits of split.csv (e.g. val,train).")
@click.option(
    "--compare",
    type=click.Choice(["published"]),
    default=None,
    help="Add the published rows where the pairs are CDDFuse's test set (needs --profile cddfuse).",
)
@click.option(
    "--scheduler",
    default=None,
    help="Run on Dask: 'local' (a LocalCluster) or tcp://HOST:PORT. Default: in process.",
)
@click.option("--workers", type=int, default=None, help="LocalCluster workers (default: cores).")
@click.option("--examples", default=3, show_default=True, help="Example pairs per set in the grid.")
@phantom_options
def bench_command(
    pair_dirs: tuple[Path, ...],
    methods: str,
    out: Path,
    profile: str,
    metrics: str | None,
    params: tuple[str, ...],
    split: str | None,
    compare: str | None,
    scheduler: str | None,
    workers: int | None,
    examples: int,
    **phantom: Any,
) -> None:
    """Fuse every pair with every method, score them, write a report (CSV, Markdown, PNG, HTML).

    Finished (method, pair) results in OUT are reused, so an interrupted run resumes.
    \f

    The text above is the command's help; what follows documents the function that
    ``brainfuse bench`` calls with its parsed arguments (click stops the help at the form
    feed). It is a thin shell over :func:`brainfuse.bench.run_bench`.

    Parameters
    ----------
    pair_dirs : tuple of pathlib.Path
        Pair folders (``--pairs``, repeatable).
    methods : str
        Comma-separated method names (``--methods``).
    out : pathlib.Path
        The report folder (``--out``).
    profile : str
        The metric profile (``--profile``).
    metrics : str or None
        Comma-separated metrics (``--metrics``), or None for the profile's.
    params : tuple of str
        ``METHOD.KEY=VALUE`` method parameters (``-p``).
    split : str or None
        Comma-separated splits of ``split.csv`` to keep (``--split``).
    compare : {"published"} or None
        Add the published rows (``--compare``).
    scheduler : str or None
        ``"local"`` or ``tcp://HOST:PORT`` to run on Dask (``--scheduler``); None: in process.
    workers : int or None
        Workers of a local cluster (``--workers``).
    examples : int
        Example pairs per set in the picture grid (``--examples``).
    **phantom
        ``--phantom`` and its options (:func:`brainfuse.bench.phantom_cli.phantom_options`):
        run :func:`brainfuse.bench.phantom.run_phantom_bench` instead of the pair benchmark.

    Raises
    ------
    InputError
        If an option is malformed (e.g. ``-p`` without ``METHOD.KEY=VALUE``) or the run is
        refused by :func:`brainfuse.bench.run_bench`.

    Examples
    --------
    From a shell: ``brainfuse bench --pairs data/harvard-cddfuse-test --methods
    average,maximum --out report``.
    """
    if phantom.pop("phantom"):
        run_phantom_command(_split_list(methods, "--methods"), out, pair_dirs, **phantom)
        return
    if not pair_dirs:
        raise InputError("--pairs", "give at least one pair folder (or --phantom)")
    if methods is None:
        raise InputError("--methods", "give the methods to run")
    from . import run_bench

    index = run_bench(
        pair_dirs,
        _split_list(methods, "--methods") or [],
        out=out,
        profile=profile,
        metrics=_split_list(metrics, "--metrics"),
        params=_method_params(params),
        split=_split_list(split, "--split"),
        compare=compare,
        scheduler=scheduler,
        workers=workers,
        examples=examples,
    )
    click.echo(f"report: {index}")
