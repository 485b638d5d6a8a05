"""What the benchmarks share: where things are, timing, the record of the machine, and writing
results.

- Paths: :data:`ROOT` (the repository), :data:`DATA` (``../shared/data`` from it, or
  ``BRAINFUSE_DATA``), :data:`REFERENCE` (``../shared/reference``, or ``BRAINFUSE_REFERENCE``)
  and :data:`RESULTS` (``docs/results``). :func:`require_data` and :func:`require_reference`
  end a benchmark with a one-line message and exit status 2 when what it needs is absent.
- Timing: :func:`repeat` and :func:`once` measure wall-clock time and the CPU time of the
  calling thread (``time.thread_time``): with every thread pool pinned to one thread (see
  :mod:`benchmarks`) that is the time the work needs on one core, whatever else the machine
  runs.
- :func:`environment`: Python and library versions, CPU model, thread settings and git commit,
  added by :func:`write_json` to every JSON result under the key ``environment``.
- Writing: :func:`write_text`, :func:`write_json`, :func:`save_figure` and :func:`copy_file`
  write a file atomically (into a temporary file next to it, then renamed, as BrainFuse's own
  outputs are written), so an interrupted run leaves the previous result whole.

``python -m benchmarks._harness`` prints the environment a benchmark would record.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import THREAD_VARIABLES

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("BRAINFUSE_DATA", ROOT.parent / "shared" / "data"))
REFERENCE = Path(os.environ.get("BRAINFUSE_REFERENCE", ROOT.parent / "shared" / "reference"))
RESULTS = ROOT / "docs" / "results"

#: Distributions whose versions every JSON result records.
PACKAGES = (
    "brainfuse",
    "numpy",
    "scipy",
    "torch",
    "SimpleITK",
    "opencv-python-headless",
    "scikit-image",
)


# ------------------------------------------------------------------------- command line
def name() -> str:
    """The running benchmark's module name (``sys.argv[0]`` is its file under ``python -m``)."""
    return Path(sys.argv[0]).stem


def parser(doc: str | None) -> argparse.ArgumentParser:
    """The benchmark's argument parser; ``--help`` shows its docstring ``doc``."""
    return argparse.ArgumentParser(
        prog=f"python -m benchmarks.{name()}",
        description=doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


# -------------------------------------------------------------------------------- data
def _absent(path: Path, what: str, default: str, variable: str) -> None:
    print(
        f"benchmarks.{name()}: {path} not found; this benchmark needs {what} "
        f"({default} from the repository root, or set {variable})",
        file=sys.stderr,
    )
    raise SystemExit(2)


def require_data(folder: str) -> Path:
    """``DATA / folder`` if it exists; otherwise a message on stderr and exit status 2."""
    if not (DATA / folder).exists():
        _absent(DATA / folder, "the shared data", "../shared/data", "BRAINFUSE_DATA")
    return DATA / folder


def require_reference() -> Path:
    """:data:`REFERENCE` (the golden metric values) if it exists; otherwise a message on
    stderr and exit status 2."""
    if not REFERENCE.is_dir():
        _absent(REFERENCE, "the reference values", "../shared/reference", "BRAINFUSE_REFERENCE")
    return REFERENCE


# ------------------------------------------------------------------------------ timing
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


# ------------------------------------------------------------------------- environment
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


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.cache
def environment() -> dict[str, Any]:
    """What a result was measured with: the command, Python and library versions, the CPU,
    the thread settings and the git commit (``git_modified``: whether files other than
    ``docs/results`` differ from it; both None outside a git checkout). Taken once per run, at
    the first call, so every file of a run records the same."""
    status = _git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs/results")
    return {
        "command": shlex.join(["python", "-m", f"benchmarks.{name()}", *sys.argv[1:]]),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
        "platform": platform.platform(),
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "threads": {v: os.environ.get(v) for v in ("BRAINFUSE_BENCH_THREADS", *THREAD_VARIABLES)},
        "git_commit": _git("rev-parse", "HEAD"),
        "git_modified": None if status is None else bool(status),
    }


# ----------------------------------------------------------------------------- writing
def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` into a temporary file next to ``path`` (same suffix), then rename it to
    ``path`` (:func:`brainfuse.io.atomic.atomic_path`); folders are made as needed."""
    from brainfuse.io.atomic import atomic_path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        write(tmp)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8, newlines as given) to ``path`` atomically."""
    return _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def write_json(path: Path, data: dict[str, Any], *, indent: int = 2) -> Path:
    """Write ``data`` and the :func:`environment` (key ``environment``) as JSON to ``path``
    atomically."""
    if "environment" in data:
        raise ValueError("'environment' is the harness's key")
    text = json.dumps({**data, "environment": environment()}, indent=indent) + "\n"
    return write_text(path, text)


def save_figure(fig: Any, path: Path, **savefig: Any) -> Path:
    """``fig.savefig(path, **savefig)`` atomically (the format from ``path``'s suffix)."""
    return _atomic(path, lambda tmp: fig.savefig(tmp, format=path.suffix[1:], **savefig))


def copy_file(source: Path, path: Path) -> Path:
    """Copy ``source`` (contents and times) to ``path`` atomically."""
    return _atomic(path, lambda tmp: shutil.copy2(source, tmp))


if __name__ == "__main__":
    print(json.dumps(environment(), indent=1))
