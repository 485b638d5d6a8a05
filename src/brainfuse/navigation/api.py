"""One call for a whole plan: :func:`plan_case` (what ``brainfuse navigation plan`` runs)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..io.image import Image
from .ct import load_ct
from .fiducials import find_markers
from .segment import HeadMasks, Hematoma, segment_head, segment_hematoma
from .trajectory import Trajectory, deviation, plan_trajectory, two_plane

__all__ = ["Plan", "default_ct", "plan_case", "write_plan"]


@dataclass
class Plan:
    """Everything a plan computes (before anything is written)."""

    ct: Image
    masks: HeadMasks
    hematoma: Hematoma
    trajectory: Trajectory
    markers_mm: np.ndarray
    models: list
    summary: dict


def default_ct(seed: int = 0) -> Image:
    """The embedded default: a synthetic head CT with a 30 ml basal-ganglia hematoma.

    Built from nilearn's MNI152 templates (:func:`~brainfuse.navigation.phantom.synthetic_head_ct`),
    with three scalp markers, 6 HU noise and 5 mm slices (averaged from 1 mm).

    Parameters
    ----------
    seed : int
        Seed of the hematoma's shape, the markers and the noise.

    Returns
    -------
    Image
    """
    from .phantom import make_case, synthetic_head_ct

    case = make_case(synthetic_head_ct(), volume_ml=30.0, residual=0.5, slice_mm=5.0, seed=seed)
    return case.pre.replace(source="default synthetic CT (30 ml basal-ganglia hematoma)")


def plan_case(
    ct: str | os.PathLike[str] | Image,
    *,
    seed_mm: np.ndarray | None = None,
    target_mm: np.ndarray | None = None,
    entry_mm: np.ndarray | None = None,
    needle_mm: float = 4.0,
    tip_mm: np.ndarray | None = None,
    vessels: np.ndarray | None = None,
    require_markers: bool = False,
    max_pixels: int | None = None,
) -> Plan:
    """Segment, mesh and plan one CT (nothing is written).

    Parameters
    ----------
    ct : path or Image
        Head CT in HU (NIfTI, DICOM series folder, or a volume in memory).
    seed_mm : numpy.ndarray, optional
        A point in the hematoma (default: automatic).
    target_mm : numpy.ndarray, optional
        The target (default: the hematoma's centroid).
    entry_mm : numpy.ndarray, optional
        The entry (default: shortest path that avoids the ventricles).
    needle_mm : float
        Needle diameter.
    tip_mm : numpy.ndarray, optional
        A measured tip position: the deviation is reported.
    vessels : numpy.ndarray, optional
        A vessel mask on the CT's grid, to avoid.
    require_markers : bool
        Refuse a CT with fewer than 3 markers.
    max_pixels : int, optional
        Voxel limit of the reader.

    Returns
    -------
    Plan

    Raises
    ------
    InputError
        Bad CT, no hematoma, no path, missing markers.
    """
    from .mesh import mesh_from_mask, needle_mesh, sphere_mesh

    if not np.isfinite(needle_mm) or not 0.5 <= needle_mm <= 10:
        raise InputError("--needle-mm", f"needle diameter {needle_mm} mm is outside 0.5-10 mm")
    image = ct if isinstance(ct, Image) else load_ct(ct, max_pixels=max_pixels)
    if isinstance(ct, Image):
        from .ct import check_hounsfield

        check_hounsfield(image)
    name = image.source or "CT"
    masks = segment_head(image)
    hem = segment_hematoma(image, seed_mm=seed_mm, masks=masks)
    markers = find_markers(image, skull=masks.on_grid(masks.skull, image.shape))
    if require_markers and len(markers) < 3:
        raise InputError(name, f"{len(markers)} fiducial marker(s) found; registration needs 3")
    target = hem.centroid_mm if target_mm is None else np.asarray(target_mm, dtype=np.float64)
    vmask = None
    if vessels is not None:
        from .segment import block_mean

        vmask = block_mean(vessels.astype(np.float32), masks.factors) > 0
    traj = plan_trajectory(
        target,
        masks.skull,
        masks.affine,
        entry_mm=entry_mm,
        ventricles=masks.ventricles,
        vessels=vmask,
        head=masks.head,
        diameter_mm=needle_mm,
    )
    models = [
        mesh_from_mask(masks.head, masks.affine, "skin"),
        mesh_from_mask(masks.skull, masks.affine, "skull"),
        mesh_from_mask(hem.mask, image.affine, "hematoma"),
        needle_mesh(traj.entry_mm, traj.target_mm, needle_mm),
    ]
    if masks.ventricles.any():
        models.insert(2, mesh_from_mask(masks.ventricles, masks.affine, "ventricles"))
    if len(markers):
        models.append(sphere_mesh(markers, 3.0))
    summary = {
        "ct": name,
        "shape": list(image.shape),
        "spacing_mm": [round(s, 4) for s in image.spacing],
        "hematoma": hem.to_dict(),
        "trajectory": traj.to_dict(),
        "two_plane": two_plane(traj, tip_mm),
        "markers_mm": [[round(float(v), 2) for v in m] for m in markers],
        "models": {
            m.name: {"faces": len(m.mesh.faces), "volume_ml": round(m.volume_ml, 3)} for m in models
        },
        "reference": "Peng et al. 2022, Front. Neurosci. 16:850179",
    }
    summary["hematoma"]["mesh_volume_ml"] = summary["models"]["hematoma"]["volume_ml"]
    if tip_mm is not None:
        summary["deviation"] = deviation(tip_mm, target)
    return Plan(image, masks, hem, traj, markers, models, summary)


def write_plan(plan: Plan, out_dir: str | os.PathLike[str], inputs: list = ()) -> list[Path]:
    """Write a plan's files into ``out_dir``: all of them or none.

    The files are written into a temporary folder beside ``out_dir`` and moved in at the end,
    each by an atomic rename: ``plan.json``, ``hematoma.nii.gz`` (the mask), ``model.glb``,
    ``model.obj`` (+ ``material.mtl``), one STL per structure, ``two_plane.png``,
    ``model.png`` and ``report.html``.

    Parameters
    ----------
    plan : Plan
        From :func:`plan_case`.
    out_dir : str or os.PathLike
        The folder (made if missing; its parent must exist).
    inputs : list
        Input files: an output that is one of them is refused.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from ..io.atomic import check_output_path
    from ..io.nifti import write_nifti
    from .mesh import export_models
    from .report import html_report, render_models, two_plane_figure

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(out, "output exists and is not a folder")
    if not out.parent.exists():
        raise InputError(out, f"output folder's parent {out.parent} does not exist")
    for src in inputs:
        if src is not None and Path(src).resolve() == out.resolve():
            raise InputError(out, "output folder is an input; refusing to write over an input")
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        export_models(plan.models, tmp)
        write_nifti(
            Image(plan.hematoma.mask.astype(np.float32), affine=plan.ct.affine),
            tmp / "hematoma.nii.gz",
        )
        tip = plan.summary.get("deviation")
        two_plane_figure(
            plan.ct,
            plan.hematoma.mask,
            plan.trajectory,
            tmp / "two_plane.png",
            None if tip is None else np.asarray(tip["xyz_mm"]) + plan.trajectory.target_mm,
        )
        render_models(plan.models, tmp / "model.png")
        (tmp / "plan.json").write_text(json.dumps(plan.summary, indent=2) + "\n")
        html_report(
            tmp / "report.html",
            plan.summary,
            (tmp / "model.glb").read_bytes(),
            {
                "Two-plane view through the target": (tmp / "two_plane.png").read_bytes(),
                "Static render of the models": (tmp / "model.png").read_bytes(),
            },
        )
        out.mkdir(exist_ok=True)
        names = sorted(p.name for p in tmp.iterdir())
        for n in names:
            check_output_path(out / n, inputs)
        done = []
        for n in names:
            os.replace(tmp / n, out / n)
            done.append(out / n)
        return done
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
