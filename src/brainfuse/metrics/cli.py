"""``brainfuse metrics``: fusion quality metrics of one triple or of folders of triples."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from ..errors import InputError
from .batch import check_score_outputs, evaluate_files, evaluate_folders, write_scores
from .profiles import get_profile

__all__ = ["metrics_command"]


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else str(v)


@click.command("metrics")
@click.argument("fused", type=click.Path(path_type=Path))
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--profile",
    default="paper",
    show_default=True,
    help="Conventions: paper, cddfuse, vifb, mefb, liu2012, tang.",
)
@click.option("--metrics", "names", default=None, help="Comma-separated names (EN,SD,MI ...).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Per-pair CSV (one row for a single triple; a '<name>-summary.csv' with mean and std "
    "goes beside it). Never an input file.",
)
@click.option("--max-pixels", type=int, default=None, help="Refuse larger inputs.")
def metrics_command(
    fused: Path,
    a: Path,
    b: Path,
    profile: str,
    names: str | None,
    as_json: bool,
    output: Path | None,
    max_pixels: int | None,
) -> None:
    """Fusion quality of FUSED against sources A (anatomical) and B (functional or CT).

    FUSED, A and B are three image/volume files, or three folders holding files of the same
    names (one triple per name): then every triple is scored, a CSV with one row per pair is
    written to --output, and the mean ± std of each metric is printed. An --output that is
    one of the files read (or a folder) is refused before anything is computed.

    \b
    Examples:
      brainfuse metrics fused.png MRI/11.png PET/11.png --profile cddfuse
      brainfuse metrics out/ MRI/ PET/ --profile cddfuse -o scores.csv
    """
    get_profile(profile)
    folders = [p.is_dir() for p in (fused, a, b)]
    if any(folders):
        if not all(folders):
            raise InputError(fused, "give three files or three folders, not a mix")
        if output is None:
            raise InputError("--output", "folder mode needs -o/--output for the per-pair CSV")
        _run_folders(fused, a, b, output, profile, names, as_json, max_pixels)
        return
    if output is not None:
        check_score_outputs(output, [fused, a, b])
    scores = evaluate_files(fused, a, b, metrics=names, profile=profile, max_pixels=max_pixels)
    if output is not None:
        write_scores(output, [fused.name], [scores], profile)
    if as_json:
        click.echo(json.dumps({"profile": profile, "metrics": scores}, indent=2))
        return
    width = max(len(n) for n in scores)
    for n, v in scores.items():
        click.echo(f"{n:>{width}}  {_fmt(v)}")


def _run_folders(
    fused: Path,
    a: Path,
    b: Path,
    output: Path,
    profile: str,
    names: str | None,
    as_json: bool,
    max_pixels: int | None,
) -> None:
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=as_json,
    ) as bar:
        task = bar.add_task(f"metrics ({profile})", total=None)

        def step(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"metrics {name}")

        rows, summary = evaluate_folders(
            fused,
            a,
            b,
            output,
            metrics=names,
            profile=profile,
            max_pixels=max_pixels,
            progress=step,
        )
    if as_json:
        payload = {
            "profile": profile,
            "pairs": len(rows),
            "csv": str(output),
            "mean": {k: v[0] for k, v in summary.items()},
            "std": {k: v[1] for k, v in summary.items()},
        }
        click.echo(json.dumps(payload, indent=2))
        return
    width = max(len(n) for n in summary)
    click.echo(f"{len(rows)} pairs, profile {profile}; per-pair values in {output}")
    for n, (mean, std) in summary.items():
        click.echo(f"{n:>{width}}  {_fmt(mean)} ± {_fmt(std)}")
