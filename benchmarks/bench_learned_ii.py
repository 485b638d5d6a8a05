"""Speed of MFINet and DRBIF on one core: 256×256 grey pair, odd sizes and a volume.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_learned_ii

Each registered method (``mfinet``; ``drbif`` with each complementary rule) fuses the first
MRI-CT pair of ``../shared/data/harvard-cddfuse-test`` (256×256, grey) with the shipped CT
weights: one warm-up call (loads and caches the network), then repeated calls until three
seconds have passed (at least 5, at most 30); the median wall-clock time and the median CPU
time of the calling thread are reported. Then a 181×217 pair (odd size, no padding needed) and
a 91×109×91 volume pair (SPM12 T1 and Transm templates, fused slice by slice through
:func:`brainfuse.fuse`) are timed once each. PyTorch and all other thread pools use one thread.
A target counts as met when the CPU time of the one working thread is within it: on this
shared machine the wall-clock time also contains the time other processes hold the core, and
both are reported. The cost of width: MFINet (C = 8, 16, 32) and DRBIF (w = 16, 32, 64, the
paper's) with random weights, through the same inference path (batch norms folded,
channels-last), timed on the 256×256 pair (median of 3 after a warm-up). Results go to
``docs/results/bench_learned_ii.md`` and ``.json``.

Targets: MFINet ≤ 400 ms and DRBIF ≤ 150 ms per 256×256 pair.
"""

from __future__ import annotations

import os
import platform

import numpy as np
import torch
from rich.progress import track

import brainfuse
from benchmarks import _harness as harness
from brainfuse.fusion import fuse_arrays
from brainfuse.io import load
from brainfuse.models.drbif import DRBIF
from brainfuse.models.layers import fold_batchnorm, run_pair
from brainfuse.models.mfinet import MFINet
from brainfuse.registration import resample

#: (label, method, params, target ms per 256×256 pair)
CASES = (
    ("mfinet", "mfinet", {}, 400.0),
    ("drbif (add)", "drbif", {"rule": "add"}, 150.0),
    ("drbif (max)", "drbif", {"rule": "max"}, 150.0),
    ("drbif (l1)", "drbif", {"rule": "l1"}, 150.0),
)
#: (network, width) timed with random weights; the shipped widths are 8 and 16
WIDTHS = (
    ("mfinet", 8),
    ("mfinet", 16),
    ("mfinet", 32),
    ("drbif", 16),
    ("drbif", 32),
    ("drbif", 64),
)


