"""Registering pseudo-colour PET and SPECT: luma against the colours' principal component.

Run from the repository root::

    .venv/bin/python -m benchmarks.registration_colour      # 80-84 s of CPU (measured)

The phantom's PET and SPECT axial slices (as in ``registration_phantom``: 1 mm, z index 40 to 140
every 10, 256 x 256 frame; the true alignment is the identity) are shown in colour with
common scales (``hot``, ``jet``, ``rainbow`` and the DICOM ``pet`` palette), each moved twice by
a random rigid transform (+-10 degrees, +-20 px; seed 13) and registered to the MRI with
``mi`` in two ways: the colour image as it is (``brainfuse.register`` reduces it to grey along
its colours' first principal component, :func:`brainfuse.color.rgb_to_principal_grey`), and
its BT.601 luma as a grey image (:func:`brainfuse.color.rgb_to_grey`, what ``register`` did
before). PAD against the known transform; failure: PAD > 3 px.

Results: ``docs/results/registration-colour.{md,json,png}``.
"""

from __future__ import annotations

import os

import matplotlib.pyplot as plt
import numpy as np
from rich.progress import track

from benchmarks import _harness as harness
from benchmarks._registration import PHANTOM_SLICES, moved, random_rigid_2d, slice_pairs
from brainfuse.color import apply_palette, rgb_to_grey, rgb_to_principal_grey
from brainfuse.io.image import Image
from brainfuse.phantom import make_phantom
from brainfuse.registration import PAD_FAILURE_PX, pad, register

PALETTES = ("hot", "jet", "rainbow", "pet")
MOVES = 2
REDUCTIONS = ("principal", "luma")
EXAMPLE_Z = 80


def coloured(grey: Image, palette: str) -> Image:
    rgb = apply_palette(grey.array, palette).astype(np.float32)
    return Image(rgb, rgb=True, bit_depth=8, source=f"{grey.source} {palette}")


def as_luma(image: Image) -> Image:
    return Image(rgb_to_grey(image.array), bit_depth=8, source=f"{image.source} luma")


def run(pairs: list) -> list[dict]:
    rng = np.random.default_rng(13)
    jobs = []
    for label, z, fixed, grey in pairs:
        for palette in PALETTES:
            for _ in range(MOVES):
                true = random_rigid_2d(rng, fixed.shape)
                jobs.append((label, z, palette, fixed, coloured(grey, palette), true))
    rows = []
    for label, z, palette, fixed, color, true in track(jobs, "colour registration"):
        mv = moved(color, true)
        for reduction in REDUCTIONS:
            _, est = register(fixed, mv if reduction == "principal" else as_luma(mv))
            rows.append(
                {
                    "set": label,
                    "z": z,
                    "palette": palette,
                    "reduction": reduction,
                    "pad": pad(true, est.matrix, fixed.shape),
                }
            )
    return rows


def write_report(rows: list[dict]) -> None:
    lines = [
        "# Registering pseudo-colour PET and SPECT: principal component against luma",
        "",
        "Command: `python -m benchmarks.registration_colour` (see its docstring). Phantom "
        "slices (exact truth), each moved by rigid transforms (±10°, ±20 px) and registered "
        f"with `mi`. PAD in px; failure: PAD > {PAD_FAILURE_PX:g} px. Machine: "
        f"{os.cpu_count()} cores.",
        "",
        "| set | palette | pairs | principal: median PAD | failures | luma: median PAD "
        "| failures |",
        "|---|---|---|---|---|---|---|",
    ]
    for label in ("MRI-PET", "MRI-SPECT"):
        for palette in PALETTES:
            cells = []
            for reduction in REDUCTIONS:
                p = np.array(
                    [
                        r["pad"]
                        for r in rows
                        if (r["set"], r["palette"], r["reduction"]) == (label, palette, reduction)
                    ]
                )
                cells += [f"{np.median(p):.2f}", f"{np.mean(p > PAD_FAILURE_PX):.0%}"]
            n = len(rows) // (2 * len(PALETTES) * len(REDUCTIONS))
            lines.append(f"| {label} | {palette} | {n} | " + " | ".join(cells) + " |")
    lines += ["", "![scales, their luma and principal grey](registration-colour.png)", ""]
    harness.write_text(harness.RESULTS / "registration-colour.md", "\n".join(lines))


def plot(rows: list[dict], spect: Image) -> None:
    fig, axes = plt.subplots(3, len(PALETTES) + 1, figsize=(3.2 * (len(PALETTES) + 1), 9.6))
    for j, palette in enumerate(PALETTES):
        rgb = coloured(spect, palette).array
        panels = (
            (rgb.astype(np.uint8), f"SPECT z{EXAMPLE_Z}, {palette}"),
            (rgb_to_grey(rgb), "luma"),
            (rgb_to_principal_grey(rgb), "principal component"),
        )
        for i, (img, title) in enumerate(panels):
            axes[i, j].imshow(img, cmap=None if img.ndim == 3 else "gray")
            axes[i, j].set_title(title, fontsize=9)
            axes[i, j].axis("off")
    for i, label in enumerate(("MRI-PET", "MRI-SPECT")):
        ax = axes[i, -1]
        x = np.arange(len(PALETTES))
        for k, reduction in enumerate(REDUCTIONS):
            med = [
                np.median(
                    [
                        r["pad"]
                        for r in rows
                        if (r["set"], r["palette"], r["reduction"]) == (label, p, reduction)
                    ]
                )
                for p in PALETTES
            ]
            ax.bar(x + 0.4 * k - 0.2, med, width=0.4, label=reduction)
        ax.axhline(0.5, color="g", lw=0.8, ls=":")
        ax.set_yscale("log")
        ax.set_xticks(x, PALETTES)
        ax.set_title(f"{label}: median PAD (px)", fontsize=9)
        ax.legend(fontsize=8)
    axes[2, -1].axis("off")
    fig.tight_layout()
    harness.save_figure(fig, harness.RESULTS / "registration-colour.png", dpi=90)
    plt.close(fig)


def main() -> None:
    harness.parser(__doc__).parse_args()
    pairs = slice_pairs(make_phantom(seed=0, resolution=1), PHANTOM_SLICES)
    rows = run(pairs)
    command = "python -m benchmarks.registration_colour"
    harness.write_json(
        harness.RESULTS / "registration-colour.json", {"command": command, "cases": rows}, indent=1
    )
    write_report(rows)
    plot(rows, next(p[3] for p in pairs if p[:2] == ("MRI-SPECT", EXAMPLE_Z)))
    print((harness.RESULTS / "registration-colour.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
