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

import importlib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InputError

__all__ = [
    "FusionMethod",
    "Parameter",
    "get_method",
    "list_methods",
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

_REGISTRY: dict[str, FusionMethod] = {}
_loaded = False

_PARAM_TYPES = (bool, int, float, str)


_BOOL_WORDS = {"1": True, "true": True, "yes": True, "on": True}
_BOOL_WORDS.update({"0": False, "false": False, "no": False, "off": False})


def _convert(value: Any, kind: type) -> Any:
    """``value`` as ``kind`` (bool, int, float or str), or None when it is not one."""
    if isinstance(value, str) and kind is not str:
        if kind is bool:
            return _BOOL_WORDS.get(value.strip().lower())
        try:
            value = kind(value)
        except ValueError:
            return None
    if isinstance(value, bool):
        return value if kind is bool else None
    if kind is float and isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    return value if isinstance(value, kind) else None


@dataclass(frozen=True)
class Parameter:
    """One keyword parameter of a fusion method."""

    name: str
    default: Any
    type: type
    doc: str

    def coerce(self, value: Any, method: str) -> Any:
        """Convert ``value`` (e.g. a command-line string) to this parameter's type.

        Booleans accept ``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case); numbers
        must be finite; an int is accepted for a float, a bool never for a number.
        """
        out = _convert(value, self.type)
        if out is None:
            kind = "a finite number" if self.type is float else self.type.__name__
            raise InputError(
                None, f"parameter '{self.name}' of method '{method}' must be {kind}, got {value!r}"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "type": self.type.__name__,
            "doc": self.doc,
        }


@dataclass(frozen=True)
class FusionMethod:
    """A registered fusion method and what is known about it."""

    name: str
    family: str
    func: Callable[..., Any]
    dims: tuple[int, ...]
    params: tuple[Parameter, ...]
    doc: str
    learned: bool = False
    reference: str = ""
    color: Callable[..., Any] | None = None
    extra: str = ""  # the extra of brainfuse it needs ("learned"); "" for the core

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Defaults updated with ``params``, each checked and converted to its type.

        A method whose :attr:`extra` is not installed raises
        :class:`~brainfuse.errors.MissingExtraError` here, before any work.
        """
        if self.extra:
            from .._extras import require_extra

            require_extra(self.extra, what=f"method '{self.name}'")
        known = {p.name: p for p in self.params}
        out = {p.name: p.default for p in self.params}
        for key, value in (params or {}).items():
            if key not in known:
                valid = ", ".join(known) or "none"
                raise InputError(
                    None, f"unknown parameter '{key}' for method '{self.name}'; valid: {valid}"
                )
            out[key] = known[key].coerce(value, self.name)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "family": self.family,
            "dims": list(self.dims),
            "learned": self.learned,
            "extra": self.extra or None,
            "doc": self.doc,
            "reference": self.reference,
            "params": [p.to_dict() for p in self.params],
        }


def register(
    name: str,
    *,
    family: str,
    params: Mapping[str, str] | None = None,
    dims: tuple[int, ...] = (2,),
    learned: bool = False,
    reference: str = "",
    color: Callable[..., Any] | None = None,
    extra: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator that registers a grey fusion function under ``name``.

    ``params`` maps each keyword-only parameter of the function to a one-line description; the
    keys must be exactly the function's keyword-only parameters, each with a default of type
    bool, int, float or str. ``extra`` names the extra of brainfuse the method needs (default:
    ``"learned"`` for a learned method, none otherwise).
    """
    docs = dict(params or {})

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        sig = inspect.signature(func)
        kw = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
        if {p.name for p in kw} != set(docs):
            raise TypeError(
                f"{name}: documented parameters {sorted(docs)} differ from the signature's "
                f"keyword-only parameters {sorted(p.name for p in kw)}"
            )
        plist = []
        for p in kw:
            if p.default is inspect.Parameter.empty or not isinstance(p.default, _PARAM_TYPES):
                raise TypeError(f"{name}: parameter '{p.name}' needs a bool/int/float/str default")
            plist.append(Parameter(p.name, p.default, type(p.default), docs[p.name]))
        if name in _REGISTRY:
            raise ValueError(f"fusion method '{name}' is registered twice")
        doc = (inspect.getdoc(func) or "").strip().splitlines()
        _REGISTRY[name] = FusionMethod(
            name=name,
            family=family,
            func=func,
            dims=tuple(sorted(dims)),
            params=tuple(plist),
            doc=doc[0] if doc else "",
            learned=learned,
            reference=reference,
            color=color,
            extra=("learned" if learned else "") if extra is None else extra,
        )
        return func

    return decorate


def _load() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for mod in METHOD_MODULES:
            importlib.import_module(mod)


def get_method(name: str) -> FusionMethod:
    """The registered method called ``name``; an :class:`InputError` listing the valid names."""
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        valid = ", ".join(sorted(_REGISTRY))
        raise InputError(None, f"unknown method '{name}'; valid: {valid}") from None


def list_methods(family: str | None = None) -> list[FusionMethod]:
    """All registered methods (optionally of one family), in registration order."""
    _load()
    return [m for m in _REGISTRY.values() if family is None or m.family == family]
