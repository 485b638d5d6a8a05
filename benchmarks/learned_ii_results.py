"""MFINet and DRBIF on CDDFuse's Harvard test pairs (CDDFuse protocol), next to published rows.

Run from the repository root (131-143 s from an empty ``build/learned-ii-bench`` on two shared
cores, measured; name sets to run fewer)::

    .venv/bin/python -m benchmarks.learned_ii_results              # MRI_CT MRI_PET MRI_SPECT
    .venv/bin/python -m benchmarks.learned_ii_results MRI_CT       # MRI-CT only

For each set of ``../shared/data/harvard-cddfuse-test`` (MRI-CT, MRI-PET, MRI-SPECT) it runs
``brainfuse bench`` (:func:`brainfuse.bench.run_bench`, profile ``cddfuse``: sources read as
OpenCV grey, fused result min–max stretched to 8 bits, CDDFuse's eight metrics) on ``mfinet``,
``drbif`` (rule ``add``) and the pixel ``maximum`` with the shipped model of that set's modality
(``modality=ct|pet|spect``), and ``drbif`` with the rules ``max`` and ``l1`` in separate runs.
The runs go to ``build/learned-ii-bench/`` (resumable: finished pairs are reused). It writes
``docs/results/learned-ii.md`` (tables: mean ± sample standard deviation over the pairs, the
CDDFuse Table 5 rows and the measured peers of ``brainfuse.bench.published``, and for MRI-CT
MFINet's Table 1 (Song et al. 2024)), the picture grids to ``docs/results/learned-ii/`` (which
also holds the training loss curves written by ``brainfuse train``), and the numbers to
``docs/results/learned-ii.json``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from benchmarks import _harness as harness
from brainfuse.bench import run_bench
from brainfuse.bench.published import CDDFUSE_METRICS, published_rows

WORK = harness.ROOT / "build" / "learned-ii-bench"
FIGS = harness.RESULTS / "learned-ii"

SETS = (
    ("MRI_CT", "MRI-CT", "ct"),
    ("MRI_PET", "MRI-PET", "pet"),
    ("MRI_SPECT", "MRI-SPECT", "spect"),
)
#: (row label, run folder suffix, method, extra parameters)
RUNS = (
    ("mfinet", "main", "mfinet", {}),
    ("drbif (add)", "main", "drbif", {}),
    ("maximum (pixel)", "main", "maximum", {}),
    ("drbif (max)", "drbif-max", "drbif", {"rule": "max"}),
    ("drbif (l1)", "drbif-l1", "drbif", {"rule": "l1"}),
)
#: Published rows shown next to ours (the full list is in each run's summary.md).
PUBLISHED = ("CDDFuse", "CDDFuse*", "EMFusion", "MATR", "pixel max")

#: MFINet's Table 1 (Song et al. 2024): MI, SF, VIF, Qabf on their own 24 CT-MRI test pairs.
MFINET_TABLE1 = {
    "CSF": (2.732, 18.314, 0.368, 0.345),
    "DenseFuse": (3.362, 18.526, 0.404, 0.329),
    "FusionGAN": (2.363, 12.297, 0.227, 0.116),
    "PMGI": (2.656, 17.577, 0.389, 0.304),
    "RFN-Nest": (2.605, 12.406, 0.330, 0.209),
    "SDNet": (2.562, 26.746, 0.357, 0.480),
    "STDFusionNet": (3.254, 25.969, 0.479, 0.458),
    "U2Fusion": (2.585, 23.313, 0.337, 0.458),
    "UMF-CMGR": (2.690, 28.893, 0.353, 0.431),
    "MFINet (paper)": (4.600, 29.536, 0.544, 0.536),
}


def _summary(folder: Path) -> dict[tuple[str, str], tuple[float, float]]:
    with open(folder / "summary.csv", newline="") as fh:
        return {
            (r["method"], r["metric"]): (float(r["mean"]), float(r["std"]))
            for r in csv.DictReader(fh)
        }


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("sets", nargs="*", metavar="SET", help="MRI_CT, MRI_PET or MRI_SPECT")
    folders = options.parse_args().sets
    unknown = set(folders) - {f for f, _, _ in SETS}
    if unknown:
        options.error(f"unknown sets {sorted(unknown)}; valid: {[f for f, _, _ in SETS]}")
    test = harness.require_data("harvard-cddfuse-test")
    results: dict[str, dict] = {}
    for folder, pair_set, modality in SETS:
        if folders and folder not in folders:
            continue
        pairs = test / folder
        by_run: dict[str, list[tuple[str, str, dict]]] = {}
        for label, run, method, extra in RUNS:
            by_run.setdefault(run, []).append((label, method, extra))
        rows: dict[str, dict] = {}
        for run, entries in by_run.items():
            out = WORK / f"{folder}-{run}"
            params = {
                m: {**({"modality": modality} if m in ("mfinet", "drbif") else {}), **extra}
                for _, m, extra in entries
            }
            run_bench(
                [pairs],
                [m for _, m, _ in entries],
                out=out,
                profile="cddfuse",
                params=params,
                compare="published",
            )
            summary = _summary(out)
            for label, method, _ in entries:
                rows[label] = {metric: summary[(method, metric)] for metric in CDDFUSE_METRICS}
            if run == "main":
                harness.copy_file(out / f"grid_{pair_set}.png", FIGS / f"grid_{pair_set}.png")
        results[pair_set] = rows
    harness.write_json(harness.RESULTS / "learned-ii.json", results)
    harness.write_text(harness.RESULTS / "learned-ii.md", _markdown(results))


def _cell(mean: float, std: float | None = None) -> str:
    digits = 2 if abs(mean) >= 10 else 3
    return f"{mean:.{digits}f}" + (f" ± {std:.{digits}f}" if std is not None else "")


def _markdown(results: dict[str, dict]) -> str:
    lines = [
        "# MFINet and DRBIF on CDDFuse's Harvard test pairs",
        "",
        "Command: `python -m benchmarks.learned_ii_results` (see its docstring). CDDFuse protocol "
        "(`brainfuse bench --profile cddfuse`): sources read as OpenCV grey and rounded, the "
        "fused result min–max stretched to 8 bits, CDDFuse's `Evaluator` metrics (reproduced "
        "by `brainfuse.metrics`). Ours: mean ± sample standard deviation over the pairs, the "
        "shipped model of each set's modality. Published rows: CDDFuse (CVPR 2023) Table 5, "
        "and peers measured by the BrainFuse maintainers with the same Evaluator "
        "(`brainfuse.bench.published`). None of these pairs was used for training: the models "
        "were trained on the `train` split of `harvard-aanlib`, which excludes the cases of "
        "these pairs (`benchmark-overlap`).",
        "",
    ]
    for pair_set, rows in results.items():
        lines += [f"## {pair_set}", "", "| method | " + " | ".join(CDDFUSE_METRICS) + " |"]
        lines.append("|---" * (len(CDDFUSE_METRICS) + 1) + "|")
        for label, vals in rows.items():
            cells = [_cell(*vals[m]) for m in CDDFUSE_METRICS]
            lines.append(f"| **{label}** (BrainFuse) | " + " | ".join(cells) + " |")
        for r in published_rows(pair_set):
            if r.method in PUBLISHED:
                cells = [_cell(r.values[m]) for m in CDDFUSE_METRICS]
                lines.append(f"| {r.method} ({r.source}) | " + " | ".join(cells) + " |")
        lines += ["", f"![{pair_set} examples](learned-ii/grid_{pair_set}.png)", ""]
    ct = results.get("MRI-CT", {}).get("mfinet")
    if ct is not None:
        lines += [
            "## MFINet next to its paper's Table 1 (Song et al. 2024, MRI-CT)",
            "",
            "Song et al. 2024 report MI, SF, VIF and Qabf on their own 24 CT-MRI pairs with "
            "unnamed metric code; BrainFuse's row is the CDDFuse protocol on the 21 MRI-CT pairs "
            "above (MI = MI(F,A) + MI(F,B) in nats, VIF = CDDFuse's multiscale pixel VIF summed "
            "over both sources). The digits are not comparable across the two; the ranking "
            "within each block is.",
            "",
            "| method | MI | SF | VIF | Qabf |",
            "|---|---|---|---|---|",
        ]
        for name, vals in MFINET_TABLE1.items():
            row = " | ".join(map(str, vals))
            lines.append(f"| {name} (Song et al. 2024, Table 1) | {row} |")
        cells = [_cell(*ct[m]) for m in ("MI", "SF", "VIF", "Qabf")]
        lines.append("| **mfinet** (BrainFuse, CDDFuse protocol) | " + " | ".join(cells) + " |")
        lines.append("")
    lines += [
        "## Training curves",
        "",
        "Loss per step (moving mean) and validation loss every 100 steps, from `brainfuse "
        "train` (the weights' manifests hold the numbers).",
        "",
    ]
    for name in ("mfinet", "drbif"):
        for modality in ("ct", "pet", "spect"):
            if (FIGS / f"{name}-{modality}.loss.png").is_file():
                lines.append(f"![{name}-{modality}](learned-ii/{name}-{modality}.loss.png)")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
