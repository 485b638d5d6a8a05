"""BrainFuse's own measurements: one module per benchmark, run from the repository root as
``python -m benchmarks.<name> [options]``.

``docs/results/README.md`` lists every benchmark: the command, how long it takes, the data it
needs and the files it writes into ``docs/results/``. What the benchmarks share (paths, timing,
the record of the machine, writing results) is in :mod:`benchmarks._harness`.

Launching a benchmark with ``python -m`` imports this package first, before the benchmark's own
imports. It then pins the thread pools of OpenMP, OpenBLAS, MKL, numexpr, Accelerate and BLIS
to ``BRAINFUSE_BENCH_THREADS`` threads (default 1): those libraries read their variable once,
when NumPy, SciPy or PyTorch load them, so it has to be set before anything imports NumPy. It
also selects Matplotlib's file-only backend (``MPLBACKEND=Agg``) unless one is set. Importing
this package any other way (a test importing :mod:`benchmarks._golden`) changes nothing.
"""

from __future__ import annotations

import os
import sys

#: The variables the numerical libraries' thread pools read when they load.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "BLIS_NUM_THREADS",
)


def pin_threads() -> str:
    """Set every variable of :data:`THREAD_VARIABLES` to ``BRAINFUSE_BENCH_THREADS`` (default
    1) and ``MPLBACKEND`` to ``Agg`` unless set; returns the thread count. Exits with status 2
    when ``BRAINFUSE_BENCH_THREADS`` is not a positive integer."""
    threads = os.environ.get("BRAINFUSE_BENCH_THREADS", "1")
    if not (threads.isdigit() and int(threads) > 0):
        print(f"BRAINFUSE_BENCH_THREADS={threads!r}: expected a positive integer", file=sys.stderr)
        raise SystemExit(2)
    for name in THREAD_VARIABLES:
        os.environ[name] = threads
    os.environ.setdefault("MPLBACKEND", "Agg")
    return threads


# While ``python -m benchmarks.<name>`` locates the module, sys.argv[0] is "-m".
if sys.argv[:1] == ["-m"]:
    pin_threads()
