"""``fuse``: one entry point for every registered method, on arrays, files or images."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..color import apply_palette, fuse_luminance
from ..errors import InputError
from ..io.image import Image, Modality, to_fusion_scale
from ..pair import ImageLike, Pair, prepare_pair
from .registry import FusionMethod, get_method

__all__ = ["fuse", "fuse_arrays", "fuse_pair"]


def _check_pair(a: np.ndarray, b: np.ndarray, b_rgb: bool, names: tuple[str, str]) -> None:
    b_shape = b.shape[:-1] if b_rgb else b.shape
    if a.ndim not in (2, 3):
        raise InputError(names[0], f"expected a 2D image or a 3D volume, got {a.ndim}D")
    if b_rgb and a.ndim != 2:
        raise InputError(names[1], "colour input must be a 2D image")
    if len(b_shape) != a.ndim:
        raise InputError(
            names[1],
            f"{len(b_shape)}D input cannot be fused with the {a.ndim}D input {names[0]}",
        )
    if b_shape != a.shape:
        raise InputError(
            names[1],
            f"shape {b_shape} differs from {names[0]} shape {a.shape}; register or resample it "
            "onto the first image (brainfuse register, or fuse --resample for volumes)",
        )
    for arr, name in ((a, names[0]), (b, names[1])):
        if arr.size == 0:
            raise InputError(name, f"is empty: shape {arr.shape} has an axis of length 0")
        if not np.isfinite(arr).all():
            raise InputError(name, "contains NaN or infinite values")


def _grey(method: FusionMethod, a: np.ndarray, b: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    if a.ndim == 3 and 3 not in method.dims:
        out = np.empty(a.shape, dtype=np.float32)
        for k in range(a.shape[2]):
            out[:, :, k] = method.func(a[:, :, k], b[:, :, k], **params)
        return out
    return np.asarray(method.func(a, b, **params), dtype=np.float32)


def fuse_arrays(
    a: np.ndarray,
    b: np.ndarray,
    method: str = "average",
    *,
    names: tuple[str, str] = ("A", "B"),
    **params: Any,
) -> np.ndarray:
    """Fuse two arrays on the 0..255 scale with a registered method.

    2D-only methods are applied to volumes slice by slice along the last axis.

    Parameters
    ----------
    a : numpy.ndarray
        The anatomical image, grey, 2D or 3D, finite, on the 0..255 scale.
    b : numpy.ndarray
        The functional (or CT) image: grey with ``a``'s shape, or colour of shape
        ``a.shape + (3,)`` (2D only), on the 0..255 scale.
    method : str, optional
        A registered method name (``brainfuse methods`` lists them). Default ``"average"``.
    names : tuple of str, optional
        The names of ``a`` and ``b`` used in error messages (file names, for instance).
    **params
        The method's parameters, checked against its declared bounds and choices.

    Returns
    -------
    fused : numpy.ndarray
        float32, ``a``'s shape, or ``a.shape + (3,)`` when ``b`` is colour: then the method's
        own colour rule if its paper has one, else :func:`brainfuse.color.fuse_luminance`.

    Raises
    ------
    InputError
        If ``a`` is not 2D or 3D, the shapes differ, colour ``b`` goes with a volume, an array is
        empty or holds NaN or infinite values, or a parameter is unknown or out of its range.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.fusion import fuse_arrays
    >>> a = np.array([[0, 100], [200, 50]], np.float32)
    >>> b = np.array([[100, 0], [0, 250]], np.float32)
    >>> fuse_arrays(a, b, "maximum")
    array([[100., 100.],
           [200., 250.]], dtype=float32)
    >>> fuse_arrays(a, b, "weighted", w=0.75)
    array([[ 25.,  75.],
           [150., 100.]], dtype=float32)
    """
    m = get_method(method)
    bound = m.bind(params)
    a = np.asarray(a, dtype=np.float32)
    b = np.asarray(b, dtype=np.float32)
    b_rgb = b.ndim == a.ndim + 1 and b.shape[-1] == 3
    _check_pair(a, b, b_rgb, names)
    if not b_rgb:
        return _grey(m, a, b, bound)
    if m.color is not None:
        return np.asarray(m.color(a, b, **bound), dtype=np.float32)
    return fuse_luminance(a, b, lambda x, y: _grey(m, x, y, bound))


def _working_scale(x: np.ndarray, *, color: bool = False) -> np.ndarray:
    """An array as it is when its values lie in 0..255, else stretched to 0..255."""
    arr = np.asarray(x, dtype=np.float32)
    if arr.size == 0 or not np.isfinite(arr).all():
        return arr  # refused with its name by fuse_arrays
    return to_fusion_scale(Image(arr, rgb=color and arr.ndim == 3, display_values=True))


def fuse(
    a: ImageLike,
    b: ImageLike,
    method: str = "average",
    *,
    palette: str | None = None,
    **params: Any,
) -> Image | np.ndarray:
    """Fuse an anatomical image ``a`` with a functional (or CT) image ``b``.

    Parameters
    ----------
    a, b : path, Image, numpy.ndarray, nibabel image or SimpleITK.Image
        ``a`` is MRI; ``b`` is PET, SPECT or CT, grey or pseudo-colour RGB. They must share a
        grid: the same shape and, for volumes, the same affine (register or resample first:
        :func:`brainfuse.register`, :func:`brainfuse.registration.resample`). Files and
        images are prepared by :func:`brainfuse.pair.prepare_pair`, which puts both on the
        0..255 scale; two NumPy arrays are taken as they are when their values lie in 0..255
        (else each is stretched to it).
    method : str
        A registered method name (``brainfuse methods`` lists them).
    palette : str, optional
        Show a grey ``b`` in colour with this palette (e.g. ``"pet"``, ``"hot"``) before
        fusing, which gives a colour result.
    **params
        The method's parameters; unknown names raise :class:`InputError` listing the valid
        ones.

    Returns
    -------
    Image or numpy.ndarray
        An array when ``a`` and ``b`` are both arrays, else an :class:`Image` with ``a``'s
        geometry and modality ``FUSED``; values on the 0..255 scale, colour when ``b`` is
        colour.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((4, 4), np.float32); b = np.full((4, 4), 100, np.float32)
    >>> float(brainfuse.fuse(a, b, "average")[0, 0])
    50.0
    """
    get_method(method)  # an unknown name is refused before any file is read
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        a_arr, b_arr = _working_scale(a), _working_scale(b, color=b.ndim == a.ndim + 1)
        if palette is not None:
            b_arr = apply_palette(b_arr, palette)
        return fuse_arrays(a_arr, b_arr, method, **params)
    return fuse_pair(prepare_pair(a, b, palette=palette), method, **params)


def fuse_pair(pair: Pair, method: str = "average", **params: Any) -> Image:
    """Fuse a prepared pair (:func:`brainfuse.pair.prepare_pair`) with a registered method.

    Parameters
    ----------
    pair : Pair
        The two images on the 0..255 scale, on one grid.
    method : str
        A registered method name.
    **params
        The method's parameters. Methods with one model per modality of B (MFINet, DRBIF)
        take ``modality`` from B's image when it is not given.

    Returns
    -------
    Image
        The fused image with A's geometry, modality ``FUSED``, colour when ``pair.b`` is
        colour; ``meta`` records the method, its parameters and the inputs.
    """
    m = get_method(method)
    if (
        any(p.name == "modality" for p in m.params)
        and "modality" not in params
        and pair.moving.modality in (Modality.CT, Modality.PET, Modality.SPECT)
    ):
        params = {**params, "modality": pair.moving.modality.value.lower()}
    out = fuse_arrays(pair.a, pair.b, method, names=pair.names, **params)
    return pair.result(out, method=method, params=m.bind(params))
