"""``brainfuse viz ...``: the views of :mod:`brainfuse.viz` from the command line.

Each command parses its arguments, checks its options against the view's registered
parameters (:data:`brainfuse.viz.VIEWS`; an error names the flag), calls the library function
that draws the view and echoes what it wrote. Every command writes one PNG (``overlay`` also
HTML) atomically; bad input ends in one line on stderr and exit status 2, with no file
written (see :mod:`brainfuse.cli`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..clikit import FINITE, max_pixels_option, parse_params
from ..errors import InputError, MissingExtraError

__all__ = ["viz_command"]

PathArg = click.Path(path_type=Path)


def _checked(view: str, **options: Any) -> None:
    """Check ``options`` against the parameters of ``view``; an error names the flag."""
    from .views import get_view

    ctx = click.get_current_context()
    flags = {p.name: max(p.opts, key=len) for p in ctx.command.params}
    entry = get_view(view)
    for name, value in options.items():
        try:
            entry.bind({name: value})
        except MissingExtraError:
            raise  # about the view, not the option
        except InputError as exc:
            raise InputError(flags.get(name, name), exc.problem) from None


def _output(out: Path, inputs: list[Any], suffixes: tuple[str, ...] = (".png",)) -> None:
    """Refuse a bad output path before any work."""
    from .render import check_output

    check_output(out, inputs, suffixes)


def _pairs(files: tuple[Path, ...]) -> list[tuple[Path, Path]]:
    """``A1 B1 A2 B2 ...`` as pairs; an odd count names the file without a partner."""
    if len(files) % 2:
        raise InputError(files[-1], "has no partner: give anatomical/functional pairs")
    return list(zip(files[::2], files[1::2], strict=True))


def _options(options: list):
    """One decorator applying several click options, in the order listed."""

    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


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
_fd = _options(
    [
        click.option(
            "--step",
            type=FINITE,
            default=1.0,
            show_default=True,
            help="Finite-difference step (grey levels), for methods without exact gradients.",
        ),
        click.option(
            "--stride",
            default=8,
            show_default=True,
            help="Finite-difference lattice stride (pixels); 2·stride²+1 fusions.",
        ),
    ]
)


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
    _output(output, inputs, (".png",) if raw else (".png", ".html"))
    _checked("overlay", palette=palette, alpha=alpha, threshold=threshold)
    settings = {"palette": palette, "alpha": alpha, "threshold": threshold}
    if raw:
        save_raw(overlay(*inputs, max_pixels=max_pixels, **settings), output, inputs)
    elif output.suffix.lower() == ".html":
        overlay_html(*inputs, output, max_pixels=max_pixels, **settings)
    else:
        overlay_figure(*inputs, max_pixels=max_pixels, output_file=output, **settings)
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

    _output(output, [a, b])
    _checked("checkerboard", tiles=tiles)
    if raw:
        save_raw(checkerboard(a, b, tiles=tiles, max_pixels=max_pixels), output, [a, b])
    else:
        checkerboard_figure(a, b, tiles=tiles, max_pixels=max_pixels, output_file=output)
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

    _output(output, [a, b])
    difference_figure(a, b, cmap=cmap, max_pixels=max_pixels, output_file=output)
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
    from .grid import grid_figure

    pairs = _pairs(files)
    _output(output, list(files))
    regions = [_roi(r) for r in rois]
    grid_figure(pairs, methods, rois=regions or None, max_pixels=max_pixels, output_file=output)
    click.echo(f"wrote {output} ({len(pairs)} pairs x {len(methods)} methods)")


gradient_arguments = _options(
    [
        click.argument("anatomical", type=PathArg),
        click.argument("functional", type=PathArg),
        click.option(
            "-m", "--method", default="funfusean", show_default=True, help="Fusion method."
        ),
        params_option,
        output_option,
    ]
)


def _gradients(anatomical, functional, method, params, step, stride, max_pixels):
    """The gradient maps of ``method`` on the pair, with a progress bar."""
    from .gradients import input_gradients

    return input_gradients(
        anatomical,
        functional,
        method,
        step=step,
        stride=stride,
        progress=True,
        max_pixels=max_pixels,
        **parse_params(params),
    )


@viz_command.command("gradient-color")
@gradient_arguments
@click.option(
    "--omega",
    type=FINITE,
    default=0.6,
    show_default=True,
    help="Ω: saturation factor of the functional colour, 0..1.",
)
@click.option(
    "--sigma",
    type=FINITE,
    default=2.0,
    show_default=True,
    help="σ (pixels) of the Gaussian pooling |∇F| before the functional share.",
)
@raw_option
@_fd
@max_pixels_option
def gradient_color_cmd(
    anatomical, functional, method, params, output, omega, sigma, raw, step, stride, max_pixels
) -> None:
    """FunFuseAn's colour view: F coloured by the functional share of its gradient."""
    from .gradients import gradient_color_figure
    from .render import save_raw

    inputs = [anatomical, functional]
    _output(output, inputs)
    _checked("gradient-color", omega=omega, sigma=sigma, step=step, stride=stride)
    grads = _gradients(anatomical, functional, method, params, step, stride, max_pixels)
    if raw:
        save_raw(grads.color(omega, sigma), output, inputs)
    else:
        gradient_color_figure(
            *inputs, gradients=grads, omega=omega, sigma=sigma, output_file=output
        )
    click.echo(f"wrote {output} ({grads.path}: {grads.detail})")


