"""``register``: align a moving image (PET, SPECT, CT, another MRI) to a fixed one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, overload

import numpy as np

from ..errors import InputError
from ..io.image import Image
from ..io.readers import load
from ..registry import Entry, Registry
from .bggmm import register_bggmm, register_gmm_er
from .ecc import register_ecc
from .grid import grid_of
from .mi import register_mi
from .resample import apply_transform, index_to_space
from .transform import TRANSFORM_KINDS, Transform

__all__ = [
    "MIN_OVERLAP",
    "REGISTRATION_METHODS",
    "register",
]

#: A registration with less of the fixed grid than this inside the moving image is refused.
MIN_OVERLAP = 0.1


def _method(
    name: str,
    func: Callable[..., np.ndarray],
    dims: tuple[int, ...],
    family: str,
    ref: str,
    doc: str,
) -> Entry:
    return Entry(
        name=name,
        kind="registration method",
        family=family,
        func=func,
        summary=doc,
        reference=ref,
        dims=dims,
        capabilities=frozenset(TRANSFORM_KINDS),
    )


#: The registration methods by name (``brainfuse register -m NAME``): entries of the one
#: registry shape (:class:`brainfuse.registry.Entry`); ``func(fixed, moving, kind, start)``
#: returns the fixed-to-moving matrix. Each supports the transforms in its ``capabilities``.
REGISTRATION_METHODS: Registry[Entry] = Registry("registration method")
for _entry in (
    _method(
        "mi",
        register_mi,
        (2, 3),
        "mutual information",
        "Mattes et al. 2003, IEEE TMI 22(1); SimpleITK",
        "Mattes mutual information, multi-resolution (any modality pair; the default)",
    ),
    _method(
        "bggmm",
        register_bggmm,
        (2,),
        "mixture model",
        "Wang J. et al. 2022, Front. Neurosci. 16:911957",
        "bounded generalized Gaussian mixture of joint intensities, EM + Gauss-Newton, 2D",
    ),
    _method(
        "gmm-er",
        register_gmm_er,
        (2,),
        "mixture model",
        "Orchard & Mann 2010, IEEE TIP 19(5)",
        "Gaussian mixture of joint intensities (ensemble registration), 2D",
    ),
    _method(
        "ecc",
        register_ecc,
        (2,),
        "correlation",
        "Evangelidis & Psarakis 2008, IEEE TPAMI 30(10); OpenCV",
        "enhanced correlation coefficient (same-modality images), 2D only",
    ),
):
    REGISTRATION_METHODS.add(_entry)


def _as_image(x: Any, like: Image | None, name: str) -> Image:
    """An :class:`Image` of a path, image or array; an array one colour axis longer than a 2D
    ``like`` is a colour image, any other 3D array a volume."""
    if isinstance(x, np.ndarray) and x.ndim == 3:
        rgb = like is not None and like.ndim == 2 and x.shape[2] == 3
        try:
            return Image(x, rgb=rgb, source=name)
        except InputError as exc:
            raise InputError(name, exc.problem) from None
    img = load(x)
    return img if img.source else img.replace(source=name)


def _check(image: Image, name: str) -> None:
    arr = image.array
    if not np.isfinite(arr).all():
        raise InputError(name, "contains NaN or infinite values")
    if min(image.shape) < 8:
        raise InputError(name, f"too small to register ({'x'.join(map(str, image.shape))})")
    grey = image.grey()
    if float(grey.max()) <= float(grey.min()):
        raise InputError(name, "image is empty (constant): nothing to register")


def _world_box(image: Image) -> tuple[np.ndarray, np.ndarray]:
    corners = np.array(np.meshgrid(*[[0.0, s - 1.0] for s in image.shape])).reshape(3, -1)
    world = image.affine[:3, :3] @ corners + image.affine[:3, 3:4]
    return world.min(axis=1), world.max(axis=1)


def _pixel_centre(image: Image) -> np.ndarray:
    return (np.asarray(image.shape[::-1], dtype=np.float64) - 1.0) / 2.0


def _overlap(fixed: Image, moving: Image, matrix: np.ndarray) -> float:
    """Fraction of the fixed grid (sampled every 4th sample) that ``matrix`` maps into moving."""
    d = fixed.ndim
    idx = np.indices(tuple((s + 3) // 4 for s in fixed.shape)).reshape(d, -1).T * 4.0
    to_index = np.linalg.inv(index_to_space(moving)) @ matrix @ index_to_space(fixed)
    mapped = idx @ to_index[:d, :d].T + to_index[:d, d]
    upper = np.asarray(moving.shape, dtype=np.float64) - 1.0
    return float(np.mean(np.all((mapped >= -0.5) & (mapped <= upper + 0.5), axis=1)))


@overload
def register(
    fixed: Image, moving: Image, method: str = ..., transform: str = ...
) -> tuple[Image, Transform]: ...
@overload
def register(
    fixed: np.ndarray, moving: np.ndarray, method: str = ..., transform: str = ...
) -> tuple[np.ndarray, Transform]: ...


def register(
    fixed: Image | np.ndarray,
    moving: Image | np.ndarray,
    method: str = "mi",
    transform: str = "rigid",
) -> tuple[Image | np.ndarray, Transform]:
    """Register ``moving`` to ``fixed``; return it resampled on ``fixed``'s grid and the transform.

    Volumes start from their headers (identity in world coordinates); 2D images of different
    sizes start with their centres aligned. The same inputs always give the same matrix.

    Parameters
    ----------
    fixed, moving : Image or numpy.ndarray
        :class:`~brainfuse.io.image.Image` objects (:func:`brainfuse.load`) or arrays: two 2D
        images (pixel coordinates; a colour image is registered through its colours' first
        principal component, :func:`~brainfuse.color.rgb_to_principal_grey`, and all its
        channels are resampled) or two volumes (world coordinates from their affines; an array
        volume has 1 mm voxels at the origin). Their sizes may differ.
    method : {"mi", "bggmm", "gmm-er", "ecc"}, optional
        ``"mi"`` (Mattes mutual information, default, any modality pair, 2D and 3D);
        ``"bggmm"`` (bounded generalized Gaussian mixture, Wang J. et al. 2022), ``"gmm-er"``
        (Gaussian mixture ensemble registration) and ``"ecc"`` (enhanced correlation
        coefficient, one modality): 2D only. ``brainfuse list registration`` lists them.
    transform : {"rigid", "affine"}, optional
        Rotation + translation (default), or a full affine map.

    Returns
    -------
    resampled : Image or numpy.ndarray
        ``moving`` resampled onto ``fixed``'s grid (linear interpolation, 0 outside): an
        :class:`Image` with ``fixed``'s geometry if ``moving`` is an Image, else an array.
    transform : Transform
        Maps fixed coordinates to moving coordinates (pixel ``(x = column, y = row)`` in 2D,
        world mm in 3D).

    Raises
    ------
    InputError
        If the method or transform is unknown, the inputs differ in dimension, a 2D-only method
        gets volumes, an input is constant, too small or not finite, two volumes do not overlap
        in world space, or the result leaves less than 10 % of ``fixed`` overlapping ``moving``.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> yy, xx = np.mgrid[0:64, 0:64]
    >>> fixed = 200 * np.exp(-((xx - 24) ** 2 + (yy - 30) ** 2) / 60.0) + 120 * np.exp(
    ...     -((xx - 42) ** 2 + (yy - 38) ** 2) / 30.0)
    >>> moving = np.roll(fixed, 3, axis=1)  # moved 3 pixels to the right
    >>> out, t = brainfuse.register(fixed, moving)
    >>> round(float(t.matrix[0, 2]), 1)  # fixed (x, y) -> moving (x + 3, y)
    3.0
    """
    spec = REGISTRATION_METHODS.get(method)
    if transform not in TRANSFORM_KINDS:
        raise InputError(None, f"unknown transform '{transform}'; valid: rigid, affine")
    fixed_img = _as_image(fixed, None, "fixed")
    moving_img = _as_image(moving, fixed_img, "moving")
    names = (fixed_img.source or "fixed", moving_img.source or "moving")
    if fixed_img.ndim != moving_img.ndim:
        raise InputError(
            names[1],
            f"a {moving_img.ndim}D input cannot be registered to the {fixed_img.ndim}D input "
            f"{names[0]}",
        )
    if fixed_img.ndim not in spec.dims:
        raise InputError(names[1], f"method '{method}' registers 2D images only; use -m mi")
    _check(fixed_img, names[0])
    _check(moving_img, names[1])
    start = np.eye(fixed_img.ndim + 1)
    if fixed_img.is_volume:
        lo_f, hi_f = _world_box(fixed_img)
        lo_m, hi_m = _world_box(moving_img)
        if np.any(hi_f < lo_m) or np.any(hi_m < lo_f):
            raise InputError(
                names[1],
                f"does not overlap {names[0]} in world space; check the headers (affines)",
            )
    else:
        start[:2, 2] = _pixel_centre(moving_img) - _pixel_centre(fixed_img)
    matrix = spec.func(grid_of(fixed_img), grid_of(moving_img), transform, start)
    if _overlap(fixed_img, moving_img, matrix) < MIN_OVERLAP:
        raise InputError(
            names[1],
            f"registration left less than {MIN_OVERLAP:.0%} of {names[0]} overlapping it; "
            "the images do not show the same region",
        )
    result = Transform(matrix, transform, method)
    resampled = apply_transform(fixed_img, moving_img, result)
    if isinstance(moving, Image):
        return resampled, result
    return resampled.array, result
