"""How much the CDDFuse protocol's min–max stretch costs methods whose result undershoots 0.

Run from the repository root (a few seconds; prints a table, writes nothing)::

    .venv/bin/python -m benchmarks.protocol_stretch

``test_MIF.py`` stretches a network's output to 0..255 before scoring. ``brainfuse bench
--profile cddfuse`` applies that stretch to every method's raw result; a method whose result
goes below 0 (ringing of pyramid and wavelet reconstructions) then has its background lifted
to grey, while ``brainfuse fuse`` saves the same result clipped to 0..255. This prints the
protocol metrics of both versions on MRI_PET/11.png of ``harvard-cddfuse-test``.
"""

from __future__ import annotations

import numpy as np

from benchmarks import _harness as harness
from brainfuse.fusion import fuse_arrays
from brainfuse.metrics import evaluate_cddfuse_protocol, read_cddfuse_grey
from brainfuse.rounding import to_uint8_matlab

SHOWN = ("SD", "SCD", "VIF", "Qabf", "SSIM")


def main() -> None:
    harness.parser(__doc__).parse_args()
    pair = harness.require_data("harvard-cddfuse-test/MRI_PET")
    a = read_cddfuse_grey(pair / "MRI" / "11.png")
    b = read_cddfuse_grey(pair / "PET" / "11.png")
    print(
        "| method | min of result | " + " | ".join(f"{m} stretched / clipped" for m in SHOWN) + " |"
    )
    print("|---|---|" + "---|" * len(SHOWN))
    for method in ("maximum", "laplacian", "dwt", "papcnn"):
        raw = fuse_arrays(a, b, method)
        stretched = evaluate_cddfuse_protocol(raw, a, b)
        clipped = evaluate_cddfuse_protocol(to_uint8_matlab(raw).astype(np.float32), a, b)
        cells = " | ".join(f"{stretched[m]:.3f} / {clipped[m]:.3f}" for m in SHOWN)
        print(f"| {method} | {raw.min():.1f} | {cells} |")


if __name__ == "__main__":
    main()
