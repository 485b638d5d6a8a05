"""``brainfuse viz ...``: the views of :mod:`brainfuse.viz` from the command line.

Every command writes one PNG (``overlay`` also HTML) atomically; bad input ends in one line on
stderr and exit status 2, with no file written (see :mod:`brainfuse.cli`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from ..clikit import FINITE, max_pixels_option, parse_params
from ..errors import InputError

PathArg = click.Path(path_type=Path)


@dataclass(frozen=True)
class _Pair:
    a: np.ndarray  # grey anatomical, 0..255
    b: np.ndarray  # functional, 0..255, grey or RGB
    b_raw: np.ndarray  # functional in its own unit (grey) or RGB
    names: tuple[str, str]  # modality and file name, for titles
    kinds: tuple[str, str]  # modality, or the role when unknown


def _kind(image, role: str) -> str:
    return image.modality.value if image.modality.value != "unknown" else role


def _title(path: Path, image) -> str:
    """``"PET 11.png"``, or the file name alone when the modality is unknown."""
    return f"{_kind(image, '')} {path.name}".strip()


def _load_2d(path: Path, max_pixels: int | None):
    from ..io import load

    img = load(path, max_pixels=max_pixels)
    if img.is_volume:
        raise InputError(path, "is a volume; use `brainfuse viz slices` or `brainfuse viz montage`")
    return img


def _load_pair(a_path: Path, b_path: Path, max_pixels: int | None) -> _Pair:
    from ..pair import prepare_pair

    pair = prepare_pair(a_path, b_path, max_pixels=max_pixels)
    if pair.is_volume:
        raise InputError(
            a_path, "is a volume; use `brainfuse viz slices` or `brainfuse viz montage`"
        )
    img_a, img_b = pair.fixed, pair.moving
    kinds = (_kind(img_a, "anatomical"), _kind(img_b, "functional"))
    names = (_title(a_path, img_a), _title(b_path, img_b))
    return _Pair(pair.a, pair.b, img_b.array, names, kinds)


def _load_two(
    a_path: Path, b_path: Path, max_pixels: int | None
) -> tuple[np.ndarray, np.ndarray, tuple[str, str]]:
    """Two 2D images of one size on the 0..255 scale, as they are (grey or colour)."""
    from ..pair import to_fusion_scale

    img_a, img_b = _load_2d(a_path, max_pixels), _load_2d(b_path, max_pixels)
    if img_b.shape[:2] != img_a.shape[:2]:
        raise InputError(
            b_path, f"shape {img_b.shape[:2]} differs from {a_path.name}'s {img_a.shape[:2]}"
        )
    names = (_title(a_path, img_a), _title(b_path, img_b))
    return to_fusion_scale(img_a), to_fusion_scale(img_b), names


def _output(out: Path, inputs: list[Path], suffixes: tuple[str, ...] = (".png",)) -> None:
    from .render import check_output

    check_output(out, inputs, suffixes)


def _method_params(method: str, params: tuple[str, ...]) -> dict:
    from ..fusion import get_method

    parsed = parse_params(params)
    get_method(method).bind(parsed)
    return parsed


@click.group("viz", context_settings={"help_option_names": ["-h", "--help"]})
def viz_command() -> None:
    """Pictures of fused and registered images: overlays, panels, gradient and energy colours."""


output_option = click.option("-o", "--output", required=True, type=PathArg, help="Output PNG.")
raw_option = click.option(
    "--raw", is_flag=True, help="Write only the image, pixel for pixel (no titles, no colour bar)."
)
palette_option = click.option(
    "--palette",
    default="pet",
    show_default=True,
    help="DICOM palette (pet, hotiron ...) or a matplotlib map (hot, jet, inferno ...).",
)
alpha_option = click.option(
    "--alpha",
    type=FINITE,
    default=0.5,
    show_default=True,
    help="Opacity of the functional layer, 0..1.",
)
threshold_option = click.option(
    "--threshold",
    type=FINITE,
    default=0.1,
    show_default=True,
    help="Background: pixels under this fraction of both images' windows stay uncoloured, 0..1.",
)
params_option = click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Method parameter."
)


def _options(options: list):
    """One decorator applying several click options, in the order listed."""

    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


fd_options = [
    click.option(
        "--step",
        type=FINITE,
        default=1.0,
        show_default=True,
        help="Finite-difference step (grey levels), for methods without autograd.",
    ),
    click.option(
        "--stride",
        default=8,
        show_default=True,
        help="Finite-difference lattice stride (pixels); 2·stride²+1 fusions.",
    ),
]


_fd = _options(fd_options)


@viz_command.command("overlay")
@click.argument("anatomical", type=PathArg)
@click.argument("functional", type=PathArg)
@output_option
@palette_option
@alpha_option
@threshold_option
@raw_option
@max_pixels_option
def overlay_cmd(anatomical, functional, output, palette, alpha, threshold, raw, max_pixels) -> None:
    """Functional image in colour over the grey anatomical image (PNG, or HTML with an α slider)."""
    from .overlay import overlay, overlay_figure, overlay_html
    from .render import save_raw

    inputs = [anatomical, functional]
    html = output.suffix.lower() == ".html"
    _output(output, inputs, (".png",) if raw else (".png", ".html"))
    pair = _load_pair(anatomical, functional, max_pixels)
    settings = {"palette": palette, "alpha": alpha, "threshold": threshold}
    if raw:
        save_raw(overlay(pair.a, pair.b_raw, **settings), output, inputs)
    elif html:
        overlay_html(pair.a, pair.b_raw, output, names=pair.names, inputs=inputs, **settings)
    else:
        overlay_figure(pair.a, pair.b_raw, output, names=pair.names, inputs=inputs, **settings)
    click.echo(f"wrote {output}")


@viz_command.command("checkerboard")
@click.argument("a", type=PathArg)
@click.argument("b", type=PathArg)
@output_option
@click.option("--tiles", default=8, show_default=True, help="Tiles along the shorter side.")
@raw_option
@max_pixels_option
def checkerboard_cmd(a, b, output, tiles, raw, max_pixels) -> None:
    """Alternate tiles of A and B (check a registration: edges must run on across tiles)."""
    from .overlay import checkerboard, checkerboard_figure
    from .render import save_raw

    inputs = [a, b]
    _output(output, inputs)
    x, y, names = _load_two(a, b, max_pixels)
    if raw:
        save_raw(checkerboard(x, y, tiles=tiles), output, inputs)
    else:
        checkerboard_figure(x, y, output, tiles=tiles, names=names, inputs=inputs)
    click.echo(f"wrote {output}")


@viz_command.command("difference")
@click.argument("a", type=PathArg)
@click.argument("b", type=PathArg)
@output_option
@click.option(
    "--cmap",
    default="dark-diverging",
    show_default=True,
    help="Diverging colour map (blue, black at 0, red), or any matplotlib map.",
)
@max_pixels_option
def difference_cmd(a, b, output, cmap, max_pixels) -> None:
    """A − B in a diverging colour map with a colour bar (e.g. two fused results)."""
    from .overlay import difference_figure

    inputs = [a, b]
    _output(output, inputs)
    x, y, names = _load_two(a, b, max_pixels)
    difference_figure(x, y, output, cmap=cmap, names=names, inputs=inputs)
    click.echo(f"wrote {output}")


def _roi(text: str) -> tuple[int, int, int, int]:
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise InputError("--roi", f"expected x,y,w,h in pixels, got {text!r}") from None
    return x, y, w, h


@viz_command.command("grid")
@click.argument("files", nargs=-1, required=True, type=PathArg)
@click.option(
    "-m", "--method", "methods", multiple=True, required=True, help="Fusion method (repeat)."
)
@click.option(
    "--roi",
    "rois",
    multiple=True,
    metavar="X,Y,W,H",
    help="Region to enlarge (repeat); default: where methods differ most.",
)
@output_option
@max_pixels_option
def grid_cmd(files, methods, rois, output, max_pixels) -> None:
    """Methods × pairs: FILES are anatomical/functional pairs (A1 B1 A2 B2 ...)."""
    from .grid import Pair, grid_figure

    if len(files) % 2:
        raise InputError(files[-1], "has no partner: give anatomical/functional pairs")
    inputs = list(files)
    _output(output, inputs)
    for m in methods:
        _method_params(m, ())
    regions = [_roi(r) for r in rois]
    pairs = []
    for a_path, b_path in zip(files[::2], files[1::2], strict=True):
        loaded = _load_pair(a_path, b_path, max_pixels)
        pairs.append(Pair(loaded.a, loaded.b, a_path.stem, loaded.kinds))
    grid_figure(pairs, methods, output, rois=regions or None, inputs=inputs)
    click.echo(f"wrote {output} ({len(pairs)} pairs x {len(methods)} methods)")


def _gradients(pair: _Pair, method: str, params: tuple[str, ...], step: float, stride: int):
    from .gradients import functional_grey, input_gradients

    parsed = _method_params(method, params)
    b = functional_grey(pair.b)
    return b, input_gradients(pair.a, b, method, step=step, stride=stride, progress=True, **parsed)


@viz_command.command("gradient-color")
@click.argument("anatomical", type=PathArg)
@click.argument("functional", type=PathArg)
@click.option("-m", "--method", default="funfusean", show_default=True, help="Fusion method.")
@params_option
@output_option
@click.option(
    "--omega",
    type=FINITE,
    default=0.6,
    show_default=True,
    help="Ω: saturation factor of the functional colour, 0..1.",
)
@raw_option
@_fd
@max_pixels_option
def gradient_color_cmd(
    anatomical, functional, method, params, output, omega, raw, step, stride, max_pixels
) -> None:
    """FunFuseAn's colour view: hue from ∇F,I2 (functional), brightness from ∇F,I1 (anatomical)."""
    from .gradients import gradient_color, gradient_color_figure
    from .render import save_raw

    inputs = [anatomical, functional]
    _output(output, inputs)
    if not 0.0 <= omega <= 1.0:
        raise InputError("--omega", f"must lie in [0, 1], got {omega}")
    pair = _load_pair(anatomical, functional, max_pixels)
    _, grads = _gradients(pair, method, params, step, stride)
    if raw:
        image = gradient_color(grads.anatomical, grads.functional, omega=omega, mask=grads.signal)
        save_raw(image, output, inputs)
    else:
        gradient_color_figure(grads, output, omega=omega, inputs=inputs)
    click.echo(f"wrote {output} ({grads.path}: {grads.detail})")


