"""How much colour FunFuseAn's gradient colour view shows, and where (`viz.gradient_color`).

Run from the repository root::

    .venv/bin/python -m benchmarks.gradient_colour

FunFuseAn (the shipped weights) on the 42 MRI-PET pairs of ``../shared/data/harvard-cddfuse-test``
(256×256, the PET's luminance) and on the phantom's axial slice through both lesions
(``brainfuse.phantom``, seed 0, 2 mm). For each, over the pixels with signal
(``Gradients.signal``), Ω = 0.6 and the default σ = 2 pixels:

- chroma: the mean of |R − G| + |G − B| (grey levels), 0 for a grey image;
- saturation: the mean HSV saturation;
- speckle: the mean absolute difference of the saturation between horizontal neighbours,
  divided by the mean saturation (salt and pepper is large; smooth colour small);
- on the phantom, the mean chroma inside the hypermetabolic tumour and inside its mirror image
  (x → −x on the symmetric MNI grid: the same anatomy with normal uptake).

The same figures are given for the previous view (hue and saturation from ∇F,I2 alone, divided
by its 99.5th percentile; value from ∇F,I1), recomputed here from the same gradients, so the
two stand side by side. Results go to ``docs/results/gradient-colour.{md,json,png}``.
"""

from __future__ import annotations

import numpy as np

from benchmarks import _harness as harness
from brainfuse.color import hsv_to_rgb, rgb_to_grey, rgb_to_hsv
from brainfuse.io import load
from brainfuse.io.slicing import display_slice
from brainfuse.pair import to_fusion_scale
from brainfuse.phantom import LESION_SLICE_Z_MM, LESIONS, make_phantom
from brainfuse.viz import input_gradients
from brainfuse.viz.gradients import Gradients, color_code, display_range, normalise

OMEGA = 0.6


def previous_view(g: Gradients) -> np.ndarray:
    """The view before December 2026: share = ∇F,I2 / its 99.5th percentile, value ∇F,I1."""
    hi = display_range(g.functional, g.signal)[1]
    share = np.clip(g.functional / hi, 0.0, 1.0) if hi > 0 else np.zeros(g.functional.shape)
    hsv = rgb_to_hsv(color_code(share, "jet"))
    hsv[..., 1] *= OMEGA * share
    hsv[..., 2] = normalise(g.anatomical, g.signal) * 255.0
    hsv[~g.signal, 2] = 0.0
    return np.clip(hsv_to_rgb(hsv), 0.0, 255.0)


def chroma(rgb: np.ndarray) -> np.ndarray:
    return np.abs(rgb[..., 0] - rgb[..., 1]) + np.abs(rgb[..., 1] - rgb[..., 2])


def figures(rgb: np.ndarray, signal: np.ndarray) -> dict[str, float]:
    sat = rgb_to_hsv(rgb)[..., 1]
    both = signal[:, 1:] & signal[:, :-1]
    jump = np.abs(np.diff(sat, axis=1))[both].mean()
    mean_sat = sat[signal].mean()
    return {
        "chroma": float(chroma(rgb)[signal].mean()),
        "saturation": float(mean_sat),
        "speckle": float(jump / mean_sat) if mean_sat > 0 else 0.0,
    }


def phantom_slice() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ph = make_phantom(seed=0)

    def axial(volume: np.ndarray) -> np.ndarray:
        return display_slice(volume, ph.mri.affine, at_mm=(0.0, 0.0, LESION_SLICE_Z_MM))

    tumour = next(les for les in LESIONS if les.hyper)
    mask = axial(ph.lesion_masks[tumour.name].astype(np.float32)) > 0.5
    return axial(to_fusion_scale(ph.mri)), axial(to_fusion_scale(ph.pet)), mask


def main() -> None:
    harness.parser(__doc__).parse_args()
    folder = harness.require_data("harvard-cddfuse-test/MRI_PET")
    import torch

    torch.set_num_threads(1)
    rows: dict[str, list[dict[str, float]]] = {"new": [], "previous": []}
    shown = {}
    for path in sorted((folder / "MRI").glob("*.png")):
        a = load(path).array
        b = rgb_to_grey(load(folder / "PET" / path.name).array)
        g = input_gradients(a, b, "funfusean")
        for key, rgb in (("new", g.color(OMEGA)), ("previous", previous_view(g))):
            rows[key].append(figures(rgb, g.signal))
            if path.name == "23.png":
                shown[key] = rgb
    mri, pet, tumour = phantom_slice()
    g = input_gradients(mri, pet, "funfusean")
    mirror = tumour[::-1, :]
    phantom = {}
    for key, rgb in (("new", g.color(OMEGA)), ("previous", previous_view(g))):
        c = chroma(rgb)
        phantom[key] = {
            **figures(rgb, g.signal),
            "tumour_chroma": float(c[tumour].mean()),
            "mirror_chroma": float(c[mirror].mean()),
        }
        shown[f"phantom {key}"] = rgb
    summary = {
        key: {f: float(np.mean([r[f] for r in rs])) for f in ("chroma", "saturation", "speckle")}
        for key, rs in rows.items()
    }
    lines = [
        "# FunFuseAn's gradient colour view: how much colour, and where",
        "",
        "Written by `.venv/bin/python -m benchmarks.gradient_colour` (FunFuseAn, Ω = 0.6, σ = 2 "
        "pixels). Means over the pixels with signal; *previous* is the view before this change "
        "(∇F,I2 over its 99.5th percentile for hue and saturation, ∇F,I1 for value), from the "
        "same gradients.",
        "",
        "| data | view | chroma (grey levels) | saturation | speckle | tumour chroma | "
        "mirror chroma |",
        "|---|---|---|---|---|---|---|",
    ]
    for key in ("previous", "new"):
        s = summary[key]
        lines.append(
            f"| 42 MRI-PET pairs (mean) | {key} | {s['chroma']:.1f} | {s['saturation']:.3f} | "
            f"{s['speckle']:.2f} | | |"
        )
    for key in ("previous", "new"):
        p = phantom[key]
        lines.append(
            f"| phantom slice | {key} | {p['chroma']:.1f} | {p['saturation']:.3f} | "
            f"{p['speckle']:.2f} | {p['tumour_chroma']:.1f} | {p['mirror_chroma']:.1f} |"
        )
    lines += ["", "![previous and new views](gradient-colour.png)", ""]
    harness.write_text(harness.RESULTS / "gradient-colour.md", "\n".join(lines))
    harness.write_json(
        harness.RESULTS / "gradient-colour.json",
        {"harvard_mri_pet": summary, "phantom": phantom, "omega": OMEGA},
    )
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(12, 3.4), facecolor="black")
    titles = {
        "previous": "MRI-PET 23: previous",
        "new": "MRI-PET 23: new",
        "phantom previous": "phantom: previous",
        "phantom new": "phantom: new",
    }
    for ax, (key, title) in zip(axes, titles.items(), strict=True):
        ax.imshow(shown[key].astype(np.uint8), interpolation="nearest")
        ax.set_title(title, color="white", fontsize=9)
        ax.axis("off")
    harness.save_figure(fig, harness.RESULTS / "gradient-colour.png", dpi=90)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
