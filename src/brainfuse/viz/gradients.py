"""FunFuseAn's gradient visualisation (seed 001, §2.2), for any fusion method.

Kumar et al. (2020, FunFuseAn, MBIA/MFCA@MICCAI 2019, LNCS 11846) show *where the fused image
comes from*: for every input pixel, how much the whole fused image changes with it,

    ∇_{F,I1}(n, m) = Σ_{i,j} ∂F[i, j] / ∂I1[n, m],    ∇_{F,I2}(n, m) = Σ_{i,j} ∂F[i, j] / ∂I2[n, m]

(Eq. 5; I1 anatomical, I2 functional). ∇_{F,I2} is colour-coded with the jet map; in HSV, hue
and saturation are taken from the jet-coded ∇_{F,I2} and value from ∇_{F,I1}, the saturation
multiplied by Ω ∈ [0, 1] (default 0.6, the paper's best) so the colour does not hide the
anatomy. Ω = 0 gives the grey ∇_{F,I1}.

Normalisation, where the paper (min-max of each map) leaves freedom:

- ∇_{F,I1} (value): min-max over the 0.5-99.5 percentile range (:func:`normalise`), so that a
  few spikes, which finite differences of choose-max rules produce, do not flatten the map;
- ∇_{F,I2} (hue and saturation): from 0 to its 99.5th percentile (:func:`functional_share`),
  and the saturation is also multiplied by that share. Every jet colour is fully saturated, so
  the paper's literal stacking tints every pixel with the hue of the map's typical value (a
  brain uniformly teal); weighted so, a pixel the functional image does not drive
  (∇_{F,I2} ≤ 0) keeps the grey of ∇_{F,I1} and the hue appears where it drives F most.
- Only the pixels with signal (:attr:`Gradients.signal`, :func:`brainfuse.viz.mask.signal_mask`:
  either input above 10 % of its range, holes filled) count and are drawn; the others are
  black. Testing ``!= 0`` instead counts the Poisson counts of an emission image's background
  and the ~1e-40 interpolation residue of a resampled MRI template as signal (speckle and
  stripes around the head).

How the derivatives are obtained (:func:`gradient_path` says which applies to a method):

- ``autograd``: exact, by PyTorch automatic differentiation —
  * trained networks: a learned method whose module ``brainfuse.models.<name>`` exposes
    ``input_gradients(a, b, **kw)`` (FunFuseAn does);
  * the pixel rules ``average``, ``maximum``, ``minimum``, ``weighted``, re-implemented in torch
    (at ties of ``maximum``/``minimum`` torch splits the derivative equally between the inputs).
- ``finite-difference``: every other registered method, by forward finite differences on a
  lattice (the Curtis–Powell–Reid grouping for sparse Jacobians, 1974): the pixels
  ``(oy + s·p, ox + s·q)`` of one input are raised together by ``step`` grey levels (so a
  sample may reach 255 + ``step``), the change of the fused image is summed over the square
  cell of side ``s`` around each moved pixel, and divided by ``step``;
  the ``s²`` offsets cover every pixel, so the cost is ``2 s² + 1`` fusions. This equals the
  finite-difference column sums exactly when a pixel influences the output only within
  ``(s − 1)/2`` pixels (true of pixel rules for any ``s``); with a wider influence (pyramids,
  large guided filters) a change leaking into a neighbour's cell is credited to that
  neighbour, which blurs the map over ``s`` pixels but keeps its total. Where a method makes
  hard choices (choose-max rules), a ``step`` that flips a choice shows as a spike.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._extras import require
from ..color import hsv_to_rgb, rgb_to_grey, rgb_to_hsv
from ..errors import InputError
from ..fusion import get_method
from .mask import signal_mask
from .render import FOREGROUND, add_colorbar, check_output, new_figure, save_figure, show_image

__all__ = [
    "TORCH_RULES",
    "Gradients",
    "colour_code",
    "display_range",
    "finite_difference_gradients",
    "functional_grey",
    "functional_share",
    "gradient_color",
    "gradient_color_figure",
    "gradient_path",
    "gradients_figure",
    "input_gradients",
    "normalise",
]

#: Registered methods with a torch re-implementation (differentiated exactly by autograd).
TORCH_RULES = ("average", "maximum", "minimum", "weighted")

#: Ω of the paper (the value with the best scores in its evaluation).
DEFAULT_OMEGA = 0.6


@dataclass(frozen=True)
class Gradients:
    """∇_{F,I1} (``anatomical``) and ∇_{F,I2} (``functional``) of one method on one pair."""

    anatomical: np.ndarray
    functional: np.ndarray
    method: str
    path: str  # "autograd" or "finite-difference"
    detail: str  # how exactly, for captions and reports
    signal: np.ndarray | None = None  # pixels with signal in either input (signal_mask)


def _network_module(method: str) -> str | None:
    """``brainfuse.models.<method>`` when it exists and exposes ``input_gradients``."""
    name = f"brainfuse.models.{method}"
    try:
        if importlib.util.find_spec(name) is None:
            return None
    except ModuleNotFoundError:
        return None
    module = importlib.import_module(name)
    return name if callable(getattr(module, "input_gradients", None)) else None


def gradient_path(method: str) -> str:
    """``"autograd"`` or ``"finite-difference"``: how :func:`input_gradients` treats ``method``."""
    m = get_method(method)
    if m.name in TORCH_RULES or (m.learned and _network_module(m.name)):
        return "autograd"
    return "finite-difference"


def _torch_rule(name: str, a: Any, b: Any, params: dict[str, Any]) -> Any:
    import torch

    if name == "average":
        return (a + b) * 0.5
    if name == "maximum":
        return torch.maximum(a, b)
    if name == "minimum":
        return torch.minimum(a, b)
    w = float(params["w"])
    return w * a + (1.0 - w) * b


def _autograd_rule(name: str, a: np.ndarray, b: np.ndarray, params: dict[str, Any]):
    torch = require("torch", extra="learned", what=f"the autograd gradients of method '{name}'")

    x1 = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    x2 = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    with torch.enable_grad():
        _torch_rule(name, x1, x2, params).sum().backward()
    return x1.grad.numpy().astype(np.float32), x2.grad.numpy().astype(np.float32)


def finite_difference_gradients(
    fuse: Callable[[np.ndarray, np.ndarray], np.ndarray],
    a: np.ndarray,
    b: np.ndarray,
    *,
    step: float = 1.0,
    stride: int = 8,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Column sums Σ_ij ∂F[i, j]/∂I_k[n, m] of a 2D fusion ``fuse(a, b)`` by lattice finite
    differences (see the module docstring); ``2·stride² + 1`` calls of ``fuse``.

    ``step`` is in grey levels of the inputs' 0..255 scale. Returns two ``float32`` maps.
    """
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if a.ndim != 2 or a.shape != b.shape:
        raise InputError(
            None, f"finite differences need two 2D images of one shape, got {a.shape}, {b.shape}"
        )
    if not 0.0 < step <= 64.0:
        raise InputError(None, f"step must lie in (0, 64] grey levels, got {step}")
    if stride < 1:
        raise InputError(None, f"stride must be at least 1, got {stride}")
    h, w = a.shape
    base = np.asarray(fuse(a, b), dtype=np.float64)
    grads = (np.zeros((h, w), np.float64), np.zeros((h, w), np.float64))
    offsets = [(oy, ox) for oy in range(min(stride, h)) for ox in range(min(stride, w))]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=2 * len(offsets), desc="finite differences", unit="fusion", leave=False)
    for oy, ox in offsets:
        n_r, n_c = (h - 1 - oy) // stride + 1, (w - 1 - ox) // stride + 1
        k_r = np.clip(np.rint((np.arange(h) - oy) / stride), 0, n_r - 1).astype(np.intp)
        k_c = np.clip(np.rint((np.arange(w) - ox) / stride), 0, n_c - 1).astype(np.intp)
        cell = (k_r[:, None] * n_c + k_c[None, :]).ravel()
        for k, x in enumerate((a, b)):
            moved = x.copy()
            moved[oy::stride, ox::stride] += np.float32(step)
            out = fuse(moved, b) if k == 0 else fuse(a, moved)
            change = np.asarray(out, dtype=np.float64) - base
            sums = np.bincount(cell, weights=change.ravel(), minlength=n_r * n_c)
            grads[k][oy::stride, ox::stride] = sums.reshape(n_r, n_c) / step
            if bar is not None:
                bar.update()
    if bar is not None:
        bar.close()
    return grads[0].astype(np.float32), grads[1].astype(np.float32)


