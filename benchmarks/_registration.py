"""What the registration benchmarks share: the 2D pair sets, the phantom's slice pairs, random
rigid moves and timed registrations.

Used by ``bench_registration`` (the protocol of Wang J. et al., 2022), ``registration_phantom``,
``registration_colour``, ``registration_sampling`` and ``registration_heldout``, so that the same
seed draws the same moves in each.
"""

from __future__ import annotations

import time

import numpy as np
from scipy import ndimage

from benchmarks import _harness as harness
from brainfuse.errors import InputError
from brainfuse.io import Image, load
from brainfuse.phantom import Phantom
from brainfuse.registration import Transform, apply_transform, register, resample
from brainfuse.registration.bggmm import register_bggmm, register_gmm_er
from brainfuse.registration.grid import grid_of

METHODS_2D = ("mi", "bggmm", "gmm-er", "ecc")
#: bggmm and gmm-er are 2D-only in register(); their 3D numbers (the reason) come from the
#: module functions called directly.
METHODS_3D = ("mi", "bggmm", "gmm-er")
#: The methods that take seconds per pair.
SLOW = ("bggmm", "gmm-er")
#: Axial slices of the SPM12 templates in the 2D pair sets.
SPM_SLICES = tuple(range(25, 75, 5))
#: Axial slices (z index) of the 1 mm phantom, and the frame they are placed in.
PHANTOM_SLICES = tuple(range(40, 141, 10))
FRAME = 256


# ------------------------------------------------------------------------------- moves
def rigid_2d(phi_deg: float, tx: float, ty: float, shape: tuple[int, ...]) -> np.ndarray:
    """Rotation by ``phi_deg`` about the image centre, then translation, in pixels (x, y)."""
    c = (np.asarray(shape[:2][::-1], dtype=np.float64) - 1.0) / 2.0
    p = np.radians(phi_deg)
    r = np.array([[np.cos(p), -np.sin(p)], [np.sin(p), np.cos(p)]])
    m = np.eye(3)
    m[:2, :2] = r
    m[:2, 2] = c + np.array([tx, ty]) - r @ c
    return m


def random_rigid_2d(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """The random move of Wang J. et al. (2022): rotation uniform in [-10, 10] degrees about
    the centre, then shifts uniform in [-20, 20] px along x and y (drawn in that order)."""
    return rigid_2d(rng.uniform(-10, 10), rng.uniform(-20, 20), rng.uniform(-20, 20), shape)


def rigid_3d(angles_deg: np.ndarray, t: np.ndarray, centre: np.ndarray) -> np.ndarray:
    """Rotations about x, y, z (degrees) about ``centre``, then translation ``t`` (mm)."""
    ax, ay, az = np.radians(angles_deg)
    rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
    ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
    rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
    r = rz @ ry @ rx
    m = np.eye(4)
    m[:3, :3] = r
    m[:3, 3] = centre + t - r @ centre
    return m


def moved(image: Image, true: np.ndarray) -> Image:
    """``image`` moved so that ``true`` (fixed -> moving) registers it back onto itself."""
    return apply_transform(image, image, Transform(true).inverse())


# ------------------------------------------------------------------------------- pairs
def spm_slice(volume: Image, reference: Image, z: int) -> Image:
    """Axial slice ``z`` on ``reference``'s grid, interpolated to 1 mm pixels, 0..255."""
    a = np.rot90(resample(reference, volume).array[:, :, z])
    a = np.clip(ndimage.zoom(a, 2, order=3), 0, None)
    return Image((a * 255.0 / a.max()).astype(np.float32), bit_depth=8, source=f"z{z}")


def pair_sets(
    per_set: int | None, slices: tuple[int, ...]
) -> dict[str, list[tuple[str, Image, Image]]]:
    """Aligned pairs (name, fixed MRI, moving) of every 2D set: the first ``per_set`` pairs of
    each Harvard set (None: all) and the axial ``slices`` of the SPM12 templates."""
    sets: dict[str, list[tuple[str, Image, Image]]] = {}
    harvard = harness.DATA / "harvard-cddfuse-test"
    for label, folder, other in (
        ("MRI-CT", "MRI_CT", "CT"),
        ("MRI-PET", "MRI_PET", "PET"),
        ("MRI-SPECT", "MRI_SPECT", "SPECT"),
    ):
        files = sorted((harvard / folder / other).glob("*.png"))
        files = files[:per_set] if per_set else files
        sets[label] = [(f.stem, load(harvard / folder / "MRI" / f.name), load(f)) for f in files]
    spm = harness.DATA / "volumes" / "spm12"
    t1 = load(spm / "T1.nii")
    vols = {n: load(spm / f"{n}.nii") for n in ("T1", "T2", "PD")}
    sets["MRI T1/T2/PD"] = [
        (f"{a}-{b} z{z}", spm_slice(vols[a], t1, z), spm_slice(vols[b], t1, z))
        for a, b in (("T1", "T2"), ("T1", "PD"), ("T2", "PD"))
        for z in slices
    ]
    return sets


def axial_slice(volume: Image, z: int) -> Image:
    """Axial slice ``z`` (anterior up) centred in a FRAME x FRAME image, scaled to 0..255."""
    a = np.rot90(np.asarray(volume.array[:, :, z], dtype=np.float64))
    out = np.zeros((FRAME, FRAME))
    r0, c0 = (FRAME - a.shape[0]) // 2, (FRAME - a.shape[1]) // 2
    out[r0 : r0 + a.shape[0], c0 : c0 + a.shape[1]] = a
    peak = float(out.max())
    scaled = out * (255.0 / peak) if peak > 0 else out
    return Image(scaled.astype(np.float32), bit_depth=8, source=f"phantom z{z}")


def slice_pairs(phantom: Phantom, slices: tuple[int, ...]) -> list[tuple[str, int, Image, Image]]:
    """(set, z, MRI slice, PET or SPECT slice) for every slice, PET first."""
    return [
        (label, z, axial_slice(phantom.mri, z), axial_slice(volume, z))
        for label, volume in (("MRI-PET", phantom.pet), ("MRI-SPECT", phantom.spect))
        for z in slices
    ]


# ---------------------------------------------------------------------------- measuring
def timed_register(
    fixed: Image, moving: Image, method: str
) -> tuple[np.ndarray | None, float, float, str]:
    """Register ``moving`` to ``fixed`` with ``method``: the matrix (None if the method
    stopped with an error), wall-clock and process CPU seconds, and the error message."""
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        if fixed.is_volume and method in ("bggmm", "gmm-er"):
            func = register_bggmm if method == "bggmm" else register_gmm_er
            matrix, error = func(grid_of(fixed), grid_of(moving), "rigid", np.eye(4)), ""
        else:
            matrix, error = register(fixed, moving, method)[1].matrix, ""
    except InputError as exc:
        matrix, error = None, str(exc)
    return matrix, time.perf_counter() - wall, time.process_time() - cpu, error


def register_with_own(
    fixed: Image, original: Image, moved_image: Image, method: str, own: dict, key: tuple
) -> tuple[np.ndarray | None, np.ndarray, float, float, str]:
    """Register ``moved_image`` to ``fixed``: the estimate (None if the method failed), the
    method's result on the unmoved ``original`` (computed once per ``key`` into ``own``; the
    identity if it failed), and the moved registration's wall time, CPU time and error."""
    if key not in own:
        mat = timed_register(fixed, original, method)[0]
        own[key] = np.eye(fixed.ndim + 1) if mat is None else mat
    est, wall, cpu, error = timed_register(fixed, moved_image, method)
    return est, own[key], wall, cpu, error