@viz_command.command("gradients")
@gradient_arguments
@_fd
@max_pixels_option
def gradients_cmd(anatomical, functional, method, params, output, step, stride, max_pixels) -> None:
    """Panel: inputs, fused image, ∇F,I1 and ∇F,I2 with colour bars, colour views at several Ω."""
    from .gradients import gradients_figure

    _output(output, [anatomical, functional])
    _checked("gradients", step=step, stride=stride)
    grads = _gradients(anatomical, functional, method, params, step, stride, max_pixels)
    gradients_figure(
        anatomical, functional, gradients=grads, max_pixels=max_pixels, output_file=output
    )
    click.echo(f"wrote {output} ({grads.path}: {grads.detail})")


energy_options = _options(
    [
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
)


@viz_command.command("enhance")
@click.argument("anatomical", type=PathArg)
@click.argument("functional", type=PathArg)
@energy_options
@output_option
@raw_option
@max_pixels_option
def enhance_cmd(
    anatomical, functional, method, params, palette, sigma, gain, lift, output, raw, max_pixels
) -> None:
    """MdAFuse's energy-based colour enhancement of the fused image."""
    from .energy import enhance, enhance_figure
    from .render import save_raw

    inputs = [anatomical, functional]
    _output(output, inputs)
    settings = {"palette": palette, "sigma": sigma, "gain": gain, "lift": lift}
    _checked("enhance", **settings)
    common = {"method": method, "params": parse_params(params), "max_pixels": max_pixels}
    if raw:
        save_raw(enhance(*inputs, **common, **settings), output, inputs)
    else:
        enhance_figure(*inputs, output_file=output, **common, **settings)
    click.echo(f"wrote {output}")


@viz_command.command("timeline")
@click.argument("files", nargs=-1, required=True, type=PathArg)
@click.option("--label", "labels", multiple=True, help="Label of each date, in order (repeat).")
@energy_options
@output_option
@max_pixels_option
def timeline_cmd(
    files, labels, method, params, palette, sigma, gain, lift, output, max_pixels
) -> None:
    """One slice at several dates with identical settings: FILES are pairs A1 B1 A2 B2 ...

    The functional images share one window (the smallest and largest value over all dates) and
    one energy reference, so equal uptake gets equal colour at every date."""
    from .energy import timeline

    pairs = _pairs(files)
    _output(output, list(files))
    settings = {"palette": palette, "sigma": sigma, "gain": gain, "lift": lift}
    _checked("timeline", **settings)
    if labels and len(labels) != len(pairs):
        raise InputError("--label", f"{len(labels)} labels for {len(pairs)} dates")
    timeline(
        pairs,
        method=method,
        params=parse_params(params),
        labels=labels or None,
        max_pixels=max_pixels,
        output_file=output,
        **settings,
    )
    click.echo(f"wrote {output} ({len(pairs)} dates)")


volume_options = _options(
    [
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
)


def _point(at: str | None) -> list[float] | None:
    """``--at X,Y,Z`` as a world point in mm."""
    if at is None:
        return None
    try:
        point = [float(v) for v in at.split(",")]
    except ValueError:
        point = []
    if len(point) != 3 or not all(abs(v) < float("inf") for v in point):
        raise InputError("--at", f"expected X,Y,Z in mm (finite numbers), got {at!r}")
    return point


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
@volume_options
def slices_cmd(
    volume, output, at, overlay_path, resample, palette, alpha, threshold, max_pixels
) -> None:
    """Axial, coronal and sagittal slices of a volume (neurological convention), with overlay."""
    from .volume import orthogonal_figure

    _output(output, [volume, overlay_path])
    point = _point(at)
    settings = {"palette": palette, "alpha": alpha, "threshold": threshold}
    _checked("slices", **settings)
    orthogonal_figure(
        volume,
        overlay_path,
        at_mm=point,
        resample=resample,
        max_pixels=max_pixels,
        output_file=output,
        **settings,
    )
    click.echo(f"wrote {output}")


@viz_command.command("montage")
@click.argument("volume", type=PathArg)
@output_option
@click.option(
    "-n", "--slices", "slices", default=12, show_default=True, help="Number of axial slices."
)
@click.option("--cols", "columns", default=6, show_default=True, help="Slices per row.")
@volume_options
def montage_cmd(
    volume, output, slices, columns, overlay_path, resample, palette, alpha, threshold, max_pixels
) -> None:
    """Axial slices spread over the head, with the functional overlay if given."""
    from .volume import montage_figure

    _output(output, [volume, overlay_path])
    settings = {"palette": palette, "alpha": alpha, "threshold": threshold}
    _checked("montage", slices=slices, columns=columns, **settings)
    montage_figure(
        volume,
        overlay_path,
        slices=slices,
        columns=columns,
        resample=resample,
        max_pixels=max_pixels,
        output_file=output,
        **settings,
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
    from .series import write_phantom_series

    try:
        values = [float(r) for r in radii.split(",")]
    except ValueError:
        raise InputError(
            "--radii", f"expected radii in mm separated by commas, got {radii!r}"
        ) from None
    _checked("phantom-series", seed=seed)
    for mri, pet, label in write_phantom_series(out_dir, values, seed=seed):
        click.echo(f"{mri} {pet}  {label}")


def _slices(texts: tuple[str, ...]) -> dict[str, int]:
    """``--slice PLANE:INDEX`` (repeatable) as ``{plane: index}``."""
    from ..io.slicing import PLANES

    out: dict[str, int] = {}
    for text in texts:
        plane, _, index = text.partition(":")
        if plane not in PLANES or not index.lstrip("-").isdigit():
            raise InputError(
                "--slice",
                f"expected PLANE:INDEX with PLANE one of {', '.join(PLANES)}, got {text!r}",
            )
        out[plane] = int(index)
    return out


@viz_command.command("labels")
@click.argument("anatomy", type=PathArg)
@click.argument("labels", type=PathArg)
@output_option
@click.option(
    "--truth", type=PathArg, default=None, help="Reference label map, shown beside the prediction."
)
@click.option(
    "--slice",
    "slices",
    multiple=True,
    metavar="PLANE:INDEX",
    help="Slice of a plane (axial, coronal, sagittal; RAS+ voxel index), repeatable; "
    "default through the tumour's centre.",
)
@click.option("--outline", is_flag=True, help="Draw label boundaries instead of fills.")
@click.option(
    "--alpha", type=FINITE, default=0.4, show_default=True, help="Opacity of the filled labels."
)
@max_pixels_option
def labels_cmd(anatomy, labels, output, truth, slices, outline, alpha, max_pixels) -> None:
    """Segmentation LABELS (BraTS codes 0, 1, 2, 4) over the ANATOMY volume, three planes.

    With --truth, the truth beside the prediction and as outlines over its fill, with the
    volumes and Dice of WT, TC and ET."""
    from .labels import labels_figure

    _output(output, [anatomy, labels, truth])
    _checked("labels", alpha=alpha, outline=outline)
    indices = _slices(slices)
    try:
        labels_figure(
            anatomy,
            labels,
            truth,
            alpha=alpha,
            outline=outline,
            indices=indices or None,
            max_pixels=max_pixels,
            output_file=output,
        )
    except InputError as exc:
        if exc.source != "indices":
            raise
        raise InputError("--slice", exc.problem) from None
    click.echo(f"wrote {output}")
