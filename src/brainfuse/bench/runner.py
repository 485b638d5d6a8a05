"""Running a benchmark: every method on every pair, in process or on a Dask cluster.

The unit of work is a *task*, one (method, pair). :func:`run_task` loads the pair, fuses it,
times the fusion and scores the result; it is a pure function of its arguments, so the same task
gives the same numbers bit for bit wherever it runs (this process, a ``LocalCluster`` worker, a
remote worker). Workers read the pair files by path, so a remote cluster must see the pair
folders at the same paths (a shared file system); the results travel back to the client, which
alone writes the output folder.

Each finished task leaves ``results/<method>/<pair set>/<file>.json`` and the fused image
``fused/<method>/<pair set>/<stem>.png``; a rerun with the same settings skips those tasks.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io import load
from ..io.writers import png_bytes
from .pairs import PairFiles

__all__ = [
    "BenchConfig",
    "Task",
    "TaskFailure",
    "TaskResult",
    "batch_size",
    "execute",
    "is_done",
    "run_batch",
    "run_task",
    "run_task_safely",
    "write_result",
]


@dataclass(frozen=True)
class BenchConfig:
    """What is computed for each task (everything but the pair and the method).

    Parameters
    ----------
    profile : str, optional
        The metric profile (default ``"paper"``; ``"cddfuse"`` also prepares and quantises the
        images as CDDFuse's evaluation does).
    metrics : tuple of str, optional
        The metrics to compute (default: the profile's).
    params : mapping of str to mapping, optional
        Parameters per method name.

    Examples
    --------
    >>> from brainfuse.bench.runner import BenchConfig
    >>> BenchConfig(params={"weighted": {"w": 0.3}}).method_params("weighted")
    {'w': 0.3}
    """

    profile: str = "paper"
    metrics: tuple[str, ...] | None = None
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def method_params(self, method: str) -> dict[str, Any]:
        """The parameters given for ``method`` (a new dict; empty when none).

        Parameters
        ----------
        method : str
            A method name.

        Returns
        -------
        params : dict
        """
        return dict(self.params.get(method, {}))


@dataclass(frozen=True)
class Task:
    """One method on one pair: the unit of work of a benchmark.

    Parameters
    ----------
    method : str
        The fusion method.
    pair : PairFiles
        The pair.

    Examples
    --------
    >>> from pathlib import Path
    >>> from brainfuse.bench.pairs import PairFiles
    >>> from brainfuse.bench.runner import Task
    >>> task = Task("average", PairFiles("MRI-CT", "11.png", Path("a.png"), Path("b.png")))
    >>> task.result_path(Path("out")).as_posix(), task.fused_path(Path("out")).as_posix()
    ('out/results/average/MRI-CT/11.png.json', 'out/fused/average/MRI-CT/11.png')
    """

    method: str
    pair: PairFiles

    @property
    def stem(self) -> str:
        return self.pair.name.split(".")[0]

    def result_path(self, out: Path) -> Path:
        """Where the task's JSON record goes: ``out/results/<method>/<pair set>/<file>.json``.

        Parameters
        ----------
        out : pathlib.Path
            The report folder.

        Returns
        -------
        path : pathlib.Path
        """
        return out / "results" / self.method / self.pair.pair_set / f"{self.pair.name}.json"

    def fused_path(self, out: Path) -> Path:
        """Where the task's fused image goes: ``out/fused/<method>/<pair set>/<stem>.png``.

        Parameters
        ----------
        out : pathlib.Path
            The report folder.

        Returns
        -------
        path : pathlib.Path
        """
        return out / "fused" / self.method / self.pair.pair_set / f"{self.stem}.png"


@dataclass
class TaskResult:
    """What a task returns to the client: scores, timing and the image to show.

    Parameters
    ----------
    method, pair_set, name : str
        The task: method, pair set and file name.
    params : dict
        The method's bound parameters.
    profile : str
        The metric profile.
    metrics : dict of str to float
        The scores (NaN for a metric that could not be computed).
    metric_errors : dict of str to str
        Why each NaN metric could not be computed.
    ms : float
        Fusion time, milliseconds.
    chunks : int
        Pieces the fusion was computed in (1: whole).
    shape : list of int
        The pair's shape.
    colour : bool
        Whether the fused image is colour.
    png : bytes
        The fused image shown (a middle slice of a volume), PNG-encoded by the worker.
    """

    method: str
    pair_set: str
    name: str
    params: dict[str, Any]
    profile: str
    metrics: dict[str, float]
    metric_errors: dict[str, str]  # metrics that could not be computed (NaN) and why
    ms: float
    chunks: int  # pieces the fusion was computed in (1: whole)
    shape: list[int]
    color: bool
    png: bytes  # the fused image shown (a middle slice of a volume), PNG-encoded by the worker

    def record(self) -> dict[str, Any]:
        """The JSON record kept in ``results/`` (everything but the image).

        Returns
        -------
        record : dict
        """
        rec = asdict(self)
        del rec["png"]
        return rec


@dataclass
class TaskFailure:
    """A task whose reading or fusion raised.

    Nothing is written for it, so a re-run retries it; the report lists it.

    Parameters
    ----------
    method, pair_set, name : str
        The task.
    error : str
        What went wrong.
    """

    method: str
    pair_set: str
    name: str
    error: str


def run_task_safely(task: Task, config: BenchConfig) -> TaskResult | TaskFailure:
    """:func:`run_task`, with an error of this one task returned instead of raised.

    An unreadable pair or a method that raises gives a :class:`TaskFailure` instead of ending the
    whole run.

    Parameters
    ----------
    task : Task
        The task.
    config : BenchConfig
        What to compute.

    Returns
    -------
    result : TaskResult or TaskFailure
    """
    try:
        return run_task(task, config)
    except Exception as exc:  # any failure of one task is reported, not fatal
        why = exc.problem if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        return TaskFailure(task.method, task.pair.pair_set, task.pair.name, why)


def _metric_names(config: BenchConfig, ndim: int) -> list[str]:
    """The metrics a task reports: those asked for, else the profile's for this dimension."""
    from ..metrics import CDDFUSE_PROTOCOL_METRICS, get_profile

    if config.metrics is not None:
        return list(config.metrics)
    if config.profile == "cddfuse" and ndim == 2:
        return list(CDDFUSE_PROTOCOL_METRICS)
    prof = get_profile(config.profile)
    order = [*prof.default, *(n for n in prof.metrics if n not in prof.default)]
    return [n for n in order if ndim == 2 or prof.metrics[n].volumes]


def _scores(
    compute: Callable[[list[str] | None], dict[str, float]], config: BenchConfig, ndim: int
) -> tuple[dict[str, float], dict[str, str]]:
    """All metrics in one call; if one of them refuses the input (e.g. VIF on an image under
    41 pixels), each alone, with NaN and the reason for those that fail."""
    try:
        return compute(None if config.metrics is None else list(config.metrics)), {}
    except InputError:
        pass
    scores: dict[str, float] = {}
    errors: dict[str, str] = {}
    for name in _metric_names(config, ndim):
        try:
            scores[name] = compute([name])[name]
        except InputError as exc:
            scores[name] = math.nan
            errors[name] = exc.problem
    return scores, errors


def run_task(task: Task, config: BenchConfig) -> TaskResult:
    """Load, fuse, time and score one (method, pair).

    With ``config.profile == "cddfuse"`` the pair is prepared and the fused image quantised as
    CDDFuse's ``test_MIF.py`` does (:mod:`brainfuse.metrics.protocol`: sources read as OpenCV
    grey and rounded, the fused result min–max stretched to ``uint8``); with any other profile
    the method gets the images as loaded (a colour PET/SPECT gives a colour result) and the
    metrics are computed on grey values (the luminance of colour images). Volume pairs go through
    :func:`brainfuse.bench.chunked.fuse_volume`, which splits the work into chunks across the
    cluster when the task runs on a Dask worker. It is a pure function of its arguments.

    Parameters
    ----------
    task : Task
        The task.
    config : BenchConfig
        What to compute.

    Returns
    -------
    result : TaskResult

    Raises
    ------
    InputError
        If the pair cannot be read, the method refuses it, or the ``cddfuse`` profile gets
        volumes.
    """
    from ..color import rgb_to_grey
    from ..fusion import fuse_arrays, get_method
    from ..metrics import evaluate
    from .chunked import fuse_volume

    params = get_method(task.method).bind(config.method_params(task.method))
    pair = task.pair
    names = (str(pair.a), str(pair.b))
    chunks = 1
    if config.profile == "cddfuse":
        from ..metrics import cddfuse_quantise_fused, evaluate_cddfuse_protocol, read_cddfuse_grey

        img_a, img_b = load(pair.a), load(pair.b)
        if img_a.is_volume or img_b.is_volume:
            raise InputError(pair.a, "the cddfuse profile is defined for 2D pairs only")
        a, b = read_cddfuse_grey(pair.a), read_cddfuse_grey(pair.b)
        t0 = time.perf_counter()
        raw = fuse_arrays(a, b, task.method, names=names, **params)
        ms = (time.perf_counter() - t0) * 1000.0
        scores, errors = _scores(
            lambda ms: evaluate_cddfuse_protocol(raw, a, b, metrics=ms), config, a.ndim
        )
        display = cddfuse_quantise_fused(raw)
        color = False
    else:
        from ..io.slicing import display_slice
        from ..pair import prepare_pair

        # prepare_pair returns C-ordered arrays: NumPy's sums depend on memory layout in the
        # last bits, and a NIfTI volume fused whole or by chunks must score the same.
        prepared = prepare_pair(pair.a, pair.b)
        a, b = prepared.a, prepared.b
        t0 = time.perf_counter()
        if prepared.is_volume:
            fused, chunks = fuse_volume(a, b, task.method, params)
        else:
            fused = fuse_arrays(a, b, task.method, names=names, **params)
        ms = (time.perf_counter() - t0) * 1000.0
        fused = np.ascontiguousarray(fused)
        color = prepared.color
        f_grey = rgb_to_grey(fused) if color else fused
        scores, errors = _scores(
            lambda ms: evaluate(f_grey, a, prepared.b_grey, metrics=ms, profile=config.profile),
            config,
            a.ndim,
        )
        shown = display_slice(fused, prepared.fixed.affine) if prepared.is_volume else fused
        display = np.clip(np.rint(shown), 0, 255).astype(np.uint8)
    return TaskResult(
        method=task.method,
        pair_set=pair.pair_set,
        name=pair.name,
        params=params,
        profile=config.profile,
        metrics={k: float(v) for k, v in scores.items()},
        metric_errors=errors,
        ms=ms,
        chunks=chunks,
        shape=list(a.shape),
        color=color,
        png=png_bytes(display),
    )


def is_done(task: Task, config: BenchConfig, out: Path) -> bool:
    """True when ``out`` holds this task's result computed with the same settings.

    Parameters
    ----------
    task : Task
        The task.
    config : BenchConfig
        The settings of this run (parameters, profile and metrics must match).
    out : pathlib.Path
        The report folder.

    Returns
    -------
    done : bool
    """
    path = task.result_path(out)
    if not path.is_file() or not task.fused_path(out).is_file():
        return False
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    from ..fusion import get_method

    wanted = get_method(task.method).bind(config.method_params(task.method))
    if rec.get("params") != wanted or rec.get("profile") != config.profile:
        return False
    metrics = rec.get("metrics") or {}
    return config.metrics is None or set(config.metrics) <= set(metrics)


def write_result(task: Task, result: TaskResult, out: Path) -> None:
    """Write a task's fused image and record (the record last: it marks the task done).

    Parameters
    ----------
    task : Task
        The task.
    result : TaskResult
        Its result.
    out : pathlib.Path
        The report folder.
    """
    from ..io.atomic import atomic_path

    for path, data in (
        (task.fused_path(out), result.png),
        (task.result_path(out), json.dumps(result.record(), indent=1).encode("utf-8")),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)


def run_batch(tasks: Sequence[Task], config: BenchConfig) -> list[TaskResult | TaskFailure]:
    """Several tasks in one Dask task (fewer round trips through the scheduler).

    Parameters
    ----------
    tasks : sequence of Task
        The tasks.
    config : BenchConfig
        What to compute.

    Returns
    -------
    results : list of TaskResult or TaskFailure
        In task order.
    """
    return [run_task_safely(t, config) for t in tasks]


def batch_size(n_tasks: int, n_workers: int) -> int:
    """Tasks per Dask task: up to 8, and at least 4 Dask tasks per worker for the balance.

    Parameters
    ----------
    n_tasks : int
        The number of tasks.
    n_workers : int
        The number of workers.

    Returns
    -------
    size : int
        At least 1.

    Examples
    --------
    >>> from brainfuse.bench.runner import batch_size
    >>> batch_size(100, 2), batch_size(3, 2)
    (8, 1)
    """
    return max(1, min(8, n_tasks // (4 * max(1, n_workers))))


def execute(
    tasks: Sequence[Task], config: BenchConfig, client: Any = None
) -> Iterator[TaskResult | TaskFailure]:
    """Run ``tasks`` and yield their results, or failures, as they finish (in any order).

    Parameters
    ----------
    tasks : sequence of Task
        The tasks.
    config : BenchConfig
        What to compute.
    client : distributed.Client, optional
        Run on its cluster in batches of :func:`batch_size`; without one the tasks run here one
        after the other.

    Yields
    ------
    result : TaskResult or TaskFailure
    """
    if client is None:
        for task in tasks:
            yield run_task_safely(task, config)
        return
    from distributed import as_completed

    size = batch_size(len(tasks), len(client.scheduler_info()["workers"]))
    batches = [list(tasks[i : i + size]) for i in range(0, len(tasks), size)]
    futures = client.map(run_batch, batches, config=config, pure=False)
    for fut in as_completed(futures):
        yield from fut.result()
