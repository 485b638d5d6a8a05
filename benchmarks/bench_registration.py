"""Registration accuracy and speed: the protocol of Wang J. et al. (2022) on real brain pairs.

Run from the repository root::

    .venv/bin/python -m benchmarks.bench_registration --scale full    # hours (see below)
    .venv/bin/python -m benchmarks.bench_registration --scale subset  # about 16 min of CPU
    .venv/bin/python -m benchmarks.bench_registration --scale quick --out /tmp/reg
    .venv/bin/python -m benchmarks.bench_registration --scale subset --methods mi ecc  # re-run two

``full`` runs every pair below with every method; ``subset`` (what docs/results holds) runs MI and
ECC on every pair but BGGMM and GMM-ER on every 4th pair of each set, the robustness curves on 3
pairs per set and the 3D cases with one transform per volume, BGGMM and GMM-ER on two of them;
``quick`` takes 4 pairs per set. A ``full`` run was stopped after 58 min, in the 2D accuracy
part at the 88th of 166 pairs (BGGMM and GMM-ER, 4-8 s each, on every pair and in the curves):
expect several hours.

2D (the paper's Table 1 and Figs. 4/7): each pair of ``../shared/data/harvard-cddfuse-test`` (MRI-CT
21, MRI-PET 42, MRI-SPECT 73; PET/SPECT colour, registered through the first principal component of
their colours) and of axial slices of the SPM12 templates (T1-T2, T1-PD, T2-PD, 10 slices each, 1 mm
pixels) is an aligned pair. The second image is moved by a random rigid transform (rotation uniform
in [-10, 10] degrees about the image centre, translation uniform in [-20, 20] px per axis, seed 0)
and registered back to the first (MRI) with every method. PAD (average pixel displacement between
the true and the estimated transform over all pixels) is measured against the published alignment
("PAD") and, because a method's optimum for a published pair may differ from that alignment, also
against the method's own result on the unmoved pair ("PAD-self": the true transform composed with
it). A registration fails when PAD > 3 px; a method that stops with an error counts as failed with
PAD = PAD of the identity.

Robustness curves (5 pairs per set): Gaussian noise of variance 0-0.04 (on the 0..1 scale,
clipped, as MATLAB ``imnoise``) added to the moved image at the random transform; and pure
shifts of t = 0..30 px along both axes.

3D: the SPM12 T2, PD, PET, SPECT, EPI, Transm templates and the clinical CT template moved by
two random rigid transforms each (rotations uniform in [-10, 10] degrees about each axis,
translations in [-10, 10] mm) and registered to the SPM12 T1; TRE in mm over the voxels of
T1 above 10 % of its maximum (the head). ``register`` offers bggmm and gmm-er in 2D only; their
3D rows call ``brainfuse.registration.bggmm`` directly, to show why. The SPECT template's
header flips x: it is moved and registered through its own header.

Time: wall-clock and CPU time of the process per registration (numpy on one thread; ITK on one
thread per descent, and ``mi``'s two 2D descents side by side on two threads, so its CPU time
is the sum of both).
On this shared machine the wall-clock time includes time other processes hold the core.

Results: ``docs/results/bench_registration.md`` (tables), ``.json`` (every case),
``registration_pad_noise.png``, ``registration_pad_shift.png``, ``registration_example.png``.
"""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.progress import Progress

from benchmarks import _harness as harness
from benchmarks._registration import (
    METHODS_2D,
    METHODS_3D,
    SLOW,
    SPM_SLICES,
    moved,
    pair_sets,
    random_rigid_2d,
    register_with_own,
    rigid_2d,
    rigid_3d,
    timed_register,
)
from brainfuse.io import Image, load
from brainfuse.registration import PAD_FAILURE_PX, pad, register, resample, tre, world_points

NOISE = (0.0, 0.01, 0.02, 0.03, 0.04)
SHIFTS = (0, 5, 10, 15, 20, 25, 30)
VOLUMES = ("T2", "PD", "PET", "SPECT", "EPI", "Transm", "scct")


@dataclass(frozen=True)
class Scale:
    """How much of the protocol to run."""

    harvard: int | None  # pairs per Harvard set (None: all)
    slices: tuple[int, ...]  # axial slices of the SPM12 templates
    slow_every: int  # BGGMM and GMM-ER on every n-th pair of each set
    curve_pairs: int  # pairs per set in the robustness curves
    transforms_3d: int  # random transforms per volume
    slow_volumes: tuple[str, ...]  # volumes also registered with BGGMM and GMM-ER in 3D


