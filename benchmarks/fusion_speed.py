"""LEGFF and FunFuseAn per 256×256 pair on one core, beside pixel averaging and beside their
previous implementations, in one run.

Run from the repository root::

    .venv/bin/python -m benchmarks.fusion_speed

What is timed, on the same six 256×256 grey pairs of ``../shared/data/harvard-cddfuse-test``
(the first two names of MRI-CT, MRI-PET and MRI-SPECT; PET and SPECT reduced to their
luminance), through the registered grey function (``brainfuse.fusion.get_method(name).func``):

- ``average`` (pixel averaging), for scale;
- ``legff`` now, and ``legff`` as it was at commit :data:`PREVIOUS` (main's head before this
  work);
- ``funfusean`` now and at :data:`PREVIOUS`, with its default ``zero_background=True``, and
  with ``zero_background=False`` (the network on every pixel: the cost on an image without an
  empty background);
- ``funfusean`` at :data:`PREVIOUS` once more with glibc's malloc thresholds preset
  (:data:`SETTLED`): as it ran in a process that had already freed a large block, the state
  today's code brings about itself (see ``brainfuse.models.inference``).

The previous implementations are the files ``src/brainfuse/fusion/guided.py``,
``src/brainfuse/models/funfusean.py`` and ``src/brainfuse/models/inference.py`` read from git
at :data:`PREVIOUS` (``git show``) and run as private modules beside the current package (their
registrations skipped); everything they import is today's (the layers, the weights, the colour
and rounding helpers: unchanged since). Without git or that commit their rows are left out,
with the reason.

Each implementation is timed in its own fresh Python process (as a user's ``brainfuse fuse``
runs): the speed of a forward pass depends on the state of the process's memory allocator (see
``brainfuse.models.inference``), and one implementation must not warm it for another. Each
worker makes one warm-up call per pair, then repeats calls for at least half a second (at least
10, at most 60) and records the median wall-clock time and the median and smallest CPU time of
the calling thread; the workers run in :data:`ROUNDS` rounds, interleaved, so a change of the
machine's load touches every implementation alike. Reported per implementation: the median over
the pairs of the per-pair medians (over runs and rounds). Every thread pool has one thread
(``torch.set_num_threads(1)``, ``cv2.setNumThreads(1)``, the ``benchmarks`` package's
variables); a target holds when the median CPU time is within it (the wall-clock time on this
shared machine includes waiting for the core). The load average is recorded before and after.

Checked in the same run (not timed): LEGFF now equals the previous implementation bit for bit
on the six pairs, and the largest difference between FunFuseAn now and before.

Targets: LEGFF ≤ 30 ms and FunFuseAn ≤ 30 ms per pair. When ``../shared/data`` is absent the
pairs are six 2D cases of BrainFuse's phantom (nilearn's MNI152 template), resized to 256×256.

Writes ``docs/results/fusion-speed.md``, ``.json`` and ``.png``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import cv2
import numpy as np

from benchmarks import _harness as harness

#: main's head before this benchmark's speed work: the "previous" implementations.
PREVIOUS = "448a5c9"
TARGETS_MS = {"legff": 30.0, "funfusean": 30.0}
#: Rounds of workers (one fresh process per implementation and round).
ROUNDS = 3
REPEAT = dict(min_runs=10, max_runs=60, budget_s=0.5)
#: row key -> (method, implementation, keyword arguments, label)
ROWS: dict[str, tuple[str, str, dict, str]] = {
    "average": ("average", "now", {}, "pixel averaging"),
    "legff": ("legff", "now", {}, "LEGFF"),
    "legff-previous": ("legff", "previous", {}, f"LEGFF at {PREVIOUS}"),
    "funfusean": ("funfusean", "now", {}, "FunFuseAn"),
    "funfusean-previous": ("funfusean", "previous", {}, f"FunFuseAn at {PREVIOUS}"),
    "funfusean-full": (
        "funfusean",
        "now",
        {"zero_background": False},
        "FunFuseAn, zero_background=False",
    ),
    "funfusean-full-previous": (
        "funfusean",
        "previous",
        {"zero_background": False},
        f"FunFuseAn at {PREVIOUS}, zero_background=False",
    ),
    "funfusean-previous-settled": (
        "funfusean",
        "previous",
        {},
        f"FunFuseAn at {PREVIOUS}, settled allocator",
    ),
}
#: Environment of a row's worker: glibc's thresholds at the values its dynamic adjustment
#: reaches in a process that has freed a 32 MiB block (what FunFuseAn's loading now triggers).
SETTLED = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(64 << 20)}
WORKER_ENV = {"funfusean-previous-settled": SETTLED}
KINDS = (("MRI_CT", "CT"), ("MRI_PET", "PET"), ("MRI_SPECT", "SPECT"))


# ------------------------------------------------------------------------------ pairs
def _pairs() -> tuple[list[tuple[str, np.ndarray, np.ndarray]], str]:
    """The six grey 256×256 pairs (name, MRI, other) and where they come from."""
    root = harness.DATA / "harvard-cddfuse-test"
    if root.is_dir():
        import brainfuse

        out = []
        for kind, other in KINDS:
            for name in sorted(p.name for p in (root / kind / "MRI").glob("*.png"))[:2]:
                a = brainfuse.load(root / kind / "MRI" / name)
                b = brainfuse.load(root / kind / other / name)
                out.append((f"{kind}/{name}", a.array, b.grey() if b.rgb else b.array))
        return out, "harvard-cddfuse-test (first two names of MRI_CT, MRI_PET, MRI_SPECT)"
    from brainfuse.phantom import make_case

    out = []
    for seed, modality in enumerate(("ct", "pet", "spect") * 2):
        case = make_case(seed, modality=modality)
        a, b = (
            np.clip(np.rint(cv2.resize(x, (256, 256), interpolation=cv2.INTER_LINEAR)), 0, 255)
            for x in (case.anatomy, case.functional)
        )
        out.append((f"phantom {modality} seed {seed}", a, b))
    return out, "phantom cases (shared data absent), resized to 256×256"


# ---------------------------------------------------------------- the previous code
def _git_show(path: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(harness.ROOT), "show", f"{PREVIOUS}:{path}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"git show {PREVIOUS}:{path} failed: {done.stderr.strip()}")
    return done.stdout


def previous_module(path: str) -> types.ModuleType:
    """``src/<path>`` as it was at :data:`PREVIOUS`, run as a private module whose relative
    imports resolve to today's package; its ``@register`` decorators are skipped (the method
    names belong to today's code)."""
    package = ".".join(Path(path).with_suffix("").parts[:-1])
    module = types.ModuleType(f"_previous_{Path(path).stem}")
    module.__package__ = package
    module.__file__ = f"{PREVIOUS}:src/{path}"
    source = _git_show(f"src/{path}")
    with mock.patch("brainfuse.fusion.registry.register", lambda *a, **k: lambda f: f):
        exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module