def input_gradients(
    a: np.ndarray,
    b: np.ndarray,
    method: str = "funfusean",
    *,
    step: float = 1.0,
    stride: int = 8,
    progress: bool = False,
    **params: Any,
) -> Gradients:
    """∇_{F,I1} and ∇_{F,I2} (Eq. 5 of FunFuseAn) of ``method`` on a grey 2D pair on 0..255.

    ``a`` is the anatomical image I1, ``b`` the functional image I2 (for a pseudo-colour PET,
    its luminance, which is what colour fusion fuses). ``params`` are the method's parameters.
    ``step`` (grey levels) and ``stride`` (pixels) set the finite-difference approximation and
    are ignored where autograd applies. The maps are dimensionless (grey levels of F per grey
    level of the input): a pixel-wise average gives 0.5 everywhere in both.

    >>> a = np.array([[10.0, 200.0]]); b = np.array([[50.0, 100.0]])
    >>> g = input_gradients(a, b, "maximum")
    >>> g.anatomical.tolist(), g.functional.tolist(), g.path
    ([[0.0, 1.0]], [[1.0, 0.0]], 'autograd')
    """
    m = get_method(method)
    bound = m.bind(params)
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    if a.ndim != 2 or a.shape != b.shape:
        raise InputError(
            None, f"gradient maps need two grey 2D images of one shape, got {a.shape} and {b.shape}"
        )
    for arr, name in ((a, "anatomical"), (b, "functional")):
        if not np.isfinite(arr).all():
            raise InputError(None, f"the {name} image contains NaN or infinite values")
    signal = signal_mask(a, b)
    if m.name in TORCH_RULES:
        g1, g2 = _autograd_rule(m.name, a, b, bound)
        return Gradients(
            g1, g2, m.name, "autograd", "autograd of a torch re-implementation", signal
        )
    module = _network_module(m.name) if m.learned else None
    if module is not None:
        fn = importlib.import_module(module).input_gradients
        accepted = inspect.signature(fn).parameters
        kw = {k: v for k, v in bound.items() if k in accepted}
        g1, g2 = fn(a, b, **kw)
        return Gradients(
            np.asarray(g1, np.float32),
            np.asarray(g2, np.float32),
            m.name,
            "autograd",
            "autograd of the network",
            signal,
        )
    g1, g2 = finite_difference_gradients(
        lambda x, y: m.func(x, y, **bound), a, b, step=step, stride=stride, progress=progress
    )
    detail = f"finite differences, step {step:g} grey level(s), lattice stride {stride}"
    return Gradients(g1, g2, m.name, "finite-difference", detail, signal)


