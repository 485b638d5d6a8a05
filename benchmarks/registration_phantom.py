"""Registration accuracy where the true alignment is exact: the MNI152 phantom's MRI, PET and SPECT.

Run from the repository root::

    .venv/bin/python -m benchmarks.registration_phantom            # about 10 min of CPU
    .venv/bin/python -m benchmarks.registration_phantom --quick    # 1 transform per slice, 3-4 min

The Harvard pairs of ``bench_registration.py`` carry an alignment that is itself 1 to 4 px off
where mutual information, normalised MI and gradient fields put them
(``registration_alignment_audit.py``), so a PAD against it cannot show sub-pixel accuracy. The
phantom of :mod:`brainfuse.phantom` has no such doubt: its PET and SPECT are simulated from the
grey- and white-matter maps of the same MNI152 template as its MRI (PSF 6 and 12 mm FWHM,
Poisson noise, two lesions that the MRI does not show), so the true transform between MRI and
emission image is the identity, exactly.

- 2D: axial slices of the 1 mm phantom (every 10 mm from z index 40 to 140), placed in a
  256 x 256 frame; each MRI-PET and MRI-SPECT slice pair is moved by random rigid transforms
  (rotation uniform in [-10, 10] degrees about the centre, shifts uniform in [-20, 20] px;
  the protocol of Wang J. et al., 2022) and registered back. PAD against the known
  transform; failure: PAD > 3 px. ``own``: PAD of the registration of the unmoved pair (how
  far each method's optimum is from the truth).
- 2D affine: every 2nd of those slices, each moved twice by a random affine transform
  (rotation +-10 degrees, scales 0.92-1.08 along x and y, shear +-0.04, shifts +-20 px) and
  registered back with ``mi --transform affine``; ``own``: the affine registration of the
  unmoved pair.
- 3D: the 2 mm phantom (99 x 117 x 95, the class of SPM12's 91 x 109 x 91 templates); PET and
  SPECT moved by random rigid transforms (+-10 degrees per axis, +-10 mm) about the brain's
  centre and registered to the MRI. TRE over the brain's voxels (MRI above 10 % of its
  maximum).

Methods: ``mi`` and ``ecc`` on every pair; ``bggmm`` and ``gmm-er`` on every 3rd 2D pair (6 to
8 s each) and on every volume. Results: ``docs/results/registration-phantom.{md,json,png}``.
"""

from __future__ import annotations

import os
import time

import matplotlib.pyplot as plt
import numpy as np
from rich.progress import Progress

from benchmarks import _harness as harness
from benchmarks._registration import (
    METHODS_2D,
    METHODS_3D,
    PHANTOM_SLICES,
    SLOW,
    moved,
    random_rigid_2d,
    register_with_own,
    rigid_3d,
    slice_pairs,
)
from brainfuse.phantom import make_phantom
from brainfuse.registration import PAD_FAILURE_PX, pad, register, tre, world_points


def run_2d(progress: Progress, pairs: list, per_slice: int) -> list[dict]:
    rng = np.random.default_rng(11)
    jobs = []
    for label, z, fixed, other in pairs:
        for _ in range(per_slice):
            jobs.append((label, z, fixed, other, random_rigid_2d(rng, fixed.shape)))
    task = progress.add_task("phantom 2D", total=len(jobs))
    rows, own = [], {}
    for i, (label, z, fixed, other, true) in enumerate(jobs):
        mv = moved(other, true)
        for method in METHODS_2D:
            if method in SLOW and i % 3:
                continue
            key = (label, z, method)
            est, own_mat, wall, cpu, error = register_with_own(fixed, other, mv, method, own, key)
            e = np.eye(3) if est is None else est
            rows.append(
                {
                    "set": label,
                    "z": z,
                    "pair": i,
                    "method": method,
                    "pad": pad(true, e, fixed.shape),
                    "own_pad": pad(np.eye(3), own_mat, fixed.shape),
                    "cpu_s": cpu,
                    "wall_s": wall,
                    "error": error,
                }
            )
        progress.advance(task)
    return rows


