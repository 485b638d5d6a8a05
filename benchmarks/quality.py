"""Tang et al.'s learned quality assessment against the traditional metrics, on held-out cases.

Run from the repository root::

    .venv/bin/python -m benchmarks.quality                       # builds the database if absent
    .venv/bin/python -m benchmarks.quality --db /tmp/brainfuse-quality-db --weights W.pt

The database is the proxy-MOS database of ``brainfuse quality build-db`` (Harvard
``harvard-aanlib`` pairs and phantom cases fused by 12 methods and degraded; see
``docs/quality.md``), built into ``--db`` when ``--db/mos.csv`` does not exist (about 20-30 min
on a shared core). Only its ``test`` lines are scored: Harvard pairs of the ``val`` split of
``harvard-aanlib`` (cases never trained on) and phantom cases of their own seeds.

For the learned score (the shipped weights, or ``--weights``) and each traditional metric of
Tang et al.'s Table 1 (Q_MI, Q_NCIE, Q_G, Q_rSFe, Q_Y, Q_EP, Q_P as
:mod:`brainfuse.quality.compare` computes them): SRCC, KRCC, and PLCC and RMSE after the
4-parameter logistic mapping, on all test images and per origin (Harvard, phantom). Results:
``docs/results/quality.{md,json,png}``. The MOS is a proxy: the numbers validate the
machinery, they are not a clinical claim.
"""

from __future__ import annotations

import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from benchmarks import _harness as harness

LEARNED = "learned (Tang et al.)"


def _table(rows: dict, n: int) -> list[str]:
    lines = ["| score | SRCC | KRCC | PLCC | RMSE |", "|---|---|---|---|---|"]
    best = max(rows, key=lambda k: rows[k]["SRCC"])
    for k, r in rows.items():
        name = f"**{k}**" if k == best else k
        lines.append(
            f"| {name} | {r['SRCC']:.4f} | {r['KRCC']:.4f} | {r['PLCC']:.4f} | {r['RMSE']:.4f} |"
        )
    lines.append(f"\n{n} images; PLCC and RMSE after the 4-parameter logistic mapping.")
    return lines


def _figure(results: dict, part, learned, sims, model, path: Path) -> None:
    from brainfuse.quality.assess import MOS_LEVELS
    from brainfuse.quality.network import torch

    groups = list(results["tables"])
    names = list(results["tables"][groups[0]])
    fig = plt.figure(figsize=(15, 9))
    ax = fig.add_subplot(2, 3, (1, 2))
    width = 0.8 / len(groups)
    for g_idx, g in enumerate(groups):
        vals = [results["tables"][g][k]["SRCC"] for k in names]
        ax.bar(np.arange(len(names)) + g_idx * width, vals, width, label=g)
    ax.set_xticks(np.arange(len(names)) + width * (len(groups) - 1) / 2)
    ax.set_xticklabels(names, rotation=20, fontsize=8)
    ax.axhline(0, color="k", lw=0.5)
    ax.set_ylabel("SRCC with the proxy MOS")
    ax.set_title("Held-out test images: rank agreement with the proxy MOS")
    ax.legend(fontsize=8)
    ax2 = fig.add_subplot(2, 3, 3)
    rng = np.random.default_rng(0)
    mos5 = part.mos * 5
    ax2.scatter(
        mos5 + rng.uniform(-0.15, 0.15, mos5.size),
        learned * 5 + rng.uniform(-0.15, 0.15, mos5.size),
        s=6,
        alpha=0.4,
    )
    ax2.plot([1, 5], [1, 5], "k--", lw=0.6)
    ax2.set_xlabel("proxy MOS (1..5)")
    ax2.set_ylabel("learned score (1..5)")
    ax2.set_title("learned score vs proxy MOS (jittered)")
    # one held-out pair: the five images G draws for it, and the fused image scored
    i = int(np.argmax([r.get("origin") == "harvard" for r in part.rows]))
    with torch.no_grad():
        ta = torch.from_numpy(part.a[i : i + 1])[:, None]
        tb = torch.from_numpy(part.b[i : i + 1])[:, None]
        gens = [model.generate(ta, tb, torch.tensor([m]))[0][0, 0].numpy() for m in MOS_LEVELS]
    strip = np.concatenate([part.a[i], part.b[i], part.fused[i], *gens], axis=1)
    ax3 = fig.add_subplot(2, 1, 2)
    ax3.imshow(strip, cmap="gray", vmin=0, vmax=1)
    ax3.set_axis_off()
    labels = ["source A", "source B", f"fused (MOS {mos5[i]:.0f})"] + [
        f"G | MOS {5 * m:.0f}: SSIM {s:.3f}" for m, s in zip(MOS_LEVELS, sims[i], strict=True)
    ]
    for k, label in enumerate(labels):
        ax3.text(128 * k + 64, -6, label, ha="center", fontsize=7)
    ax3.set_title(
        f"{part.rows[i]['fused']}: learned score {5 * learned[i]:.0f}", fontsize=9, pad=14
    )
    fig.tight_layout()
    harness.save_figure(fig, path, dpi=90)
    plt.close(fig)


