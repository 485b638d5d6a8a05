"""``brainfuse demo``: fuse the built-in brain phantom with every method and write a report.

The report (``index.html``) shows the phantom (MRI, PET, SPECT, grey and in colour) and, for every
registered method, the fused axial slice in grey and in colour, with the time it took. Methods
that cannot run here (e.g. one that needs weights the user must supply) are listed with the
reason. Volumes are written as NIfTI, slices as PNG.
"""

from __future__ import annotations

import html
import time
from pathlib import Path

import numpy as np

from ._extras import require
from .color import apply_palette
from .errors import InputError
from .fusion import fuse_arrays, list_methods
from .io import Image, save
from .io.atomic import atomic_path
from .io.slicing import display_slice
from .pair import to_fusion_scale
from .phantom import LESION_SLICE_Z_MM, LESIONS, make_phantom

__all__ = ["run_demo"]


def _png(array: np.ndarray, path: Path) -> str:
    save(Image(array, rgb=array.ndim == 3), path)
    return path.name


def run_demo(out_dir: str | Path, *, seed: int = 0) -> Path:
    """Write the phantom, the fused results of every method and ``index.html``.

    Methods that cannot run here (e.g. one whose weights the user must supply) are listed in the
    report with the reason.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The output folder (created if missing).
    seed : int, optional
        Seed of the phantom's noise (default 0).

    Returns
    -------
    index : pathlib.Path
        The path of ``index.html``.

    Raises
    ------
    InputError
        If ``out_dir`` exists and is not a folder.
    MissingExtraError
        If nilearn is not installed (``pip install brainfuse[demo]``).
    """
    from rich.progress import Progress

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(out, "exists and is not a folder")
    require("nilearn", extra="demo", what="'brainfuse demo' (the MNI152 brain phantom)")
    (out / "phantom").mkdir(parents=True, exist_ok=True)
    (out / "fused").mkdir(exist_ok=True)

    ph = make_phantom(seed)
    for name, img in (("mri", ph.mri), ("pet", ph.pet), ("spect", ph.spect)):
        save(img, out / "phantom" / f"{name}.nii.gz")
    vol = {
        k: to_fusion_scale(v) for k, v in (("mri", ph.mri), ("pet", ph.pet), ("spect", ph.spect))
    }
    sl = {
        k: display_slice(v, ph.mri.affine, at_mm=(0.0, 0.0, LESION_SLICE_Z_MM))
        for k, v in vol.items()
    }
    palettes = {"pet": ph.pet.colormap or "pet", "spect": ph.spect.colormap or "hotmetalblue"}
    color = {k: apply_palette(sl[k], palettes[k]) for k in ("pet", "spect")}

    phantom_imgs = [("MRI (T1)", _png(sl["mri"], out / "phantom" / "mri_axial.png"))]
    for k in ("pet", "spect"):
        phantom_imgs.append((f"{k.upper()} grey", _png(sl[k], out / "phantom" / f"{k}_axial.png")))
        phantom_imgs.append(
            (
                f"{k.upper()} ({palettes[k]})",
                _png(color[k], out / "phantom" / f"{k}_axial_color.png"),
            )
        )

    views = _views(out, ph, sl)
    rows = []
    methods = list_methods()
    with Progress(transient=True) as progress:
        task = progress.add_task("fusing the phantom", total=len(methods))
        for m in methods:
            row = {"name": m.name, "family": m.family, "doc": m.doc, "images": [], "error": None}
            try:
                t0 = time.perf_counter()
                for k in ("pet", "spect"):
                    grey = fuse_arrays(sl["mri"], sl[k], m.name)
                    rgb = fuse_arrays(sl["mri"], color[k], m.name)
                    row["images"].append(_png(grey, out / "fused" / f"{m.name}_{k}_grey.png"))
                    row["images"].append(_png(rgb, out / "fused" / f"{m.name}_{k}_color.png"))
                row["ms"] = (time.perf_counter() - t0) * 1000 / 4
                if 3 in m.dims:
                    fused = fuse_arrays(vol["mri"], vol["pet"], m.name)
                    save(
                        ph.mri.replace(array=fused, source=None),
                        out / "fused" / f"{m.name}_pet.nii.gz",
                    )
                    row["volume"] = f"fused/{m.name}_pet.nii.gz"
            except InputError as exc:
                row["error"] = str(exc)
            rows.append(row)
            progress.advance(task)

    index = out / "index.html"
    with atomic_path(index) as tmp:
        tmp.write_text(_html(phantom_imgs, views, rows, seed), encoding="utf-8")
    return index


