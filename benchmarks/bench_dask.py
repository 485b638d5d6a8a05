"""Throughput of ``brainfuse bench`` on Dask: one worker against two, on the 716 aanlib pairs.

Run from the repository root, when the machine is otherwise quiet::

    .venv/bin/python -m benchmarks.bench_dask                   # method laplacian, cddfuse metrics
    .venv/bin/python -m benchmarks.bench_dask -m dwt --limit 200

Every pair of ``../shared/data/harvard-aanlib`` (716: CT 144, PET 269, SPECT 303) is one task of
the benchmark (:func:`brainfuse.bench.runner.run_task`: read the pair, fuse it with ``-m``, score
it with the eight metrics of the CDDFuse protocol), run on a Dask ``LocalCluster`` of one
single-threaded worker process, then of two, in batches of up to 8 tasks, and written into a
temporary folder as ``brainfuse bench`` writes them. Each run first warms its workers up
(imports, first calls) on a few tasks, then times from submitting all tasks to writing the last
result, so cluster start-up is not counted. The two runs must return the same scores
(checked). Speed-up = time with one worker / time with two; the target is ≥ 1.7 on 2
cores. The load average is recorded before and after: other processes on the machine take cores
from the workers.
Results go to ``docs/results/bench_dask.md`` and ``.json``.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from benchmarks import _harness as harness


def _timed_run(tasks: list, config: object, workers: int) -> tuple[float, dict]:
    """Seconds to run and write ``tasks`` on a fresh ``LocalCluster`` of ``workers``, and the
    scores; exactly the loop of ``brainfuse bench`` (:func:`brainfuse.bench.runner.execute`,
    then :func:`~brainfuse.bench.runner.write_result` into a temporary folder)."""
    import tempfile

    from brainfuse.bench.cluster import dask_client
    from brainfuse.bench.runner import execute, write_result

    by_key = {(t.method, t.pair.pair_set, t.pair.name): t for t in tasks}
    with dask_client("local", workers) as client, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for _ in execute(tasks[: 4 * workers], config, client):  # warm-up: imports, first calls
            pass
        scores = {}
        t0 = time.perf_counter()
        for r in execute(tasks, config, client):
            write_result(by_key[(r.method, r.pair_set, r.name)], r, out)
            scores[(r.pair_set, r.name)] = r.metrics
        return time.perf_counter() - t0, scores


def main() -> int:
    options = harness.parser(__doc__)
    options.add_argument("-m", "--method", default="laplacian", help="fusion method")
    options.add_argument("--limit", type=int, default=None, help="only the first N pairs")
    args = options.parse_args()
    from brainfuse.bench import BenchConfig, Task, find_pairs

    root = harness.require_data("harvard-aanlib")
    pairs = find_pairs([root])[: args.limit]
    config = BenchConfig(profile="cddfuse")
    tasks = [Task(args.method, p) for p in pairs]
    load = [os.getloadavg()]
    t1, s1 = _timed_run(tasks, config, 1)
    load.append(os.getloadavg())
    t2, s2 = _timed_run(tasks, config, 2)
    load.append(os.getloadavg())
    same = s1 == s2
    speedup = t1 / t2
    report = {
        "pairs": len(tasks),
        "method": args.method,
        "profile": "cddfuse",
        "seconds_1_worker": round(t1, 2),
        "seconds_2_workers": round(t2, 2),
        "pairs_per_s_1_worker": round(len(tasks) / t1, 2),
        "pairs_per_s_2_workers": round(len(tasks) / t2, 2),
        "ms_per_pair_1_worker": round(1000 * t1 / len(tasks), 1),
        "speedup": round(speedup, 3),
        "target": 1.7,
        "met": speedup >= 1.7,
        "identical_scores": same,
        "cpus": os.cpu_count(),
        "load_average_before_1_after_1_after_2": [[round(x, 2) for x in la] for la in load],
    }
    harness.write_json(harness.RESULTS / "bench_dask.json", report, indent=1)
    cmd = "`.venv/bin/python -m benchmarks.bench_dask -m " + args.method
    cmd += f" --limit {args.limit}`" if args.limit else "`"
    verdict = "met" if speedup >= 1.7 else "NOT met"
    md = f"""# Dask scale-out: one worker against two

Command: {cmd}. {len(tasks)} `harvard-aanlib` pairs, method `{args.method}`, each task = read
the pair, fuse, score with the eight CDDFuse-protocol metrics, write the fused PNG and record;
`LocalCluster` of single-threaded worker processes, tasks in batches of up to 8; timed from
submitting all tasks to writing the last result (start-up and a warm-up excluded).

| workers | time | pairs/s | ms per pair |
|---|---|---|---|
| 1 | {t1:.2f} s | {len(tasks) / t1:.2f} | {1000 * t1 / len(tasks):.1f} |
| 2 | {t2:.2f} s | {len(tasks) / t2:.2f} | {1000 * t2 / len(tasks):.1f} |

Speed-up with 2 workers: **{speedup:.2f}×** (target ≥ 1.7×: {verdict}).
Scores identical in both runs: {"yes" if same else "NO"}.

Machine: {os.cpu_count()} cores shared with other engineers' work. Load average (1, 5, 15 min)
before the 1-worker run {report["load_average_before_1_after_1_after_2"][0]}, after it
{report["load_average_before_1_after_1_after_2"][1]}, after the 2-worker run
{report["load_average_before_1_after_1_after_2"][2]}. The Dask scheduler and this client run on
the same two cores as the workers.
"""
    harness.write_text(harness.RESULTS / "bench_dask.md", md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
