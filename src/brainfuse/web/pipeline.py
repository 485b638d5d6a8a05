"""What the web viewer computes for one pair, as a function: :func:`fuse_for_viewer`.

It prepares the pair (:func:`brainfuse.pair.prepare_pair`), fuses it in grey and, when B is in
colour or a palette colours it, in colour, draws the views of :mod:`brainfuse.viz` (overlay,
checkerboard, difference, and on request FunFuseAn's gradient colours), scores the result with
:func:`brainfuse.metrics.evaluate`, and returns every file of the result (PNG, the fused volume
as NIfTI, a JSON summary and a ZIP of it all). The endpoint of :mod:`brainfuse.web.app` only
parses the request and calls it; it needs no web framework, so it can be tested and reused.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..io import Image
from ..io.writers import png_bytes

__all__ = ["PALETTES", "ViewRequest", "demo_pair", "fuse_for_viewer", "parse_params"]

#: The palettes the viewer offers for a grey B.
PALETTES = ("pet", "hotmetalblue", "hotiron", "pet20step", "hot", "jet", "inferno", "viridis")


_phantom_lock = threading.Lock()
_phantom_slices: dict[str, np.ndarray] = {}


def demo_pair(which: str) -> tuple[Image, Image, str]:
    """The phantom's axial slices through both lesions, MRI and ``which`` (``"pet"`` or
    ``"spect"``), as images, and the palette that shows B; built once.

    Parameters
    ----------
    which : {'pet', 'spect'}
        The functional image.

    Returns
    -------
    tuple of (Image, Image, str)
        The MRI slice, the functional slice (display values on 0..255) and a palette name.
    """
    from ..io.slicing import display_slice
    from ..pair import to_fusion_scale
    from ..phantom import LESION_SLICE_Z_MM, make_phantom

    with _phantom_lock:
        if not _phantom_slices:
            ph = make_phantom(0)
            for name, img in (("mri", ph.mri), ("pet", ph.pet), ("spect", ph.spect)):
                _phantom_slices[name] = display_slice(
                    to_fusion_scale(img), img.affine, at_mm=(0.0, 0.0, LESION_SLICE_Z_MM)
                )
    palette = "pet" if which == "pet" else "hotmetalblue"
    mri = Image(_phantom_slices["mri"], display_values=True, source="phantom MRI")
    fn = Image(_phantom_slices[which], display_values=True, source=f"phantom {which.upper()}")
    return mri, fn, palette


def parse_params(method: str, text: str) -> dict[str, Any]:
    """The method's parameters from the form's JSON text, checked by the registry.

    Parameters
    ----------
    method : str
        A registered fusion method.
    text : str
        A JSON object of parameter values (``"{}"`` for the defaults).

    Returns
    -------
    dict
        The bound parameters (defaults filled in).
    """
    from ..fusion import get_method

    try:
        given = json.loads(text or "{}")
    except ValueError:
        raise InputError("params", "not a JSON object") from None
    if not isinstance(given, dict):
        raise InputError("params", "not a JSON object")
    return get_method(method).bind(given)


def _metrics(fused: np.ndarray, a: np.ndarray, b: np.ndarray, profile: str) -> dict[str, Any]:
    from ..metrics import evaluate, evaluate_cddfuse_protocol

    try:
        if profile == "cddfuse" and fused.ndim == 2:
            scores = evaluate_cddfuse_protocol(fused, a, b)
        else:
            scores = evaluate(fused, a, b, profile=profile)
    except InputError as exc:
        return {"error": str(exc)}
    return {"values": {k: float(v) for k, v in scores.items()}}


@dataclass(frozen=True)
class ViewRequest:
    """What the user asked to see besides the fused images."""

    palette: str | None  # palette of a grey B (None: grey)
    profile: str  # metric profile
    gradients: bool  # compute FunFuseAn's gradient colour view
    omega: float  # its saturation factor Ω


def _signed_color(d: np.ndarray) -> np.ndarray:
    """A signed map in the ``coolwarm`` colour map, symmetric about 0 (white), RGB 0..255."""
    import matplotlib

    scale = float(np.abs(d).max()) or 1.0
    lut = matplotlib.colormaps["coolwarm"].resampled(256)(np.arange(256))[:, :3] * 255.0
    idx = np.clip(np.rint((d / scale + 1.0) * 127.5), 0, 255).astype(np.intp)
    return lut[idx].astype(np.float32)


def _maps(
    a: np.ndarray,
    b_shown: np.ndarray,
    b_grey: np.ndarray,
    fused: np.ndarray,
    method: str,
    params: dict[str, Any],
    view: ViewRequest,
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The visualisation maps of :mod:`brainfuse.viz` for a 2D result (or a middle slice)."""
    from ..viz import checkerboard, difference, input_gradients, overlay
    from ..viz.views import bind_view

    # the views' settings come from the view registry: its defaults, checked by its bounds
    shown = bind_view("overlay", palette=view.palette or "pet")
    maps = {
        "overlay": overlay(a, b_shown, **shown),
        "checkerboard": checkerboard(a, b_shown, **bind_view("checkerboard")),
        "difference": _signed_color(difference(fused, a)),
    }
    info: dict[str, Any] = {}
    if view.gradients:
        settings = bind_view("gradient-color", omega=view.omega)
        g = input_gradients(
            a, b_grey, method, step=settings["step"], stride=settings["stride"], **params
        )
        maps["gradient_color"] = g.color(settings["omega"], settings["sigma"])
        info = {"path": g.path, "detail": g.detail, "omega": settings["omega"]}
    return maps, info