def _function(key: str) -> Callable[..., np.ndarray]:
    """The grey fusion function of row ``key``, its keyword arguments bound."""
    method, impl, kwargs, _ = ROWS[key]
    if impl == "now":
        from brainfuse.fusion import get_method

        func = get_method(method).func
        return lambda a, b: func(a, b, **kwargs)
    if method == "legff":
        old = previous_module("brainfuse/fusion/guided.py")
        return lambda a, b: old.legff(a, b)
    net = previous_module("brainfuse/models/funfusean.py").FunFuseAn
    old = previous_module("brainfuse/models/inference.py")
    return lambda a, b: old.fuse_trained(net, "funfusean", a, b, **kwargs)


# ----------------------------------------------------------------------------- workers
def _worker(key: str) -> None:
    """Time row ``key`` on every pair; print one JSON line."""
    import torch

    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    pairs, _ = _pairs()
    func = _function(key)
    out = []
    for name, a, b in pairs:
        wall, cpu, cpu_min, runs = harness.repeat(lambda a=a, b=b: func(a, b), **REPEAT)
        out.append({"pair": name, "wall_ms": wall * 1e3, "cpu_ms": cpu * 1e3,
                    "cpu_min_ms": cpu_min * 1e3, "runs": runs})  # fmt: skip
    print(json.dumps(out))


