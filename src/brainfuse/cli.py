"""The ``brainfuse`` command line.

Every problem with the user's input ends in one line on stderr, ``brainfuse: error: <file>:
<problem>``, and exit status 2, with no output file written. Subcommands that live in other
sub-packages are imported only when used, so ``brainfuse --help`` stays fast.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__
from .clikit import max_pixels_option, parse_params
from .errors import BrainFuseError

#: Subcommands defined elsewhere: name -> "module:attribute" of a click command.
LAZY_COMMANDS: dict[str, str] = {
    "bench": "brainfuse.bench.cli:bench_command",
    "eeg-fmri": "brainfuse.signals.cli:eeg_fmri_command",
    "metrics": "brainfuse.metrics.cli:metrics_command",
    "navigation": "brainfuse.navigation.cli:navigation_command",
    "quality": "brainfuse.quality.cli:quality_command",
    "register": "brainfuse.registration.cli:register_command",
    "segmentation": "brainfuse.segmentation.cli:segmentation_command",
    "serve": "brainfuse.web.cli:serve_command",
    "train": "brainfuse.models.cli:train_command",
    "viz": "brainfuse.viz.cli:viz_command",
}

#: Subcommands that need an extra of brainfuse: name -> extra (see :mod:`brainfuse._extras`).
#: Their help works without it; running them without it is one line and exit status 2.
COMMAND_EXTRAS: dict[str, str] = {
    "eeg-fmri": "signals",
    "navigation": "navigation",
    "quality": "learned",
    "segmentation": "segmentation",
    "serve": "web",
    "train": "learned",
}


def _needing_extra(command: click.Command, name: str, extra: str) -> click.Command:
    """``command`` with a callback that first checks that ``extra`` is installed."""
    callback = command.callback
    if callback is None:
        return command

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        from ._extras import require_extra

        require_extra(extra, what=f"'brainfuse {name}'")
        return callback(*args, **kwargs)

    command = copy.copy(command)
    command.callback = checked
    return command


class _LazyGroup(click.Group):
    """A click group that imports the modules of :data:`LAZY_COMMANDS` on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in LAZY_COMMANDS:
            module, attr = LAZY_COMMANDS[name].split(":")
            command = getattr(importlib.import_module(module), attr)
            if name in COMMAND_EXTRAS:
                command = _needing_extra(command, name, COMMAND_EXTRAS[name])
            return command
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brainfuse")
def cli() -> None:
    """BrainFuse: multimodal brain image fusion (MRI, CT, PET, SPECT) in 2D and 3D."""


@cli.command()
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("-m", "--method", default="average", show_default=True, help="Fusion method.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Output file.")
@click.option(
    "-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="Method parameter."
)
@click.option("--palette", default=None, help="Colour a grey B with this palette (pet, hot ...).")
@click.option("--resample", is_flag=True, help="Resample volume B onto A's grid via the headers.")
@click.option("--register", "align", is_flag=True, help="Register B to A (rigid, MI) first.")
@max_pixels_option
def fuse(
    a: Path,
    b: Path,
    method: str,
    output: Path,
    params: tuple[str, ...],
    palette: str | None,
    resample: bool,
    align: bool,
    max_pixels: int | None,
) -> None:
    """Fuse anatomical image A (MRI) with functional/CT image B into OUTPUT.

    A and B are 2D images (PNG, JPEG, GIF, BMP, TIFF, .npy) or volumes (NIfTI, DICOM folder).
    A colour (pseudo-colour) B gives a colour result.
    """
    from .fusion import fuse_pair, get_method
    from .io import check_output_suffix, save
    from .io.atomic import check_output_path
    from .pair import prepare_pair

    check_output_path(output, [a, b])
    parsed = parse_params(params)
    get_method(method).bind(parsed)
    pair = prepare_pair(
        a,
        b,
        palette=palette,
        resample=resample,
        register="mi" if align else None,
        max_pixels=max_pixels,
    )
    check_output_suffix(output, pair.fixed.ndim)
    fused = fuse_pair(pair, method, **parsed)
    save(fused, output, reference=pair.fixed if pair.is_volume else None, inputs=[a, b])
    kind = "colour" if fused.rgb else "grey"
    click.echo(f"wrote {output} ({kind} {'x'.join(map(str, fused.shape))}, method {method})")