def _traditional(db_table: Path, part) -> dict[str, np.ndarray]:
    """The traditional metrics of the test lines, cached beside the database (keyed by the
    CSV's SHA-256: they do not depend on the weights)."""
    import hashlib

    from brainfuse.quality.compare import traditional_scores

    digest = hashlib.sha256(db_table.read_bytes()).hexdigest()[:16]
    cache = db_table.with_name(f"traditional-test-{digest}.npz")
    if cache.is_file():
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    scores = traditional_scores(part.a, part.b, part.fused, progress=True)
    np.savez(cache, **scores)
    return scores


def _ideal_generator(part) -> dict:
    """Tang et al.'s rule with the *ideal* L1 generator on the Harvard test pairs: a ceiling.

    Trained with an L1 loss, G tends to the pixelwise median of the fused images of a source
    pair at a given MOS. For the Harvard pairs the database draws those from a known process (12
    methods × 5 degradation kinds at level ``5 − MOS``), so that median can be computed exactly
    here: every method's fusion of the pair degraded by every kind at every level (the noise
    drawn from fixed seeds), the median over the 60 images of each level. Scoring the test
    images with it by the paper's rule tells what the rule can reach on this database however
    well G is trained; the mean absolute difference of the fused images from the median of their
    own level and from the MOS-5 median tells how much of G's L1 loss the MOS can explain.
    """
    from brainfuse.fusion.registry import get_method
    from brainfuse.quality.assess import argmax_mos, ssim_to_levels
    from brainfuse.quality.database import DEFAULT_METHODS
    from brainfuse.quality.degrade import DEGRADATIONS, degrade
    from brainfuse.quality.stats import agreement

    funcs = [get_method(m).func for m in DEFAULT_METHODS]
    idx = [i for i, r in enumerate(part.rows) if r.get("origin") == "harvard"]
    medians: dict[str, np.ndarray] = {}
    for i in idx:
        pair = part.rows[i]["pair"]
        if pair in medians:
            continue
        a, b = (
            np.rint(x[i].astype(np.float64) * 255.0).astype(np.float32) for x in (part.a, part.b)
        )
        fused = [np.clip(np.asarray(f(a, b), np.float32), 0, 255) for f in funcs]
        medians[pair] = np.stack(
            [
                np.median(
                    [
                        np.rint(degrade(f, kind, level, seed=1000 * m + k))
                        for m, f in enumerate(fused)
                        for k, kind in enumerate(DEGRADATIONS)
                    ],
                    axis=0,
                )
                / 255.0
                for level in range(5)
            ]
        )
    scores, own, top = [], [], []
    for i in idx:
        med = medians[part.rows[i]["pair"]]
        sims = ssim_to_levels(
            lambda a, b, m, med=med: med[round(5 * (1 - m))], part.a[i], part.b[i], part.fused[i]
        )
        scores.append(argmax_mos(sims))
        own.append(np.abs(part.fused[i] - med[round(5 * (1 - part.mos[i]))]).mean())
        top.append(np.abs(part.fused[i] - med[0]).mean())
    scores_a, mos = np.array(scores), part.mos[idx]
    kinds = np.array([part.rows[i].get("degradation", "") for i in idx])
    return {
        "harvard_srcc": agreement(scores_a, mos).srcc,
        "harvard_srcc_by_degradation": {
            str(k): agreement(scores_a[kinds == k], mos[kinds == k]).srcc
            for k in sorted(set(kinds))
        },
        "l1_to_own_level_median": float(np.mean(own)),
        "l1_to_mos5_median": float(np.mean(top)),
    }


