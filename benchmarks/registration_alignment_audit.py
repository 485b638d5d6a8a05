"""Where do similarity measures put the unmoved Harvard pairs? An audit of the published alignment.

Run from the repository root::

    .venv/bin/python -m benchmarks.registration_alignment_audit           # about 10 min of CPU

The registration benchmark (``bench_registration``) scores methods against the alignment the
pairs are published with. That is only fair if the published alignment is where the images'
content agrees. This script measures it: for every pair of ``harvard-cddfuse-test`` (136 pairs)
and every 4th slice of each case of ``harvard-aanlib``, it finds the translation of the second
image (a colour PET/SPECT reduced to grey as registration reduces it,
:func:`~brainfuse.registration.grid.grid_of`) that maximises each of three independent
measures against the MRI, searched exhaustively over +-6 px in 1 px steps, then +-0.75 px
around the best in 0.25 px steps (bilinear shifts):

- ``mi``: mutual information, 64-bin joint histogram over the MRI's foreground
  (Maes et al., IEEE TMI 16(2):187-198, 1997);
- ``nmi``: normalised mutual information (H(A) + H(B)) / H(A, B), same histogram
  (Studholme, Hill & Hawkes, Pattern Recognit. 32(1):71-86, 1999);
- ``ngf``: normalised gradient fields, mean squared cosine between the two gradient
  fields (Gaussian derivatives, sigma 1 px; edge parameter 5 % of the mean gradient norm;
  Haber & Modersitzki, MICCAI 2006, LNCS 4191:726-733).

A translation only (no rotation): rotation optima of blurred functional images are poorly
determined, and a shift is enough to show whether the content agrees with the published
alignment. Reported per set: the median length of each measure's optimal shift (0 = the
published alignment is the optimum), the median distance between the MI and NGF optima (do two
unrelated measures agree?), and, for harvard-aanlib, the optimal MI shift per case (a shift
shared by all slices of a case is a property of that case's data, not of a slice's content).

Results: ``docs/results/registration-alignment.md`` and ``registration-alignment.png``.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from rich.progress import track
from scipy import ndimage

from benchmarks import _harness as harness
from brainfuse import load
from brainfuse.registration.grid import foreground, grid_of

MEASURES = ("mi", "nmi", "ngf")


def _histogram(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    h, _, _ = np.histogram2d(a, b, bins=64, range=[[0, 256], [0, 256]])
    return h / h.sum()


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log(q)).sum())


def gradients(img: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Gaussian-derivative gradient (sigma 1 px) and NGF's edge parameter (5 % of its mean)."""
    gx = ndimage.gaussian_filter(img, 1.0, order=(0, 1))
    gy = ndimage.gaussian_filter(img, 1.0, order=(1, 0))
    return gx, gy, 0.05 * float(np.mean(np.hypot(gx, gy)))


def score(measure: str, a: np.ndarray, b: np.ndarray, mask: np.ndarray, grad_a) -> float:
    """``measure`` of fixed ``a`` (its :func:`gradients` ``grad_a``) and moving ``b``."""
    if measure == "ngf":
        (ax, ay, ea), (bx, by, eb) = grad_a, gradients(b)
        cos = (ax * bx + ay * by) / (
            np.sqrt(ax**2 + ay**2 + ea**2) * np.sqrt(bx**2 + by**2 + eb**2)
        )
        return float(np.mean(cos[mask] ** 2))
    p = _histogram(a[mask], b[mask])
    ha, hb, hab = _entropy(p.sum(axis=1)), _entropy(p.sum(axis=0)), _entropy(p)
    return ha + hb - hab if measure == "mi" else (ha + hb) / hab