@viz_command.command("gradients")
@click.argument("anatomical", type=PathArg)
@click.argument("functional", type=PathArg)
@click.option("-m", "--method", default="funfusean", show_default=True, help="Fusion method.")
@params_option
@output_option
@_fd
@max_pixels_option
def gradients_cmd(anatomical, functional, method, params, output, step, stride, max_pixels) -> None:
    """Panel: inputs, fused image, ∇F,I1 and ∇F,I2 with colour bars, colour views at several Ω."""
    from ..fusion import fuse_arrays
    from .gradients import gradients_figure

    inputs = [anatomical, functional]
    _output(output, inputs)
    pair = _load_pair(anatomical, functional, max_pixels)
    b, grads = _gradients(pair, method, params, step, stride)
    fused = fuse_arrays(pair.a, b, method, **parse_params(params))
    from ..color import apply_palette

    shown = pair.b if pair.b.ndim == 3 else apply_palette(pair.b, "pet")
    gradients_figure(pair.a, shown, fused, grads, output, names=pair.names, inputs=inputs)
    click.echo(f"wrote {output} ({grads.path}: {grads.detail})")


energy_options = [
    click.option(
        "-m",
        "--method",
        default="mdafuse",
        show_default=True,
        help="Fusion method giving the grey fused image.",
    ),
    params_option,
    palette_option,
    click.option(
        "--sigma",
        type=FINITE,
        default=2.0,
        show_default=True,
        help="Gaussian window of the local energy (pixels).",
    ),
    click.option(
        "--gain",
        type=FINITE,
        default=1.5,
        show_default=True,
        help="Colour gain on the energy weight.",
    ),
    click.option(
        "--lift",
        type=FINITE,
        default=0.5,
        show_default=True,
        help="Share of the missing functional luminance put back, 0..1.",
    ),
]