SCALES = {
    "full": Scale(None, SPM_SLICES, 1, 5, 2, VOLUMES),
    "subset": Scale(None, SPM_SLICES, 4, 3, 1, ("T2", "PET")),
    "quick": Scale(4, (35, 55), 1, 2, 1, ("T2", "PET")),
}


def add_noise(image: Image, variance: float, rng: np.random.Generator) -> Image:
    """Zero-mean Gaussian noise of ``variance`` on the 0..1 scale, clipped (MATLAB imnoise)."""
    if variance == 0:
        return image
    noisy = np.clip(
        image.array / 255.0 + rng.normal(0.0, np.sqrt(variance), image.array.shape), 0, 1
    )
    return image.replace(array=(noisy * 255.0).astype(np.float32))


def run_2d(sets, methods, progress, slow_every: int) -> list[dict]:
    rng = np.random.default_rng(0)
    cases = []
    for set_name, pairs in sets.items():
        for i, (name, fixed, moving) in enumerate(pairs):
            true = random_rigid_2d(rng, fixed.shape)
            run = [m for m in methods if m not in SLOW or i % slow_every == 0]
            cases.append((set_name, name, fixed, moving, true, run))
    task = progress.add_task("2D accuracy", total=sum(len(c[-1]) for c in cases))
    rows = []
    for set_name, name, fixed, moving, true, run in cases:
        mv = moved(moving, true)
        for method in run:
            own, _, _, _ = timed_register(fixed, moving, method)
            est, wall, cpu, error = timed_register(fixed, mv, method)
            e = np.eye(3) if est is None else est
            rows.append(
                {
                    "set": set_name,
                    "pair": name,
                    "method": method,
                    "true": true.tolist(),
                    "estimate": None if est is None else est.tolist(),
                    "pad": pad(true, e, fixed.shape),
                    "pad_self": pad(true @ (np.eye(3) if own is None else own), e, fixed.shape),
                    "own_vs_published": None if own is None else pad(np.eye(3), own, fixed.shape),
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "error": error,
                }
            )
            progress.advance(task)
    return rows


