"""Benchmarks: every method on every pair of one or more pair folders, scored and reported.

>>> from brainfuse.bench import run_bench
>>> index = run_bench(["../shared/data/harvard-cddfuse-test"], ["average", "maximum"],
...                   out="bench-out", profile="cddfuse", compare="published")  # doctest: +SKIP

The command line is ``brainfuse bench`` (see ``docs/bench.md``). The run resumes: finished
(method, pair) tasks are skipped. With ``scheduler="local"`` or ``"tcp://HOST:PORT"`` the tasks run
on Dask distributed and give the same numbers as in process.
"""

from __future__ import annotations

from .pairs import PairFiles, find_pairs
from .run import run_bench
from .runner import BenchConfig, Task

__all__ = ["BenchConfig", "PairFiles", "Task", "find_pairs", "run_bench"]