_energy = _options(energy_options)


@viz_command.command("enhance")
@click.argument("anatomical", type=PathArg)
@click.argument("functional", type=PathArg)
@_energy
@output_option
@raw_option
@max_pixels_option
def enhance_cmd(
    anatomical, functional, method, params, palette, sigma, gain, lift, output, raw, max_pixels
) -> None:
    """MdAFuse's energy-based colour enhancement of the fused image."""
    from ..fusion import fuse_arrays
    from .energy import energy_enhance, enhance_figure
    from .gradients import functional_grey
    from .render import save_raw

    inputs = [anatomical, functional]
    _output(output, inputs)
    parsed = _method_params(method, params)
    pair = _load_pair(anatomical, functional, max_pixels)
    fused = fuse_arrays(pair.a, functional_grey(pair.b), method, **parsed)
    settings = {"palette": palette, "sigma": sigma, "gain": gain, "lift": lift}
    if raw:
        save_raw(energy_enhance(fused, pair.b, **settings), output, inputs)
    else:
        enhance_figure(
            pair.a,
            pair.b,
            fused,
            output,
            method=method,
            names=pair.names,
            inputs=inputs,
            **settings,
        )
    click.echo(f"wrote {output}")


@viz_command.command("timeline")
@click.argument("files", nargs=-1, required=True, type=PathArg)
@click.option("--label", "labels", multiple=True, help="Label of each date, in order (repeat).")
@_energy
@output_option
@max_pixels_option
def timeline_cmd(
    files, labels, method, params, palette, sigma, gain, lift, output, max_pixels
) -> None:
    """One slice at several dates with identical settings: FILES are pairs A1 B1 A2 B2 ...

    The functional images share one window (the smallest and largest value over all dates) and
    one energy reference, so equal uptake gets equal colour at every date."""
    from ..color import rgb_to_grey
    from ..fusion import fuse_arrays
    from ..pair import to_fusion_scale
    from .energy import timeline_figure

    if len(files) % 2:
        raise InputError(files[-1], "has no partner: give anatomical/functional pairs")
    inputs = list(files)
    _output(output, inputs)
    parsed = _method_params(method, params)
    if labels and len(labels) != len(files) // 2:
        raise InputError("--label", f"{len(labels)} labels for {len(files) // 2} dates")
    anat, func_imgs, names = [], [], ("anatomical", "functional")
    for a_path, b_path in zip(files[::2], files[1::2], strict=True):
        img_a, img_b = _load_2d(a_path, max_pixels), _load_2d(b_path, max_pixels)
        names = (_kind(img_a, "anatomical"), _kind(img_b, "functional"))
        a = to_fusion_scale(img_a)
        anat.append(rgb_to_grey(a) if img_a.rgb else a)
        if img_b.shape[:2] != anat[-1].shape:
            raise InputError(
                b_path, f"shape {img_b.shape[:2]} differs from {a_path.name}'s {anat[-1].shape}"
            )
        func_imgs.append(img_b)
    if any(im.rgb for im in func_imgs):
        funcs, window = [np.clip(im.array, 0, 255).astype(np.float32) for im in func_imgs], None
    else:
        lo = min(float(im.array.min()) for im in func_imgs)
        hi = max(float(im.array.max()) for im in func_imgs)
        scale = 255.0 / (hi - lo) if hi > lo else 0.0
        funcs, window = [((im.array - lo) * scale).astype(np.float32) for im in func_imgs], (lo, hi)
    fused = [
        fuse_arrays(a, rgb_to_grey(f) if f.ndim == 3 else f, method, **parsed)
        for a, f in zip(anat, funcs, strict=True)
    ]
    timeline_figure(
        anat,
        funcs,
        fused,
        output,
        labels=list(labels) or [p.stem for p in files[::2]],
        method=method,
        palette=palette,
        sigma=sigma,
        gain=gain,
        lift=lift,
        window=window,
        names=names,
        inputs=inputs,
    )
    click.echo(f"wrote {output} ({len(anat)} dates)")