#: Percentiles of a gradient map taken as its minimum and maximum for display.
CLIP_PERCENT = (0.5, 99.5)


def display_range(g: np.ndarray, mask: np.ndarray | None = None) -> tuple[float, float]:
    """The 0.5 and 99.5 percentiles of ``g`` (of ``g[mask]`` if ``mask`` selects any pixel),
    or its minimum and maximum where those coincide (e.g. a 0/1 map with under 0.5 % of ones)."""
    g = np.asarray(g, dtype=np.float64)
    if mask is not None and np.any(mask):
        g = g[np.asarray(mask, dtype=bool)]
    lo, hi = (float(v) for v in np.percentile(g, CLIP_PERCENT))
    if hi <= lo:
        lo, hi = float(g.min()), float(g.max())
    return lo, hi


def normalise(g: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """``(g − lo)/(hi − lo)`` clipped to [0, 1], [lo, hi] = :func:`display_range` (over
    ``mask``): FunFuseAn's min-max normalisation, robust to spikes; a constant map gives 0.5."""
    g = np.asarray(g, dtype=np.float64)
    lo, hi = display_range(g, mask)
    if hi <= lo:
        return np.full(g.shape, 0.5)
    return np.clip((g - lo) / (hi - lo), 0.0, 1.0)


def functional_share(g: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """``g / hi`` clipped to [0, 1], ``hi`` the 99.5th percentile of ``g`` (over ``mask``): how
    much the functional image drives F at each pixel, 0 where it does not (``g ≤ 0``). A map
    without a positive percentile gives 0 everywhere."""
    g = np.asarray(g, dtype=np.float64)
    hi = display_range(g, mask)[1]
    if hi <= 0:
        return np.zeros(g.shape)
    return np.clip(g / hi, 0.0, 1.0)


def colour_code(level: np.ndarray, cmap: str = "jet") -> np.ndarray:
    """Levels in [0, 1] in a colour map (256 entries); RGB ``float32`` on 0..255."""
    import matplotlib

    lut = matplotlib.colormaps[cmap].resampled(256)(np.arange(256))[:, :3] * 255.0
    idx = np.clip(np.rint(np.asarray(level) * 255.0), 0, 255).astype(np.intp)
    return lut[idx].astype(np.float32)


def gradient_color(
    anatomical: np.ndarray,
    functional: np.ndarray,
    *,
    omega: float = DEFAULT_OMEGA,
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """FunFuseAn's colour image from ∇_{F,I1} (``anatomical``) and ∇_{F,I2} (``functional``).

    With ``s`` = :func:`functional_share` of ∇_{F,I2}: H from jet(``s``), S = Ω · ``s`` ·
    S(jet(``s``)), V from :func:`normalise` (∇_{F,I1}); converted back to RGB. Returns
    ``float32`` RGB on 0..255; with ``omega = 0``, or where ∇_{F,I2} ≤ 0, the three channels
    are equal (the grey ∇_{F,I1}). With a ``mask`` (e.g. :attr:`Gradients.signal`), both maps
    are normalised over the masked pixels only and the others are black.

    >>> g1 = np.array([[0.0, 1.0]]); g2 = np.array([[1.0, 0.0]])
    >>> gradient_color(g1, g2, omega=0.0)[0, 1].tolist()
    [255.0, 255.0, 255.0]
    """
    if not 0.0 <= omega <= 1.0:
        raise InputError(None, f"omega must lie in [0, 1], got {omega}")
    g1 = np.asarray(anatomical)
    g2 = np.asarray(functional)
    if g1.shape != g2.shape or g1.ndim != 2:
        raise InputError(None, f"gradient maps differ in shape: {g1.shape} and {g2.shape}")
    if mask is not None and np.shape(mask) != g1.shape:
        raise InputError(None, f"mask shape {np.shape(mask)} differs from the maps' {g1.shape}")
    share = functional_share(g2, mask)
    hsv = rgb_to_hsv(colour_code(share, "jet"))
    hsv[..., 1] *= omega * share
    hsv[..., 2] = normalise(g1, mask) * 255.0
    if mask is not None:
        hsv[~np.asarray(mask, dtype=bool), 2] = 0.0
    return np.clip(hsv_to_rgb(hsv), 0.0, 255.0).astype(np.float32)


# ----------------------------------------------------------------------------- figures

Paths = Iterable[str | os.PathLike[str] | None]


def _key(omega: float, n: int = 64) -> np.ndarray:
    """The 2D colour key: ∇_{F,I2} from 0 (left) to its maximum, ∇_{F,I1} bottom → top."""
    x = np.linspace(0.0, 1.0, n)
    g2 = np.tile(x, (n, 1))
    g1 = np.tile(x[::-1, None], (1, n))
    return gradient_color(g1, g2, omega=omega)


def gradient_color_figure(
    grads: Gradients,
    path: str | os.PathLike[str],
    *,
    omega: float = DEFAULT_OMEGA,
    inputs: Paths = (),
) -> Path:
    """The colour visualisation with its 2D colour key (hue ← ∇_{F,I2}, brightness ← ∇_{F,I1})."""
    out = check_output(path, inputs)
    image = gradient_color(grads.anatomical, grads.functional, omega=omega, mask=grads.signal)
    cell, key_w, title = 4.0, 1.6, 0.5
    width = cell + key_w + 0.45
    fig = new_figure(width, cell + title)
    ax = fig.add_axes((0.0, 0.0, cell / width, cell / (cell + title)))
    show_image(ax, image)
    fig.text(
        0.5 * cell / width,
        1 - 0.2 / (cell + title),
        f"{grads.method}: FunFuseAn gradient colours, Ω = {omega:g}",
        color=FOREGROUND,
        fontsize=9,
        ha="center",
        va="top",
    )
    fig.text(
        0.5 * cell / width,
        1 - 0.38 / (cell + title),
        grads.detail,
        color="#aaaaaa",
        fontsize=7,
        ha="center",
        va="top",
    )
    side = key_w - 0.25
    kax = fig.add_axes(
        (
            (cell + 0.5) / width,
            (0.5 * cell - 0.5 * side) / (cell + title),
            side / width,
            side / (cell + title),
        )
    )
    kax.imshow(_key(omega).astype(np.uint8), extent=(0, 1, 0, 1), interpolation="nearest")
    kax.set_title("colour key", color=FOREGROUND, fontsize=7)
    kax.set_xlabel("∇F,I2 (functional)", color=FOREGROUND, fontsize=7)
    kax.set_ylabel("∇F,I1 (anatomical)", color=FOREGROUND, fontsize=7)
    kax.set_xticks([0, 1], ["≤ 0", "max"])
    kax.set_yticks([0, 1], ["min", "max"])
    kax.tick_params(colors=FOREGROUND, labelsize=6)
    for spine in kax.spines.values():
        spine.set_edgecolor(FOREGROUND)
    return save_figure(fig, out, inputs)


def gradients_figure(
    a: np.ndarray,
    b_display: np.ndarray,
    fused: np.ndarray,
    grads: Gradients,
    path: str | os.PathLike[str],
    *,
    omegas: Sequence[float] = (0.3, DEFAULT_OMEGA, 1.0),
    names: tuple[str, str] = ("MRI (I1)", "PET (I2)"),
    inputs: Paths = (),
) -> Path:
    """The full panel: I1, I2, F; ∇_{F,I1} (grey) and ∇_{F,I2} (jet) with colour bars of
    their values; the colour visualisation at each Ω of ``omegas``."""
    out = check_output(path, inputs)
    cols = max(3, len(omegas))
    cell, slot, title = 2.6, 0.85, 0.34
    width = cols * (cell + slot)
    height = 3 * (cell + title) + 0.3
    fig = new_figure(width, height)

    def axes(r: int, c: int):
        left = c * (cell + slot) / width
        bottom = (height - 0.3 - (r + 1) * (cell + title)) / height
        return fig.add_axes((left, bottom, cell / width, cell / height)), (left, bottom)

    def bar_rect(pos):
        left, bottom = pos
        return (
            left + (cell + 0.08) / width,
            bottom + 0.1 * cell / height,
            0.12 / width,
            0.8 * cell / height,
        )

    fig.text(
        0.5,
        1 - 0.06 / height,
        f"{grads.method}: ∇F,I = Σ ∂F/∂I — {grads.detail}",
        color=FOREGROUND,
        fontsize=10,
        ha="center",
        va="top",
    )
    b_arr = np.asarray(b_display)
    ax, _ = axes(0, 0)
    show_image(ax, a, title=names[0], vmin=0, vmax=255)
    ax, _ = axes(0, 1)
    show_image(ax, b_arr, title=names[1], vmin=0, vmax=255)
    ax, _ = axes(0, 2)
    show_image(ax, fused, title=f"fused F ({grads.method})", vmin=0, vmax=255)
    for c, (g, cmap, label) in enumerate(
        (
            (grads.anatomical, "gray", "∇F,I1 (anatomical)"),
            (grads.functional, "jet", "∇F,I2 (functional)"),
        )
    ):
        ax, pos = axes(1, c)
        lo, hi = display_range(g, grads.signal)
        if hi <= lo:
            lo, hi = lo - 0.5, hi + 0.5
        if grads.signal is not None:  # no signal in either input: background, not drawn
            g = np.where(grads.signal, g, np.nan)
        shown = show_image(ax, g, title=label, cmap=cmap, vmin=lo, vmax=hi)
        add_colorbar(fig, shown, bar_rect(pos), "Σ ∂F/∂I")
    ax, _ = axes(1, 2)
    show_image(
        ax,
        gradient_color(grads.anatomical, grads.functional, omega=0.0, mask=grads.signal),
        title="Ω = 0 (∇F,I1 only)",
    )
    for c, omega in enumerate(omegas):
        ax, _ = axes(2, c)
        show_image(
            ax,
            gradient_color(grads.anatomical, grads.functional, omega=omega, mask=grads.signal),
            title=f"colour view, Ω = {omega:g}",
        )
    return save_figure(fig, out, inputs)


def functional_grey(b: np.ndarray, a_ndim: int = 2) -> np.ndarray:
    """The grey functional image a method fuses: itself, or the luminance of a colour image."""
    b = np.asarray(b, dtype=np.float32)
    return rgb_to_grey(b) if b.ndim == a_ndim + 1 else b