def random_affine_2d(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Rotation, then x/y scales and a shear, about the image centre, then a shift (px)."""
    a = np.radians(rng.uniform(-10, 10))
    sx, sy = rng.uniform(0.92, 1.08, 2)
    shear = rng.uniform(-0.04, 0.04)
    linear = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]) @ np.array(
        [[sx, shear], [0.0, sy]]
    )
    c = (np.asarray(shape[:2][::-1], dtype=np.float64) - 1.0) / 2.0
    out = np.eye(3)
    out[:2, :2] = linear
    out[:2, 2] = c + rng.uniform(-20, 20, 2) - linear @ c
    return out


def run_affine_2d(progress: Progress, pairs: list, per_slice: int) -> list[dict]:
    rng = np.random.default_rng(21)
    jobs = []
    for label, z, fixed, other in pairs:
        if z in PHANTOM_SLICES[::2]:
            for _ in range(per_slice):
                jobs.append((label, z, fixed, other, random_affine_2d(rng, fixed.shape)))
    task = progress.add_task("phantom 2D affine", total=len(jobs))
    rows, own = [], {}
    for label, z, fixed, other, true in jobs:
        if (label, z) not in own:
            own[label, z] = register(fixed, other, "mi", "affine")[1].matrix
        cpu = time.process_time()
        est = register(fixed, moved(other, true), "mi", "affine")[1].matrix
        rows.append(
            {
                "set": label,
                "z": z,
                "pad": pad(true, est, fixed.shape),
                "own_pad": pad(np.eye(3), own[label, z], fixed.shape),
                "own_det": float(np.linalg.det(own[label, z][:2, :2])),
                "cpu_s": time.process_time() - cpu,
            }
        )
        progress.advance(task)
    return rows


def run_3d(progress: Progress, transforms: int) -> list[dict]:
    phantom = make_phantom(seed=0, resolution=2)
    mri = phantom.mri
    points = world_points(mri, mri.array > 0.1 * mri.array.max())
    centre = points.mean(axis=0)
    rng = np.random.default_rng(12)
    jobs = [
        (label, volume, rigid_3d(rng.uniform(-10, 10, 3), rng.uniform(-10, 10, 3), centre))
        for label, volume in (("PET", phantom.pet), ("SPECT", phantom.spect))
        for _ in range(transforms)
    ]
    task = progress.add_task("phantom 3D", total=len(jobs) * len(METHODS_3D))
    rows, own = [], {}
    for label, volume, true in jobs:
        mv = moved(volume, true)
        for method in METHODS_3D:
            key = (label, method)
            est, own_mat, wall, cpu, error = register_with_own(mri, volume, mv, method, own, key)
            e = np.eye(4) if est is None else est
            rows.append(
                {
                    "volume": label,
                    "method": method,
                    "tre_mm": tre(true, e, points),
                    "own_tre_mm": tre(np.eye(4), own_mat, points),
                    "cpu_s": cpu,
                    "wall_s": wall,
                    "error": error,
                }
            )
            progress.advance(task)
    return rows


def _median(rows: list[dict], key: str) -> float:
    return float(np.median([r[key] for r in rows]))


def write_report(
    rows_2d: list[dict], rows_affine: list[dict], rows_3d: list[dict], command: str
) -> None:
    lines = [
        "# Registration on the phantom (exact true alignment)",
        "",
        f"Command: `{command}` (see the script's docstring). Machine: "
        f"{os.cpu_count()} cores; CPU time is the process's own, on one thread.",
        "",
        "## 2D: phantom slices moved by rigid transforms (±10°, ±20 px)",
        "",
        f"PAD in pixels (1 px = 1 mm) against the known transform; failure: PAD > "
        f"{PAD_FAILURE_PX:g} px. Own: PAD of the registration of the unmoved pair against "
        "the identity (where the method's optimum is).",
        "",
        "| set | method | pairs | median PAD | 90th percentile PAD | failures "
        "| median own | median CPU s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in ("MRI-PET", "MRI-SPECT"):
        for method in METHODS_2D:
            sel = [r for r in rows_2d if r["set"] == label and r["method"] == method]
            if not sel:
                continue
            p = np.array([r["pad"] for r in sel])
            lines.append(
                f"| {label} | {method} | {len(sel)} | {np.median(p):.2f} | "
                f"{np.percentile(p, 90):.2f} | {np.mean(p > PAD_FAILURE_PX):.0%} | "
                f"{_median(sel, 'own_pad'):.2f} | {_median(sel, 'cpu_s'):.2f} |"
            )
    lines += [
        "",
        "Same pairs, BGGMM against MI (the pairs BGGMM ran on):",
        "",
        "| set | pairs | MI median PAD | BGGMM median PAD | GMM-ER median PAD |",
        "|---|---|---|---|---|",
    ]
    for label in ("MRI-PET", "MRI-SPECT"):
        by = {(r["pair"], r["method"]): r["pad"] for r in rows_2d if r["set"] == label}
        slow = sorted(pair for pair, method in by if method == "bggmm")
        if slow:
            cells = [f"{np.median([by[p, m] for p in slow]):.2f}" for m in ("mi", *SLOW)]
            lines.append(f"| {label} | {len(slow)} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "## 2D affine: phantom slices moved by affine transforms (±10°, scales 0.92–1.08, "
        "shear ±0.04, ±20 px), `mi --transform affine`",
        "",
        "Own: the affine registration of the unmoved pair, its PAD from the identity and the "
        "determinant of its linear part (1 = no change of area).",
        "",
        "| set | pairs | median PAD | failures | median own | own determinant | median CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in ("MRI-PET", "MRI-SPECT"):
        sel = [r for r in rows_affine if r["set"] == label]
        p = np.array([r["pad"] for r in sel])
        det = [r["own_det"] for r in sel]
        lines.append(
            f"| {label} | {len(sel)} | {np.median(p):.2f} | {np.mean(p > PAD_FAILURE_PX):.0%} | "
            f"{_median(sel, 'own_pad'):.2f} | {min(det):.3f}–{max(det):.3f} | "
            f"{_median(sel, 'cpu_s'):.2f} |"
        )
    lines += [
        "",
        "## 3D: the 2 mm phantom moved by rigid transforms (±10° per axis, ±10 mm)",
        "",
        "TRE in mm over the brain's voxels; own: TRE of the registration of the unmoved volume.",
        "",
        "| volume | method | volumes | median TRE mm | max TRE mm | median own mm | median CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in ("PET", "SPECT"):
        for method in METHODS_3D:
            sel = [r for r in rows_3d if r["volume"] == label and r["method"] == method]
            t = np.array([r["tre_mm"] for r in sel])
            lines.append(
                f"| {label} | {method} | {len(sel)} | {np.median(t):.2f} | {t.max():.2f} | "
                f"{_median(sel, 'own_tre_mm'):.2f} | {_median(sel, 'cpu_s'):.1f} |"
            )
    lines += ["", "![PAD and TRE per method](registration-phantom.png)", ""]
    harness.write_text(harness.RESULTS / "registration-phantom.md", "\n".join(lines))


def plot(rows_2d: list[dict], rows_3d: list[dict]) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for ax, label in zip(axes[:2], ("MRI-PET", "MRI-SPECT"), strict=True):
        data = [
            [r["pad"] for r in rows_2d if r["set"] == label and r["method"] == m]
            for m in METHODS_2D
        ]
        ax.boxplot(data, tick_labels=list(METHODS_2D), showfliers=True)
        ax.axhline(PAD_FAILURE_PX, color="r", lw=0.8, ls="--")
        ax.axhline(0.5, color="g", lw=0.8, ls=":")
        ax.set_yscale("log")
        ax.set_title(f"phantom 2D {label}: PAD (px)")
    data = [[r["tre_mm"] for r in rows_3d if r["method"] == m] for m in METHODS_3D]
    axes[2].boxplot(data, tick_labels=list(METHODS_3D))
    axes[2].axhline(1.0, color="g", lw=0.8, ls=":")
    axes[2].set_title("phantom 3D (PET, SPECT): TRE (mm)")
    fig.tight_layout()
    harness.save_figure(fig, harness.RESULTS / "registration-phantom.png", dpi=110)
    plt.close(fig)


def main() -> None:
    options = harness.parser(__doc__)
    options.add_argument("--quick", action="store_true", help="1 transform per slice and volume")
    args = options.parse_args()
    per_slice, transforms = (1, 1) if args.quick else (3, 4)
    with Progress() as progress:
        pairs = slice_pairs(make_phantom(seed=0, resolution=1), PHANTOM_SLICES)
        rows_2d = run_2d(progress, pairs, per_slice)
        rows_affine = run_affine_2d(progress, pairs, 2 if per_slice > 1 else 1)
        rows_3d = run_3d(progress, transforms)
    command = "python -m benchmarks.registration_phantom" + (" --quick" if args.quick else "")
    harness.write_json(
        harness.RESULTS / "registration-phantom.json",
        {
            "command": command,
            "cases_2d": rows_2d,
            "cases_affine_2d": rows_affine,
            "cases_3d": rows_3d,
        },
        indent=1,
    )
    write_report(rows_2d, rows_affine, rows_3d, command)
    plot(rows_2d, rows_3d)
    print((harness.RESULTS / "registration-phantom.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
