"""``run_bench``: every method on every pair, scored, with a report (CSV, Markdown, PNG, HTML)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..fusion import get_method
from ..metrics import get_profile
from .pairs import PairFiles, find_pairs, published_set
from .published import published_rows
from .report import load_records, summarise, write_report
from .runner import BenchConfig, Task, TaskFailure, execute, is_done, write_result

__all__ = ["run_bench"]


def _check_out(out: Path, roots: Sequence[Path]) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    real = out.resolve()
    for root in roots:
        r = root.resolve()
        if real == r or r in real.parents:
            raise InputError(out, f"lies inside the pair folder {root}; choose another --out")


def _display(pair: PairFiles) -> tuple[np.ndarray, np.ndarray]:
    """A pair's images on 0..255 as the grid shows them (the middle axial slice of volumes)."""
    from ..io.slicing import display_slice
    from ..pair import prepare_pair

    prepared = prepare_pair(pair.a, pair.b)
    if not prepared.is_volume:
        return prepared.a, prepared.b
    affine = prepared.fixed.affine
    return display_slice(prepared.a, affine), display_slice(prepared.b, affine)


def _check_2d(pairs: Sequence[PairFiles]) -> None:
    """The cddfuse profile reads 2D rasters as OpenCV does: refuse volumes before any work."""
    from ..io.readers import sniff_format

    for pair in pairs:
        for path in (pair.a, pair.b):
            if path.is_dir() or (
                path.is_file() and sniff_format(path) not in ("png", "jpeg", "gif", "bmp", "tiff")
            ):
                raise InputError(path, "the cddfuse profile is defined for 2D pairs only")


def _grids(out: Path, pairs: list[PairFiles], methods: Sequence[str], examples: int) -> None:
    """One :func:`brainfuse.viz.grid_figure` per pair set: sources and each method's result for
    ``examples`` pairs spread over the set, with an enlarged region of interest."""
    from PIL import Image as PILImage

    from ..viz import grid_figure
    from ..viz.grid import GridRow

    for pair_set in sorted({p.pair_set for p in pairs}):
        members = [p for p in pairs if p.pair_set == pair_set]
        n = len(members)
        picks = (
            range(n)
            if n <= examples
            else [round(i * (n - 1) / max(1, examples - 1)) for i in range(examples)]
        )
        rows, results = [], []
        for i in picks:
            p = members[i]
            try:
                rows.append(GridRow(*_display(p), label=p.name))
            except InputError:  # an unreadable pair (listed in the report): not an example
                continue
            fused = []
            for m in methods:
                path = Task(m, p).fused_path(out)
                if not path.is_file():  # the task failed: an empty (black) tile
                    fused.append(np.zeros(rows[-1].a.shape[:2], dtype=np.float32))
                    continue
                with PILImage.open(path) as im:
                    fused.append(np.asarray(im, dtype=np.float32))
            results.append(fused)
        if not rows:
            continue
        grid_figure(
            rows,
            list(methods),
            results=results,
            names=tuple(pair_set.split("-")),
            output_file=out / f"grid_{pair_set}.png",
        )