def optimal_shift(measure: str, a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(dx, dy): fixed pixel x matches moving pixel x + d at the measure's maximum."""
    grad_a = gradients(a) if measure == "ngf" else None

    def value(d: np.ndarray) -> float:
        moved = ndimage.shift(b, (-d[1], -d[0]), order=1, mode="constant")
        return score(measure, a, moved, mask, grad_a)

    best = np.zeros(2)
    for step, half in ((1.0, 6.0), (0.25, 0.75)):
        offsets = np.arange(-half, half + step / 2, step)
        grid = [best + np.array([dx, dy]) for dy in offsets for dx in offsets]
        best = grid[int(np.argmax([value(d) for d in grid]))]
    return best


def pairs() -> list[tuple[str, str, str, Path, Path]]:
    """(collection, set, case, MRI path, other path)."""
    out = []
    test = harness.DATA / "harvard-cddfuse-test"
    for label, folder, other in (
        ("MRI-CT", "MRI_CT", "CT"),
        ("MRI-PET", "MRI_PET", "PET"),
        ("MRI-SPECT", "MRI_SPECT", "SPECT"),
    ):
        for f in sorted((test / folder / other).glob("*.png")):
            out.append(("cddfuse-test", label, "", test / folder / "MRI" / f.name, f))
    aan = harness.DATA / "harvard-aanlib"
    by_case = defaultdict(list)
    with open(aan / "split.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_case[(row["pairset"], row["case"])].append(row)
    for (pairset, case), rows in sorted(by_case.items()):
        other = pairset.split("-")[0]
        for row in sorted(rows, key=lambda r: int(r["slice"]))[::4]:
            label = f"MRI-{other}"
            out.append(
                (
                    "aanlib",
                    label,
                    case,
                    aan / pairset / "MRI" / row["file"],
                    aan / pairset / other / row["file"],
                )
            )
    return out


def main() -> None:
    harness.parser(__doc__).parse_args()
    harness.require_data("harvard-cddfuse-test")
    harness.require_data("harvard-aanlib")
    rows = []
    for collection, label, case, mri_path, other_path in track(pairs(), "alignment audit"):
        a, b = grid_of(load(mri_path)).array, grid_of(load(other_path)).array
        mask = foreground(grid_of(load(mri_path)))
        shifts = {m: optimal_shift(m, a, b, mask).tolist() for m in MEASURES}
        rows.append(
            {
                "collection": collection,
                "set": label,
                "case": case,
                "pair": other_path.name,
                **shifts,
            }
        )
    harness.write_json(harness.RESULTS / "registration-alignment.json", {"cases": rows}, indent=1)
    write_report(rows)


def write_report(rows: list[dict]) -> None:
    lines = [
        "# Where similarity measures put the unmoved Harvard pairs",
        "",
        "Command: `python -m benchmarks.registration_alignment_audit`. Optimal translation of "
        "the second image against the MRI for three measures, each searched exhaustively (see "
        "the script's docstring). 0 px would mean the published alignment is each measure's "
        "optimum.",
        "",
        "| collection | set | pairs | median shift mi px | median shift nmi px "
        "| median shift ngf px | median distance mi-ngf px | median mi shift (dx, dy) px |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups = defaultdict(list)
    for r in rows:
        groups[(r["collection"], r["set"])].append(r)
    for (collection, label), sel in groups.items():
        length = {m: np.median([np.hypot(*r[m]) for r in sel]) for m in MEASURES}
        agree = np.median([np.hypot(*np.subtract(r["mi"], r["ngf"])) for r in sel])
        med = np.median([r["mi"] for r in sel], axis=0)
        lines.append(
            f"| {collection} | {label} | {len(sel)} | {length['mi']:.2f} | {length['nmi']:.2f} "
            f"| {length['ngf']:.2f} | {agree:.2f} | ({med[0]:+.2f}, {med[1]:+.2f}) |"
        )
    lines += [
        "",
        "harvard-aanlib, per case: median MI shift and the median distance of each slice's "
        "shift from it (small = one shift shared by the whole case).",
        "",
        "| set | case | slices | median mi shift (dx, dy) px | length px | spread px |",
        "|---|---|---|---|---|---|",
    ]
    cases = defaultdict(list)
    for r in rows:
        if r["collection"] == "aanlib":
            cases[(r["set"], r["case"])].append(r["mi"])
    for (label, case), shifts in sorted(cases.items(), key=lambda kv: (kv[0][0], int(kv[0][1]))):
        s = np.asarray(shifts)
        med = np.median(s, axis=0)
        spread = np.median(np.hypot(*(s - med).T))
        lines.append(
            f"| {label} | {case} | {len(s)} | ({med[0]:+.2f}, {med[1]:+.2f}) "
            f"| {np.hypot(*med):.2f} | {spread:.2f} |"
        )
    lines += ["", "![optimal shifts](registration-alignment.png)", ""]
    harness.write_text(harness.RESULTS / "registration-alignment.md", "\n".join(lines))
    plot(groups)
    print("\n".join(lines))


def plot(groups: dict) -> None:
    fig, axes = plt.subplots(2, 3, figsize=(11, 7.2), sharex=True, sharey=True)
    colors = {"mi": "tab:red", "nmi": "tab:orange", "ngf": "tab:blue"}
    for ax, ((collection, label), sel) in zip(axes.ravel(), groups.items(), strict=False):
        for m in MEASURES:
            s = np.asarray([r[m] for r in sel])
            ax.scatter(s[:, 0], s[:, 1], s=9, alpha=0.6, color=colors[m], label=m)
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(f"{collection} {label} ({len(sel)})", fontsize=9)
        ax.set_xlim(-6.5, 6.5)
        ax.set_ylim(6.5, -6.5)  # image rows grow downwards
        ax.set_aspect("equal")
    axes[0, 0].legend(fontsize=8)
    for ax in axes[-1]:
        ax.set_xlabel("dx (px, columns)")
    for ax in axes[:, 0]:
        ax.set_ylabel("dy (px, rows)")
    fig.suptitle("Optimal shift of the second image against the MRI (0, 0 = published alignment)")
    fig.tight_layout()
    harness.save_figure(fig, harness.RESULTS / "registration-alignment.png", dpi=110)


if __name__ == "__main__":
    main()
