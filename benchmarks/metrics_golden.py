"""Agreement of every profile with the reference implementations' golden values.

Run (from the repository root; 36-79 s on two shared cores, measured)::

    .venv/bin/python -m benchmarks.metrics_golden

For every entry of ``../shared/reference/golden-cddfuse.json`` (CDDFuse's Evaluator) and
``golden-matlab.json`` (VIFB, MEFB, Liu, Tang, FunFuseAn under GNU Octave) it computes the
largest relative difference of ``brainfuse.metrics.evaluate`` over the triples and writes
``docs/results/metrics-golden.md`` and ``.json``. The entry mapping is the one the tests use
(:mod:`benchmarks._golden`).
"""

from __future__ import annotations

import json
from collections import defaultdict

import cv2
import numpy as np

from benchmarks import _harness as harness
from benchmarks._golden import FAILED, MAPPING, NAN_ENTRIES


def main() -> None:
    from brainfuse.metrics import evaluate, read_cddfuse_grey

    harness.parser(__doc__).parse_args()
    ref = harness.require_reference()
    rows: list[tuple[str, str, int, float]] = []
    cdd = json.loads((ref / "golden-cddfuse.json").read_text())
    worst: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for t in cdd["triples"].values():
        a, b, f = (read_cddfuse_grey(ref / t[k]) for k in ("A", "B", "F"))
        got = evaluate(f, a, b, profile="cddfuse")
        for name, want in t["values"].items():
            worst[name] = max(worst[name], abs(got[name] - want) / abs(want))
            count[name] += 1
    for name in worst:
        rows.append((f"CDDFuse.{name}", f"cddfuse {name}", count[name], worst[name]))

    gm = json.loads((ref / "golden-matlab.json").read_text())
    todo: dict[str, dict[tuple[str, str], list[tuple[str, float]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in gm["results"]:
        entry = f"{r['toolbox']}.{r['metric']}"
        if entry in MAPPING and r["status"] == "ok":
            todo[r["triple"]][MAPPING[entry]].append((entry, r["value"]))
    mworst: dict[str, float] = defaultdict(float)
    mcount: dict[str, int] = defaultdict(int)
    for key, wanted in todo.items():
        t = gm["triples"][key]
        f, a, b = (
            cv2.imread(str(ref / t[k]), cv2.IMREAD_GRAYSCALE).astype(np.float64)
            for k in ("F", "A", "B")
        )
        by_profile: dict[str, list[str]] = defaultdict(list)
        for profile, metric in wanted:
            by_profile[profile].append(metric)
        got = {p: evaluate(f, a, b, metrics=ms, profile=p) for p, ms in by_profile.items()}
        for (profile, metric), entries in wanted.items():
            for entry, want in entries:
                rel = abs(got[profile][metric] - want) / abs(want)
                mworst[entry] = max(mworst[entry], rel)
                mcount[entry] += 1
    for entry in sorted(mworst):
        p, m = MAPPING[entry]
        rows.append((entry, f"{p} {m}", mcount[entry], mworst[entry]))

    lines = [
        "# Agreement with the reference implementations",
        "",
        "Command: `.venv/bin/python -m benchmarks.metrics_golden`. Largest relative difference",
        "of `evaluate(..., profile=P)` from each golden entry over its triples.",
        "",
        "| golden entry | profile metric | triples | max relative difference |",
        "|---|---|---|---|",
    ]
    lines += [f"| {e} | {pm} | {n} | {w:.1e} |" for e, pm, n, w in rows]
    lines += [
        "",
        "Not compared: "
        + ", ".join(sorted(FAILED))
        + " (the reference code failed), and "
        + ", ".join(sorted(NAN_ENTRIES))
        + " (NaN on every triple; see docs/metrics.md).",
        "",
    ]
    harness.write_text(harness.RESULTS / "metrics-golden.md", "\n".join(lines))
    harness.write_json(
        harness.RESULTS / "metrics-golden.json",
        {e: {"profile_metric": pm, "triples": n, "max_rel": w} for e, pm, n, w in rows},
        indent=1,
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