def main() -> None:
    harness.parser(__doc__).parse_args()
    folder = harness.require_data("harvard-cddfuse-test/MRI_CT")
    spm = harness.require_data("volumes/spm12")
    torch.set_num_threads(1)
    name = sorted((folder / "MRI").glob("*.png"))[0].name
    a, b = load(folder / "MRI" / name).grey(), load(folder / "CT" / name).grey()
    rng = np.random.default_rng(0)
    odd_a = rng.uniform(0, 255, (181, 217)).astype(np.float32)
    odd_b = rng.uniform(0, 255, (181, 217)).astype(np.float32)
    vol_a = load(spm / "T1.nii")
    vol_b = resample(vol_a, load(spm / "Transm.nii"))
    load_avg = os.getloadavg()
    rows = []
    for label, method, params, target in track(CASES, description="timing"):
        wall, cpu, _, runs = harness.repeat(
            lambda m=method, p=params: fuse_arrays(a, b, m, **p),
            min_runs=5,
            max_runs=30,
            budget_s=3.0,
        )
        odd_wall, odd_cpu = harness.once(
            lambda m=method, p=params: fuse_arrays(odd_a, odd_b, m, **p)
        )
        vol_wall, vol_cpu = harness.once(
            lambda m=method, p=params: brainfuse.fuse(vol_a, vol_b, m, modality="ct", **p)
        )
        rows.append(
            {
                "case": label,
                "method": method,
                "params": params,
                "wall_ms": round(1e3 * wall, 1),
                "cpu_ms": round(1e3 * cpu, 1),
                "runs": runs,
                "target_ms": target,
                "met": cpu * 1e3 <= target,
                "odd_181x217_wall_ms": round(1e3 * odd_wall, 1),
                "odd_181x217_cpu_ms": round(1e3 * odd_cpu, 1),
                "volume_wall_s": round(vol_wall, 2),
                "volume_cpu_s": round(vol_cpu, 2),
            }
        )
    widths = []
    for net_name, width in track(WIDTHS, description="widths"):
        torch.manual_seed(0)
        net = MFINet(width) if net_name == "mfinet" else DRBIF(width)
        params = sum(p.numel() for p in net.parameters())
        net = fold_batchnorm(net.eval()).to(memory_format=torch.channels_last)
        _, cpu, _, runs = harness.repeat(
            lambda n=net: run_pair(n, a, b), min_runs=3, max_runs=3, budget_s=0.0
        )
        widths.append(
            {
                "network": net_name,
                "width": width,
                "parameters": params,
                "cpu_ms": round(1e3 * cpu, 1),
            }
        )
    info = {
        "command": "python -m benchmarks.bench_learned_ii",
        "cpu": harness.cpu_name(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "load_average": [round(x, 1) for x in load_avg],
        "pair": f"harvard-cddfuse-test/MRI_CT/{{MRI,CT}}/{name}",
        "volume": f"spm12 T1 and Transm (resampled onto T1), {vol_a.shape}",
        "rows": rows,
        "widths": widths,
    }
    harness.write_json(harness.RESULTS / "bench_learned_ii.json", info)
    harness.write_text(harness.RESULTS / "bench_learned_ii.md", _markdown(info))
    print(_markdown(info))


def _markdown(info: dict) -> str:
    lines = [
        "# MFINet and DRBIF: speed on one core",
        "",
        f"Command: `{info['command']}` (see its docstring). CPU: {info['cpu']}; "
        f"{info['threads']} thread; Python {info['python']}, PyTorch {info['torch']}. "
        f"Load average when the run started: {', '.join(map(str, info['load_average']))} (the "
        "machine is shared: wall-clock times rise with the load, CPU times much less; 'met' "
        "compares the CPU time of the one working thread with the target).",
        "",
        f"## 256×256 grey pair ({info['pair']})",
        "",
        "Median over repeated calls of the registered grey function (shipped CT weights).",
        "",
        "| method | wall ms | CPU ms | runs | target ms | met |",
        "|---|---|---|---|---|---|",
    ]
    for r in info["rows"]:
        lines.append(
            f"| {r['case']} | {r['wall_ms']:.1f} | {r['cpu_ms']:.1f} | {r['runs']} | "
            f"{r['target_ms']:.0f} | {'yes' if r['met'] else 'no'} |"
        )
    lines += [
        "",
        f"## Odd size (181×217 pair) and a volume ({info['volume']}, slice by slice)",
        "",
        "One call each.",
        "",
        "| method | 181×217 wall ms | 181×217 CPU ms | volume wall s | volume CPU s |",
        "|---|---|---|---|---|",
    ]
    for r in info["rows"]:
        lines.append(
            f"| {r['case']} | {r['odd_181x217_wall_ms']:.1f} | {r['odd_181x217_cpu_ms']:.1f} | "
            f"{r['volume_wall_s']:.2f} | {r['volume_cpu_s']:.2f} |"
        )
    lines += [
        "",
        "## Width (random weights, same inference path, 256×256 pair, median of 3)",
        "",
        "| network | width | parameters | CPU ms |",
        "|---|---|---|---|",
    ]
    for r in info["widths"]:
        lines.append(f"| {r['network']} | {r['width']} | {r['parameters']} | {r['cpu_ms']:.1f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