def run_curves(sets, methods, progress, per_set: int) -> list[dict]:
    rng = np.random.default_rng(1)
    jobs = []
    for set_name, pairs in sets.items():
        for name, fixed, moving in pairs[:: max(1, len(pairs) // per_set)][:per_set]:
            base = random_rigid_2d(rng, fixed.shape)
            for v in NOISE:
                jobs.append((set_name, name, fixed, moving, base, "noise", v))
            for t in SHIFTS:
                jobs.append(
                    (set_name, name, fixed, moving, rigid_2d(0, t, t, fixed.shape), "shift", t)
                )
    task = progress.add_task("robustness curves", total=len(jobs) * len(methods))
    rows = []
    for set_name, name, fixed, moving, true, kind, level in jobs:
        mv = moved(moving, true)
        if kind == "noise":
            mv = add_noise(mv, level, np.random.default_rng(int(level * 1000) + 7))
        for method in methods:
            est, _, _, error = timed_register(fixed, mv, method)
            e = np.eye(3) if est is None else est
            rows.append(
                {
                    "set": set_name,
                    "pair": name,
                    "method": method,
                    "experiment": kind,
                    "level": level,
                    "pad": pad(true, e, fixed.shape),
                    "error": error,
                }
            )
            progress.advance(task)
    return rows


def run_3d(methods, progress, scale: Scale) -> tuple[list[dict], dict]:
    spm, ct = harness.DATA / "volumes" / "spm12", harness.DATA / "volumes" / "clinical-ct"
    t1 = load(spm / "T1.nii")
    points = world_points(t1, t1.array > 0.1 * t1.array.max())
    centre = points.mean(axis=0)
    rng = np.random.default_rng(2)
    jobs = []
    for n in VOLUMES:
        vol = load((ct if n == "scct" else spm) / f"{n}.nii")
        run = [m for m in methods if m not in SLOW or n in scale.slow_volumes]
        for _ in range(scale.transforms_3d):
            true = rigid_3d(rng.uniform(-10, 10, 3), rng.uniform(-10, 10, 3), centre)
            jobs.append((n, vol, true, run))
    task = progress.add_task("3D accuracy", total=sum(len(j[-1]) for j in jobs) + 1)
    rows = []
    own: dict[tuple[str, str], np.ndarray] = {}
    for n, vol, true, run in jobs:
        mv = moved(vol, true)
        for method in run:
            key = (n, method)
            est, own_mat, wall, cpu, error = register_with_own(t1, vol, mv, method, own, key)
            e = np.eye(4) if est is None else est
            rows.append(
                {
                    "volume": n,
                    "method": method,
                    "true": true.tolist(),
                    "estimate": None if est is None else est.tolist(),
                    "tre_mm": tre(true, e, points),
                    "tre_self_mm": tre(true @ own_mat, e, points),
                    "own_vs_header_mm": tre(np.eye(4), own_mat, points),
                    "wall_s": wall,
                    "cpu_s": cpu,
                    "error": error,
                }
            )
            progress.advance(task)
    # the SPECT template: its header flips x; through the headers it lines up with T1 and PET
    spect, pet = load(spm / "SPECT.nii"), load(spm / "PET.nii")
    resampled = resample(t1, spect).array

    def asym(a: np.ndarray) -> np.ndarray:
        return (a - a[::-1]).ravel()

    est, wall, cpu, _ = timed_register(t1, spect, "mi")
    spect_check = {
        "asymmetry_corr_with_pet_resampled": float(
            np.corrcoef(asym(resampled), asym(pet.array))[0, 1]
        ),
        "asymmetry_corr_with_pet_raw_array": float(
            np.corrcoef(asym(spect.array), asym(pet.array))[0, 1]
        ),
        "mi_from_headers_tre_vs_identity_mm": tre(np.eye(4), est, points),
        "mi_wall_s": wall,
        "mi_cpu_s": cpu,
    }
    progress.advance(task)
    return rows, spect_check


# ---------------------------------------------------------------------------------- report
def keep_other_methods(
    previous: Path, methods: tuple[str, ...], rows: list[dict], curves: list[dict], rows_3d
) -> tuple[list[dict], list[dict], list[dict]]:
    """Merge the new cases with the previous results' cases of the methods not re-run, in
    the order of :data:`METHODS_2D` (the transforms are drawn from fixed seeds, so the cases
    are the same)."""
    old = json.loads(previous.read_text(encoding="utf-8"))

    def merged(new: list[dict], before: list[dict]) -> list[dict]:
        both = new + [r for r in before if r["method"] not in methods]
        return sorted(both, key=lambda r: METHODS_2D.index(r["method"]))

    return (
        merged(rows, old["cases_2d"]),
        merged(curves, old["curves"]),
        merged(rows_3d, old["cases_3d"]),
    )


def summarise_2d(rows: list[dict]) -> list[dict]:
    out = []
    for s in dict.fromkeys(r["set"] for r in rows):
        for m in dict.fromkeys(r["method"] for r in rows):
            sel = [r for r in rows if r["set"] == s and r["method"] == m]
            p = np.array([r["pad"] for r in sel])
            q = np.array([r["pad_self"] for r in sel])
            out.append(
                {
                    "set": s,
                    "method": m,
                    "n": len(sel),
                    "mean_pad": float(p.mean()),
                    "median_pad": float(np.median(p)),
                    "fail_pct": float(100 * np.mean(p > PAD_FAILURE_PX)),
                    "median_pad_self": float(np.median(q)),
                    "fail_self_pct": float(100 * np.mean(q > PAD_FAILURE_PX)),
                    "median_own_vs_published": float(
                        np.median(
                            [
                                r["own_vs_published"]
                                for r in sel
                                if r["own_vs_published"] is not None
                            ]
                            or [np.nan]
                        )
                    ),
                    "errors": sum(1 for r in sel if r["error"]),
                    "median_wall_s": float(np.median([r["wall_s"] for r in sel])),
                    "median_cpu_s": float(np.median([r["cpu_s"] for r in sel])),
                }
            )
    return out


def paired(rows: list[dict], first: str, second: str, key: str):
    """``(set, n, key of first, key of second)`` over the pairs both methods ran on."""
    for s in dict.fromkeys(r["set"] for r in rows):
        by = {
            m: {r["pair"]: r[key] for r in rows if r["set"] == s and r["method"] == m}
            for m in (first, second)
        }
        common = [k for k in by[first] if k in by[second]]
        if common:
            yield (
                s,
                len(common),
                np.array([by[first][k] for k in common]),
                np.array([by[second][k] for k in common]),
            )


def plot_curves(rows: list[dict], experiment: str, path: Path) -> None:
    import matplotlib.pyplot as plt

    sets = list(dict.fromkeys(r["set"] for r in rows))
    fig, axes = plt.subplots(1, len(sets), figsize=(4.2 * len(sets), 3.6), squeeze=False)
    for ax, s in zip(axes[0], sets, strict=True):
        for m in dict.fromkeys(r["method"] for r in rows):
            sel = [
                r
                for r in rows
                if r["set"] == s and r["method"] == m and r["experiment"] == experiment
            ]
            levels = sorted({r["level"] for r in sel})
            med = [np.median([r["pad"] for r in sel if r["level"] == lv]) for lv in levels]
            ax.plot(levels, med, marker="o", label=m)
        ax.axhline(PAD_FAILURE_PX, color="grey", ls="--", lw=0.8)
        ax.set_yscale("log")
        ax.set_title(s)
        ax.set_xlabel("noise variance" if experiment == "noise" else "shift t (px, along x and y)")
        ax.set_ylabel("median PAD (px)")
    axes[0][0].legend()
    what = "noise" if experiment == "noise" else "displacement"
    fig.suptitle(f"Registration error vs {what} (dashed: failure, 3 px)")
    fig.tight_layout()
    harness.save_figure(fig, path, dpi=110)
    plt.close(fig)


def plot_example(path: Path) -> None:
    """A Harvard MRI-PET pair: moved, registered (MI and BGGMM), as edge overlays."""
    import matplotlib.pyplot as plt
    from skimage import feature

    pair = harness.DATA / "harvard-cddfuse-test" / "MRI_PET"
    mri, pet = load(pair / "MRI" / "16.png"), load(pair / "PET" / "16.png")
    mv = moved(pet, rigid_2d(8.0, 15.0, -12.0, mri.shape))
    edges = feature.canny(mri.array, sigma=2)
    panels = [("published pair", pet.array), ("moved (8°, 15/-12 px)", mv.array)]
    for m in ("mi", "bggmm"):
        panels.append((f"registered: {m}", register(mri, mv, m)[0].array))
    fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.4))
    for ax, (title, img) in zip(axes, panels, strict=True):
        shown = np.clip(img, 0, 255).astype(np.uint8).copy()
        shown[edges] = [0, 255, 0]
        ax.imshow(shown)
        ax.set_title(title, fontsize=9)
        ax.axis("off")
    fig.suptitle("MRI edges (green) over the PET of Harvard MRI-PET pair 16", fontsize=10)
    fig.tight_layout()
    harness.save_figure(fig, path, dpi=110)
    plt.close(fig)


