"""Hematoma puncture planning (Peng et al. 2022, MRHNT): volumes, fiducials and planning time.

Run from the repository root::

    .venv/bin/python -m benchmarks.navigation            # about 10 min on one core
    .venv/bin/python -m benchmarks.navigation --quick    # 4 phantoms, fewer fiducial trials

1. **Volumes.** Phantoms built on the Clinical toolbox's CT template (``volumes/clinical-ct/
   scct.nii``, Rorden et al. 2012, converted from Cormack units to HU and resampled to 1 mm):
   lobulated-ellipsoid hematomas of 5 to 60 ml (65-80 HU) planted in the basal ganglia,
   thalamus, brainstem (5 and 10 ml) and a lobe, with a post-operative residue of 30-60 %,
   three scalp markers and 6 HU noise; each read at 1 mm and as 5 mm slices (five 1 mm slices
   averaged). The automatic segmentation's volume and the ABC/2 estimate are compared with the
   planted volume, and the hematoma mesh's enclosed volume too. Targets: within 5 % at 1 mm and
   within 10 % at 5 mm for hematomas of at least 5 ml.
2. **Fiducials.** Synthetic markers (3, 4 and 6 on a head-sized configuration) with isotropic
   Gaussian localisation noise of known FLE (0.5, 1 and 2 mm RMS); Horn/Kabsch registration;
   measured RMS FRE and RMS TRE at three targets against Fitzpatrick, West and Maurer (1998).
   Target: within 10 %.
3. **Time.** ``plan_case`` + ``write_plan`` (segmentation, meshes, trajectory, figures, HTML)
   on one 1 mm and one 5 mm phantom: CPU time of the thread (one core). Target: 20 s.

Writes ``docs/results/navigation.{md,json,png}``.
"""

from __future__ import annotations

import tempfile

import matplotlib.pyplot as plt
import numpy as np

from benchmarks import _harness as harness
from brainfuse.navigation.api import plan_case, write_plan
from brainfuse.navigation.fiducials import expected_fre, expected_tre, register_points
from brainfuse.navigation.mesh import mesh_from_mask
from brainfuse.navigation.phantom import clinical_template_ct, make_case, thick_slices
from brainfuse.navigation.segment import segment_head, segment_hematoma

CASES = [
    ("basal-ganglia", 5.0),
    ("basal-ganglia", 15.0),
    ("basal-ganglia", 30.0),
    ("basal-ganglia", 60.0),
    ("thalamus", 5.0),
    ("thalamus", 15.0),
    ("thalamus", 30.0),
    ("brainstem", 5.0),
    ("brainstem", 10.0),
    ("lobar", 15.0),
    ("lobar", 30.0),
    ("lobar", 60.0),
]
QUICK = [CASES[0], CASES[2], CASES[4], CASES[7]]


def measure(ct, truth: float) -> dict:
    try:
        hem = segment_hematoma(ct, masks=segment_head(ct))
    except Exception as exc:  # a miss is a result, not a crash
        return {"truth_ml": truth, "error": str(exc)}
    mesh = mesh_from_mask(hem.mask, ct.affine, "hematoma")
    return {
        "truth_ml": round(truth, 3),
        "seg_ml": round(hem.volume_ml, 3),
        "abc2_ml": round(hem.abc2_ml, 3),
        "mesh_ml": round(mesh.volume_ml, 3),
        "seg_err_pct": round(100 * (hem.volume_ml / truth - 1), 2),
        "abc2_err_pct": round(100 * (hem.abc2_ml / truth - 1), 2),
        "mesh_err_pct": round(100 * (mesh.volume_ml / truth - 1), 2),
    }


def run_volumes(base, cases) -> list[dict]:
    rows = []
    for i, (loc, vol) in enumerate(cases):
        rng = np.random.default_rng(100 + i)
        residual = float(rng.uniform(0.3, 0.6))
        hu = float(rng.uniform(65, 80))
        case = make_case(base, location=loc, volume_ml=vol, residual=residual, hu=hu, seed=i)
        for phase, ct, truth in (
            ("pre", case.pre, case.volume_pre_ml),
            ("post", case.post, case.volume_post_ml),
        ):
            for slice_mm in (1.0, 5.0):
                img = ct if slice_mm == 1.0 else thick_slices(ct, 5.0)
                row = {"location": loc, "phase": phase, "slice_mm": slice_mm, "hu": round(hu, 1)}
                row.update(measure(img, truth))
                rows.append(row)
                print(row, flush=True)
    return rows