volume_options = [
    click.option(
        "--overlay",
        "overlay_path",
        type=PathArg,
        default=None,
        help="Functional volume shown in colour.",
    ),
    click.option(
        "--resample",
        is_flag=True,
        help="Resample the overlay onto the anatomical grid via the headers.",
    ),
    palette_option,
    alpha_option,
    threshold_option,
    max_pixels_option,
]


_volume = _options(volume_options)


def _load_volumes(path: Path, overlay_path: Path | None, resample: bool, max_pixels: int | None):
    """The anatomical volume, the functional one (or None) and the colour bar's label."""
    from ..io import load

    anat = load(path, max_pixels=max_pixels)
    if not anat.is_volume:
        raise InputError(path, "is a 2D image; use `brainfuse viz overlay` for 2D pairs")
    if overlay_path is None:
        return anat, None, ""
    func = load(overlay_path, max_pixels=max_pixels)
    if not func.is_volume:
        raise InputError(overlay_path, "is a 2D image; the overlay of a volume must be a volume")
    if resample:
        from ..registration import resample

        func = resample(anat, func)
    return anat, func, f"{_kind(func, 'functional')} {overlay_path.name}"


@viz_command.command("slices")
@click.argument("volume", type=PathArg)
@output_option
@click.option(
    "--at",
    "at",
    default=None,
    metavar="X,Y,Z",
    help="World point (mm) the slices cross; default the centre.",
)
@_volume
def slices_cmd(
    volume, output, at, overlay_path, resample, palette, alpha, threshold, max_pixels
) -> None:
    """Axial, coronal and sagittal slices of a volume (neurological convention), with overlay."""
    from .volume import orthogonal_figure

    inputs = [volume, overlay_path]
    _output(output, inputs)
    point = None
    if at is not None:
        try:
            point = [float(v) for v in at.split(",")]
        except ValueError:
            point = []
        if len(point) != 3 or not np.isfinite(point).all():
            raise InputError("--at", f"expected X,Y,Z in mm (finite numbers), got {at!r}")
    anat, func, label = _load_volumes(volume, overlay_path, resample, max_pixels)
    orthogonal_figure(
        anat,
        output,
        functional=func,
        at_mm=point,
        palette=palette,
        alpha=alpha,
        threshold=threshold,
        label=label,
        inputs=inputs,
    )
    click.echo(f"wrote {output}")


