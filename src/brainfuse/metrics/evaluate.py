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
    """Grey samples of ``x`` on the 0..255 scale as ``profile`` would compute them, in its float
    type.

    Parameters
    ----------
    x : numpy.ndarray, Image, path, nibabel image or SimpleITK.Image
        A NumPy array is taken as it is: ``HxWx3`` as RGB (channels last), any other 3D array
        as a volume. Anything else goes through :func:`brainfuse.load` and the rule fusion
        uses (:func:`brainfuse.io.to_fusion_scale`): sources are stretched to 0..255 unless
        they hold display values, and a ``fused`` image is used as it is when it lies in
        0..255 (BrainFuse writes fused results on that scale), else stretched.
    profile : Profile
        Its :attr:`~brainfuse.metrics.profiles.Profile.grey` reduces colour and its
        :attr:`~brainfuse.metrics.profiles.Profile.dtype` is the result's type.
    name : str
        How errors name ``x`` (``"fused"``, ``"A"``, ``"B"``).
    fused : bool
        ``x`` is a fused result (see above).

    Returns
    -------
    numpy.ndarray
        Grey 2D image or 3D volume in ``profile.dtype``.

    Raises
    ------
    InputError
        An unreadable file or an array that is not real-valued.

    Notes
    -----
    A colour image becomes :math:`Y = g(R, G, B)` with the profile's reduction
    (:mod:`brainfuse.metrics.grey`), e.g. BT.601 luma :math:`0.299R + 0.587G + 0.114B` for
    ``paper``.

    References
    ----------
    See :mod:`brainfuse.metrics.grey` for each profile's reference code.

    Examples
    --------
    >>> import numpy as np
    >>> from brainfuse.metrics import PROFILES
    >>> rgb = np.array([[[255, 0, 0], [0, 0, 255]]], dtype=np.uint8)
    >>> to_profile_grey(rgb, PROFILES["cddfuse"], "B").tolist()
    [[76.0, 29.0]]
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
    r"""Fusion quality metrics of ``fused`` against the sources ``a`` and ``b``.

    Parameters
    ----------
    fused, a, b : numpy.ndarray, Image, path, nibabel image or SimpleITK.Image
        2D images or 3D volumes, all the same shape; ``a`` is the anatomical source (MRI),
        ``b`` the functional (PET/SPECT) or CT source. Arrays are taken on the 0..255 scale
        as they are; images and files are put on it as for fusion (see
        :func:`to_profile_grey`). Colour (``HxWx3``) inputs are reduced to grey as the
        profile's reference code does (``cddfuse``: OpenCV ``BGR2GRAY`` then round; MATLAB
        profiles: ``rgb2gray``; ``paper``: BT.601 luma).
    metrics : str or iterable of str, optional
        Names (``["EN", "MI"]`` or ``"EN,MI"``), or ``"all"``. Default: the profile's default
        set (``paper``: the 20 fast metrics; ``cddfuse``: its 12, the 8 protocol metrics
        first; the MATLAB profiles: all of theirs). Volumes get the metrics defined in 3D.
    profile : str
        ``paper`` (default), ``cddfuse``, ``vifb``, ``mefb``, ``liu2012`` or ``tang`` (see
        :data:`~brainfuse.metrics.PROFILES` and :func:`~brainfuse.metrics.list_metrics`).

    Returns
    -------
    dict
        ``{name: value}`` in the order asked for.

    Raises
    ------
    InputError
        An unknown profile or metric (the valid names are listed), a 2D-only metric asked for
        a volume, inputs of different shapes, with NaN or infinite values, or too small for a
        metric.

    Notes
    -----
    Each value is the metric's formula as the profile computes it (see each metric's
    function, e.g. :func:`~brainfuse.metrics.entropy`:
    :math:`EN = -\sum_l p_l \log_2 p_l`). The inputs are checked once here, not once per
    metric.

    References
    ----------
    Each metric's paper is its entry's ``reference`` (:func:`~brainfuse.metrics.list_metrics`);
    each profile's codebase is :attr:`Profile.reference`.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.tile(np.arange(64, dtype=float), (64, 1)) * 4
    >>> b = a[::-1].copy()
    >>> scores = evaluate((a + b) / 2, a, b, metrics="EN,SD", profile="cddfuse")
    >>> sorted(scores)
    ['EN', 'SD']
    >>> evaluate(a, a, a, metrics=["EN"])
    {'EN': 6.0}
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
        if isinstance(metrics, str):
            names = [s.strip() for s in metrics.split(",")]
        elif isinstance(metrics, Iterable):
            names = list(metrics)
        else:
            names = [metrics]
        if not all(isinstance(n, str) for n in names):
            raise InputError("--metrics", f"expected metric names or 'all', got {metrics!r}")
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
        return prof.score(f, ga, gb, names)