def run_bench(
    pair_dirs: Sequence[str | os.PathLike[str]],
    methods: Sequence[str],
    *,
    out: str | os.PathLike[str],
    profile: str = "paper",
    metrics: Sequence[str] | None = None,
    params: Mapping[str, Mapping[str, Any]] | None = None,
    split: Sequence[str] | None = None,
    compare: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    examples: int = 3,
    progress: bool = True,
) -> Path:
    """Fuse every pair with every method, score the results and write the report into ``out``.

    Parameters
    ----------
    pair_dirs : sequence of str or os.PathLike
        Pair folders (layout of ``harvard-cddfuse-test`` or ``harvard-aanlib``; see
        :func:`brainfuse.bench.pairs.find_pairs`).
    methods : sequence of str
        Registered method names, in the order the report shows them.
    out : str or os.PathLike
        Output folder; results already there for the same settings are reused.
    profile : str, optional
        Metric profile (:mod:`brainfuse.metrics.profiles`; default ``"paper"``).
        ``"cddfuse"`` also prepares the pairs and the fused images as CDDFuse's evaluation
        script does.
    metrics : sequence of str, optional
        Metric names (default: the profile's).
    params : mapping, optional
        ``{method: {parameter: value}}``.
    split : sequence of str, optional
        Keep only the pairs of these splits of ``split.csv`` (``harvard-aanlib``).
    compare : {"published"}, optional
        ``"published"``: add the published rows (CDDFuse Table 5 and the measured peers) for pair
        sets that are exactly CDDFuse's test pairs; needs ``profile="cddfuse"``.
    scheduler : str, optional
        ``None`` (in process), ``"local"`` (a Dask ``LocalCluster`` of ``workers`` processes) or
        ``"tcp://HOST:PORT"``.
    workers : int, optional
        Workers of a local cluster (default: one per core).
    examples : int, optional
        Example pairs per pair set in the picture grid (default 3).
    progress : bool, optional
        Show a progress bar (on a terminal; default True).

    Returns
    -------
    index : pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    InputError
        If a setting, a pair folder or the output folder is refused (before any task runs), or
        every task fails.
    """
    roots = [Path(d) for d in pair_dirs]
    params = _check_settings(methods, params, profile, metrics, compare, scheduler, examples)
    pairs = find_pairs(roots, split=split)
    if profile == "cddfuse":
        _check_2d(pairs)
    out_dir = Path(out)
    _check_out(out_dir, roots)
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    config = BenchConfig(
        profile=profile, metrics=None if metrics is None else tuple(metrics), params=params
    )
    tasks = [Task(m, p) for m in methods for p in pairs]
    failures = _run_tasks(tasks, config, out_dir, scheduler, workers, progress)
    failed_keys = {(f.method, f.pair_set, f.name) for f in failures}
    records = load_records(
        [t for t in tasks if (t.method, t.pair.pair_set, t.pair.name) not in failed_keys], out_dir
    )
    if failures and not records:  # nothing to report: refuse, and leave no empty report behind
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        f = failures[0]
        raise InputError(
            ", ".join(str(r) for r in roots),
            f"every task failed, e.g. {f.method} on {f.pair_set}/{f.name}: {f.error}",
        )
    prof = get_profile(profile)
    direction = {name: m.direction for name, m in prof.metrics.items()}
    summary = summarise(records, methods, direction)
    published, notes = _published(pairs, compare)
    notes += _failure_notes(failures, records)
    _grids(out_dir, pairs, methods, examples)
    settings = _settings(roots, split, pairs, methods, params, profile, summary.metrics)
    return write_report(out_dir, summary, settings, published, notes)


def _check_settings(
    methods: Sequence[str],
    params: Mapping[str, Mapping[str, Any]] | None,
    profile: str,
    metrics: Sequence[str] | None,
    compare: str | None,
    scheduler: str | None,
    examples: int,
) -> dict[str, dict[str, Any]]:
    """Refuse bad settings before any file is read; return the parameters as plain dicts."""
    if not methods:
        raise InputError("--methods", "give at least one method")
    if len(set(methods)) != len(methods):
        raise InputError("--methods", "a method is listed twice")
    out = {k: dict(v) for k, v in (params or {}).items()}
    for name in out:
        if name not in methods:
            raise InputError("-p", f"parameters given for '{name}', which is not in --methods")
    for name in methods:
        get_method(name).bind(out.get(name))
    prof = get_profile(profile)
    if metrics is not None:
        unknown = [m for m in metrics if m not in prof.metrics]
        if unknown:
            raise InputError(
                "--metrics",
                f"unknown metric(s) {', '.join(unknown)} for profile '{profile}'; "
                f"valid: {', '.join(prof.metrics)}",
            )
    if compare not in (None, "published"):
        raise InputError("--compare", f"expected 'published', got {compare!r}")
    if compare and profile != "cddfuse":
        raise InputError(
            "--compare",
            "the published rows were computed with CDDFuse's Evaluator: use --profile cddfuse",
        )
    if scheduler is not None:
        from .cluster import check_scheduler

        check_scheduler(scheduler)
    if examples < 1:
        raise InputError("--examples", f"must be at least 1, got {examples}")
    return out


