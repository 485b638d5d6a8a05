"""The registry of fusion methods.

Every fusion method is a function on grey arrays with one signature::

    def method(a: np.ndarray, b: np.ndarray, *, p1=default1, ...) -> np.ndarray

``a`` is the anatomical image (MRI), ``b`` the functional image (PET, SPECT) or CT, both
``float32`` on the 0-255 scale with the same shape; the result has that shape too. Parameters
are keyword-only with defaults; :func:`register` reads their names, defaults and types from the
signature and their one-line documentation from ``params``.

A method whose operators are n-dimensional declares ``dims=(2, 3)`` and receives volumes as they
are; a 2D-only method is applied to volumes slice by slice along the last axis by
:func:`brainfuse.fuse`. A method may supply its own colour path (``color``) when its paper
fixes how chroma is handled; otherwise colour inputs go through
:func:`brainfuse.color.fuse_luminance`. A method with a ``modality`` parameter (networks
trained per pair set) receives ``"ct"``, ``"pet"`` or ``"spect"`` from :func:`brainfuse.fuse`
when ``b`` is an image of that modality and the caller did not set it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..registry import Entry, Parameter, ParamSpec, Registry, param, parameters_of

__all__ = [
    "METHODS",
    "FusionMethod",
    "Parameter",
    "get_method",
    "list_methods",
    "param",
    "register",
]

#: Modules whose import registers methods, in the order they are listed.
METHOD_MODULES: tuple[str, ...] = (
    "brainfuse.fusion.pixel",
    "brainfuse.fusion.colorspace",
    "brainfuse.fusion.multiscale",
    "brainfuse.fusion.guided",
    "brainfuse.fusion.sparse",
    "brainfuse.fusion.pcnn",
    "brainfuse.fusion.lowrank",
    "brainfuse.fusion.learned",
    "brainfuse.fusion.mfinet",
    "brainfuse.fusion.drbif",
)


@dataclass(frozen=True)
class FusionMethod(Entry):
    """A registered fusion method: an :class:`~brainfuse.registry.Entry` with its colour rule
    and, when it has them, exact input gradients.

    Attributes
    ----------
    color : callable or None
        ``color(a, b_rgb, **params) -> rgb``: the method's own colour rule, when its paper fixes
        how chroma is handled (else :func:`brainfuse.color.fuse_luminance` is used).
    gradients : callable or None
        ``gradients(a, b, **params) -> (dF/da, dF/db)``: the column sums
        ``Σ_ij ∂F[i, j] / ∂I[n, m]`` computed exactly (analytically or by automatic
        differentiation); methods without it are differentiated by finite differences.
    """

    color: Callable[..., Any] | None = None
    gradients: Callable[..., Any] | None = None

    @property
    def doc(self) -> str:
        """The one-line summary."""
        return self.summary

    @property
    def learned(self) -> bool:
        """True for a trained network."""
        return "learned" in self.capabilities


#: Every fusion method, by name.
METHODS: Registry[FusionMethod] = Registry("fusion method", METHOD_MODULES)


def register(
    name: str,
    *,
    family: str,
    params: Mapping[str, str | ParamSpec] | None = None,
    dims: tuple[int, ...] = (2,),
    learned: bool = False,
    reference: str = "",
    color: Callable[..., Any] | None = None,
    gradients: Callable[..., Any] | None = None,
    extra: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator that registers a grey fusion function under ``name``.

    Parameters
    ----------
    name : str
        The method's name (``-m NAME``).
    family : str
        Its family (``"pixel"``, ``"multiscale"``, ``"learned"`` ...).
    params : mapping, optional
        Each keyword-only parameter of the function → a one-line description, or
        :func:`~brainfuse.registry.param` with its allowed values. The keys must be exactly the
        function's keyword-only parameters, each with a default of type bool, int, float or
        str (checked here, at import time).
    dims : tuple of int, optional
        ``(2,)`` (volumes are fused slice by slice) or ``(2, 3)``.
    learned : bool, optional
        True for a trained network.
    reference : str, optional
        The paper.
    color : callable, optional
        ``color(a, b_rgb, **params) -> rgb``: the method's own colour rule.
    gradients : callable, optional
        ``gradients(a, b, **params) -> (dF/da, dF/db)``: exact input gradients.
    extra : str, optional
        The extra of brainfuse the method needs (default: ``"learned"`` for a learned method,
        none otherwise).

    Returns
    -------
    callable
        The decorator; it returns the function unchanged.
    """
    docs = dict(params or {})

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        owner = f"method '{name}'"
        lines = (inspect.getdoc(func) or "").strip().splitlines()
        caps = {"color"} if color is not None else set()
        if learned:
            caps.add("learned")
        if gradients is not None:
            caps.add("exact-gradients")
        METHODS.add(
            FusionMethod(
                name=name,
                kind="fusion method",
                family=family,
                func=func,
                summary=lines[0] if lines else "",
                reference=reference,
                params=parameters_of(func, docs, owner),
                dims=tuple(sorted(dims)),
                capabilities=frozenset(caps),
                extra=extra if extra is not None else ("learned" if learned else None),
                color=color,
                gradients=gradients,
            )
        )
        return func

    return decorate


def get_method(name: str) -> FusionMethod:
    """The registered method called ``name``.

    Parameters
    ----------
    name : str
        A method name (``brainfuse list fusion`` lists them).

    Returns
    -------
    FusionMethod
        Its registry entry.

    Raises
    ------
    InputError
        An unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get_method("weighted").params[0].allowed()
    'lie in [0, 1]'
    """
    return METHODS.get(name)


def list_methods(family: str | None = None) -> list[FusionMethod]:
    """All registered methods, in registration order.

    Parameters
    ----------
    family : str, optional
        Only the methods of this family (an unknown family is an :class:`InputError`).

    Returns
    -------
    list of FusionMethod
        The registry entries.

    Examples
    --------
    >>> [m.name for m in list_methods("pixel")]
    ['average', 'maximum', 'minimum', 'weighted', 'pca']
    """
    return METHODS.list(family)
