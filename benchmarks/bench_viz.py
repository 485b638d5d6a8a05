"""Cost of FunFuseAn's gradient maps (`brainfuse.viz.input_gradients`) for each registered method.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_viz                 # every method
    .venv/bin/python -m benchmarks.bench_viz -m funfusean    # some of them (printed only)

On the MRI-PET pair ``23.png`` of ``../shared/data/harvard-cddfuse-test`` (256×256, the PET's
luminance), each method's ∇F,I1 and ∇F,I2 are computed once after a warm-up (one fusion, and
the gradients of a 16×16 crop, so imports and weight loading are not counted), with one thread
for torch and the BLAS pools. Reported:
the path (exact, or lattice finite differences with the default step 1 and stride 8, i.e.
129 fusions), CPU time of the process and wall-clock time (on this shared machine wall-clock
also holds the time other processes take the cores), and the mean of each map over the pixels
with signal (``Gradients.signal``). A method that cannot run here (e.g. weights the user must
supply), or that fails on this pair, is listed with the reason, and so is one whose finite
differences would take more than ``--budget`` CPU seconds (default 120), estimated from one
timed fusion; run those alone with ``-m NAME --budget 0``. Results go to
``docs/results/bench_viz.md``.
"""

from __future__ import annotations

import platform
import time

from benchmarks import _harness as harness
from brainfuse.color import rgb_to_grey
from brainfuse.errors import InputError
from brainfuse.fusion import fuse_arrays, list_methods
from brainfuse.io import load
from brainfuse.viz import gradient_path, input_gradients

OUT = harness.RESULTS / "bench_viz.md"


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("-m", "--method", action="append", help="only these methods")
    options.add_argument(
        "--budget",
        type=float,
        default=120.0,
        help="skip finite differences estimated above this many CPU seconds (0: no limit)",
    )
    args = options.parse_args()
    pair = harness.require_data("harvard-cddfuse-test/MRI_PET")
    import torch

    torch.set_num_threads(1)
    a = load(pair / "MRI" / "23.png").array
    b = rgb_to_grey(load(pair / "PET" / "23.png").array)
    names = args.method or [m.name for m in list_methods()]
    rows = []
    for name in names:
        try:
            fuse_arrays(a, b, name)  # warm-up: imports, weights
            if gradient_path(name) == "finite-difference" and args.budget > 0:
                one = time.process_time()
                fuse_arrays(a, b, name)
                one = time.process_time() - one
                estimate = one * (2 * 8**2 + 1)
                if estimate > args.budget:
                    reason = (
                        f"not run: 129 fusions of {one:.2f} s CPU ≈ {estimate / 60:.0f} min "
                        f"(over the {args.budget:g} s budget)"
                    )
                    rows.append(f"| {name} | finite-difference ({reason}) | | | | |")
                    print(rows[-1], flush=True)
                    continue
            input_gradients(a[:16, :16], b[:16, :16], name, stride=2)
            cpu, wall = time.process_time(), time.perf_counter()
            g = input_gradients(a, b, name)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        except InputError as exc:
            rows.append(f"| {name} | not run: {exc} | | | | |")
            print(name, "not run:", exc, flush=True)
            continue
        except Exception as exc:  # a method failing on this pair is a result, not the end
            rows.append(f"| {name} | failed: {type(exc).__name__}: {exc} | | | | |")
            print(rows[-1], flush=True)
            continue
        m1 = float(g.anatomical[g.signal].mean())
        m2 = float(g.functional[g.signal].mean())
        rows.append(f"| {name} | {g.path} | {cpu:.3f} | {wall:.3f} | {m1:.3f} | {m2:.3f} |")
        print(rows[-1], flush=True)
    if args.method:
        return
    text = f"""# Gradient maps: cost per method

`python -m benchmarks.bench_viz` on `harvard-cddfuse-test/MRI_PET/*/23.png` (256×256), one
thread, after a warm-up call; {platform.processor() or platform.machine()}, Python
{platform.python_version()}. Means over the pixels with signal in either input. Methods whose
finite differences were estimated above {args.budget:g} s of CPU are listed, not run.

| method | path | CPU s | wall s | mean ∇F,I1 | mean ∇F,I2 |
|---|---|---|---|---|---|
{chr(10).join(rows)}
"""
    harness.write_text(OUT, text)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
