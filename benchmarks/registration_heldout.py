"""The acceptance check of registration on held-back pairs, through the command line.

Run from the repository root::

    .venv/bin/python -m benchmarks.registration_heldout      # about 5 min

Every 2nd pair of the ``val`` split of ``../shared/data/harvard-aanlib`` (pairs the project
does not tune on) is moved by a random rigid transform (rotation uniform in [-10, 10] degrees
about the centre, translation uniform in [-20, 20] px, seed 7), saved as PNG, registered back
with ``brainfuse register MRI MOVED -o OUT --transform-out T.json`` and scored by PAD between
the known transform and the matrix in ``T.json`` (failure: PAD > 3 px). Also reported: PAD-self,
against the registration of the unmoved pair (``brainfuse.register``, the same algorithm)
composed with the known transform, and how far that registration of the unmoved pair is from the
published alignment ("own"): a PAD that is large while PAD-self is small comes from where
the measure puts the pair, not from the search.

Results: ``docs/results/registration-heldout.md`` and ``.json``.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.progress import track

import brainfuse
from benchmarks import _harness as harness
from benchmarks._registration import random_rigid_2d
from brainfuse.registration import PAD_FAILURE_PX, Transform, apply_transform, pad


def main() -> None:
    harness.parser(__doc__).parse_args()
    root = harness.require_data("harvard-aanlib")
    with open(root / "split.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["split"] == "val"][::2]
    rng = np.random.default_rng(7)
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in track(rows, "held-back pairs"):
            other = r["pairset"].split("-")[0]
            mri_path = root / r["pairset"] / "MRI" / r["file"]
            image = brainfuse.load(root / r["pairset"] / other / r["file"])
            shape = brainfuse.load(mri_path).shape
            true = random_rigid_2d(rng, shape)
            moved = Path(tmp) / f"moved_{r['file']}"
            brainfuse.save(apply_transform(image, image, Transform(true).inverse()), moved)
            out, matrix = Path(tmp) / f"out_{r['file']}", Path(tmp) / f"t_{r['file']}.json"
            cmd = [sys.executable, "-m", "brainfuse", "register", str(mri_path), str(moved)]
            cmd += ["-o", str(out), "--transform-out", str(matrix)]
            subprocess.run(cmd, check=True, capture_output=True)
            estimate = np.array(json.loads(matrix.read_text(encoding="utf-8"))["matrix"])
            own = brainfuse.register(brainfuse.load(mri_path), image)[1].matrix
            cases.append(
                {
                    "set": f"MRI-{other}",
                    "case": r["case"],
                    "file": r["file"],
                    "pad": pad(true, estimate, shape),
                    "pad_self": pad(true @ own, estimate, shape),
                    "own_vs_published": pad(np.eye(3), own, shape),
                }
            )
    harness.write_json(harness.RESULTS / "registration-heldout.json", {"cases": cases}, indent=1)
    lines = [
        "# Held-back pairs through `brainfuse register`",
        "",
        "Command: `python -m benchmarks.registration_heldout` (see its docstring).",
        "",
        "| set | cases | pairs | median PAD px | failures | median PAD-self px | failures (self) "
        "| median own vs published px | PAD per pair px |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name in dict.fromkeys(c["set"] for c in cases):
        sel = [c for c in cases if c["set"] == name]
        p = np.array([c["pad"] for c in sel])
        q = np.array([c["pad_self"] for c in sel])
        lines.append(
            f"| {name} | {', '.join(dict.fromkeys(c['case'] for c in sel))} | {len(sel)} "
            f"| {np.median(p):.2f} | {np.mean(p > PAD_FAILURE_PX):.0%} "
            f"| {np.median(q):.2f} | {np.mean(q > PAD_FAILURE_PX):.0%} "
            f"| {np.median([c['own_vs_published'] for c in sel]):.2f} "
            f"| {', '.join(f'{v:.1f}' for v in p)} |"
        )
    harness.write_text(harness.RESULTS / "registration-heldout.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
