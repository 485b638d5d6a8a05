"""``brainfuse segmentation``: generate BraTS-like cases, and score a segmentation."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..clikit import max_pixels_option

__all__ = ["segmentation_command"]


@click.group("segmentation")
def segmentation_command() -> None:
    """Brain tumour segmentation: generated cases with exact labels, and scores per region."""


@segmentation_command.command("simulate")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path), help="A new or empty folder."
)
@click.option("-n", "--cases", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--seed", default=0, show_default=True, type=int, help="Seed of the first case.")
@click.option(
    "--resolution", default=1, show_default=True, type=click.Choice(["1", "2"]), help="mm."
)
def simulate_command(output: Path, cases: int, seed: int, resolution: str) -> None:
    """Write CASES generated glioma cases in the BraTS 2021 layout, with split.csv.

    Each case folder holds NAME_t1, _t1ce, _t2, _flair and _seg .nii.gz (codes 0, 1, 2, 4),
    built from the MNI152 template; the same seed writes the same bytes.
    \f

    Parameters
    ----------
    output : pathlib.Path
        The cohort folder: new, or empty.
    cases : int
        Number of cases.
    seed : int
        The first case's seed; case i has seed ``seed + i``.
    resolution : str
        ``"1"`` or ``"2"`` mm.

    Raises
    ------
    InputError
        If ``output`` is a file or a folder that is not empty.
    """
    from ..errors import InputError
    from .cases import write_cohort

    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise InputError(output, "exists and is not an empty folder; give a new one")
    split = write_cohort(output, cases, seed=seed, resolution=int(resolution), progress=True)
    click.echo(f"wrote {cases} case(s) and {split}")


@segmentation_command.command("score")
@click.argument("prediction", type=click.Path(path_type=Path))
@click.argument("truth", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@max_pixels_option
def score_command(prediction: Path, truth: Path, as_json: bool, max_pixels: int | None) -> None:
    """Dice, HD95 (mm), IoU, sensitivity and specificity of PREDICTION against TRUTH, per
    region (WT, TC, ET), for two BraTS label files (codes 0, 1, 2, 4) on one grid.
    \f

    Parameters
    ----------
    prediction, truth : pathlib.Path
        NIfTI label maps.
    as_json : bool
        Print JSON instead of a table.
    max_pixels : int or None
        Refuse volumes with more voxels than this.

    Raises
    ------
    InputError
        If a file is unreadable, not 3D, the grids differ or a map holds other codes.
    """
    import numpy as np

    from ..errors import InputError
    from ..io import load
    from .evaluate import SCORES, score_case
    from .labels import check_labels

    pred = load(prediction, max_pixels=max_pixels)
    true = load(truth, max_pixels=max_pixels)
    for image, path in ((pred, prediction), (true, truth)):
        if image.ndim != 3:
            raise InputError(path, f"not a 3D label volume (shape {image.shape})")
    if pred.shape != true.shape or not np.allclose(pred.affine, true.affine, atol=1e-3):
        raise InputError(prediction, f"grid differs from {truth.name}'s")
    labels = [check_labels(np.rint(img.array), str(path)) for img, path in
              ((pred, prediction), (true, truth))]  # fmt: skip
    scores = score_case(*labels, spacing=true.spacing)
    table = {r: {k: getattr(s, k) for k in SCORES} for r, s in scores.items()}
    if as_json:
        click.echo(json.dumps(table, indent=2))
        return
    click.echo("region  " + "  ".join(f"{k:>11}" for k in SCORES))
    for region, row in table.items():
        click.echo(f"{region:<6}  " + "  ".join(f"{row[k]:>11.4f}" for k in SCORES))
