"""``fuse``: one entry point for every registered method, on arrays or :class:`Image`."""

from __future__ import annotations

from typing import Any, overload

import numpy as np

from ..color import apply_palette, fuse_luminance
from ..errors import InputError
from ..io.image import Image, Modality
from .registry import FusionMethod, get_method

__all__ = ["fuse", "fuse_arrays", "to_fusion_scale"]


def to_fusion_scale(image: Image) -> np.ndarray:
    """Samples of ``image`` on the 0..255 scale fusion methods work on.

    8-bit images keep their values; anything else (16-bit TIFF, NIfTI in physical units,
    DICOM after rescale) is mapped linearly so its minimum is 0 and its maximum 255. A
    constant image maps to 0.
    """
    arr = image.array
    if (
        image.bit_depth == 8
        and float(arr.min(initial=0.0)) >= 0
        and float(arr.max(initial=0)) <= 255
    ):
        return arr
    lo, hi = float(arr.min()), float(arr.max())
    if hi <= lo:
        return np.zeros_like(arr)
    return ((arr - lo) * np.float32(255.0 / (hi - lo))).astype(np.float32)


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

    ``a`` is grey (2D or 3D). ``b`` is grey with ``a``'s shape, or a colour image of shape
    ``a.shape + (3,)``, in which case the result is colour: the method's own colour rule if its
    paper has one, else :func:`brainfuse.color.fuse_luminance`. 2D-only methods are applied to
    volumes slice by slice along the last axis.
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


@overload
def fuse(
    a: Image, b: Image, method: str = ..., *, palette: str | None = ..., **params: Any
) -> Image: ...
@overload
def fuse(
    a: np.ndarray, b: np.ndarray, method: str = ..., *, palette: str | None = ..., **params: Any
) -> np.ndarray: ...


def fuse(
    a: Image | np.ndarray,
    b: Image | np.ndarray,
    method: str = "average",
    *,
    palette: str | None = None,
    **params: Any,
) -> Image | np.ndarray:
    """Fuse an anatomical image ``a`` with a functional (or CT) image ``b``.

    Parameters
    ----------
    a, b:
        :class:`~brainfuse.io.image.Image` objects (as returned by :func:`brainfuse.load`) or
        arrays on the 0..255 scale. ``a`` is MRI; ``b`` is PET, SPECT or CT, grey or
        pseudo-colour RGB. Both must share a shape (and, for volumes, an affine).
    method:
        A registered method name (``brainfuse methods`` lists them).
    palette:
        Show a grey ``b`` in colour with this palette (e.g. ``"pet"``, ``"hot"``) before fusing,
        which gives a colour result.
    **params:
        The method's parameters; unknown names raise :class:`InputError` listing the valid ones.

    Returns
    -------
    An :class:`Image` with ``a``'s geometry and modality ``FUSED`` when the inputs are images,
    else an array; values on the 0..255 scale, colour when ``b`` is colour.

    Examples
    --------
    >>> import numpy as np, brainfuse
    >>> a = np.zeros((4, 4), np.float32); b = np.full((4, 4), 100, np.float32)
    >>> float(brainfuse.fuse(a, b, "average")[0, 0])
    50.0
    """
    if not isinstance(a, Image) and not isinstance(b, Image):
        b_arr = np.asarray(b, dtype=np.float32)
        if palette is not None:
            b_arr = apply_palette(b_arr, palette)
        return fuse_arrays(a, b_arr, method, **params)
    if not isinstance(a, Image):
        a = Image(np.asarray(a), bit_depth=8)
    if not isinstance(b, Image):
        b_np = np.asarray(b)
        b = Image(b_np, rgb=b_np.ndim == np.ndim(a.array) + 1, bit_depth=8)
    names = (a.source or "A", b.source or "B")
    if a.is_volume != b.is_volume:
        raise InputError(
            names[1], f"a {b.ndim}D input cannot be fused with the {a.ndim}D input {names[0]}"
        )
    if a.is_volume and a.shape == b.shape and not np.allclose(a.affine, b.affine, atol=1e-3):
        raise InputError(
            names[1],
            f"affine differs from {names[0]}'s: the volumes are not on one grid; resample it "
            "(fuse --resample, brainfuse.registration.resample_to) or register it",
        )
    a_arr = to_fusion_scale(a)
    if a.rgb:
        from ..color import rgb_to_grey

        a_arr = rgb_to_grey(a_arr)
    b_arr = to_fusion_scale(b)
    colormap = b.colormap
    if palette is not None and not b.rgb:
        b_arr = apply_palette(b_arr, palette)
        colormap = palette
    m = get_method(method)
    if (
        any(p.name == "modality" for p in m.params)
        and "modality" not in params
        and b.modality in (Modality.CT, Modality.PET, Modality.SPECT)
    ):
        # methods with a model per modality of B (MFINet, DRBIF) pick it from B's image
        params = {**params, "modality": b.modality.value.lower()}
    out = fuse_arrays(a_arr, b_arr, method, names=names, **params)
    return Image(
        out,
        rgb=out.ndim == a_arr.ndim + 1,
        modality=Modality.FUSED,
        spacing=a.spacing,
        affine=a.affine,
        colormap=colormap,
        meta={"method": method, "params": m.bind(params), "inputs": names},
    )
