"""Surface models in patient millimetres: marching cubes, smoothing, decimation, export.

Marching cubes is scikit-image's (Lewiner et al. 2003) on the binary mask at level 0.5; its
vertices go through the CT's voxel-to-world affine, so the models sit in the same patient
(RAS+) millimetres as the CT and the tracked markers. Smoothing is trimesh's Taubin filter
(λ = 0.5, μ = −0.53: a low-pass filter that does not shrink the surface as Laplacian
smoothing does; Taubin 1995). Decimation: trimesh's quadric decimation needs the package
``fast_simplification``, which BrainFuse does not install; when it is absent, large structures
(skin, skull) are decimated by running marching cubes with a step of several voxels
(``step_size``), which keeps the surface within a voxel or two of the full one. Export is
trimesh's: one GLB and one OBJ scene holding every structure as a named object with its
colour, and one STL per structure (STL has no names or colours).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._extras import require

__all__ = ["COLOURS", "Model", "export_models", "mesh_from_mask", "needle_mesh", "sphere_mesh"]

#: RGBA colour of each structure.
COLOURS: dict[str, tuple[int, int, int, int]] = {
    "skin": (233, 190, 160, 90),
    "skull": (236, 232, 214, 140),
    "ventricles": (70, 140, 255, 200),
    "hematoma": (200, 20, 30, 255),
    "markers": (30, 200, 90, 255),
    "trajectory": (255, 200, 0, 255),
}


@dataclass
class Model:
    """A named, coloured surface (a :class:`trimesh.Trimesh`) in world millimetres."""

    name: str
    mesh: object

    @property
    def volume_ml(self) -> float:
        """Volume enclosed by the surface, ml (trimesh's signed volume, of a closed mesh)."""
        return float(self.mesh.volume) / 1000.0  # type: ignore[attr-defined]


def _trimesh():
    return require("trimesh", extra="navigation", what="navigation meshes")


def mesh_from_mask(
    mask: np.ndarray,
    affine: np.ndarray,
    name: str,
    *,
    smooth_iterations: int = 10,
    max_faces: int = 60000,
) -> Model:
    """A closed, smoothed surface of ``mask`` in world mm.

    Parameters
    ----------
    mask : numpy.ndarray
        Boolean 3D mask.
    affine : numpy.ndarray
        Its voxel-to-world matrix.
    name : str
        Structure name (a key of :data:`COLOURS` gives its colour).
    smooth_iterations : int
        Taubin iterations (0: none).
    max_faces : int
        Decimate above this many faces (quadric decimation if ``fast_simplification`` is
        installed, otherwise a coarser marching-cubes step).

    Returns
    -------
    Model

    Examples
    --------
    >>> ball = np.sum((np.indices((30, 30, 30)) - 14.5) ** 2, axis=0) <= 10**2
    >>> m = mesh_from_mask(ball, np.eye(4), "hematoma")
    >>> round(float(m.volume_ml / (ball.sum() / 1000)), 2)
    1.0
    """
    trimesh = _trimesh()
    from skimage.measure import marching_cubes

    padded = np.pad(mask.astype(np.float32), 1)
    step = 1
    faces_estimate = 4 * int(mask.sum() ** (2 / 3))
    fast = importlib.util.find_spec("fast_simplification") is not None
    if not fast:
        while faces_estimate / step**2 > max_faces:
            step += 1
    verts, faces, _, _ = marching_cubes(padded, 0.5, step_size=step, allow_degenerate=False)
    verts = verts - 1.0
    world = verts @ np.asarray(affine)[:3, :3].T + np.asarray(affine)[:3, 3]
    if np.linalg.det(np.asarray(affine)[:3, :3]) < 0:
        faces = faces[:, ::-1]
    mesh = trimesh.Trimesh(world, faces, process=True)
    if mesh.volume < 0:
        mesh.invert()
    if smooth_iterations:
        trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=0.53, iterations=smooth_iterations)
    if fast and len(mesh.faces) > max_faces:
        mesh = mesh.simplify_quadric_decimation(face_count=max_faces)
    _paint(mesh, name)
    return Model(name, mesh)


def _paint(mesh, name: str) -> None:
    colour = np.asarray(COLOURS.get(name, (200, 200, 200, 255)), dtype=np.uint8)
    mesh.visual.face_colors = np.tile(colour, (len(mesh.faces), 1))


def sphere_mesh(centres: np.ndarray, radius: float, name: str = "markers") -> Model:
    """Icospheres at ``centres`` (world mm), one mesh.

    Parameters
    ----------
    centres : numpy.ndarray
        ``(N, 3)`` centres.
    radius : float
        Radius, mm.
    name : str
        Structure name.

    Returns
    -------
    Model
    """
    trimesh = _trimesh()
    parts = []
    for c in np.asarray(centres, dtype=np.float64):
        s = trimesh.creation.icosphere(subdivisions=2, radius=radius)
        s.apply_translation(c)
        parts.append(s)
    mesh = trimesh.util.concatenate(parts)
    _paint(mesh, name)
    return Model(name, mesh)


def needle_mesh(entry: np.ndarray, target: np.ndarray, diameter_mm: float) -> Model:
    """The planned trajectory: a cylinder of the needle's diameter from entry to target.

    Parameters
    ----------
    entry, target : numpy.ndarray
        World mm.
    diameter_mm : float
        Needle diameter.

    Returns
    -------
    Model
    """
    trimesh = _trimesh()
    mesh = trimesh.creation.cylinder(
        radius=diameter_mm / 2.0, segment=np.stack([entry, target]).astype(np.float64), sections=24
    )
    _paint(mesh, "trajectory")
    return Model("trajectory", mesh)


def export_models(models: list[Model], folder: Path) -> list[Path]:
    """Write ``model.glb``, ``model.obj`` (with ``material.mtl``) and ``<name>.stl`` files.

    Parameters
    ----------
    models : list of Model
        The structures.
    folder : pathlib.Path
        An existing folder (the caller writes it atomically).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    trimesh = _trimesh()
    scene = trimesh.Scene()
    for m in models:
        scene.add_geometry(m.mesh, node_name=m.name, geom_name=m.name)
    out = []
    glb = folder / "model.glb"
    glb.write_bytes(scene.export(file_type="glb"))
    out.append(glb)
    obj = trimesh.exchange.obj.export_obj(scene, include_color=True, return_texture=True)
    text, extra = obj if isinstance(obj, tuple) else (obj, {})
    (folder / "model.obj").write_text(text, encoding="utf-8")
    out.append(folder / "model.obj")
    for fname, data in sorted(extra.items()):
        (folder / fname).write_bytes(data)
        out.append(folder / fname)
    for m in models:
        p = folder / f"{m.name}.stl"
        p.write_bytes(m.mesh.export(file_type="stl"))
        out.append(p)
    return out
