"""``evaluate``: every metric of a profile on one (fused, A, B) triple."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError
from ..io.image import Image, to_fusion_scale
from ..io.readers import load
from ._common import already_checked
from .profiles import Profile, get_profile

__all__ = ["evaluate", "to_profile_grey"]


def to_profile_grey(
    x: np.ndarray | Image | Any, profile: Profile, name: str, *, fused: bool = False
) -> np.ndarray:
    """Grey samples of ``x`` on the 0..255 scale as ``profile`` would compute them, in its
    float type.

    A NumPy array is taken as it is: ``HxWx3`` as RGB (channels last), any other 3D array as a
    volume. Anything else (an :class:`~brainfuse.Image`, a path, a nibabel or SimpleITK image)
    goes through :func:`brainfuse.load` and the rule fusion uses
    (:func:`brainfuse.io.to_fusion_scale`): sources are stretched to 0..255 unless they hold
    display values, and a ``fused`` image is used as it is when it lies in 0..255 (BrainFuse
    writes fused results on that scale), else stretched.
    """
    if isinstance(x, np.ndarray):
        arr = x
        rgb = arr.ndim == 3 and arr.shape[2] == 3
    else:
        img = load(x)
        arr = to_fusion_scale(img.replace(display_values=True) if fused else img)
        rgb = img.rgb
    if arr.dtype.kind not in "biuf":
        raise InputError(name, f"expected a real-valued array, got dtype {arr.dtype}")
    if rgb:
        arr = profile.grey(arr)
    return np.asarray(arr, dtype=profile.dtype)


def evaluate(
    fused: np.ndarray | Image | Any,
    a: np.ndarray | Image | Any,
    b: np.ndarray | Image | Any,
    metrics: Iterable[str] | str | None = None,
    profile: str = "paper",
) -> dict[str, float]:
    """Fusion quality metrics of ``fused`` against the sources ``a`` and ``b``.

    Parameters
    ----------
    fused, a, b : numpy.ndarray, Image, path, nibabel image or SimpleITK.Image
        2D images or 3D volumes, all the same shape; ``a`` is the anatomical source (MRI),
        ``b`` the functional (PET/SPECT) or CT source. Arrays are taken on the 0..255 scale
        as they are; images and files are put on it as for fusion (see
        :func:`to_profile_grey`). Colour
        (``HxWx3``) inputs are reduced to grey as the profile's reference code does
        (``cddfuse``: OpenCV ``BGR2GRAY`` then round; MATLAB profiles: ``rgb2gray``;
        ``paper``: BT.601 luma).
    metrics:
        Names (``["EN", "MI"]`` or ``"EN,MI"``), or ``"all"``. Default: the profile's default
        set (``paper``: the 20 fast metrics; ``cddfuse``: its 12, the 8 protocol metrics
        first; the MATLAB profiles: all of theirs). Volumes get the metrics defined in 3D.
    profile:
        ``paper`` (default), ``cddfuse``, ``vifb``, ``mefb``, ``liu2012`` or ``tang`` (see
        :mod:`brainfuse.metrics.profiles`).

    Returns
    -------
    dict
        ``{name: value}`` in the order asked for.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64, dtype=float), (64, 1)) * 4
    >>> b = a[::-1].copy()
    >>> scores = evaluate((a + b) / 2, a, b, metrics="EN,SD", profile="cddfuse")
    >>> sorted(scores)
    ['EN', 'SD']
    """
    prof = get_profile(profile)
    f = to_profile_grey(fused, prof, "fused", fused=True)
    ga = to_profile_grey(a, prof, "A")
    gb = to_profile_grey(b, prof, "B")
    for arr, name in ((f, "fused"), (ga, "A"), (gb, "B")):
        if arr.ndim not in (2, 3):
            raise InputError(name, f"expected a 2D image or a 3D volume, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise InputError(name, "contains NaN or infinite values")
    for arr, name in ((ga, "A"), (gb, "B")):
        if arr.shape != f.shape:
            raise InputError(name, f"shape {arr.shape} differs from the fused shape {f.shape}")
    volume = f.ndim == 3
    if metrics is None or metrics == "all":
        order = list(prof.default) or list(prof.metrics)
        if metrics == "all":
            order += [n for n in prof.metrics if n not in order]
        names = [n for n in order if prof.metrics[n].volumes or not volume]
    else:
        names = (
            [s.strip() for s in metrics.split(",")] if isinstance(metrics, str) else list(metrics)
        )
        unknown = [n for n in names if n not in prof.metrics]
        if unknown:
            valid = ", ".join(prof.metrics)
            raise InputError(
                "--metrics",
                f"unknown metric(s) {', '.join(unknown)} for profile '{prof.name}'; valid: {valid}",
            )
        if volume:
            flat = [n for n in names if not prof.metrics[n].volumes]
            if flat:
                raise InputError("--metrics", f"{', '.join(flat)} are defined for 2D images only")
    with already_checked():
        return {n: prof.metrics[n](f, ga, gb) for n in names}
