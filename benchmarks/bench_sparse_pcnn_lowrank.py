"""Speed of LP-SR, NSST-PAPCNN and LatLRR on one core, and a picture of what they produce.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_sparse_pcnn_lowrank
    .venv/bin/python -m benchmarks.bench_sparse_pcnn_lowrank -m lpsr --runs 9

Each method fuses the first MRI-CT pair of ``../shared/data/harvard-cddfuse-test`` (256×256,
grey) with its paper defaults (LP-SR also with the authors' code's stride of 2): one warm-up call,
then ``--runs`` timed calls (default 5; 3 for LatLRR). The median wall-clock time and the median
CPU time of the calling thread are reported; all thread pools are limited to one thread, and on
this shared machine the wall-clock time also holds the time other processes kept the core.
Results go to ``docs/results/bench_sparse_pcnn_lowrank.md`` and ``.json``.

Then every method fuses the first MRI-CT, MRI-PET and MRI-SPECT pairs (colour PET/SPECT through
the luminance wrapper) into ``docs/results/sparse_pcnn_lowrank_examples.png`` (skip with
``--no-picture``).
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
from rich.progress import track
from threadpoolctl import threadpool_limits

import brainfuse
from benchmarks import _harness as harness
from brainfuse.io import load

#: (label, method, parameters, default number of timed runs)
CASES = [
    ("lpsr", "lpsr", {}, 5),
    ("lpsr step=2", "lpsr", {"step": 2}, 5),
    ("papcnn", "papcnn", {}, 5),
    ("latlrr", "latlrr", {}, 3),
]


def _first_pair(folder: str, other: str):
    root = harness.DATA / "harvard-cddfuse-test" / folder
    name = sorted((root / "MRI").glob("*.png"))[0].name
    return load(root / "MRI" / name), load(root / other / name), f"{folder}/{{MRI,{other}}}/{name}"


def _picture(methods: list[str], path: Path) -> None:
    import matplotlib.pyplot as plt

    pairs = [
        _first_pair(f, o) for f, o in (("MRI_CT", "CT"), ("MRI_PET", "PET"), ("MRI_SPECT", "SPECT"))
    ]
    cols = ["MRI", "other", *methods]
    fig, axes = plt.subplots(len(pairs), len(cols), figsize=(2.2 * len(cols), 2.3 * len(pairs)))
    for row, (mri, other, label) in enumerate(track(pairs, description="example pictures")):
        images = [mri.array, other.array]
        images += [np.clip(brainfuse.fuse(mri, other, m).array, 0, 255) for m in methods]
        for col, (title, img) in enumerate(zip(cols, images, strict=True)):
            ax = axes[row, col]
            ax.imshow(img.astype(np.uint8), cmap="gray", vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(label.split("/")[0] if col == 1 else title, fontsize=9)
    fig.tight_layout()
    harness.save_figure(fig, path, dpi=110)
    plt.close(fig)


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("-m", "--method", action="append", help="only these methods")
    options.add_argument("--runs", type=int, help="timed runs per method (default 5; LatLRR 3)")
    options.add_argument("--no-picture", action="store_true")
    args = options.parse_args()
    harness.require_data("harvard-cddfuse-test/MRI_CT")
    if not args.no_picture:
        harness.require_data("harvard-cddfuse-test/MRI_PET")
        harness.require_data("harvard-cddfuse-test/MRI_SPECT")

    mri, ct, label = _first_pair("MRI_CT", "CT")
    a, b = mri.array, ct.array
    cases = [c for c in CASES if not args.method or c[1] in args.method]
    rows = []
    with threadpool_limits(1):
        for name, method, params, runs in track(cases, description="timing"):
            # one warm-up call (imports, dictionary, cached filters), then the timed runs
            n = args.runs or runs
            wall, cpu, _, _ = harness.repeat(
                lambda m=method, p=params: brainfuse.fuse(a, b, m, **p),
                min_runs=n,
                max_runs=n,
                budget_s=0.0,
            )
            rows.append(
                {
                    "case": name,
                    "method": method,
                    "params": params,
                    "runs": n,
                    "median_wall_s": round(wall, 4),
                    "median_cpu_s": round(cpu, 4),
                }
            )
            print(f"{name:14s} wall {wall:8.3f} s   cpu {cpu:8.3f} s")
        if not args.no_picture:
            _picture(
                sorted({c[1] for c in cases}, key=[c[1] for c in CASES].index),
                harness.RESULTS / "sparse_pcnn_lowrank_examples.png",
            )

    meta = {
        "pair": label,
        "shape": list(a.shape),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads": 1,
        "command": "python -m benchmarks.bench_sparse_pcnn_lowrank",
    }
    harness.write_json(
        harness.RESULTS / "bench_sparse_pcnn_lowrank.json", {"meta": meta, "results": rows}
    )
    lines = [
        "# Speed of LP-SR, NSST-PAPCNN and LatLRR (one core, 256×256 grey pair)",
        "",
        f"Pair: `{label}`. Command: `.venv/bin/python -m benchmarks.bench_sparse_pcnn_lowrank`.",
        "Median of the timed runs after one warm-up; CPU = CPU time of the calling thread.",
        "",
        "| method | parameters | runs | median wall (s) | median CPU (s) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items()) or "paper defaults"
        lines.append(
            f"| {r['method']} | {params} | {r['runs']} | {r['median_wall_s']:.3f} | "
            f"{r['median_cpu_s']:.3f} |"
        )
    harness.write_text(harness.RESULTS / "bench_sparse_pcnn_lowrank.md", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
