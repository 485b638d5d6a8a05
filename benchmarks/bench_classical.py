"""Speed of the classical fusion methods on one core: 256×256 grey pair and a 1 mm brain volume.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_classical            # all classical methods
    .venv/bin/python -m benchmarks.bench_classical -m legff   # some of them (printed only)

Every non-learned registered method fuses the first MRI-CT pair of
``../shared/data/harvard-cddfuse-test`` (256×256, grey): one warm-up call, then repeated calls
until one second has passed (at least 5, at most 50); the median wall-clock time and the median
CPU time of the calling thread are reported. Methods whose operators are n-dimensional then fuse a
182×218×182 volume pair (SPM12's T1 and PET templates, 2 mm, interpolated to 1 mm: the size of
the MNI152 1 mm grid) once (three times for the targets). All thread pools are limited to one
thread. A target counts as met when the CPU time of the one working thread is within it: on this
shared machine the wall-clock time also contains the time other processes hold the core, and
both are reported. Results go to ``docs/results/bench_classical.md`` and ``.json``.

Targets: pixel rules ≤ 0.5 ms; Laplacian pyramid and DWT ≤ 5 ms; GFF ≤ 15 ms; LEGFF
≤ 30 ms; GFF and Laplacian on the volume pair ≤ 5 s.
"""

from __future__ import annotations

import os
import platform
import statistics

import cv2
import numpy as np
from rich.progress import Progress

from benchmarks import _harness as harness
from brainfuse.fusion import list_methods
from brainfuse.io import load

PAIR_TARGETS_MS = {
    "average": 0.5,
    "maximum": 0.5,
    "minimum": 0.5,
    "weighted": 0.5,
    "pca": 0.5,
    "laplacian": 5.0,
    "dwt": 5.0,
    "gff": 15.0,
    "legff": 30.0,
}
VOLUME_TARGETS_S = {"gff": 5.0, "laplacian": 5.0}


def _pair() -> tuple[np.ndarray, np.ndarray, str]:
    folder = harness.DATA / "harvard-cddfuse-test" / "MRI_CT"
    name = sorted((folder / "MRI").glob("*.png"))[0].name
    a, b = load(folder / "MRI" / name), load(folder / "CT" / name)
    return a.array, b.array, f"harvard-cddfuse-test/MRI_CT/{{MRI,CT}}/{name}"


def _volumes() -> tuple[np.ndarray, np.ndarray, str]:
    from scipy.ndimage import zoom

    from brainfuse.pair import to_fusion_scale

    spm = harness.DATA / "volumes" / "spm12"
    vols = []
    for name in ("T1.nii", "PET.nii"):
        v = to_fusion_scale(load(spm / name))
        vols.append(zoom(v, 2, order=1).astype(np.float32))
    return vols[0], vols[1], "SPM12 T1 and PET templates, interpolated ×2 to 182×218×182"


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("-m", "--method", action="append", help="only these methods")
    options.add_argument("--no-volume", action="store_true", help="skip the volume pair")
    args = options.parse_args()
    harness.require_data("harvard-cddfuse-test/MRI_CT")
    if not args.no_volume:
        harness.require_data("volumes/spm12")
    cv2.setNumThreads(1)

    methods = [m for m in list_methods() if not m.learned]
    if args.method:
        methods = [m for m in methods if m.name in args.method]
    a, b, pair_src = _pair()
    rows = []
    with Progress(transient=True) as progress:
        task = progress.add_task("256×256 pair", total=len(methods))
        for m in methods:
            wall, cpu, _, n = harness.repeat(
                lambda m=m: m.func(a, b), min_runs=5, max_runs=50, budget_s=1.0
            )
            target = PAIR_TARGETS_MS.get(m.name)
            rows.append(
                {
                    "method": m.name,
                    "family": m.family,
                    "wall_ms": wall * 1e3,
                    "cpu_ms": cpu * 1e3,
                    "runs": n,
                    "target_ms": target,
                    "met": None if target is None else bool(cpu * 1e3 <= target),
                }
            )
            progress.advance(task)

    vol_rows = []
    vol_src = None
    if not args.no_volume:
        va, vb, vol_src = _volumes()
        vol_methods = [m for m in methods if 3 in m.dims]
        with Progress(transient=True) as progress:
            task = progress.add_task("182×218×182 volume pair", total=len(vol_methods))
            for m in vol_methods:
                target = VOLUME_TARGETS_S.get(m.name)
                runs = 3 if target is not None else 1
                times = [harness.once(lambda m=m: m.func(va, vb)) for _ in range(runs)]
                wall = statistics.median(t[0] for t in times)
                cpu = statistics.median(t[1] for t in times)
                vol_rows.append(
                    {
                        "method": m.name,
                        "family": m.family,
                        "wall_s": wall,
                        "cpu_s": cpu,
                        "runs": runs,
                        "target_s": target,
                        "met": None if target is None else bool(cpu <= target),
                    }
                )
                progress.advance(task)

    info = {
        "command": "python -m benchmarks.bench_classical",
        "cpu": harness.cpu_name(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "opencv": cv2.__version__,
        "load_average_at_start": os.getloadavg(),
        "pair": pair_src,
        "volume": vol_src,
        "threads": 1,
    }
    text = _markdown(info, rows, vol_rows)
    if args.method or args.no_volume:  # a partial run is printed, not recorded
        print(text)
        return
    harness.write_json(
        harness.RESULTS / "bench_classical.json", {"info": info, "pair": rows, "volume": vol_rows}
    )
    harness.write_text(harness.RESULTS / "bench_classical.md", text)
    print(text)


def _table(rows: list[dict], unit: str, digits: int) -> list[str]:
    lines = [
        f"| method | family | wall {unit} | CPU {unit} | runs | target {unit} | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = "" if r[f"target_{unit}"] is None else f"{r[f'target_{unit}']:g}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {r['method']} | {r['family']} | {r[f'wall_{unit}']:.{digits}f} | "
            f"{r[f'cpu_{unit}']:.{digits}f} | {r['runs']} | {target} | {met} |"
        )
    return lines


def _markdown(info: dict, rows: list[dict], vol_rows: list[dict]) -> str:
    lines = [
        "# Classical fusion methods: speed on one core",
        "",
        f"Command: `{info['command']}` (see its docstring). CPU: {info['cpu']}; one thread; "
        f"Python {info['python']}, NumPy {info['numpy']}, OpenCV {info['opencv']}. "
        "Load average when the run started: "
        + ", ".join(f"{x:.1f}" for x in info["load_average_at_start"])
        + " (the machine is shared: wall-clock times rise with the load, CPU times much less; "
        "'met' compares the CPU time of the one working thread with the target).",
        "",
        f"## 256×256 grey pair ({info['pair']})",
        "",
        "Median over repeated calls of the registered grey function.",
        "",
        *_table(rows, "ms", 3),
    ]
    if vol_rows:
        lines += [
            "",
            f"## Volume pair ({info['volume']})",
            "",
            "Methods whose operators are n-dimensional, fused in 3D.",
            "",
            *_table(vol_rows, "s", 2),
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