@viz_command.command("montage")
@click.argument("volume", type=PathArg)
@output_option
@click.option("-n", "--slices", "n", default=12, show_default=True, help="Number of axial slices.")
@click.option("--cols", default=6, show_default=True, help="Slices per row.")
@_volume
def montage_cmd(
    volume, output, n, cols, overlay_path, resample, palette, alpha, threshold, max_pixels
) -> None:
    """Axial slices spread over the head, with the functional overlay if given."""
    from .volume import montage_figure

    inputs = [volume, overlay_path]
    _output(output, inputs)
    anat, func, label = _load_volumes(volume, overlay_path, resample, max_pixels)
    montage_figure(
        anat,
        output,
        functional=func,
        n=n,
        cols=cols,
        palette=palette,
        alpha=alpha,
        threshold=threshold,
        label=label,
        inputs=inputs,
    )
    click.echo(f"wrote {output}")


@viz_command.command("phantom-series")
@click.option("-o", "--out", "out_dir", required=True, type=PathArg, help="Output folder.")
@click.option(
    "--radii", default="4,8,12", show_default=True, help="Tumour radius (mm) at each date."
)
@click.option("--seed", default=0, show_default=True, help="Noise seed of the first date.")
def phantom_series_cmd(out_dir: Path, radii: str, seed: int) -> None:
    """Write a follow-up series of the phantom (a growing tumour) as PNG pairs for `timeline`.

    mri_<k>.png is the 8-bit MRI slice, pet_<k>.png the PET slice in counts (16-bit PNG, one
    count scale for all dates)."""
    from ..io import Image, Modality, save
    from .series import phantom_series

    try:
        values = [float(r) for r in radii.split(",")]
    except ValueError:
        raise InputError(
            "--radii", f"expected radii in mm separated by commas, got {radii!r}"
        ) from None
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "exists and is not a folder")
    points = phantom_series(values, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for k, p in enumerate(points, start=1):
        mri = p.mri * np.float32(255.0 / float(p.mri.max()))
        save(Image(mri, modality=Modality.MRI), out_dir / f"mri_{k}.png")
        save(Image(p.pet, modality=Modality.PET, bit_depth=16), out_dir / f"pet_{k}.png")
        click.echo(f"{out_dir / f'mri_{k}.png'} {out_dir / f'pet_{k}.png'}  {p.label}")
