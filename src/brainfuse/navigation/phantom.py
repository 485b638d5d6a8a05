"""Head CT phantoms with known truth: planted hematomas, fiducial markers, thick slices.

What is planted, and how (everything in world millimetres, through the CT's affine):

- **Hematoma**: a lobulated ellipsoid, ``|q| ≤ s · (1 + g(q/|q|))`` in the ellipsoid's own
  normalised frame ``q = Rᵀ(x − c) / (a, b, c)``, with ``g`` a sum of 3–5 smooth lobes
  ``a_k · exp(κ (u·d_k − 1))`` in random directions ``d_k``; the scale ``s`` is solved so that
  the enclosed volume is the one asked for. Each voxel gets the fraction of it that the shape
  fills (supersampled 4 × 4 × 4), and its value becomes ``(1 − f) · tissue + f · blood`` (acute
  blood 60–80 HU). The truth volume is the sum of those fractions times the voxel volume.
- **Post-operative** CT: the same shape shrunk about its centre to the residual fraction.
- **Markers**: three bright spheres (radius 3 mm, 3000 HU, like the high-density adhesive skin
  markers used for CT-to-patient registration) sitting on the scalp around the entry side.
- **Noise**: Gaussian, 6 HU at 1 mm (seeded).
- **Thick slices**: a 5 mm clinical series is simulated by averaging five 1 mm slices
  (partial volume, as a CT detector integrates over the slice), not by picking every fifth.

Two base heads: :func:`synthetic_head_ct`, built from nilearn's MNI152 2009 templates (the
embedded default: brain HU from the grey/white-matter fractions, a synthesised CSF rim, skull
with diploe, scalp, nose and ears), and :func:`clinical_template_ct`, the CT template of the
Clinical toolbox for SPM (Rorden et al. 2012) converted from Cormack units to HU. Both are in
MNI space, so :data:`LOCATIONS` (MNI millimetres) places a hematoma in the basal ganglia,
thalamus, brainstem or a lobe of either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from scipy.spatial.transform import Rotation

from ..errors import InputError
from ..io.image import Image, Modality

__all__ = [
    "LOCATIONS",
    "HematomaSpec",
    "NavigationCase",
    "clinical_template_ct",
    "hematoma_fraction",
    "make_case",
    "place_markers",
    "plant",
    "synthetic_head_ct",
    "thick_slices",
]

#: Typical hematoma centres of hypertensive ICH, MNI152 millimetres (x right, y anterior, z up).
LOCATIONS: dict[str, tuple[float, float, float]] = {
    "basal-ganglia": (24.0, 4.0, 2.0),
    "thalamus": (-13.0, -18.0, 6.0),
    "brainstem": (0.0, -27.0, -30.0),
    "lobar": (-32.0, -24.0, 22.0),
}

#: Blood, marker and noise levels of the phantom (HU).
MARKER_HU, MARKER_RADIUS_MM, NOISE_HU = 3000.0, 3.0, 6.0


@dataclass(frozen=True)
class HematomaSpec:
    """A hematoma to plant.

    Parameters
    ----------
    centre_mm : tuple of 3 floats
        Centre, world millimetres.
    volume_ml : float
        Volume enclosed by the shape, millilitres.
    hu : float
        Attenuation of the clot (acute blood: 60–80 HU).
    axes : tuple of 3 floats
        Relative semi-axes of the ellipsoid (scaled to the volume).
    seed : int
        Seed of the orientation and the lobes.
    lobulation : float
        Largest lobe amplitude, relative to the radius.
    """

    centre_mm: tuple[float, float, float]
    volume_ml: float
    hu: float = 70.0
    axes: tuple[float, float, float] = (1.0, 0.75, 0.6)
    seed: int = 0
    lobulation: float = 0.25

    def shrunk(self, residual: float) -> HematomaSpec:
        """The same shape holding ``residual`` of the volume (a post-operative residue)."""
        return HematomaSpec(
            self.centre_mm,
            self.volume_ml * residual,
            self.hu,
            self.axes,
            self.seed,
            self.lobulation,
        )


def _fibonacci_sphere(n: int) -> np.ndarray:
    i = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    theta = np.pi * (1 + 5**0.5) * i
    return np.stack([np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], 1)


class _Shape:
    """The implicit lobulated ellipsoid of a :class:`HematomaSpec`."""

    def __init__(self, spec: HematomaSpec) -> None:
        rng = np.random.default_rng(spec.seed)
        self.centre = np.asarray(spec.centre_mm, dtype=np.float64)
        self.rotation = Rotation.random(random_state=rng).as_matrix()
        k = int(rng.integers(3, 6))
        self.dirs = _fibonacci_sphere(64)[rng.choice(64, k, replace=False)]
        self.amps = rng.uniform(0.4, 1.0, k) * spec.lobulation
        self.kappa = 4.0
        axes = np.asarray(spec.axes, dtype=np.float64)
        u = _fibonacci_sphere(20000)
        unit = np.prod(axes) * 4.0 * np.pi / 3.0 * float(np.mean((1 + self._lobes(u)) ** 3))
        self.radii = axes * (spec.volume_ml * 1000.0 / unit) ** (1.0 / 3.0)

    def _lobes(self, u: np.ndarray) -> np.ndarray:
        return np.exp(self.kappa * (u @ self.dirs.T - 1.0)) @ self.amps

    def level(self, points: np.ndarray) -> np.ndarray:
        """``|q| / (1 + g(u))``: below 1 inside, above 1 outside."""
        q = ((points - self.centre) @ self.rotation) / self.radii
        r = np.linalg.norm(q, axis=1)
        u = q / np.maximum(r, 1e-12)[:, None]
        return r / (1.0 + self._lobes(u))

    def inside(self, points: np.ndarray) -> np.ndarray:
        return self.level(points) <= 1.0

    def bbox(self) -> tuple[np.ndarray, np.ndarray]:
        reach = float(self.radii.max() * (1.0 + self.amps.sum())) + 1.0
        return self.centre - reach, self.centre + reach


def _occupancy(
    affine: np.ndarray, shape: tuple[int, ...], inside, lo: np.ndarray, hi: np.ndarray, n: int = 4
) -> tuple[tuple[slice, ...], np.ndarray]:
    """Fraction of each voxel inside ``inside`` (``n³`` sub-samples) within a world box."""
    inv = np.linalg.inv(affine)
    corners = np.array(
        [[x, y, z, 1.0] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])]
    )
    idx = (corners @ inv.T)[:, :3]
    start = np.clip(np.floor(idx.min(0)).astype(int) - 1, 0, np.asarray(shape) - 1)
    stop = np.clip(np.ceil(idx.max(0)).astype(int) + 2, 1, np.asarray(shape))
    box = tuple(slice(int(a), int(b)) for a, b in zip(start, stop, strict=True))
    sub = (np.arange(n) + 0.5) / n - 0.5
    offsets = np.stack(np.meshgrid(sub, sub, sub, indexing="ij"), -1).reshape(-1, 3)
    frac = np.zeros(tuple(int(b - a) for a, b in zip(start, stop, strict=True)), np.float32)
    grid = np.stack(
        np.meshgrid(*[np.arange(a, b) for a, b in zip(start, stop, strict=True)], indexing="ij"), -1
    )
    for i in range(frac.shape[0]):  # one plane at a time keeps memory small
        vox = grid[i].reshape(-1, 1, 3) + offsets[None]
        world = vox.reshape(-1, 3) @ affine[:3, :3].T + affine[:3, 3]
        frac[i] = inside(world).reshape(-1, len(offsets)).mean(1).reshape(frac.shape[1:])
    return box, frac


def hematoma_fraction(ct: Image, spec: HematomaSpec) -> tuple[tuple[slice, ...], np.ndarray]:
    """The fraction of every voxel of ``ct``'s grid that the hematoma fills (in its box).

    Parameters
    ----------
    ct : Image
        Gives the grid (shape and affine).
    spec : HematomaSpec
        The hematoma.

    Returns
    -------
    box : tuple of slices
        Where the fractions lie in the volume.
    fraction : numpy.ndarray
        float32 in [0, 1], the shape of ``box``.

    Examples
    --------
    >>> ct = Image(np.zeros((40, 40, 40), np.float32))
    >>> box, f = hematoma_fraction(ct, HematomaSpec((20.0, 20.0, 20.0), 5.0))
    >>> round(float(f.sum()) / 1000, 2)
    5.0
    """
    shape = _Shape(spec)
    lo, hi = shape.bbox()
    affine = np.asarray(ct.affine)
    box, centre = _occupancy(affine, ct.shape, shape.inside, lo, hi, n=1)
    # Only voxels near the surface need sub-samples: a voxel whose centre's level is farther
    # from 1 than its half-diagonal over the smallest radius (with a margin) is all in or out.
    grid = np.stack(np.meshgrid(*[np.arange(b.start, b.stop) for b in box], indexing="ij"), -1)
    world = grid.reshape(-1, 3) @ affine[:3, :3].T + affine[:3, 3]
    lvl = shape.level(world).reshape(centre.shape)
    half_diag = 0.5 * float(np.linalg.norm(np.linalg.norm(affine[:3, :3], axis=0)))
    delta = 2.0 * half_diag / float(shape.radii.min())
    frac = (lvl <= 1.0).astype(np.float32)
    edge = np.abs(lvl - 1.0) <= delta
    sub = (np.arange(4) + 0.5) / 4 - 0.5
    offsets = np.stack(np.meshgrid(sub, sub, sub, indexing="ij"), -1).reshape(-1, 3)
    idx = grid[edge]
    for start in range(0, len(idx), 20000):
        chunk = idx[start : start + 20000]
        pts = (chunk[:, None, :] + offsets[None]).reshape(-1, 3)
        w = pts @ affine[:3, :3].T + affine[:3, 3]
        vals = shape.inside(w).reshape(len(chunk), -1).mean(1)
        frac[tuple((chunk - [b.start for b in box]).T)] = vals
    return box, frac


def plant(ct: Image, spec: HematomaSpec) -> tuple[Image, float]:
    """Plant a hematoma in ``ct`` (a copy): ``(1 − f) · value + f · spec.hu`` per voxel.

    Parameters
    ----------
    ct : Image
        A CT in HU.
    spec : HematomaSpec
        The hematoma.

    Only soft-tissue voxels (−50..150 HU) take blood: a shape that reaches the skull is cut by
    it, and the truth volume counts what was planted.

    Returns
    -------
    ct : Image
        The CT with the hematoma.
    volume_ml : float
        The planted volume: the sum of the fractions times the voxel volume.
    """
    box, frac = hematoma_fraction(ct, spec)
    arr = ct.array.copy()
    base = arr[box]
    frac = frac * ((base > -50.0) & (base < 150.0))  # blood fills soft tissue, not bone or air
    arr[box] = (1.0 - frac) * arr[box] + frac * np.float32(spec.hu)
    vox = abs(np.linalg.det(np.asarray(ct.affine)[:3, :3])) / 1000.0
    return ct.replace(array=arr), float(frac.sum(dtype=np.float64) * vox)


def place_markers(
    ct: Image, target_mm: np.ndarray, *, outward: np.ndarray | None = None, seed: int = 0
) -> np.ndarray:
    """Three marker positions on the scalp around the side of the head nearest ``target_mm``.

    Rays leave the target in three directions 30–35° apart around ``outward`` (default: the
    side of the target, +x or −x); each marker sits where its ray leaves the head (values
    above −300 HU) plus the marker's radius.

    Parameters
    ----------
    ct : Image
        The head CT (HU).
    target_mm : numpy.ndarray
        A point inside the head, world mm.
    outward : numpy.ndarray, optional
        The central direction.
    seed : int
        Seed of a small random turn of the triangle about ``outward``.

    Returns
    -------
    numpy.ndarray
        ``(3, 3)`` marker centres, world mm.
    """
    t = np.asarray(target_mm, dtype=np.float64)
    if outward is None:
        outward = np.array([1.0 if t[0] >= 0 else -1.0, 0.0, 0.0])
    d0 = np.asarray(outward, dtype=np.float64) / np.linalg.norm(outward)
    helper = np.array([0.0, 0.0, 1.0]) if abs(d0[2]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(d0, helper)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(d0, e1)
    turn = np.random.default_rng(seed).uniform(0, 2 * np.pi)
    head = _head_mask(ct.array)
    inv = np.linalg.inv(np.asarray(ct.affine))
    out = []
    for k in range(3):
        a = turn + 2 * np.pi * k / 3
        tilt = np.radians(32.0)
        d = np.cos(tilt) * d0 + np.sin(tilt) * (np.cos(a) * e1 + np.sin(a) * e2)
        steps = np.arange(0.0, 200.0, 0.5)
        pts = t + steps[:, None] * d
        vox = np.rint(pts @ inv[:3, :3].T + inv[:3, 3]).astype(int)
        ok = np.all((vox >= 0) & (vox < np.asarray(ct.shape)), axis=1)
        inside = np.zeros(len(steps), bool)
        inside[ok] = head[tuple(vox[ok].T)]
        leave = np.nonzero(~inside)[0]
        if len(leave) == 0:
            raise InputError(ct.source or "CT", "the head reaches the edge of the volume")
        out.append(pts[leave[0]] + MARKER_RADIUS_MM * d)
    return np.asarray(out)


def _head_mask(arr: np.ndarray) -> np.ndarray:
    head = arr > -300.0
    lab, n = ndimage.label(head)
    if n > 1:
        sizes = ndimage.sum_labels(np.ones_like(lab), lab, index=np.arange(1, n + 1))
        head = lab == (1 + int(np.argmax(sizes)))
    return ndimage.binary_fill_holes(head)


def _plant_markers(ct: Image, markers: np.ndarray) -> Image:
    arr = ct.array.copy()
    for m in markers:
        r = MARKER_RADIUS_MM

        def inside(p: np.ndarray, m: np.ndarray = m, r: float = r) -> np.ndarray:
            return np.sum((p - m) ** 2, axis=1) <= r * r

        box, frac = _occupancy(np.asarray(ct.affine), ct.shape, inside, m - r - 1, m + r + 1)
        arr[box] = (1.0 - frac) * arr[box] + frac * np.float32(MARKER_HU)
    return ct.replace(array=arr)


def thick_slices(ct: Image, thickness_mm: float) -> Image:
    """Simulate a thick-slice series: average consecutive slices along the axial voxel axis.

    Each output slice is the mean of ``k = round(thickness / spacing)`` input slices (partial
    volume, as the detector integrates over the slice), placed at their centre.

    Parameters
    ----------
    ct : Image
        A volume with thin slices.
    thickness_mm : float
        The slice thickness to simulate (a multiple of the input's slice spacing).

    Returns
    -------
    Image
        The thick-slice volume with its affine.

    Examples
    --------
    >>> thin = Image(np.arange(20, dtype=np.float32).reshape(1, 2, 10) * np.ones((2, 1, 1)))
    >>> thick = thick_slices(thin, 5.0)
    >>> thick.shape, thick.spacing[2], thick.array[0, 0].tolist()
    ((2, 2, 2), 5.0, [2.0, 7.0])
    """
    from .ct import axial_axis

    ax = axial_axis(ct.affine)
    step = float(ct.spacing[ax])
    k = round(thickness_mm / step)
    if k < 1 or abs(k * step - thickness_mm) > 1e-3 * thickness_mm:
        raise InputError("thickness", f"{thickness_mm} mm is not a multiple of {step} mm")
    n = ct.shape[ax] // k
    arr = np.moveaxis(ct.array, ax, -1)[..., : n * k]
    thick = arr.reshape(*arr.shape[:-1], n, k).mean(-1, dtype=np.float64).astype(np.float32)
    affine = np.asarray(ct.affine).copy()
    affine[:3, 3] = affine[:3, 3] + affine[:3, ax] * (k - 1) / 2.0
    affine[:3, ax] = affine[:3, ax] * k
    return ct.replace(array=np.moveaxis(thick, -1, ax), affine=affine, spacing=())


def _ellipsoid(points: np.ndarray, centre, semi) -> np.ndarray:
    return np.sum(((points - np.asarray(centre)) / np.asarray(semi)) ** 2, axis=-1) <= 1.0


def synthetic_head_ct(*, resolution: int = 1) -> Image:
    """A head CT in HU synthesised from nilearn's MNI152 2009 templates (no download).

    Brain: ``38 · GM + 30 · WM + 8 · (1 − GM − WM)`` HU from the tissue fractions (grey matter
    about 38 HU, white matter 30, CSF 8; ventricles come out as CSF). Around the brain mask,
    by distance: 2 mm of CSF, a 7 mm skull (1400 HU tables, 700 HU diploe), 5 mm of scalp
    (25 HU); a nose and two ears as soft-tissue ellipsoids; air −1000 HU elsewhere. A 0.6
    voxel Gaussian blur gives the edges a scanner's partial volume. The skull is a closed
    shell, which a real skull is not (no foramina, no face bones): a phantom for planning and
    volumetry, not an anatomical model of bone.

    Parameters
    ----------
    resolution : int
        1 or 2 mm (nilearn ships both).

    Returns
    -------
    Image
        The CT, MNI152 world coordinates, modality CT.

    Raises
    ------
    MissingExtraError
        If nilearn is missing (``pip install brainfuse[demo]``).
    """
    from ..phantom import load_mni_templates

    mri, gm, wm = load_mni_templates(resolution)
    brain = mri.array > 0
    pad = np.array([[24, 24], [16, 30], [10, 16]]) // resolution
    shape = tuple(int(s + p.sum()) for s, p in zip(brain.shape, pad, strict=True))
    inner = tuple(slice(int(p[0]), int(p[0] + s)) for s, p in zip(brain.shape, pad, strict=True))
    affine = np.asarray(mri.affine).copy()
    affine[:3, 3] -= affine[:3, :3] @ pad[:, 0]
    mask = np.zeros(shape, bool)
    mask[inner] = brain
    dist = ndimage.distance_transform_edt(~mask, sampling=(resolution,) * 3)
    hu = np.full(shape, -1000.0, np.float32)
    hu[(dist > 0) & (dist <= 2)] = 8.0
    bone = (dist > 2) & (dist <= 9)
    hu[bone] = 1400.0
    hu[(dist > 4) & (dist <= 7)] = 700.0
    hu[(dist > 9) & (dist <= 14)] = 25.0
    ijk = np.indices(shape, dtype=np.float32).reshape(3, -1).T
    world = ijk @ affine[:3, :3].T.astype(np.float32) + affine[:3, 3].astype(np.float32)
    soft = (
        _ellipsoid(world, (0, 96, -34), (13, 16, 24))
        | _ellipsoid(world, (86, -18, -10), (7, 14, 26))
        | _ellipsoid(world, (-86, -18, -10), (7, 14, 26))
    ).reshape(shape) & (hu == -1000.0)
    hu[soft] = 25.0
    g, w = np.zeros(shape, np.float32), np.zeros(shape, np.float32)
    g[inner], w[inner] = gm, wm
    csf = np.clip(1.0 - g - w, 0.0, 1.0)
    hu[mask] = (38.0 * g + 30.0 * w + 8.0 * csf)[mask]
    hu = ndimage.gaussian_filter(hu, 0.6)
    return Image(
        hu, modality=Modality.CT, affine=affine, source="synthetic head CT (nilearn MNI152)"
    )


def clinical_template_ct(path: str | os.PathLike[str], *, resolution: float = 1.0) -> Image:
    """The Clinical toolbox's CT template (``scct.nii``, Cormack units) in HU, resampled.

    Parameters
    ----------
    path : str or os.PathLike
        ``scct.nii`` (Rorden et al. 2012), 2 mm voxels.
    resolution : float
        The voxel size to resample to, mm (linear interpolation; a divisor of 2).

    Returns
    -------
    Image
        The template in HU (:func:`~brainfuse.navigation.ct.cormack_to_hu`), modality CT.
    """
    from ..io import load
    from .ct import cormack_to_hu

    src = load(path, modality=Modality.CT)
    arr = cormack_to_hu(src.array)
    step = resolution / np.asarray(src.spacing)
    shape = tuple(int(np.floor((n - 1) / s)) + 1 for n, s in zip(arr.shape, step, strict=True))
    coords = np.indices(shape, dtype=np.float32) * step.reshape(3, 1, 1, 1).astype(np.float32)
    hu = ndimage.map_coordinates(arr, coords, order=1, mode="nearest")
    affine = np.asarray(src.affine).copy()
    affine[:3, :3] = affine[:3, :3] * step
    return Image(hu.astype(np.float32), modality=Modality.CT, affine=affine, source=str(path))


@dataclass
class NavigationCase:
    """A pre-/post-operative phantom pair with its truth.

    Attributes
    ----------
    pre, post : Image
        The CTs (HU), same grid.
    spec : HematomaSpec
        The pre-operative hematoma.
    volume_pre_ml, volume_post_ml : float
        Planted volumes (sum of voxel fractions × voxel volume, on the 1 mm grid).
    markers_mm : numpy.ndarray
        ``(3, 3)`` marker centres, world mm.
    location : str
        A key of :data:`LOCATIONS` or ``"custom"``.
    """

    pre: Image
    post: Image
    spec: HematomaSpec
    volume_pre_ml: float
    volume_post_ml: float
    markers_mm: np.ndarray
    location: str = "custom"
    truth: dict = field(default_factory=dict)

    @property
    def target_mm(self) -> np.ndarray:
        """The planted hematoma's centre, world mm."""
        return np.asarray(self.spec.centre_mm, dtype=np.float64)


def make_case(
    base: Image,
    *,
    location: str | tuple[float, float, float] = "basal-ganglia",
    volume_ml: float = 30.0,
    residual: float = 0.5,
    hu: float = 70.0,
    slice_mm: float | None = None,
    seed: int = 0,
    noise_hu: float = NOISE_HU,
) -> NavigationCase:
    """Plant a hematoma, its post-operative residue and three scalp markers in ``base``.

    Parameters
    ----------
    base : Image
        A head CT in HU with thin slices (:func:`synthetic_head_ct`, :func:`clinical_template_ct`).
    location : str or tuple of 3 floats
        A key of :data:`LOCATIONS` or a centre in world mm.
    volume_ml : float
        Pre-operative volume.
    residual : float
        Post-operative volume / pre-operative volume (1 − evacuation rate).
    hu : float
        Clot attenuation.
    slice_mm : float, optional
        Simulate thick slices (:func:`thick_slices`) after planting; default: keep the grid.
    seed : int
        Seed of the shape, the markers and the noise.
    noise_hu : float
        Standard deviation of the Gaussian noise added on ``base``'s grid (before thick slices).

    Returns
    -------
    NavigationCase
    """
    if isinstance(location, str):
        if location not in LOCATIONS:
            raise InputError("location", f"unknown {location!r}; known: {', '.join(LOCATIONS)}")
        centre, name = LOCATIONS[location], location
    else:
        centre, name = tuple(float(v) for v in location), "custom"
    if not 0.0 <= residual < 1.0:
        raise InputError("residual", f"must lie in [0, 1), got {residual}")
    spec = HematomaSpec(centre, float(volume_ml), float(hu), seed=seed)
    pre, v_pre = plant(base, spec)
    post, v_post = plant(base, spec.shrunk(residual)) if residual > 0 else (base, 0.0)
    markers = place_markers(base, np.asarray(centre), seed=seed)
    rng = np.random.default_rng(seed)
    pair = []
    for img in (pre, post):
        img = _plant_markers(img, markers)
        noisy = img.array + rng.normal(0.0, noise_hu, img.shape).astype(np.float32)
        img = img.replace(array=noisy)
        if slice_mm is not None:
            img = thick_slices(img, slice_mm)
        pair.append(img.replace(source=f"phantom {name} {volume_ml:g} ml"))
    return NavigationCase(pair[0], pair[1], spec, v_pre, v_post, markers, name)
