"""``brainfuse navigation``: plan a hematoma puncture, register fiducials, reproduce Table 1."""

from __future__ import annotations

import json
import math
from pathlib import Path

import click
import numpy as np

from ..errors import InputError

__all__ = ["navigation_command"]


def _point(value: str | None, option: str) -> np.ndarray | None:
    """``"x,y,z"`` → array (world mm); anything else is a one-line error."""
    if value is None:
        return None
    parts = value.replace(" ", "").split(",")
    try:
        out = np.array([float(p) for p in parts])
    except ValueError:
        raise InputError(option, f"expected x,y,z in mm, got {value!r}") from None
    if out.shape != (3,) or not np.isfinite(out).all():
        raise InputError(option, f"expected three finite numbers x,y,z, got {value!r}")
    return out


def _read_points(path: Path) -> np.ndarray:
    """Points from a CSV (x,y,z per line; a header line is skipped) or JSON (list of [x,y,z]
    or ``{"points": [...]}``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            path, f"cannot be read ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
            rows = data["points"] if isinstance(data, dict) else data
        else:
            rows = []
            for line in text.splitlines():
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                cells = [c for c in line.replace(";", ",").split(",") if c.strip()]
                try:
                    rows.append([float(c) for c in cells[-3:]])
                except ValueError:
                    if rows:
                        raise
        pts = np.asarray(rows, dtype=np.float64)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(path, f"not a list of x,y,z points ({exc})") from None
    if pts.ndim != 2 or pts.shape[1] != 3:
        raise InputError(path, f"expected x,y,z per point, got shape {pts.shape}")
    if not np.isfinite(pts).all():
        raise InputError(path, "points contain NaN or infinite values")
    return pts


@click.group("navigation")
def navigation_command() -> None:
    """Hematoma puncture planning with fiducial navigation (Peng et al. 2022, MRHNT)."""


@navigation_command.command("plan")
@click.argument("ct", required=False, type=click.Path(path_type=Path))
@click.option(
    "-o", "--out", "out_dir", default="plan", show_default=True, type=click.Path(path_type=Path)
)
@click.option("--seed", "seed", default=None, help="A point in the hematoma, x,y,z mm.")
@click.option("--target", default=None, help="Target x,y,z mm (default: hematoma centre).")
@click.option("--entry", default=None, help="Entry x,y,z mm (default: shortest safe path).")
@click.option("--tip", default=None, help="Measured tube tip x,y,z mm: report the deviation.")
@click.option("--needle-mm", default=4.0, show_default=True, type=float, help="Needle diameter.")
@click.option("--require-markers", is_flag=True, help="Refuse a CT without 3 markers.")
def plan_command(
    ct: Path | None,
    out_dir: Path,
    seed: str | None,
    target: str | None,
    entry: str | None,
    tip: str | None,
    needle_mm: float,
    require_markers: bool,
) -> None:
    """Plan a puncture on CT (NIfTI or DICOM folder, in HU); write volumes, meshes, figures,
    report.html into OUT. Without CT, plan the embedded synthetic head (nilearn MNI152).
    \f

    Parameters
    ----------
    ct : pathlib.Path or None
        The CT.
    out_dir : pathlib.Path
        Output folder.
    seed, target, entry, tip : str or None
        Points as ``x,y,z`` (world mm).
    needle_mm : float
        Needle diameter.
    require_markers : bool
        Refuse a CT without three markers.
    """
    from .api import default_ct, plan_case, write_plan

    if not math.isfinite(needle_mm):
        raise InputError("--needle-mm", f"{needle_mm} is not a finite number")
    points = {
        k: _point(v, f"--{k}")
        for k, v in (("seed", seed), ("target", target), ("entry", entry), ("tip", tip))
    }
    source = ct if ct is not None else default_ct()
    if ct is not None and out_dir.resolve() == ct.resolve():
        raise InputError(out_dir, "output folder is the input; refusing to write over an input")
    plan = plan_case(
        source,
        seed_mm=points["seed"],
        target_mm=points["target"],
        entry_mm=points["entry"],
        tip_mm=points["tip"],
        needle_mm=needle_mm,
        require_markers=require_markers,
    )
    files = write_plan(plan, out_dir, inputs=[ct])
    s = plan.summary
    click.echo(
        f"hematoma {s['hematoma']['volume_ml']:.2f} ml (ABC/2 {s['hematoma']['abc2_ml']:.2f} ml), "
        f"depth {s['trajectory']['depth_mm']:.1f} mm, {len(plan.markers_mm)} markers"
    )
    if "deviation" in s:
        click.echo(f"deviation d = {s['deviation']['d_mm']:.2f} mm")
    click.echo(f"wrote {len(files)} files to {out_dir}")


@navigation_command.command("register")
@click.option(
    "--ct-markers", required=True, type=click.Path(path_type=Path), help="CSV/JSON points in CT mm."
)
@click.option(
    "--tracked",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV/JSON tracked points, same order.",
)
@click.option(
    "--target", default=None, help="Target x,y,z in CT mm: report the expected TRE there."
)
@click.option(
    "--fle-mm",
    default=None,
    type=float,
    help="Marker localisation error (RMS) for the expected TRE.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    type=click.Path(path_type=Path),
    help="Write the result as JSON.",
)
def register_command(
    ct_markers: Path, tracked: Path, target: str | None, fle_mm: float | None, output: Path | None
) -> None:
    """Rigid registration of CT markers to tracked markers (Horn/Kabsch): transform, FRE, TRE.
    \f

    Parameters
    ----------
    ct_markers, tracked : pathlib.Path
        The paired points.
    target : str or None
        ``x,y,z`` in CT mm.
    fle_mm : float or None
        RMS localisation error for the Fitzpatrick prediction (default: FRE / sqrt(1 − 2/N)).
    output : pathlib.Path or None
        JSON output.
    """
    from ..io.atomic import atomic_path, check_output_path
    from .fiducials import expected_fre, expected_tre, register_points

    if output is not None:
        check_output_path(output, [ct_markers, tracked])
    a, b = _read_points(ct_markers), _read_points(tracked)
    if len(a) != len(b):
        raise InputError(
            tracked, f"{len(b)} tracked markers but {len(a)} CT markers in {ct_markers}"
        )
    reg = register_points(a, b)
    n = len(a)
    fle = (
        fle_mm
        if fle_mm is not None
        else (reg.fre_mm / math.sqrt(1 - 2 / n) if n > 2 else float("nan"))
    )
    result = {
        "matrix": [[round(float(v), 6) for v in row] for row in reg.matrix],
        "fre_mm": round(reg.fre_mm, 4),
        "residuals_mm": [round(float(v), 4) for v in reg.residuals_mm],
        "n": n,
        "fle_mm": round(float(fle), 4) if math.isfinite(fle) else None,
        "expected_fre_mm": round(expected_fre(fle, n), 4) if math.isfinite(fle) else None,
    }
    t = _point(target, "--target")
    if t is not None:
        result["target_tracked_mm"] = [round(float(v), 3) for v in reg.apply(t[None])[0]]
        if math.isfinite(fle):
            result["expected_tre_mm"] = round(expected_tre(fle, a, t), 4)
    text = json.dumps(result, indent=2)
    if output is not None:
        with atomic_path(output) as tmp:
            tmp.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {output}")
    click.echo(text)


@navigation_command.command("table")
@click.option(
    "--cases",
    default=None,
    type=click.Path(path_type=Path),
    help="CSV with pre_ml, post_ml (default: Peng et al. Table 1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def table_command(cases: Path | None, as_json: bool) -> None:
    """Evacuation rate per case, mean ± SD, paired t-test (reproduces Peng et al. 2022, Table 1).
    \f

    Parameters
    ----------
    cases : pathlib.Path or None
        A CSV of cases.
    as_json : bool
        Print JSON.
    """
    from .outcome import peng_table1, read_cases, summarise

    rows = peng_table1() if cases is None else read_cases(cases)
    s = summarise(rows)
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    click.echo("case  pre_ml  post_ml  HER_%")
    for i, (c, her) in enumerate(zip(rows, s["her_percent"], strict=True), start=1):
        click.echo(f"{i:>4}  {c['pre_ml']:6.2f}  {c['post_ml']:7.2f}  {her:5.2f}")
    click.echo(f"HER {s['her_mean']:.2f} ± {s['her_sd']:.2f} %")
    if "deviation_mean" in s:
        click.echo(f"deviation {s['deviation_mean']:.2f} ± {s['deviation_sd']:.2f} mm")
    click.echo(f"paired t-test pre vs post: t = {s['t']:.2f}, df = {s['df']}, p = {s['p']:.4f}")