def main() -> None:
    p = harness.parser(__doc__)
    p.add_argument("--db", type=Path, default=Path("/tmp/brainfuse-quality-db"))
    p.add_argument("--weights", type=Path, default=None)
    p.add_argument(
        "--metrics-only",
        action="store_true",
        help="Only compute (and cache beside the database) the traditional metrics.",
    )
    args = p.parse_args()
    from brainfuse.quality.api import build_proxy_database
    from brainfuse.quality.assess import load_model, predict
    from brainfuse.quality.compare import comparison_table
    from brainfuse.quality.database import load_database
    from brainfuse.quality.stats import agreement

    table = args.db / "mos.csv"
    if not table.is_file():
        harvard = harness.require_data("harvard-aanlib")
        build_proxy_database(args.db, harvard=harvard)
    db = load_database(table)
    part = db.subset("test")
    traditional = _traditional(table, part)
    if args.metrics_only:
        return
    from brainfuse.quality.network import torch

    torch.set_num_threads(1)
    model, manifest = load_model(args.weights)
    t0 = time.perf_counter()
    learned, sims = predict(model, part.a, part.b, part.fused)
    seconds = time.perf_counter() - t0
    scores = {**traditional, LEARNED: learned}
    origins = np.array([r.get("origin", "") for r in part.rows])
    results: dict = {
        "database": {"table": str(table), "test_images": len(part)},
        "weights_sha256": manifest.get("sha256"),
        "learned_seconds_per_image": seconds / len(part),
        "tables": {},
    }
    md = [
        "# Learned quality assessment (Tang et al.) vs traditional metrics",
        "",
        "Written by `python -m benchmarks.quality` (see [docs/quality.md](../quality.md)).",
        "The MOS is a **proxy** (degradation level for Harvard pairs, quintile of a task",
        "score against the phantom truth): these numbers validate the machinery, they are",
        "not a clinical claim.",
        "",
    ]
    for group, mask in (
        ("all", np.ones(len(part), bool)),
        ("harvard", origins == "harvard"),
        ("phantom", origins == "phantom"),
    ):
        if mask.sum() < 3:
            continue
        rows = comparison_table({k: v[mask] for k, v in scores.items()}, part.mos[mask])
        results["tables"][group] = {k: r.as_dict() for k, r in rows.items()}
        md += [f"## {group} test images", "", *_table(results["tables"][group], int(mask.sum()))]
        md.append("")
    # which degradations each score ranks: SRCC on the Harvard test lines of each kind
    kinds = np.array([r.get("degradation", "") for r in part.rows])
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted(set(kinds[origins == "harvard"])):
        m = (origins == "harvard") & (kinds == kind)
        by_kind[kind] = {k: agreement(v[m], part.mos[m]).srcc for k, v in scores.items()}
    results["harvard_srcc_by_degradation"] = by_kind
    if by_kind:
        names = list(scores)
        md += [
            "## Harvard test images, SRCC per degradation kind",
            "",
            "| degradation | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names),
        ]
        md += [
            f"| {kind} | " + " | ".join(f"{row[k]:.3f}" for k in names) + " |"
            for kind, row in by_kind.items()
        ]
        md.append("")
    learned_rows = results["tables"]["all"]
    beats = all(
        learned_rows[LEARNED]["SRCC"] > r["SRCC"] for k, r in learned_rows.items() if k != LEARNED
    )
    results["target_learned_srcc_highest"] = beats
    ideal = _ideal_generator(part)
    results["ideal_l1_generator"] = ideal
    md += [
        "## Ceiling of the scoring rule: the ideal L1 generator (Harvard test images)",
        "",
        "G replaced by the exact pixelwise median of the fused images the database's process",
        "gives each Harvard test pair at each MOS (12 methods × 5 degradation kinds), scored by",
        "the same rule:",
        "",
        f"- SRCC {ideal['harvard_srcc']:.3f} (per degradation: "
        + ", ".join(f"{k} {v:.3f}" for k, v in ideal["harvard_srcc_by_degradation"].items())
        + ");",
        f"- mean absolute difference of the fused images from that median at their own MOS "
        f"{ideal['l1_to_own_level_median']:.4f}, from the median at MOS 5 "
        f"{ideal['l1_to_mos5_median']:.4f}: the share of G's L1 loss the MOS can explain.",
        "",
    ]
    md += [
        f"Target (learned SRCC higher than every traditional metric, all test images): "
        f"**{'met' if beats else 'not met'}**.",
        "",
        f"Learned scoring: {1000 * seconds / len(part):.0f} ms per image (5 generator passes "
        "and 5 SSIMs, one thread).",
        "",
        "![quality](quality.png)",
        "",
    ]
    harness.write_json(harness.RESULTS / "quality.json", results)
    harness.write_text(harness.RESULTS / "quality.md", "\n".join(md))
    _figure(results, part, learned, sims, model, harness.RESULTS / "quality.png")
    print("\n".join(md))


if __name__ == "__main__":
    main()
