"""Speed of the channelized Hotelling observer: one method scored over a 200-case phantom
ensemble (target: at most 10 s on one core).

Run (from the repository root; one thread, as every benchmark)::

    .venv/bin/python -m benchmarks.phantom_cho

It builds 100 lesion-present MNI152 phantom cases (2D PET, hot lesions, each with its own
lesion and anatomy) and their 100 lesion-absent twins, fuses them with ``average`` (grey, and in
colour through the ``pet`` palette; the fusion is not timed), then times
:func:`brainfuse.metrics.task.cho_cases` on the 200 fused images: channel outputs (Laguerre–Gauss,
centred on each lesion), the two-fold held-out template and d′/AUC. It also times the channel
outputs of one 3D case (99×117×95 voxels) and scales that to 200 volumes. CPU time is the
calling thread's (``time.thread_time``). Writes ``docs/results/phantom-cho.{json,md}``.
"""

from __future__ import annotations

from benchmarks import _harness as harness

TARGET_S = 10.0


def main() -> None:
    from brainfuse.fusion import fuse_arrays
    from brainfuse.metrics.task import channel_outputs, cho_cases, default_channel_width
    from brainfuse.phantom import make_case, make_ensemble

    harness.parser(__doc__).parse_args()
    ens = make_ensemble(100, seed=19, hyper=True)
    rows = []
    for rendering in ("grey", "colour"):

        def b(c, rendering=rendering):
            return c.functional_rgb() if rendering == "colour" else c.functional

        fp = [fuse_arrays(c.anatomy, b(c), "average") for c in ens.present]
        fa = [fuse_arrays(c.anatomy, b(c), "average") for c in ens.absent]
        for n_channels in (3, 5, 10):
            res = {}

            def run(fp=fp, fa=fa, n_channels=n_channels, res=res):
                res["r"] = cho_cases(fp, fa, ens.present, ens.absent, n_channels=n_channels)

            wall, cpu, best, runs = harness.repeat(run, min_runs=3, max_runs=10, budget_s=20)
            r = res["r"]
            rows.append(
                {
                    "images": f"2D {rendering}",
                    "cases": len(fp) + len(fa),
                    "channels": r.n_channels,
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "cpu_min_s": best,
                    "runs": runs,
                    "d_prime": r.d_prime,
                    "auc_empirical": r.auc_empirical,
                }
            )
    vol = make_case(19, ndim=3, hyper=True)
    width = default_channel_width([vol])
    wall, cpu, best, runs = harness.repeat(
        lambda: channel_outputs([vol.functional], [vol.lesions[0].centre], width=width,
                                n_channels=5, ndim=3),
        min_runs=3, max_runs=10, budget_s=10,
    )  # fmt: skip
    rows.append(
        {
            "images": "3D grey (one volume, x200)",
            "cases": 200,
            "channels": 5,
            "wall_s": 200 * wall,
            "cpu_s": 200 * cpu,
            "cpu_min_s": 200 * best,
            "runs": runs,
            "d_prime": None,
            "auc_empirical": None,
        }
    )
    harness.write_json(harness.RESULTS / "phantom-cho.json", {"target_s": TARGET_S, "rows": rows})
    lines = [
        "# CHO speed: one method over a 200-case phantom ensemble",
        "",
        "Command: `.venv/bin/python -m benchmarks.phantom_cho` (one thread). 100 lesion-present "
        "2D PET phantom cases and their 100 lesion-absent twins fused by `average`; the time "
        "of `brainfuse.metrics.task.cho_cases` (channel outputs, two-fold held-out template, "
        "d′ and AUC), median of the runs. Target: ≤ 10 s of one core. The 3D row times the "
        "channel outputs of one 99×117×95 volume, times 200.",
        "",
        "| images | cases | channel outputs | CPU s (median) | wall s | target met | d′ | AUC |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in rows:
        d = "–" if r["d_prime"] is None else f"{r['d_prime']:.2f}"
        auc = "–" if r["auc_empirical"] is None else f"{r['auc_empirical']:.3f}"
        ok = "yes" if r["cpu_s"] <= TARGET_S else "no"
        lines.append(
            f"| {r['images']} | {r['cases']} | {r['channels']} | {r['cpu_s']:.2f} | "
            f"{r['wall_s']:.2f} | {ok} | {d} | {auc} |"
        )
    harness.write_text(harness.RESULTS / "phantom-cho.md", "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