def _run_worker(key: str) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.fusion_speed", "--worker", key],
        cwd=harness.ROOT,
        env={**os.environ, **WORKER_ENV.get(key, {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"worker {key} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _previous_available() -> str | None:
    """None if the previous files can be read from git, else why not."""
    try:
        _git_show("src/brainfuse/fusion/guided.py")
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        return str(exc)
    return None


# -------------------------------------------------------------------------------- checks
def _checks(pairs: list[tuple[str, np.ndarray, np.ndarray]]) -> dict:
    """LEGFF now vs before (bit for bit) and FunFuseAn now vs before (largest difference)."""
    import torch

    torch.set_num_threads(1)
    legff_now, legff_old = _function("legff"), _function("legff-previous")
    checks: dict = {"legff_identical": [], "funfusean_max_abs_diff": {}}
    for name, a, b in pairs:
        same = bool(np.array_equal(legff_now(a, b), legff_old(a, b)))
        checks["legff_identical"].append({"pair": name, "identical": same})
    for now, old in (("funfusean", "funfusean-previous"),
                     ("funfusean-full", "funfusean-full-previous")):  # fmt: skip
        f_now, f_old = _function(now), _function(old)
        diff = max(float(np.abs(f_now(a, b) - f_old(a, b)).max()) for _, a, b in pairs)
        checks["funfusean_max_abs_diff"][now] = diff
    return checks


# ---------------------------------------------------------------------------------- main
def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument(
        "--worker", choices=sorted(ROWS), help="internal: time one row in this process, print JSON"
    )
    args = options.parse_args()
    if args.worker:
        _worker(args.worker)
        return
    load_start = os.getloadavg()
    pairs, source = _pairs()
    skipped = _previous_available()
    keys = [k for k in ROWS if skipped is None or ROWS[k][1] == "now"]
    runs: dict[str, list[list[dict]]] = {k: [] for k in keys}
    loads = []
    for r in range(ROUNDS):
        for key in keys:
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{ROUNDS}: {key}", file=sys.stderr, flush=True)
            runs[key].append(_run_worker(key))
    rows = [_summary(key, runs[key]) for key in keys]
    checks = _checks(pairs) if skipped is None else None
    info = {
        "command": "python -m benchmarks.fusion_speed",
        "cpu": harness.cpu_name(),
        "pairs": source,
        "pair_names": [p[0] for p in pairs],
        "previous": PREVIOUS,
        "previous_skipped": skipped,
        "rounds": ROUNDS,
        "load_average_at_start": load_start,
        "load_average_at_end": os.getloadavg(),
        "load_average_1min_at_workers": [min(loads), statistics.median(loads), max(loads)],
    }
    harness.write_json(
        harness.RESULTS / "fusion-speed.json", {"info": info, "rows": rows, "checks": checks}
    )
    text = _markdown(info, rows, checks)
    harness.write_text(harness.RESULTS / "fusion-speed.md", text)
    _figure(rows, info)
    print(text)


def _summary(key: str, rounds: list[list[dict]]) -> dict:
    method, impl, kwargs, label = ROWS[key]
    per_pair = []
    for i, first in enumerate(rounds[0]):
        rs = [r[i] for r in rounds]
        per_pair.append(
            {
                "pair": first["pair"],
                "wall_ms": statistics.median(x["wall_ms"] for x in rs),
                "cpu_ms": statistics.median(x["cpu_ms"] for x in rs),
                "cpu_min_ms": min(x["cpu_min_ms"] for x in rs),
                "runs": sum(x["runs"] for x in rs),
            }
        )
    cpu = statistics.median(p["cpu_ms"] for p in per_pair)
    target = TARGETS_MS.get(method) if not kwargs else None
    return {
        "key": key,
        "label": label,
        "method": method,
        "implementation": impl if impl == "now" else PREVIOUS,
        "params": kwargs,
        "wall_ms": statistics.median(p["wall_ms"] for p in per_pair),
        "cpu_ms": cpu,
        "cpu_min_ms": min(p["cpu_min_ms"] for p in per_pair),
        "cpu_worst_pair_ms": max(p["cpu_ms"] for p in per_pair),
        "runs": sum(p["runs"] for p in per_pair),
        "target_ms": target,
        "holds": None if target is None else bool(cpu <= target),
        "per_pair": per_pair,
    }


def _markdown(info: dict, rows: list[dict], checks: dict | None) -> str:
    la = ", ".join(f"{x:.1f}" for x in info["load_average_at_start"])
    lw = "–".join(f"{x:.1f}" for x in info["load_average_1min_at_workers"][::2])
    lines = [
        "# LEGFF and FunFuseAn: speed per 256×256 pair on one core",
        "",
        f"Command: `{info['command']}` — {info['cpu']}, one thread, 2 cores shared with other "
        f"work; load average {la} at the start, 1-minute load {lw} while the workers ran. "
        f"Pairs: {info['pairs']}; each implementation timed in its own process, "
        f'{info["rounds"]} rounds. "Previous" is the code at commit {info["previous"]}.',
        "",
        "CPU ms: median over the pairs of the per-pair median CPU time of the working thread; "
        "fastest: the smallest single call; worst pair: the slowest pair's median. The target "
        "holds when the median CPU time is within it.",
        "",
        "| what | wall ms | CPU ms | fastest CPU ms | worst pair CPU ms | runs | target ms "
        "| holds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    timed = ("wall_ms", "cpu_ms", "cpu_min_ms", "cpu_worst_pair_ms")
    for r in rows:
        cells = [r["label"], *(f"{r[k]:.2f}" for k in timed), str(r["runs"])]
        cells.append("" if r["target_ms"] is None else f"{r['target_ms']:g}")
        cells.append({None: "", True: "yes", False: "**no**"}[r["holds"]])
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Per pair, median CPU ms:", ""]
    names = info["pair_names"]
    lines += ["| what | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for r in rows:
        cells = " | ".join(f"{p['cpu_ms']:.1f}" for p in r["per_pair"])
        lines.append(f"| {r['label']} | {cells} |")
    lines.append("")
    if checks is None:
        lines.append(f"Previous implementations not timed: {info['previous_skipped']}.")
    else:
        same = sum(c["identical"] for c in checks["legff_identical"])
        diffs = checks["funfusean_max_abs_diff"]
        lines += [
            f"LEGFF now and at {info['previous']}: identical bit for bit on {same} of "
            f"{len(checks['legff_identical'])} pairs.",
            f"FunFuseAn now and at {info['previous']}: largest |difference| (0..255 scale) "
            f"{diffs['funfusean']:g} with zero_background=True, "
            f"{diffs['funfusean-full']:g} with zero_background=False.",
        ]
    return "\n".join(lines) + "\n"


def _figure(rows: list[dict], info: dict) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.5, 4.4), dpi=110)
    labels = [r["label"].replace(", ", "\n") for r in rows]
    now = {"now": "#1f77b4"}
    colours = [
        "#888888" if r["method"] == "average" else now.get(r["implementation"], "#c7c7c7")
        for r in rows
    ]
    y = np.arange(len(rows))[::-1]
    ax.barh(y, [r["cpu_ms"] for r in rows], color=colours)
    for yi, r in zip(y, rows, strict=True):
        value = f"{r['cpu_ms']:.1f}" if r["cpu_ms"] >= 1 else f"{r['cpu_ms']:.2f}"
        ax.text(r["cpu_ms"] + 0.5, yi, value, va="center", fontsize=8)
    ax.axvline(30.0, color="#d62728", linestyle="--", linewidth=1)
    ax.text(30.3, y[0] + 0.4, "target 30 ms", color="#d62728", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("CPU ms per 256×256 pair, one thread (median over pairs)")
    ax.set_title(f"Fusion speed: now (blue) and at {info['previous']} (grey)", fontsize=10)
    fig.tight_layout()
    harness.save_figure(fig, harness.RESULTS / "fusion-speed.png")
    plt.close(fig)


if __name__ == "__main__":
    main()
