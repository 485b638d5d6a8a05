"""Speed of the learned fusion methods on one CPU core: 256×256 pair and a 2 mm brain volume.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_learned

FunFuseAn and MdAFuse (shipped weights) fuse the first MRI-PET pair of
``../shared/data/harvard-cddfuse-test`` (256×256, PET reduced to its luminance): one warm-up
call, then repeated calls until five seconds have passed (at least 20, at most 100); the median
wall-clock time and the median and smallest CPU time of the calling thread are reported, for
the registered method (the whole call: scaling, padding, network, clipping) and for FunFuseAn's
input gradients (∂F/∂I1, ∂F/∂I2, a forward and a backward pass). Torch runs on one thread
(``torch.set_num_threads(1)``), so all work happens in the calling thread and its CPU time is
the time the method needs on one core; on this shared machine the wall-clock time also contains
the time other processes hold the core. Then each method fuses the SPM12 T1 and PET templates
(91×109×91, slice by slice) once. The VGG19-feature method is timed when its checkpoint is found
(see ``brainfuse.models.vgg19``). Results go to ``docs/results/bench_learned.md`` and ``.json``.

Targets: FunFuseAn ≤ 30 ms and MdAFuse ≤ 150 ms per 256×256 pair on one core.
"""

from __future__ import annotations

import os
import platform

import torch

import brainfuse
from benchmarks import _harness as harness
from brainfuse.errors import InputError
from brainfuse.fusion import get_method
from brainfuse.models import funfusean
from brainfuse.pair import to_fusion_scale

#: At least 20 calls, then until five seconds have passed, at most 100.
REPEAT = dict(min_runs=20, max_runs=100, budget_s=5.0)
TARGETS_MS = {"funfusean": 30.0, "mdafuse": 150.0}


def main() -> None:
    harness.parser(__doc__).parse_args()
    folder = harness.require_data("harvard-cddfuse-test/MRI_PET")
    spm = harness.require_data("volumes/spm12")
    torch.set_num_threads(1)
    name = sorted((folder / "MRI").glob("*.png"))[0].name
    a = brainfuse.load(folder / "MRI" / name).array
    b = brainfuse.load(folder / "PET" / name).grey()
    va = to_fusion_scale(brainfuse.load(spm / "T1.nii"))
    vb = to_fusion_scale(brainfuse.load(spm / "PET.nii"))

    methods = ["funfusean", "mdafuse", "vgg19"]
    rows, volume_rows, skipped = [], [], {}
    for method in methods:
        func = get_method(method).func
        try:
            wall, cpu, cpu_min, runs = harness.repeat(lambda func=func: func(a, b), **REPEAT)
        except InputError as exc:
            skipped[method] = str(exc)
            continue
        target = TARGETS_MS.get(method)
        rows.append(
            {
                "what": f"{method} (registered method)",
                "wall_ms": wall * 1e3,
                "cpu_ms": cpu * 1e3,
                "cpu_min_ms": cpu_min * 1e3,
                "runs": runs,
                "target_ms": target,
                "met": None if target is None else bool(cpu * 1e3 <= target),
            }
        )
        vwall, vcpu = harness.once(lambda method=method: brainfuse.fuse(va, vb, method))
        volume_rows.append({"method": method, "wall_s": vwall, "cpu_s": vcpu})
    wall, cpu, cpu_min, runs = harness.repeat(lambda: funfusean.input_gradients(a, b), **REPEAT)
    rows.append(
        {
            "what": "funfusean.input_gradients (∂F/∂I1, ∂F/∂I2)",
            "wall_ms": wall * 1e3,
            "cpu_ms": cpu * 1e3,
            "cpu_min_ms": cpu_min * 1e3,
            "runs": runs,
            "target_ms": None,
            "met": None,
        }
    )
    info = {
        "command": "python -m benchmarks.bench_learned",
        "cpu": harness.cpu_name(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": 1,
        "load_average_at_start": os.getloadavg(),
        "pair": f"harvard-cddfuse-test/MRI_PET/{{MRI,PET}}/{name} (PET luminance)",
        "volume": f"SPM12 T1 and PET templates, {'×'.join(map(str, va.shape))}",
        "skipped": skipped,
    }
    text = _markdown(info, rows, volume_rows)
    harness.write_json(
        harness.RESULTS / "bench_learned.json", {"info": info, "pair": rows, "volume": volume_rows}
    )
    harness.write_text(harness.RESULTS / "bench_learned.md", text)
    print(text)


def _markdown(info: dict, rows: list[dict], volume_rows: list[dict]) -> str:
    lines = [
        "# Speed of the learned fusion methods (one core)",
        "",
        f"Command: `{info['command']}` — {info['cpu']}, Python {info['python']}, "
        f"torch {info['torch']}, 1 thread; load average at start "
        f"{', '.join(f'{x:.1f}' for x in info['load_average_at_start'])} (2 cores shared).",
        "",
        f"256×256 pair: {info['pair']}. Medians over the runs; the target is met when the "
        "median CPU time of the working thread is within it. Wall time includes waiting for the "
        "shared core; CPU time is inflated too when the other core runs other jobs (shared caches "
        "and memory bandwidth), so the fastest run is shown as well.",
        "",
        "| what | wall ms | CPU ms | fastest CPU ms | runs | target ms | met |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        target = "" if r["target_ms"] is None else f"{r['target_ms']:g}"
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(
            f"| {r['what']} | {r['wall_ms']:.1f} | {r['cpu_ms']:.1f} | {r['cpu_min_ms']:.1f} | "
            f"{r['runs']} | {target} | {met} |"
        )
    lines += [
        "",
        f"Volume ({info['volume']}), fused slice by slice, once:",
        "",
        "| method | wall s | CPU s |",
        "|---|---|---|",
    ]
    lines += [f"| {r['method']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} |" for r in volume_rows]
    for method, why in info["skipped"].items():
        lines += ["", f"Not timed: {method} ({why})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