def write_markdown(path: Path, rows, summary, curves, rows_3d, spect, meta) -> None:
    lines = [
        "# Registration benchmark",
        "",
        f"Command: `{meta['command']}`. Machine: {meta['machine']}; load average at start "
        f"{meta['load_start']}, at end {meta['load_end']} (shared by several engineers: "
        "wall-clock times include waiting for the CPU; CPU time is the process's own)."
        + (f" Note: {meta['note']}." if "note" in meta else ""),
        "",
        "## 2D: random rigid transforms (±10°, ±20 px), no noise — PAD in pixels",
        "",
        "PAD: against the published alignment of the pair. PAD-self: against the method's own "
        "result on the unmoved pair (precision and capture range, whatever the optimum). Failure: "
        "PAD > 3 px. Own vs published: PAD between the method's result on the unmoved pair and "
        "the identity, i.e. how far the method's optimum is from the published alignment (a "
        "floor under PAD that no capture range removes).",
        "",
        "| set | method | n | mean PAD | median PAD | failures | median PAD-self | failures (self) "
        "| median own vs published | errors | median wall s | median CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in summary:
        lines.append(
            f"| {r['set']} | {r['method']} | {r['n']} | {r['mean_pad']:.3f} "
            f"| {r['median_pad']:.3f} "
            f"| {r['fail_pct']:.1f} % | {r['median_pad_self']:.3f} | {r['fail_self_pct']:.1f} % "
            f"| {r['median_own_vs_published']:.3f} | {r['errors']} "
            f"| {r['median_wall_s']:.3f} | {r['median_cpu_s']:.3f} |"
        )
    lines += [
        "",
        "Same pairs, BGGMM vs MI (the pairs BGGMM ran on): median PAD and PAD-self, and on how "
        "many pairs BGGMM's is lower:",
        "",
        "| set | n | MI median PAD | BGGMM median PAD | BGGMM lower | MI median PAD-self "
        "| BGGMM median PAD-self | BGGMM lower (self) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (s, n, p_mi, p_bg), (_, _, q_mi, q_bg) in zip(
        paired(rows, "mi", "bggmm", "pad"), paired(rows, "mi", "bggmm", "pad_self"), strict=True
    ):
        lines.append(
            f"| {s} | {n} | {np.median(p_mi):.3f} | {np.median(p_bg):.3f} "
            f"| {int(np.sum(p_bg < p_mi))}/{n} | {np.median(q_mi):.3f} | {np.median(q_bg):.3f} "
            f"| {int(np.sum(q_bg < q_mi))}/{n} |"
        )
    lines += ["", "Table 1 layout (mean PAD, px):", ""]
    sets = list(dict.fromkeys(r["set"] for r in summary))
    lines.append("| method | " + " | ".join(sets) + " |")
    lines.append("|---|" + "---|" * len(sets))
    for m in dict.fromkeys(r["method"] for r in summary):
        vals = [
            next(r for r in summary if r["set"] == s and r["method"] == m)["mean_pad"] for s in sets
        ]
        lines.append(f"| {m} | " + " | ".join(f"{v:.4f}" for v in vals) + " |")
    for experiment, label in (("noise", "noise variance"), ("shift", "shift t (px)")):
        lines += ["", f"## Robustness: median PAD (px) vs {label}", ""]
        levels = sorted({r["level"] for r in curves if r["experiment"] == experiment})
        lines.append("| set | method | " + " | ".join(str(lv) for lv in levels) + " |")
        lines.append("|---|---|" + "---|" * len(levels))
        for s in dict.fromkeys(r["set"] for r in curves):
            for m in dict.fromkeys(r["method"] for r in curves):
                vals = [
                    np.median(
                        [
                            r["pad"]
                            for r in curves
                            if r["set"] == s
                            and r["method"] == m
                            and r["experiment"] == experiment
                            and r["level"] == lv
                        ]
                    )
                    for lv in levels
                ]
                lines.append(f"| {s} | {m} | " + " | ".join(f"{v:.2f}" for v in vals) + " |")
        lines += ["", f"![PAD vs {label}](registration_pad_{experiment}.png)"]
    lines += [
        "",
        "## 3D: known rigid transforms (±10° per axis, ±10 mm) of templates registered to SPM12 T1",
        "",
        "TRE: against the templates' own alignment (their headers). TRE-self: against the "
        "method's result on the unmoved volume (the true transform composed with it). Own vs "
        "header: how far that result is from the header alignment.",
        "",
        "| volume | method | TRE mm | TRE-self mm | own vs header mm | wall s | CPU s |",
        "|---|---|---|---|---|---|---|",
    ]

    def joined(sel: list[dict], key: str, fmt: str) -> str:
        return ", ".join(format(r[key], fmt) for r in sel)

    for v in dict.fromkeys(r["volume"] for r in rows_3d):
        for m in dict.fromkeys(r["method"] for r in rows_3d):
            sel = [r for r in rows_3d if r["volume"] == v and r["method"] == m]
            if not sel:
                continue
            lines.append(
                f"| {v} | {m} | {joined(sel, 'tre_mm', '.2f')} "
                f"| {joined(sel, 'tre_self_mm', '.2f')} "
                f"| {joined(sel, 'own_vs_header_mm', '.2f')} | {joined(sel, 'wall_s', '.1f')} "
                f"| {joined(sel, 'cpu_s', '.1f')} |"
            )
    for m in dict.fromkeys(r["method"] for r in rows_3d):
        sel = [r for r in rows_3d if r["method"] == m]
        t = np.array([r["tre_mm"] for r in sel])
        ts = np.array([r["tre_self_mm"] for r in sel])
        wall = np.median([r["wall_s"] for r in sel])
        cpu = np.median([r["cpu_s"] for r in sel])
        lines.append(
            f"| **all** | {m} | median {np.median(t):.2f}, ≤ 1 mm: {np.sum(t <= 1)}/{len(t)} "
            f"| median {np.median(ts):.2f}, ≤ 1 mm: {np.sum(ts <= 1)}/{len(ts)} | "
            f"| median {wall:.1f} | median {cpu:.1f} |"
        )
    lines += [
        "",
        "SPECT template (x flipped in its header): correlation of its left-right asymmetry with "
        f"the PET template's: {spect['asymmetry_corr_with_pet_resampled']:.3f} after header-aware "
        f"resampling, {spect['asymmetry_corr_with_pet_raw_array']:.3f} for the raw array. MI "
        "registration to T1 starting from the headers ends "
        f"{spect['mi_from_headers_tre_vs_identity_mm']:.2f} mm (TRE) from the header alignment.",
        "",
        "![example](registration_example.png)",
        "",
    ]
    harness.write_text(path, "\n".join(lines))


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("--scale", choices=list(SCALES), default="full")
    options.add_argument("--out", type=Path, default=harness.RESULTS)
    options.add_argument("--skip-3d", action="store_true")
    options.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS_2D,
        help="re-run only these methods (same pairs and transforms); the other methods' cases "
        "are kept from the results file in --out",
    )
    args = options.parse_args()
    harness.require_data("harvard-cddfuse-test")
    harness.require_data("volumes/spm12")
    if not args.skip_3d:
        harness.require_data("volumes/clinical-ct")
    meta = {
        "command": f"python -m benchmarks.bench_registration --scale {args.scale}",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "load_start": ", ".join(f"{v:.1f}" for v in os.getloadavg()),
    }
    scale = SCALES[args.scale]
    sets = pair_sets(scale.harvard, scale.slices)
    methods_2d = tuple(args.methods or METHODS_2D)
    previous = args.out / "bench_registration.json"
    if (
        args.methods
        and f"--scale {args.scale}"
        not in json.loads(previous.read_text(encoding="utf-8"))["meta"]["command"]
    ):
        options.error(f"--methods needs a previous --scale {args.scale} run in {args.out}")
    methods_3d = tuple(m for m in METHODS_3D if m in methods_2d)
    with Progress() as progress:
        rows = run_2d(sets, methods_2d, progress, scale.slow_every)
        curves = run_curves(sets, methods_2d, progress, per_set=scale.curve_pairs)
        rows_3d, spect = ([], {}) if args.skip_3d else run_3d(methods_3d, progress, scale)
    meta["load_end"] = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    if args.methods:
        rows, curves, merged_3d = keep_other_methods(previous, methods_2d, rows, curves, rows_3d)
        if args.skip_3d:  # the previous run's volumes stand, for every method
            before = json.loads(previous.read_text(encoding="utf-8"))
            rows_3d, spect = before["cases_3d"], before["spect_header"]
        else:
            rows_3d = merged_3d
        meta["command"] += " --methods " + " ".join(methods_2d)
        meta["note"] = (
            "only " + ", ".join(methods_2d) + " re-run; the other methods' cases come from "
            "the previous run of the same scale"
            + (
                "; the volumes (3D) are not re-run: all their results are the previous run's"
                if args.skip_3d
                else ""
            )
        )
    summary = summarise_2d(rows)
    harness.write_json(
        args.out / "bench_registration.json",
        {
            "meta": meta,
            "summary_2d": summary,
            "cases_2d": rows,
            "curves": curves,
            "cases_3d": rows_3d,
            "spect_header": spect,
        },
        indent=1,
    )
    plot_curves(curves, "noise", args.out / "registration_pad_noise.png")
    plot_curves(curves, "shift", args.out / "registration_pad_shift.png")
    plot_example(args.out / "registration_example.png")
    if rows_3d:
        write_markdown(
            args.out / "bench_registration.md", rows, summary, curves, rows_3d, spect, meta
        )
    print(
        (args.out / "bench_registration.md").read_text()
        if rows_3d
        else json.dumps(summary, indent=1)
    )


if __name__ == "__main__":
    main()
