"""Puncture trajectory: entry, target, depth, what the needle crosses, the two-plane view.

Peng et al. (2022) choose a skull entry point and a hematoma target on the 3D model, give the
trajectory the needle's diameter and record its depth; in theatre the surgeon watches two of
the three anatomical planes: the trajectory is perpendicular to the third (a temporal approach
to the basal ganglia is perpendicular to the sagittal plane, so the coronal and axial planes
show the needle's vertical and horizontal deviation). The deviation is the distance from the
drainage-tube tip to the planned target, ``d = ‖tip − target‖``.

Automatic entry: among 2562 directions from the target (a Fibonacci sphere) that do not
descend from it (outward z ≥ −0.1, which keeps the path off the skull base, the orbits and the
face), the shortest path to the outside of the skull whose cylinder of the needle's diameter
crosses no ventricle (nor a vessel mask, if given); the user may give the entry instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

__all__ = ["PLANES", "Trajectory", "deviation", "plan_trajectory", "two_plane"]

#: Anatomical planes and the world axis perpendicular to each (RAS+: x, y, z).
PLANES: dict[str, int] = {"sagittal": 0, "coronal": 1, "axial": 2}


@dataclass
class Trajectory:
    """A planned straight trajectory.

    Attributes
    ----------
    entry_mm, target_mm : numpy.ndarray
        World mm; the entry lies on the outer surface of the skull.
    diameter_mm : float
        Needle diameter.
    crossings_mm : dict
        Length of the path inside each structure (``ventricles``, ``vessels``), mm, counting
        a point as inside when the structure lies within the needle's radius.
    skin_mm : numpy.ndarray or None
        Where the line meets the skin, world mm.
    """

    entry_mm: np.ndarray
    target_mm: np.ndarray
    diameter_mm: float
    crossings_mm: dict = field(default_factory=dict)
    skin_mm: np.ndarray | None = None

    @property
    def depth_mm(self) -> float:
        """Distance from the skull entry to the target."""
        return float(np.linalg.norm(self.target_mm - self.entry_mm))

    @property
    def direction(self) -> np.ndarray:
        """Unit vector from entry to target."""
        return (self.target_mm - self.entry_mm) / max(self.depth_mm, 1e-9)

    @property
    def perpendicular_plane(self) -> str:
        """The anatomical plane the trajectory is closest to perpendicular to."""
        axis = int(np.argmax(np.abs(self.direction)))
        return next(k for k, v in PLANES.items() if v == axis)

    def to_dict(self) -> dict:
        """JSON-ready numbers."""
        return {
            "entry_mm": [round(float(v), 2) for v in self.entry_mm],
            "target_mm": [round(float(v), 2) for v in self.target_mm],
            "skin_mm": None if self.skin_mm is None else [round(float(v), 2) for v in self.skin_mm],
            "depth_mm": round(self.depth_mm, 2),
            "diameter_mm": self.diameter_mm,
            "direction": [round(float(v), 4) for v in self.direction],
            "perpendicular_to": self.perpendicular_plane,
            "view_planes": [p for p in PLANES if p != self.perpendicular_plane],
            "crossings_mm": {k: round(v, 2) for k, v in self.crossings_mm.items()},
        }


def _sample(mask: np.ndarray, affine: np.ndarray, pts: np.ndarray) -> np.ndarray:
    inv = np.linalg.inv(affine)
    ijk = np.rint(pts @ inv[:3, :3].T + inv[:3, 3]).astype(int)
    ok = np.all((ijk >= 0) & (ijk < np.asarray(mask.shape)), axis=-1)
    out = np.zeros(pts.shape[:-1], bool)
    out[ok] = mask[tuple(ijk[ok].T)]
    return out


def _cylinder_hits(
    mask: np.ndarray, affine: np.ndarray, a: np.ndarray, b: np.ndarray, radius: float
) -> float:
    """Length (mm) of segment a→b along which ``mask`` lies within ``radius`` of the axis."""
    length = float(np.linalg.norm(b - a))
    if length == 0:
        return 0.0
    d = (b - a) / length
    helper = np.array([0.0, 0.0, 1.0]) if abs(d[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    e1 = np.cross(d, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(d, e1)
    ang = np.linspace(0, 2 * np.pi, 8, endpoint=False)
    ring = np.concatenate(
        [[[0.0, 0.0, 0.0]], radius * (np.cos(ang)[:, None] * e1 + np.sin(ang)[:, None] * e2)]
    )
    t = np.arange(0.0, length, 0.5)
    pts = a + t[:, None, None] * d + ring[None]
    hit = _sample(mask, affine, pts).any(axis=1)
    return float(hit.sum() * 0.5)


def _icosphere_dirs() -> np.ndarray:
    from .phantom import _fibonacci_sphere

    return _fibonacci_sphere(2562)


def plan_trajectory(
    target_mm: np.ndarray,
    skull: np.ndarray,
    affine: np.ndarray,
    *,
    entry_mm: np.ndarray | None = None,
    ventricles: np.ndarray | None = None,
    vessels: np.ndarray | None = None,
    head: np.ndarray | None = None,
    diameter_mm: float = 4.0,
) -> Trajectory:
    """Plan a straight trajectory to ``target_mm``.

    Parameters
    ----------
    target_mm : numpy.ndarray
        The target (hematoma centre or a user point), world mm.
    skull, ventricles, vessels, head : numpy.ndarray
        Masks on the grid of ``affine`` (``vessels`` optional).
    affine : numpy.ndarray
        Voxel-to-world matrix of the masks.
    entry_mm : numpy.ndarray, optional
        The entry; default: the shortest admissible path (see the module's notes).
    diameter_mm : float
        Needle diameter.

    Returns
    -------
    Trajectory

    Raises
    ------
    InputError
        If no admissible path exists or the entry coincides with the target.
    """
    target = np.asarray(target_mm, dtype=np.float64)
    avoid = {"ventricles": ventricles, "vessels": vessels}
    if entry_mm is None:
        dirs = _icosphere_dirs()
        dirs = dirs[dirs[:, 2] >= -0.1]  # not down through the skull base or the face
        steps = np.arange(0.0, 160.0, 1.0)
        pts = target + steps[None, :, None] * dirs[:, None, :]
        bone = _sample(skull, affine, pts)
        seen = np.cumsum(bone, axis=1) > 0
        left = seen & ~bone  # past the bone, outside it
        has = left.any(axis=1)
        if not has.any():
            raise InputError("target", "no path from the target leaves the skull")
        exit_idx = np.where(has, np.argmax(left, axis=1), len(steps))
        order = np.argsort(exit_idx)
        entry = None
        for i in order[:400]:
            if not has[i]:
                break
            cand = target + steps[exit_idx[i]] * dirs[i]
            if all(
                m is None or _cylinder_hits(m, affine, cand, target, diameter_mm / 2) == 0
                for m in avoid.values()
            ):
                entry = cand
                break
        if entry is None:
            raise InputError("target", "every short path to the target crosses a ventricle")
    else:
        entry = np.asarray(entry_mm, dtype=np.float64)
        if np.linalg.norm(entry - target) < 1.0:
            raise InputError("--entry", "the entry point coincides with the target")
    crossings = {
        k: _cylinder_hits(m, affine, entry, target, diameter_mm / 2)
        for k, m in avoid.items()
        if m is not None
    }
    skin = None
    if head is not None:
        d = (entry - target) / np.linalg.norm(entry - target)
        steps = np.arange(0.0, 80.0, 0.5)
        inside = _sample(head, affine, entry + steps[:, None] * d)
        out = np.nonzero(~inside)[0]
        if len(out):
            skin = entry + steps[out[0]] * d
    return Trajectory(entry, target, float(diameter_mm), crossings, skin)


def deviation(tip_mm: np.ndarray, target_mm: np.ndarray) -> dict:
    """Tip-to-target deviation, ``d = ‖tip − target‖``, and its x, y, z components.

    Parameters
    ----------
    tip_mm, target_mm : numpy.ndarray
        World mm (the target is the origin of Peng et al.'s XYZ frame).

    Returns
    -------
    dict
        ``d_mm`` and ``xyz_mm``.

    Examples
    --------
    >>> deviation(np.array([3.0, 4.0, 0.0]), np.zeros(3))
    {'d_mm': 5.0, 'xyz_mm': [3.0, 4.0, 0.0]}
    """
    v = np.asarray(tip_mm, float) - np.asarray(target_mm, float)
    return {"d_mm": round(float(np.linalg.norm(v)), 3), "xyz_mm": [round(float(x), 3) for x in v]}


def two_plane(traj: Trajectory, tip_mm: np.ndarray | None = None) -> dict:
    """The two planes to watch and the deviation seen in each (Peng et al.'s dual-plane view).

    Parameters
    ----------
    traj : Trajectory
        The plan.
    tip_mm : numpy.ndarray, optional
        The needle tip; its offset from the target is projected on each plane.

    Returns
    -------
    dict
        For each of the two view planes: the angle of the planned trajectory within it
        (degrees from the perpendicular axis) and, with a tip, the in-plane deviation.
    """
    perp = PLANES[traj.perpendicular_plane]
    out = {}
    for name, axis in PLANES.items():
        if axis == perp:
            continue
        inplane = [k for k in range(3) if k != axis]
        d = traj.direction[inplane]
        entry = {"axes": ["xyz"[k] for k in inplane], "direction": [round(float(v), 4) for v in d]}
        if tip_mm is not None:
            off = (np.asarray(tip_mm, float) - traj.target_mm)[inplane]
            entry["tip_offset_mm"] = [round(float(v), 3) for v in off]
            entry["deviation_mm"] = round(float(np.linalg.norm(off)), 3)
        out[name] = entry
    return out
