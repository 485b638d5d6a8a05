"""What the glioma case generator makes, and how long it takes (`brainfuse.segmentation.cases`).

Run from the repository root::

    .venv/bin/python -m benchmarks.segmentation_cases            # 8 cases at 1 mm
    .venv/bin/python -m benchmarks.segmentation_cases -n 20 --resolution 2

For cases of seeds 0 … n−1: the time to generate each (CPU seconds of this thread, the MNI152
templates already loaded once), the volume of each label in ml, the radius, core fraction and
edema reach drawn, and the median intensity of each label relative to the case's healthy white
matter in each modality (the contrast rules). A picture shows the axial slice through the
tumour's centre of the first four cases: T1, T1c, T2, FLAIR and the labels. Results go to
``docs/results/segmentation-cases.{md,json,png}``.
"""

from __future__ import annotations

import numpy as np

from benchmarks import _harness as harness
from brainfuse.segmentation.cases import MODALITIES, make_case
from brainfuse.segmentation.labels import ED, ET, NCR

NAMES = {NCR: "NCR/NET (1)", ED: "ED (2)", ET: "ET (4)"}


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("-n", type=int, default=8, help="number of cases (default 8)")
    options.add_argument("--resolution", type=int, default=1, choices=(1, 2))
    args = options.parse_args()
    make_case(0, resolution=args.resolution)  # warm-up: nilearn's templates, imports
    rows, shown = [], []
    for seed in range(args.n):
        _, cpu = harness.once(lambda s=seed: shown.append(make_case(s, resolution=args.resolution)))
        case = shown[-1]
        ml = float(np.prod(case.spacing)) / 1000.0
        healthy = (case.label == 0) & (case.volumes["t1"] > 0)
        contrast = {
            mod: {
                NAMES[code]: float(
                    np.median(case.volumes[mod][case.label == code])
                    / np.median(case.volumes[mod][healthy])
                )
                for code in (NCR, ED, ET)
                if (case.label == code).any()
            }
            for mod in MODALITIES
        }
        g = case.glioma
        rows.append(
            {
                "case": case.name,
                "cpu_s": cpu,
                "ml": {NAMES[c]: float((case.label == c).sum() * ml) for c in (NCR, ED, ET)},
                "radius_mm": g.radius_mm,
                "core_fraction": g.core_fraction,
                "edema_mm": g.edema_mm,
                "mass_effect": g.mass_effect,
                "contrast": contrast,
            }
        )
        if len(shown) > 4:
            shown.pop()
    lines = [
        "# Generated glioma cases",
        "",
        f"Written by `.venv/bin/python -m benchmarks.segmentation_cases -n {args.n} "
        f"--resolution {args.resolution}`. CPU seconds per case on one thread; volumes in ml; "
        "contrast = median of the label over the median of the healthy brain (mostly white "
        "matter) in that modality.",
        "",
        "| case | CPU s | NCR ml | ED ml | ET ml | R mm | core k | edema mm | T1c ET | "
        "FLAIR ED | T1 NCR |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        c = r["contrast"]
        lines.append(
            f"| {r['case']} | {r['cpu_s']:.1f} | {r['ml']['NCR/NET (1)']:.1f} | "
            f"{r['ml']['ED (2)']:.1f} | {r['ml']['ET (4)']:.1f} | {r['radius_mm']:.1f} | "
            f"{r['core_fraction']:.2f} | {r['edema_mm']:.1f} | "
            f"{c['t1ce'].get('ET (4)', float('nan')):.2f} | "
            f"{c['flair'].get('ED (2)', float('nan')):.2f} | "
            f"{c['t1'].get('NCR/NET (1)', float('nan')):.2f} |"
        )
    lines += ["", "![four generated cases](segmentation-cases.png)", ""]
    harness.write_text(harness.RESULTS / "segmentation-cases.md", "\n".join(lines))
    harness.write_json(
        harness.RESULTS / "segmentation-cases.json",
        {"resolution_mm": args.resolution, "cases": rows},
    )
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(shown), 5, figsize=(12, 2.6 * len(shown)), facecolor="black")
    axes = np.atleast_2d(axes)
    for row, case in zip(axes, shown, strict=True):
        k = int(np.round(np.argwhere(case.label > 0)[:, 2].mean()))
        for ax, mod in zip(row[:4], MODALITIES, strict=True):
            ax.imshow(case.volumes[mod][:, :, k].T[::-1], cmap="gray", interpolation="nearest")
            ax.set_title(f"{case.name} {mod}", color="white", fontsize=7)
        lab = np.ma.masked_equal(case.label[:, :, k].T[::-1], 0)
        row[4].imshow(case.volumes["flair"][:, :, k].T[::-1], cmap="gray")
        row[4].imshow(lab, cmap="autumn", vmin=1, vmax=4, interpolation="nearest")
        row[4].set_title("labels 1 / 2 / 4", color="white", fontsize=7)
        for ax in row:
            ax.axis("off")
    harness.save_figure(fig, harness.RESULTS / "segmentation-cases.png", dpi=80)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