def _views(out: Path, ph, sl: dict[str, np.ndarray]) -> list[tuple[str, str]]:
    """Views of :mod:`brainfuse.viz`: a PET overlay, orthogonal slices through the tumour and
    FunFuseAn's gradient colours (when FunFuseAn can run); (caption, file or "") pairs."""
    from .viz import gradient_color_figure, orthogonal_figure, overlay_figure

    (out / "viz").mkdir(exist_ok=True)
    tumour = next(les for les in LESIONS if les.hyper)
    views = [("PET over MRI (pet palette, α = 0.5)", "overlay.png")]
    overlay_figure(
        sl["mri"], sl["pet"], names=("MRI (T1)", "PET"), output_file=out / "viz" / "overlay.png"
    )
    orthogonal_figure(
        ph.mri,
        ph.pet,
        at_mm=tumour.centre_mm,
        label="PET (counts)",
        output_file=out / "viz" / "slices.png",
    )
    views.append(("orthogonal slices through the tumour, PET counts", "slices.png"))
    try:
        gradient_color_figure(
            sl["mri"], sl["pet"], method="funfusean", output_file=out / "viz" / "gradient_color.png"
        )
        views.append(("FunFuseAn gradient colours, Ω = 0.6", "gradient_color.png"))
    except InputError as exc:
        views.append((f"FunFuseAn gradient colours not shown: {exc}", ""))
    return views


def _html(
    phantom_imgs: list[tuple[str, str]],
    views: list[tuple[str, str]],
    rows: list[dict],
    seed: int,
) -> str:
    esc = html.escape
    lesions = "".join(
        f"<li>{esc(les.name)}: sphere of {les.radius_mm:g} mm at MNI {les.centre_mm}</li>"
        for les in LESIONS
    )
    head = "".join(
        f"<figure><img src='phantom/{f}' alt='{esc(t)}'><figcaption>{esc(t)}</figcaption></figure>"
        for t, f in phantom_imgs
    )
    seen = "".join(
        f"<figure><img class='wide' src='viz/{f}' alt='{esc(t)}'><figcaption>{esc(t)}</figcaption>"
        "</figure>"
        if f
        else f"<p class='err'>{esc(t)}</p>"
        for t, f in views
    )
    body = []
    for r in rows:
        if r["error"]:
            cells = f"<td colspan='4' class='err'>not run: {esc(r['error'])}</td>"
        else:
            cells = "".join(f"<td><img src='fused/{f}' alt='{esc(f)}'></td>" for f in r["images"])
        timing = f"{r['ms']:.1f} ms" if "ms" in r else ""
        vol = f"<br><a href='{r['volume']}'>3D NIfTI</a>" if r.get("volume") else ""
        body.append(
            f"<tr><th><b>{esc(r['name'])}</b><br><small>{esc(r['family'])}</small><br>"
            f"<small>{esc(r['doc'])}</small><br><small>{timing}</small>{vol}</th>{cells}</tr>"
        )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse demo</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; background: #111; color: #eee; }}
img {{ width: 180px; image-rendering: pixelated; background: #000; }}
img.wide {{ width: auto; max-width: 100%; height: 300px; image-rendering: auto; }}
figure {{ display: inline-block; margin: 0 .6em .6em 0; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 4px; border-bottom: 1px solid #333; }}
th {{ text-align: left; vertical-align: top; max-width: 16em; font-weight: normal; }}
.err {{ color: #f88; }} a {{ color: #8cf; }}
</style></head><body>
<h1>BrainFuse demo: MNI152 brain phantom</h1>
<p>MRI = MNI152 2009 T1 template (nilearn). PET-like and SPECT-like volumes simulated from its grey
and white matter maps: uptake grey:white 4:1, Gaussian PSF 6 mm (PET) and 12 mm (SPECT) FWHM,
Poisson noise (seed {seed}). Lesions, invisible on the MRI:</p><ul>{lesions}</ul>
<p>Axial slice z = {LESION_SLICE_Z_MM:g} mm, anterior up, patient's left on the left. Volumes:
<a href="phantom/mri.nii.gz">mri</a>, <a href="phantom/pet.nii.gz">pet</a>,
<a href="phantom/spect.nii.gz">spect</a>.</p>
{head}
<h2>Seeing the functional image (<code>brainfuse viz</code>)</h2>
{seen}
<h2>Every registered method</h2>
<table><tr><th>method</th><th>MRI + PET (grey)</th><th>MRI + PET (colour)</th>
<th>MRI + SPECT (grey)</th><th>MRI + SPECT (colour)</th></tr>
{"".join(body)}
</table></body></html>
"""
