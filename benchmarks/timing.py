"""Timing helpers shared by the speed benchmarks (imported as ``timing`` when a benchmark runs
as ``python benchmarks/<name>.py``, which puts this folder on ``sys.path``).

CPU time is that of the calling thread (``time.thread_time``): with every thread pool limited
to one thread it is the time the work needs on one core, whatever else the machine runs.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path


def repeat(
    func: Callable[[], object], *, min_runs: int, max_runs: int, budget_s: float
) -> tuple[float, float, float, int]:
    """One warm-up call, then calls until ``budget_s`` seconds passed (at least ``min_runs``, at
    most ``max_runs``); returns (median wall s, median CPU s, smallest CPU s, runs)."""
    func()
    wall, cpu = [], []
    start = time.perf_counter()
    while len(wall) < max_runs and (len(wall) < min_runs or time.perf_counter() - start < budget_s):
        t0, c0 = time.perf_counter(), time.thread_time()
        func()
        c1, t1 = time.thread_time(), time.perf_counter()
        wall.append(t1 - t0)
        cpu.append(c1 - c0)
    return statistics.median(wall), statistics.median(cpu), min(cpu), len(wall)


def once(func: Callable[[], object]) -> tuple[float, float]:
    """(wall s, CPU s) of one call."""
    t0, c0 = time.perf_counter(), time.thread_time()
    func()
    return time.perf_counter() - t0, time.thread_time() - c0


def cpu_name() -> str:
    """The processor's model name from ``/proc/cpuinfo`` (else what ``platform`` knows)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