def _run_tasks(
    tasks: Sequence[Task],
    config: BenchConfig,
    out_dir: Path,
    scheduler: str | None,
    workers: int | None,
    progress: bool,
) -> list[TaskFailure]:
    """Run the tasks not done yet (in process or on Dask), writing each result as it comes."""
    from tqdm import tqdm

    todo = [t for t in tasks if not is_done(t, config, out_dir)]
    by_key = {(t.method, t.pair.pair_set, t.pair.name): t for t in todo}
    failures: list[TaskFailure] = []
    with contextlib.ExitStack() as stack:
        client = None
        if scheduler is not None and todo:
            from .cluster import dask_client

            client = stack.enter_context(dask_client(scheduler, workers))
        bar = stack.enter_context(
            tqdm(
                total=len(tasks),
                initial=len(tasks) - len(todo),
                desc="bench",
                unit="task",
                mininterval=0.5,
                disable=True if not progress else None,  # None: only on a terminal
            )
        )
        for result in execute(todo, config, client):
            if isinstance(result, TaskFailure):
                failures.append(result)
                tqdm.write(
                    f"failed: {result.method} on {result.pair_set}/{result.name}: {result.error}"
                )
            else:
                write_result(by_key[(result.method, result.pair_set, result.name)], result, out_dir)
            bar.update()
    return failures


def _published(pairs: Sequence[PairFiles], compare: str | None) -> tuple[dict[str, Any], list[str]]:
    """The published rows of the pair sets that are CDDFuse's test pairs, and notes for those
    that are not."""
    published: dict[str, Any] = {}
    notes: list[str] = []
    if not compare:
        return published, notes
    for pair_set in sorted({p.pair_set for p in pairs}):
        members = [p for p in pairs if p.pair_set == pair_set]
        if published_set(pair_set, members):
            published[pair_set] = published_rows(pair_set)
        else:
            notes.append(
                f"{pair_set}: these {len(members)} pairs are not CDDFuse's {pair_set} test "
                "set (compared by file content), so no published row is shown."
            )
    return published, notes


def _failure_notes(failures: Sequence[TaskFailure], records: Sequence[dict]) -> list[str]:
    """Report notes for the tasks that failed and the metrics that could not be computed."""
    notes = [
        f"{f.method} failed on {f.pair_set}/{f.name} ({f.error}): not in the means; "
        "running the same command again retries it."
        for f in failures
    ]
    failed: dict[str, list[str]] = {}
    for rec in records:
        for metric, why in rec.get("metric_errors", {}).items():
            failed.setdefault(metric, []).append(f"{rec['method']} on {rec['name']}: {why}")
    for metric, whys in failed.items():
        notes.append(f"{metric} could not be computed {len(whys)} time(s) (NaN), e.g. {whys[0]}")
    return notes


def _settings(
    roots: Sequence[Path],
    split: Sequence[str] | None,
    pairs: Sequence[PairFiles],
    methods: Sequence[str],
    params: Mapping[str, Mapping[str, Any]],
    profile: str,
    metrics: Sequence[str],
) -> dict[str, str]:
    """The settings table of the report."""
    from .. import __version__

    sets = sorted({p.pair_set for p in pairs})
    return {
        "pairs": ", ".join(str(r) for r in roots)
        + (f" (split {', '.join(split)})" if split else ""),
        "pair sets": ", ".join(f"{s} ({sum(p.pair_set == s for p in pairs)})" for s in sets),
        "methods": ", ".join(
            m + (f" ({', '.join(f'{k}={v}' for k, v in params[m].items())})" if m in params else "")
            for m in methods
        ),
        "profile": profile,
        "metrics": ", ".join(metrics),
        "brainfuse": __version__,
    }