def run_fiducials(trials: int) -> list[dict]:
    rng = np.random.default_rng(7)
    config = np.array(
        [
            [78.0, 30.0, 10.0],
            [82.0, -25.0, 30.0],
            [80.0, -10.0, -30.0],
            [70.0, 50.0, -20.0],
            [60.0, -50.0, 50.0],
            [65.0, 10.0, 60.0],
        ]
    )
    targets = {
        "basal ganglia": [24.0, 4.0, 2.0],
        "thalamus": [-13.0, -18.0, 6.0],
        "brainstem": [0.0, -27.0, -30.0],
    }
    rows = []
    for n in (3, 4, 6):
        fid = config[:n]
        for fle in (0.5, 1.0, 2.0):
            fre2, tre2 = [], {k: [] for k in targets}
            for _ in range(trials):
                noisy = fid + rng.normal(0.0, fle / np.sqrt(3), fid.shape)
                reg = register_points(noisy, fid)
                fre2.append(reg.fre_mm**2)
                for k, t in targets.items():
                    t = np.asarray(t)
                    tre2[k].append(float(np.sum((reg.apply(t[None])[0] - t) ** 2)))
            fre, pfre = float(np.sqrt(np.mean(fre2))), expected_fre(fle, n)
            row = {"n": n, "fle_mm": fle, "fre_mm": round(fre, 4), "fre_pred_mm": round(pfre, 4)}
            row["fre_ratio"] = round(fre / pfre, 4)
            for k, t in targets.items():
                m, p = float(np.sqrt(np.mean(tre2[k]))), expected_tre(fle, fid, np.asarray(t))
                row[f"tre_{k}"] = {
                    "measured_mm": round(m, 4),
                    "predicted_mm": round(p, 4),
                    "ratio": round(m / p, 4),
                }
            rows.append(row)
    return rows


def run_time(base) -> list[dict]:
    out = []
    case = make_case(base, volume_ml=30.0, seed=5)
    for slice_mm in (1.0, 5.0):
        ct = case.pre if slice_mm == 1.0 else thick_slices(case.pre, 5.0)
        with tempfile.TemporaryDirectory() as tmp:
            wall, cpu = harness.once(
                lambda ct=ct, tmp=tmp: write_plan(plan_case(ct), f"{tmp}/plan")
            )
        out.append(
            {
                "slice_mm": slice_mm,
                "shape": list(ct.shape),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
            }
        )
        print(out[-1], flush=True)
    return out


def summarise(rows: list[dict]) -> dict:
    out = {}
    for slice_mm, limit in ((1.0, 5.0), (5.0, 10.0)):
        sel = [r for r in rows if r["slice_mm"] == slice_mm and r["truth_ml"] >= 5.0]
        ok = [r for r in sel if "seg_err_pct" in r]
        seg = np.abs([r["seg_err_pct"] for r in ok])
        abc = np.abs([r["abc2_err_pct"] for r in ok])
        mesh = np.abs([r["mesh_err_pct"] for r in ok])
        out[f"{slice_mm:g}mm"] = {
            "cases": len(sel),
            "failed": len(sel) - len(ok),
            "within_target": int(np.sum(seg <= limit)),
            "target_pct": limit,
            "seg_median_abs_err_pct": round(float(np.median(seg)), 2) if len(ok) else None,
            "seg_max_abs_err_pct": round(float(np.max(seg)), 2) if len(ok) else None,
            "abc2_median_abs_err_pct": round(float(np.median(abc)), 2) if len(ok) else None,
            "mesh_median_abs_err_pct": round(float(np.median(mesh)), 2) if len(ok) else None,
        }
    return out


def figure(rows: list[dict], fid: list[dict]) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    for ax, slice_mm in zip(axes[:2], (1.0, 5.0), strict=True):
        sel = [r for r in rows if r["slice_mm"] == slice_mm and "seg_ml" in r]
        t = np.array([r["truth_ml"] for r in sel])
        ax.scatter(t, [r["seg_ml"] for r in sel], label="segmentation (voxels)", color="tab:red")
        ax.scatter(t, [r["abc2_ml"] for r in sel], label="ABC/2", color="tab:blue", marker="s")
        ax.scatter(t, [r["mesh_ml"] for r in sel], label="mesh volume", color="k", marker="x")
        lim = [0, max(70.0, float(t.max()) * 1.15)]
        ax.plot(lim, lim, color="grey", lw=1)
        ax.fill_between(
            lim,
            [v * (0.95 if slice_mm == 1 else 0.9) for v in lim],
            [v * (1.05 if slice_mm == 1 else 1.1) for v in lim],
            color="grey",
            alpha=0.2,
            label="target band",
        )
        ax.set_xlabel("planted volume (ml)")
        ax.set_ylabel("measured volume (ml)")
        ax.set_title(f"Hematoma volume, {slice_mm:g} mm slices")
        ax.legend(fontsize=8)
    ax = axes[2]
    for n, mk in ((3, "o"), (4, "s"), (6, "^")):
        sel = [r for r in fid if r["n"] == n]
        ax.scatter(
            [r["fre_pred_mm"] for r in sel],
            [r["fre_mm"] for r in sel],
            marker=mk,
            color="tab:green",
            label=f"FRE, N={n}",
        )
        for k in ("basal ganglia", "thalamus", "brainstem"):
            ax.scatter(
                [r[f"tre_{k}"]["predicted_mm"] for r in sel],
                [r[f"tre_{k}"]["measured_mm"] for r in sel],
                marker=mk,
                color="tab:purple",
                alpha=0.6,
                label=f"TRE, N={n}" if k == "thalamus" else None,
            )
    top = (
        max(
            max(r["fre_mm"] for r in fid),
            max(
                r[f"tre_{k}"]["measured_mm"]
                for r in fid
                for k in ("basal ganglia", "thalamus", "brainstem")
            ),
        )
        * 1.1
    )
    ax.plot([0, top], [0, top], color="grey", lw=1)
    ax.set_xlabel("Fitzpatrick 1998 prediction (mm)")
    ax.set_ylabel("measured RMS (mm)")
    ax.set_title("Fiducial registration: FRE and TRE")
    ax.legend(fontsize=7)
    fig.tight_layout()
    harness.save_figure(
        fig, harness.RESULTS / "navigation.png", dpi=90, metadata={"Software": None}
    )


