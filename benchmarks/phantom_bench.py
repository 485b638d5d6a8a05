"""The phantom benchmark: every registered fusion method ranked by task-based scores on MNI152
phantom cases with planted lesions, and the rank correlation of every metric of every profile
with those scores.

Run (from the repository root; one thread, as every benchmark)::

    .venv/bin/python -m benchmarks.phantom_bench

It runs ``brainfuse bench --phantom`` (:func:`brainfuse.bench.phantom.run_phantom_bench`) with
the committed settings below and writes its report into ``docs/results/phantom/``
(``ranking.{md,csv,png}``, ``correlations.{md,csv,png}``, ``examples.png``, ``results.json``,
``index.html``) and the time it took into ``docs/results/phantom-bench.json``.

Committed settings, chosen to fit about 20 minutes of one core: 2D PET, grey and colour, 20 case
pairs per task (hot lesion, cold lesion; 80 cases), every registered method, the metrics of
every profile on 4 lesion-present cases per task. Three methods (``latlrr``, ``papcnn``,
``lpsr``) take 80 % of the fusion time. ``--cases``, ``--modalities`` and ``--metric-cases``
change them (e.g. ``--modalities pet,spect,ct`` for the three pairs); ``--ndim 3`` runs 3D
volumes (grey); ``--methods`` takes a comma-separated subset; ``--name`` writes the report
into ``docs/results/NAME/`` and the timing into ``docs/results/NAME-bench.json`` instead.
The committed reports (the 3D run takes the 14 methods whose operators are n-dimensional):

    .venv/bin/python -m benchmarks.phantom_bench                                  # phantom/
    .venv/bin/python -m benchmarks.phantom_bench --modalities spect,ct --name phantom-spect-ct
    .venv/bin/python -m benchmarks.phantom_bench --ndim 3 --cases 12 --name phantom-3d \
        --methods average,maximum,minimum,weighted,pca,ihs,hsv,laplacian,ratio,dwt,swt,\
gff,legff,legff0
"""

from __future__ import annotations

from benchmarks import _harness as harness


def main() -> None:
    import torch

    torch.set_num_threads(1)
    from brainfuse.bench.phantom import run_phantom_bench

    p = harness.parser(__doc__)
    p.add_argument("--cases", type=int, default=20, help="case pairs per task (default 20)")
    p.add_argument("--modalities", default="pet", help="comma-separated (default pet)")
    p.add_argument("--metric-cases", type=int, default=4, help="per task (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--ndim", type=int, default=2, choices=(2, 3))
    p.add_argument("--name", default="phantom", help="report folder under docs/results")
    p.add_argument("--methods", default="", help="comma-separated (default: every method)")
    args = p.parse_args()
    mods = [m.strip() for m in args.modalities.split(",") if m.strip()]
    out = harness.RESULTS / args.name
    result = {}

    def run() -> None:
        result["r"] = run_phantom_bench(
            [m.strip() for m in args.methods.split(",") if m.strip()] or None,
            out=out,
            cases=args.cases,
            seed=args.seed,
            modalities=mods,
            metric_cases=args.metric_cases,
            ndim=args.ndim,
        )

    wall, cpu = harness.once(run)
    r = result["r"]
    harness.write_json(
        harness.RESULTS / f"{args.name}-bench.json",
        {
            "settings": r.settings,
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "rows": len(r.rows),
            "failures": r.failures,
        },
    )
    print(f"phantom bench: {len(r.rows)} rows, {wall:.0f} s wall, {cpu:.0f} s CPU; report in {out}")


if __name__ == "__main__":
    main()