def _print_entries(kind: str, family: str | None, as_json: bool) -> None:
    """Print the entries of registry ``kind`` as a table or a JSON list."""
    from ._extras import extra_available
    from .registry import get_registry

    items = get_registry(kind).list(family)
    if as_json:
        click.echo(json.dumps([e.to_dict() for e in items], indent=2))
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table("name", "family", "dims", "parameters", "capabilities", "summary")
    for e in items:
        params = ", ".join(
            f"{p.name}={p.default}" + (f" ({p.allowed().split(' ', 1)[1]})" if p.allowed() else "")
            for p in e.params
        )
        dims = "/".join(f"{d}D" for d in e.dims)
        caps = ", ".join(sorted(e.capabilities))
        if e.extra and not extra_available(e.extra):
            caps += f" (needs brainfuse[{e.extra}])"
        table.add_row(e.name, e.family, dims, escape(params), escape(caps.strip(", ")), e.summary)
    Console(width=200).print(table)


@cli.command("list")
@click.argument("kind", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--family", default=None, help="Only entries of this family.")
def list_command(kind: str | None, as_json: bool, family: str | None) -> None:
    """List what you can choose from: KIND is one of the registries (fusion, registration ...).

    Without KIND, the registries themselves. Every entry has the same fields: name, family,
    dims, parameters (with defaults and allowed values), capabilities, summary, reference.
    """
    from .registry import REGISTRIES

    if kind is None:
        if as_json:
            click.echo(json.dumps(list(REGISTRIES), indent=2))
        else:
            click.echo("\n".join(REGISTRIES))
        return
    _print_entries(kind, family, as_json)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--family", default=None, help="Only methods of this family.")
def methods(as_json: bool, family: str | None) -> None:
    """List the registered fusion methods (the same as ``brainfuse list fusion``)."""
    _print_entries("fusion", family, as_json)


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@max_pixels_option
def info(file: Path, as_json: bool, max_pixels: int | None) -> None:
    """Describe an image or volume: shape, modality, geometry, bit depth, value range."""
    from .io import load

    img = load(file, max_pixels=max_pixels)
    arr = img.array
    facts: dict[str, Any] = {
        "file": str(file),
        "format": img.meta.get("format"),
        "kind": "volume" if img.is_volume else ("colour image" if img.rgb else "grey image"),
        "shape": list(img.shape),
        "modality": img.modality.value,
        "spacing_mm": list(img.spacing),
        "bit_depth": img.bit_depth,
        "min": float(arr.min()),
        "max": float(arr.max()),
        "mean": float(arr.mean()),
    }
    if img.meta.get("stored_as_rgb"):
        facts["note"] = "grey stored as RGB (equal channels)"
    if img.affine is not None:
        facts["affine"] = [[round(float(v), 6) for v in row] for row in img.affine]
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    for key, value in facts.items():
        click.echo(f"{key:>11}: {value}")


@cli.command()
@click.option(
    "-o",
    "--out",
    "out_dir",
    default="demo-output",
    show_default=True,
    type=click.Path(path_type=Path),
)
@click.option("--seed", default=0, show_default=True, help="Seed of the phantom's Poisson noise.")
def demo(out_dir: Path, seed: int) -> None:
    """Build the MNI152 brain phantom, fuse it with every method, write an HTML report."""
    from .demo import run_demo

    index = run_demo(out_dir, seed=seed)
    click.echo(f"report: {index}")


def _pass_file_names_through() -> None:
    """File names that are not valid UTF-8 reach Python as surrogate escapes; print them back
    as the bytes they were, whatever the terminal's encoding errors setting."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="surrogateescape")
            except (ValueError, OSError):  # a closed or detached stream: leave it
                pass


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI; input errors print one line and return 2."""
    _pass_file_names_through()
    try:
        cli.main(args=argv, prog_name="brainfuse", standalone_mode=False)
    except BrainFuseError as exc:
        click.echo(f"brainfuse: error: {' '.join(str(exc).split())}", err=True)
        return 2
    except OSError as exc:  # the file system refused (disk full, permission, a vanished file)
        where = exc.filename or "brainfuse"
        click.echo(f"brainfuse: error: {where}: {exc.strerror or exc}", err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("brainfuse: aborted", err=True)
        return 130
    except click.UsageError as exc:
        # One line, like every other refusal: no usage block (``--help`` shows it).
        message = " ".join(exc.format_message().split())
        click.echo(f"brainfuse: error: {message}", err=True)
        return 2
    except click.ClickException as exc:
        message = " ".join(exc.format_message().split())
        click.echo(f"brainfuse: error: {message}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    return 0


def run() -> None:
    """Console-script entry point (``brainfuse``)."""
    sys.exit(main())


if __name__ == "__main__":
    run()