def _row(*cells: object) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def markdown(summary: dict, rows: list[dict], fid: list[dict], timing: list[dict]) -> str:
    lines = [
        "# Navigation: hematoma volume, fiducial registration, planning time",
        "",
        "Written by `python -m benchmarks.navigation` (see its docstring). Simulated data: "
        "hematomas planted in the Clinical toolbox CT template (Rorden et al. 2012) in HU.",
        "",
        "## Volume (hematomas of at least 5 ml)",
        "",
        "Median and largest absolute error, in % of the planted volume.",
        "",
        _row(
            "slices",
            "cases",
            "not found",
            "within target",
            "target",
            "segmentation, median",
            "segmentation, max",
            "ABC/2, median",
            "mesh, median",
        ),
        _row(*["---"] * 9),
    ]
    for k, s in summary.items():
        lines.append(
            _row(
                k,
                s["cases"],
                s["failed"],
                s["within_target"],
                f"{s['target_pct']:g} %",
                s["seg_median_abs_err_pct"],
                s["seg_max_abs_err_pct"],
                s["abc2_median_abs_err_pct"],
                s["mesh_median_abs_err_pct"],
            )
        )
    lines += [
        "",
        "Every case:",
        "",
        _row(
            "location",
            "phase",
            "slices (mm)",
            "planted ml",
            "segmented ml",
            "ABC/2 ml",
            "mesh ml",
            "seg. error %",
            "ABC/2 error %",
        ),
        _row(*["---"] * 9),
    ]
    for r in rows:
        head = (r["location"], r["phase"], f"{r['slice_mm']:g}", f"{r['truth_ml']:.2f}")
        if "error" in r:
            lines.append(_row(*head, "not found", "", "", "", ""))
        else:
            lines.append(
                _row(
                    *head,
                    f"{r['seg_ml']:.2f}",
                    f"{r['abc2_ml']:.2f}",
                    f"{r['mesh_ml']:.2f}",
                    f"{r['seg_err_pct']:+.1f}",
                    f"{r['abc2_err_pct']:+.1f}",
                )
            )
    lines += [
        "",
        "## Fiducial registration (measured RMS / Fitzpatrick prediction)",
        "",
        _row(
            "N",
            "FLE mm",
            "FRE mm",
            "predicted",
            "ratio",
            "TRE ratio, basal ganglia",
            "thalamus",
            "brainstem",
        ),
        _row(*["---"] * 8),
    ]
    for r in fid:
        lines.append(
            _row(
                r["n"],
                r["fle_mm"],
                r["fre_mm"],
                r["fre_pred_mm"],
                r["fre_ratio"],
                r["tre_basal ganglia"]["ratio"],
                r["tre_thalamus"]["ratio"],
                r["tre_brainstem"]["ratio"],
            )
        )
    lines += [
        "",
        "## Time to plan one case (segmentation, meshes, trajectory, figures, report)",
        "",
        _row("slices", "shape", "CPU s (one core)", "wall s"),
        _row(*["---"] * 4),
    ]
    for t in timing:
        shape = "x".join(map(str, t["shape"]))
        lines.append(_row(f"{t['slice_mm']:g} mm", shape, t["cpu_s"], t["wall_s"]))
    lines += ["", "![volumes and fiducials](navigation.png)", ""]
    return "\n".join(lines)


def main() -> None:
    p = harness.parser(__doc__)
    p.add_argument("--quick", action="store_true", help="4 phantoms, 1000 fiducial trials")
    args = p.parse_args()
    data = harness.require_data("volumes/clinical-ct")
    base = clinical_template_ct(data / "scct.nii")
    rows = run_volumes(base, QUICK if args.quick else CASES)
    fid = run_fiducials(1000 if args.quick else 5000)
    timing = run_time(base)
    summary = summarise(rows)
    harness.write_json(
        harness.RESULTS / "navigation.json",
        {"summary": summary, "volumes": rows, "fiducials": fid, "timing": timing},
        indent=1,
    )
    harness.write_text(harness.RESULTS / "navigation.md", markdown(summary, rows, fid, timing))
    figure(rows, fid)
    print(harness.RESULTS.joinpath("navigation.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
