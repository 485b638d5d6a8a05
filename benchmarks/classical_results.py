"""CDDFuse-protocol scores of every classical fusion method on the Harvard test pairs.

Run from the repository root::

    .venv/bin/python -m benchmarks.classical_results
    .venv/bin/python -m benchmarks.classical_results --methods laplacian,dwt   # a subset

Every registered method that is not a trained network (pixel, colour-space, multiscale,
guided-filter, sparse, PCNN and low-rank families) fuses the 136 pairs of
``../shared/data/harvard-cddfuse-test`` (MRI-CT, MRI-PET, MRI-SPECT) through
:func:`brainfuse.bench.run_bench` with ``profile="cddfuse"`` — sources read and fused results
quantised exactly as CDDFuse's ``test_MIF.py`` does, then its eight metrics (EN, SD, SF, MI,
SCD, VIF, Qabf, SSIM) — and ``compare="published"``, which ranks them with the published rows
of :mod:`brainfuse.bench.published` (CDDFuse's Table 5 and peers measured with its Evaluator).
The full run (every fused image and record, resumable) goes to ``build/classical-results``; the
report (``summary.md``, ``summary.csv``, ``speed.csv`` and the methods × example pairs grids
``grid_<set>.png``) is copied to ``docs/results/classical/``.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks import _harness as harness
from brainfuse.bench import run_bench
from brainfuse.fusion import list_methods

REPORT_FILES = ("summary.md", "summary.csv", "speed.csv")


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("--work", type=Path, default=harness.ROOT / "build" / "classical-results")
    options.add_argument("--out", type=Path, default=harness.RESULTS / "classical")
    options.add_argument("--scheduler", default=None, help="Dask scheduler (default: in process)")
    options.add_argument("--methods", default=None, help="comma-separated subset (default: all)")
    args = options.parse_args()
    pairs = harness.require_data("harvard-cddfuse-test")

    methods = [m.name for m in list_methods() if not m.learned]
    if args.methods:
        chosen = args.methods.split(",")
        methods = [m for m in methods if m in chosen]
    run_bench(
        [pairs],
        methods,
        out=args.work,
        profile="cddfuse",
        compare="published",
        scheduler=args.scheduler,
        examples=3,
    )
    for path in [*(args.work / f for f in REPORT_FILES), *sorted(args.work.glob("grid_*.png"))]:
        harness.copy_file(path, args.out / path.name)
    print(f"report: {args.out / 'summary.md'}")


if __name__ == "__main__":
    main()
