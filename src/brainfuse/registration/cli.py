"""``brainfuse register``: align MOVING to FIXED, write it resampled and the transform."""

from __future__ import annotations

from pathlib import Path

import click

from ..clikit import max_pixels_option
from .transform import TRANSFORM_KINDS

__all__ = ["register_command"]


@click.command("register")
@click.argument("fixed", type=click.Path(path_type=Path))
@click.argument("moving", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="Registered MOVING."
)
@click.option(
    "-m",
    "--method",
    default="mi",
    show_default=True,
    help="Registration method (brainfuse list registration).",
)
@click.option(
    "--transform",
    "kind",
    default="rigid",
    show_default=True,
    type=click.Choice(TRANSFORM_KINDS),
    help="Transform model.",
)
@click.option(
    "--transform-out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the fixed-to-moving matrix as JSON (see docs/registration.md).",
)
@max_pixels_option
def register_command(
    fixed: Path,
    moving: Path,
    output: Path,
    method: str,
    kind: str,
    transform_out: Path | None,
    max_pixels: int | None,
) -> None:
    """Register MOVING (PET, SPECT, CT, MRI) to FIXED and write it on FIXED's grid to OUTPUT.

    FIXED and MOVING are two 2D images (PNG, JPEG, TIFF, ... ; a colour PET/SPECT is
    registered through the main direction of its colours and written in colour) or two
    volumes (NIfTI, DICOM folder; they start from where their headers place them). The matrix
    in --transform-out maps FIXED coordinates to MOVING coordinates: pixels (x = column,
    y = row) in 2D, world millimetres in 3D.
    \f

    The text above is the command's help; what follows documents the function that
    ``brainfuse register`` calls with its parsed arguments (click stops the help at the form
    feed).

    Parameters
    ----------
    fixed : pathlib.Path
        The fixed image or volume (FIXED).
    moving : pathlib.Path
        The image or volume to register (MOVING).
    output : pathlib.Path
        Where to write MOVING resampled on FIXED's grid (``-o``).
    method : str
        A registration method name (``-m``; ``brainfuse list registration``).
    kind : {"rigid", "affine"}
        The transform model (``--transform``).
    transform_out : pathlib.Path or None
        Where to write the fixed-to-moving matrix as JSON (``--transform-out``), or None.
    max_pixels : int or None
        Refuse inputs with more pixels or voxels (``--max-pixels``).

    Raises
    ------
    InputError
        If the method is unknown (before any file is read), an output would overwrite an
        input, or the inputs cannot be registered.

    Examples
    --------
    From a shell: ``brainfuse register mri.png pet.png -o pet_on_mri.png --transform-out
    t.json``.
    """
    from ..io import check_output_suffix, load, save
    from ..io.atomic import check_output_path
    from .api import REGISTRATION_METHODS, register

    REGISTRATION_METHODS.get(method)  # an unknown name is refused before any file is read
    check_output_path(output, [fixed, moving])
    if transform_out is not None:
        check_output_path(transform_out, [fixed, moving, output])
    img_fixed = load(fixed, max_pixels=max_pixels)
    img_moving = load(moving, max_pixels=max_pixels)
    check_output_suffix(output, img_fixed.ndim)
    resampled, transform = register(img_fixed, img_moving, method, kind)
    transform.meta.update({"fixed": str(fixed), "moving": str(moving)})
    reference = img_fixed if img_fixed.is_volume else None
    if transform_out is None:
        save(resampled, output, reference=reference, inputs=[fixed, moving])
    else:
        # The image is written inside the transform's atomic write: both appear or neither.
        from ..io.atomic import atomic_path

        with atomic_path(transform_out) as tmp:
            transform.save(tmp)
            save(resampled, output, reference=reference, inputs=[fixed, moving])
    click.echo(f"wrote {output} ({method}, {kind}): {transform!r}")
    if transform_out is not None:
        click.echo(f"wrote {transform_out}")