def fuse_for_viewer(
    a_img: Any,
    b_img: Any,
    method: str,
    params: dict[str, Any],
    view: ViewRequest,
    folder: Path,
) -> dict[str, Any]:
    """Fuse, score and render one pair for the viewer.

    Parameters
    ----------
    a_img, b_img : Image
        The anatomical and functional images (uploads, or :func:`demo_pair`).
    method : str
        A registered fusion method; ``params`` its bound parameters (:func:`parse_params`).
    params : dict
        The method's parameters.
    view : ViewRequest
        Palette, metric profile and the gradient view.
    folder : Path
        A scratch folder (the fused volume is written there, read back and removed).

    Returns
    -------
    dict
        ``{"files": {name: bytes}, "summary": {...}}``: the PNGs, ``metrics.json``,
        ``fused.nii.gz`` for volumes and ``results.zip``; the summary is what the page shows.
    """
    from ..fusion import fuse_pair, get_method
    from ..io import save
    from ..io.slicing import display_slice
    from ..pair import prepare_pair

    volume = a_img.is_volume
    if volume and view.gradients:
        raise InputError(None, "the gradient colour view is defined for 2D pairs only")
    # a palette is a view setting: it colours a grey 2D B and is left aside otherwise
    palette = view.palette if not (b_img.rgb or b_img.is_volume) else None
    pair = prepare_pair(a_img, b_img, palette=palette)
    grey_pair = dataclasses.replace(pair, b=pair.b_grey, palette=None)
    t0 = time.perf_counter()
    fused_img = fuse_pair(grey_pair, method, **params)
    ms = (time.perf_counter() - t0) * 1000.0
    fused = fused_img.array
    files: dict[str, bytes] = {}
    shown = {"a": pair.a, "b": pair.b, "fused_grey": fused}
    if pair.color:
        shown["fused_color"] = fuse_pair(pair, method, **params).array
    b_grey_shown = pair.b_grey
    if volume:
        affine = pair.fixed.affine
        shown = {k: display_slice(v, affine) for k, v in shown.items()}
        b_grey_shown = display_slice(pair.b_grey, affine)
        out = folder / "fused.nii.gz"
        save(fused_img, out)
        files["fused.nii.gz"] = out.read_bytes()
        out.unlink()
    maps, grad_info = _maps(
        shown["a"], shown["b"], b_grey_shown, shown["fused_grey"], method, params, view
    )
    for key, arr in {**shown, **maps}.items():
        files[f"{key}.png"] = png_bytes(arr)
    scores = _metrics(fused, pair.a, pair.b_grey, view.profile)
    summary = {
        "method": method,
        "family": get_method(method).family,
        "params": params,
        "shape": list(pair.fixed.shape),
        "kind": "volume (middle axial slice shown)" if volume else "2D image",
        "color": pair.color,
        "palette": pair.palette,
        "ms": round(ms, 2),
        "profile": view.profile,
        "metrics": scores,
        "gradients": grad_info,
    }
    files["metrics.json"] = json.dumps(summary, indent=1).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            if name not in ("a.png", "b.png"):
                # a fixed date: the same result gives the same archive, byte for byte
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
    files["results.zip"] = buf.getvalue()
    return {"files": files, "summary": summary}
