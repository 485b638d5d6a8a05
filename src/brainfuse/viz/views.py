"""The registry of views: every picture ``brainfuse viz`` can draw, as one :class:`Entry` each.

A view is an :class:`~brainfuse.registry.Entry` of kind ``"view"`` (the same shape as the
fusion and registration methods): its name (the ``brainfuse viz`` command), family, summary,
reference (the paper, where the view comes from one), the parameters a user tunes - read from
the keyword-only parameters of its function, with their bounds - the dimensions it takes and
its capabilities:

- ``"raw"``: the image alone can be written pixel for pixel (``--raw``);
- ``"html"``: it can be written as an interactive HTML page;
- ``"fusion"``: it fuses the pair with a registered method (``-m``);
- ``"gradients"``: it differentiates that fusion (FunFuseAn's ∇F,I);
- ``"overlay"``: a functional volume can be drawn in colour over the anatomy;
- ``"time-series"``: it shows (or makes) one case at several dates.

Parameter checking is :meth:`Entry.bind` (through :func:`bind_view`): every view function and
the command line check their values there, so a value outside its bounds gets the same message
wherever it comes from.

The other keyword-only options of a view function (:data:`PLUMBING`: titles, file names, the
output file, the fusion method and its parameters, precomputed results) say how the inputs are
given or the figure is labelled and written; they are not listed as parameters.

>>> from brainfuse.viz import get_view
>>> view = get_view("overlay")
>>> [(p.name, p.allowed()) for p in view.params]
[('palette', ''), ('alpha', 'lie in [0, 1]'), ('threshold', 'lie in [0, 1]')]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ..registry import Entry, ParamSpec, Registry, param, parameters_of

__all__ = [
    "PLUMBING",
    "VIEWS",
    "VIEW_MODULES",
    "bind_view",
    "get_view",
    "list_views",
    "param",
    "register_view",
]

#: Modules whose import registers views, in the order they are listed.
VIEW_MODULES: tuple[str, ...] = (
    "brainfuse.viz.overlay",
    "brainfuse.viz.grid",
    "brainfuse.viz.gradients",
    "brainfuse.viz.energy",
    "brainfuse.viz.volume",
    "brainfuse.viz.series",
    "brainfuse.viz.labels",
)

#: Every view, by name.
VIEWS: Registry[Entry] = Registry("view", VIEW_MODULES)

#: Keyword-only options of view functions that are not view parameters: how the inputs are
#: given (``max_pixels``, ``resample``), the fusion (``method``, ``params``), precomputed
#: results, titles and labels, the windows of the values and where the figure is written.
PLUMBING = frozenset(
    {
        "anatomical_window",
        "at_mm",
        "colours",
        "fused",
        "gradients",
        "indices",
        "inputs",
        "label",
        "labels",
        "max_pixels",
        "method",
        "names",
        "omegas",
        "output_file",
        "params",
        "progress",
        "resample",
        "results",
        "rois",
        "vmax",
        "vmin",
        "window",
    }
)


def _tunable(func: Callable[..., Any], names: Iterable[str]) -> Callable[..., Any]:
    """A stand-in for ``func`` whose signature keeps only the keyword-only ``names``.

    :func:`~brainfuse.registry.parameters_of` then reads their defaults and types from
    ``func``'s own signature; the other keyword-only options must be :data:`PLUMBING`.
    """
    sig = inspect.signature(func)
    keyword = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    stray = sorted(p.name for p in keyword if p.name not in names and p.name not in PLUMBING)
    if stray:
        raise TypeError(f"{func.__name__}: undeclared keyword-only options {stray}")
    keep = [p for p in keyword if p.name in names]

    def stand_in() -> None:  # pragma: no cover - never called
        """Signature holder."""

    stand_in.__signature__ = sig.replace(parameters=keep)  # type: ignore[attr-defined]
    return stand_in


def register_view(
    name: str,
    *,
    family: str,
    summary: str,
    params: Mapping[str, str | ParamSpec] | None = None,
    reference: str = "",
    dims: tuple[int, ...] = (2,),
    capabilities: Iterable[str] = (),
    extra: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator that registers a view function under ``name``.

    Parameters
    ----------
    name : str
        The view's name: the ``brainfuse viz`` command that draws it.
    family : str
        Its family (``"overlay"``, ``"comparison"``, ``"gradients"``, ``"energy"``,
        ``"volume"``, ``"series"``).
    summary : str
        One line.
    params : mapping of str to str or ParamSpec, optional
        The keyword-only parameters a user tunes, each with its one-line documentation or
        :func:`~brainfuse.registry.param` with its bounds; every other keyword-only option of
        the function must be in :data:`PLUMBING`.
    reference : str, optional
        The paper the view comes from.
    dims : tuple of int, optional
        The dimensions of the images it takes.
    capabilities : iterable of str, optional
        What else it can do (see the module docstring).
    extra : str, optional
        The extra of ``brainfuse`` it needs.

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.

    Examples
    --------
    >>> @register_view("doc-example", family="test", summary="nothing",
    ...                params={"gain": param("gain", minimum=0)})
    ... def nothing(a, *, gain: float = 1.0, output_file=None):
    ...     return a
    >>> get_view("doc-example").params[0].allowed()
    'be ≥ 0'
    >>> _ = VIEWS._entries.pop("doc-example")
    """
    docs = dict(params or {})

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        owner = f"view '{name}'"
        VIEWS.add(
            Entry(
                name=name,
                kind="view",
                family=family,
                func=func,
                summary=summary,
                reference=reference,
                params=parameters_of(_tunable(func, docs), docs, owner),
                dims=tuple(sorted(dims)),
                capabilities=frozenset(capabilities),
                extra=extra,
            )
        )
        return func

    return decorate


def get_view(name: str) -> Entry:
    """The view called ``name``.

    Parameters
    ----------
    name : str
        A view name (``brainfuse viz --help`` lists them as commands).

    Returns
    -------
    Entry
        The registered view.

    Raises
    ------
    InputError
        An unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get_view("checkerboard").params[0].name
    'tiles'
    """
    return VIEWS.get(name)


def list_views(family: str | None = None) -> list[Entry]:
    """Every view (of one ``family``), in registration order.

    Parameters
    ----------
    family : str, optional
        Only the views of this family; an unknown family is an :class:`InputError`.

    Returns
    -------
    list of Entry
        The views.

    Examples
    --------
    >>> [v.name for v in list_views("volume")]
    ['slices', 'montage']
    """
    return VIEWS.list(family)


def bind_view(name: str, **values: Any) -> dict[str, Any]:
    """The parameters of view ``name``: its defaults updated with ``values``, checked.

    This is :meth:`Entry.bind` of the view; NumPy scalars are taken as the Python numbers
    they hold.

    Parameters
    ----------
    name : str
        The view.
    **values
        Parameter values (numbers, or text as given on a command line).

    Returns
    -------
    dict
        Every parameter of the view, converted to its type.

    Raises
    ------
    InputError
        An unknown parameter, or a value of the wrong type or outside its bounds, naming the
        parameter and the view.

    Examples
    --------
    >>> bind_view("overlay", alpha="0.25")["alpha"]
    0.25
    >>> bind_view("overlay", alpha=2)
    Traceback (most recent call last):
    ...
    brainfuse.errors.InputError: parameter 'alpha' of view 'overlay' must lie in [0, 1], got 2.0
    """
    plain = {k: v.item() if isinstance(v, np.generic) else v for k, v in values.items()}
    return VIEWS.get(name).bind(plain)
