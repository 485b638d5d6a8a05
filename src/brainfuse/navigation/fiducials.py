"""Fiducial markers: found in the CT, paired with tracked points, rigid registration, FRE/TRE.

Registration is the least-squares rigid fit of Horn (1987) / Kabsch (1976): both point sets
are centred, the rotation is :meth:`scipy.spatial.transform.Rotation.align_vectors` (SciPy's
solution of Wahba's problem, by SVD, which returns a proper rotation, never a reflection) and
the translation maps one centroid onto the other. We use SciPy's routine rather than our own
SVD because it is maintained and tested, and already handles the reflection case.

Errors follow Fitzpatrick, West and Maurer (1998, IEEE TMI 17:694): FRE is the RMS distance of
the registered fiducials; TRE is the distance at a target. For fiducials of isotropic
localisation error FLE (RMS, 3D), the expected values are

    ⟨FRE²⟩ = (1 − 2/N) FLE²,
    ⟨TRE²(r)⟩ = FLE²/N · (1 + 1/3 Σ_k d_k² / f_k²),

with ``d_k`` the target's distance to the k-th principal axis of the fiducial configuration
and ``f_k`` the RMS distance of the fiducials to that axis.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.spatial.transform import Rotation

from ..errors import InputError
from ..io.image import Image
from .ct import voxel_volume_ml

__all__ = [
    "Registration",
    "check_geometry",
    "expected_fre",
    "expected_tre",
    "find_markers",
    "register_points",
]

#: Fiducials closer than this to a straight line are refused as collinear (RMS, mm).
MIN_SPREAD_MM = 2.0


@dataclass
class Registration:
    """A rigid transform ``y = R x + t`` from CT (image) to tracker (patient) space.

    Attributes
    ----------
    rotation : numpy.ndarray
        3x3.
    translation : numpy.ndarray
        3.
    fre_mm : float
        RMS fiducial registration error.
    residuals_mm : numpy.ndarray
        Per-fiducial distances after registration.
    """

    rotation: np.ndarray
    translation: np.ndarray
    fre_mm: float
    residuals_mm: np.ndarray

    @property
    def matrix(self) -> np.ndarray:
        """The 4x4 homogeneous matrix."""
        m = np.eye(4)
        m[:3, :3], m[:3, 3] = self.rotation, self.translation
        return m

    def apply(self, points: np.ndarray) -> np.ndarray:
        """Map CT points (N, 3) to tracker space."""
        return np.asarray(points, float) @ self.rotation.T + self.translation


def check_geometry(points: np.ndarray, name: str = "markers") -> None:
    """Refuse fewer than 3 points, non-finite values, or points on (nearly) one line.

    Parameters
    ----------
    points : numpy.ndarray
        ``(N, 3)`` points, mm.
    name : str
        Named in the message.

    Raises
    ------
    InputError
        For fewer than 3 points, NaN, or an RMS distance to the best line under 2 mm.

    Examples
    --------
    >>> check_geometry(np.array([[0, 0, 0], [50, 0, 0], [0, 40, 0]], float))
    >>> try:
    ...     check_geometry(np.array([[0, 0, 0], [50, 0, 0], [100, 0.5, 0]], float), "ct.csv")
    ... except InputError as exc:
    ...     print(exc)  # doctest: +ELLIPSIS
    ct.csv: markers are collinear ...
    """
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 3:
        raise InputError(name, f"expected points with 3 coordinates, got shape {p.shape}")
    if len(p) < 3:
        raise InputError(name, f"{len(p)} marker(s); rigid registration needs at least 3")
    if not np.isfinite(p).all():
        raise InputError(name, "marker coordinates contain NaN or infinite values")
    s = np.linalg.svd(p - p.mean(0), compute_uv=False) / np.sqrt(len(p))
    if s[1] < MIN_SPREAD_MM:
        raise InputError(
            name,
            f"markers are collinear (RMS distance to their line {s[1]:.2f} mm < "
            f"{MIN_SPREAD_MM:g} mm): the rotation about that line is undetermined",
        )


def register_points(ct_points: np.ndarray, tracked: np.ndarray) -> Registration:
    """Least-squares rigid registration of paired points (Horn 1987 / Kabsch 1976).

    Parameters
    ----------
    ct_points : numpy.ndarray
        ``(N, 3)`` marker positions in the CT, mm.
    tracked : numpy.ndarray
        ``(N, 3)`` the same markers in tracker space, same order.

    Returns
    -------
    Registration

    Raises
    ------
    InputError
        Unequal counts, fewer than 3 markers, collinear markers.

    Examples
    --------
    >>> x = np.array([[0, 0, 0], [60, 0, 0], [0, 50, 0], [10, 10, 40]], float)
    >>> r = Rotation.from_euler("z", 30, degrees=True).as_matrix()
    >>> reg = register_points(x, x @ r.T + [5, -2, 7])
    >>> np.allclose(reg.rotation, r), round(reg.fre_mm, 6)
    (True, 0.0)
    """
    a = np.asarray(ct_points, dtype=np.float64)
    b = np.asarray(tracked, dtype=np.float64)
    check_geometry(a, "CT markers")
    check_geometry(b, "tracked markers")
    if a.shape != b.shape:
        raise InputError("markers", f"{len(a)} CT markers but {len(b)} tracked markers")
    ca, cb = a.mean(0), b.mean(0)
    rot, _ = Rotation.align_vectors(b - cb, a - ca)
    r = rot.as_matrix()
    t = cb - r @ ca
    res = np.linalg.norm(a @ r.T + t - b, axis=1)
    return Registration(r, t, float(np.sqrt(np.mean(res**2))), res)


def expected_fre(fle_mm: float, n: int) -> float:
    """Expected RMS FRE for N fiducials of RMS localisation error FLE (Fitzpatrick 1998).

    Parameters
    ----------
    fle_mm : float
        RMS fiducial localisation error (3D).
    n : int
        Number of fiducials.

    Returns
    -------
    float
        ``sqrt((1 − 2/N)) · FLE``.

    Examples
    --------
    >>> round(expected_fre(1.0, 3), 4)
    0.5774
    """
    return float(np.sqrt(max(1.0 - 2.0 / n, 0.0)) * fle_mm)


def expected_tre(fle_mm: float, fiducials: np.ndarray, target: np.ndarray) -> float:
    """Expected RMS TRE at ``target`` (Fitzpatrick, West and Maurer 1998, Eq. 46).

    Parameters
    ----------
    fle_mm : float
        RMS fiducial localisation error (3D).
    fiducials : numpy.ndarray
        ``(N, 3)`` fiducial positions, mm.
    target : numpy.ndarray
        The target, mm.

    Returns
    -------
    float
        ``FLE / sqrt(N) · sqrt(1 + 1/3 Σ_k d_k²/f_k²)``.

    Examples
    --------
    >>> f = np.array([[50, 0, 0], [-50, 0, 0], [0, 50, 0], [0, -50, 0]], float)
    >>> round(expected_tre(1.0, f, np.zeros(3)), 4)  # at the centroid: FLE / sqrt(N)
    0.5
    """
    p = np.asarray(fiducials, dtype=np.float64)
    n = len(p)
    c = p.mean(0)
    _, _, vt = np.linalg.svd(p - c)
    q = p - c
    r = np.asarray(target, dtype=np.float64) - c
    total = 0.0
    for k in range(3):
        axis = vt[k]
        d2 = float(np.sum(r**2) - (r @ axis) ** 2)
        f2 = float(np.mean(np.sum(q**2, axis=1) - (q @ axis) ** 2))
        total += d2 / f2
    return float(fle_mm / np.sqrt(n) * np.sqrt(1.0 + total / 3.0))


def find_markers(
    ct: Image,
    *,
    skull: np.ndarray | None = None,
    min_hu: float = 300.0,
    peak_hu: float = 1500.0,
    volume_ml: tuple[float, float] = (0.01, 1.5),
) -> np.ndarray:
    """Fiducial markers of a CT: small bright components outside the skull.

    Threshold at ``min_hu``; keep the components whose volume lies in ``volume_ml``, whose
    brightest voxel reaches ``peak_hu`` (markers are denser than the small bone fragments a
    threshold also finds), and that do not touch the skull (the large bone components, or
    ``skull`` if given); the marker position is the centroid weighted by (HU − ``min_hu``).

    Parameters
    ----------
    ct : Image
        The CT (HU).
    skull : numpy.ndarray, optional
        A skull mask on the CT's grid (default: bone components of at least 20 ml).
    min_hu : float
        Threshold.
    peak_hu : float
        Least maximum of a marker.
    volume_ml : tuple of 2 floats
        Accepted component volumes.

    Returns
    -------
    numpy.ndarray
        ``(N, 3)`` marker centres, world mm (sorted by x, then y, then z).
    """
    arr = ct.array
    vox = voxel_volume_ml(ct)
    bright = arr >= min_hu
    lab, n = ndimage.label(bright)
    if n == 0:
        return np.zeros((0, 3))
    sizes = ndimage.sum_labels(np.ones(arr.shape, np.int32), lab, np.arange(1, n + 1)) * vox
    if skull is None:
        skull = np.isin(lab, np.nonzero(sizes >= 20.0)[0] + 1)
    objects = ndimage.find_objects(lab)
    out = []
    for k in np.nonzero((sizes >= volume_ml[0]) & (sizes <= volume_ml[1]))[0]:
        sl = objects[k]
        grown = tuple(slice(max(s.start - 2, 0), s.stop + 2) for s in sl)
        comp = lab[grown] == k + 1
        if arr[grown][comp].max() < peak_hu:
            continue
        near = ndimage.binary_dilation(comp, iterations=2)
        if (near & skull[grown]).any():
            continue
        w = (arr[grown] - min_hu) * comp
        ijk = np.argwhere(comp)
        offset = np.array([s.start for s in grown])
        centre = (ijk * w[comp][:, None]).sum(0) / w[comp].sum() + offset
        a = np.asarray(ct.affine)
        out.append(a[:3, :3] @ centre + a[:3, 3])
    pts = np.asarray(out).reshape(-1, 3)
    return pts[np.lexsort(pts.T[::-1])] if len(pts) else pts
