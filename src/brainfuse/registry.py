"""One registry shape for every family a user chooses from.

Fusion methods, registration methods, metric profiles, the ``viz`` views and the application
models are each listed in a :class:`Registry` of :class:`Entry` objects with the same metadata:

- ``name``, ``kind`` (what the registry holds) and ``family``;
- ``summary`` (one line) and ``reference`` (the paper);
- ``params``: the keyword parameters, each a :class:`Parameter` with its type, default, one-line
  documentation and allowed values (bounds or choices), read from the function's signature;
- ``dims`` (2, 3) and ``capabilities`` (``"color"``, ``"learned"``, ``"exact-gradients"`` ...);
- ``extra``: the optional dependency group (``pip install 'brainfuse[extra]'``) it needs.

The same entries feed the command line (``brainfuse list KIND``, ``--json``), the web viewer and
the Python API, and :meth:`Entry.bind` is the one place where parameters given as text (command
line, web form) or values (Python) are checked and converted.

>>> from brainfuse.registry import Parameter
>>> Parameter("w", 0.5, float, "weight of A", minimum=0.0, maximum=1.0).coerce("0.25", "weighted")
0.25
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from .errors import InputError

__all__ = ["Entry", "ParamSpec", "Parameter", "Registry", "param", "parameters_of"]

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
    """One keyword parameter of a registered function.

    Attributes
    ----------
    name : str
        The keyword.
    default : bool, int, float or str
        Its default; its type is the parameter's type.
    type : type
        ``bool``, ``int``, ``float`` or ``str``.
    doc : str
        One line for listings and ``--help``.
    minimum, maximum : float, optional
        Bounds of a number (inclusive; ``exclusive_minimum`` makes the minimum exclusive).
    exclusive_minimum : bool
        True when the value must be strictly greater than ``minimum``.
    choices : tuple of str
        The allowed values of a text parameter (empty: any text).
    """

    name: str
    default: Any
    type: type
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        """What the value must do, in words: ``"lie in [0, 1]"``, ``"be ≥ 1"``,
        ``"be 'a' or 'b'"`` (empty when any value of the type will do)."""
        if self.choices:
            return "be " + " or ".join(repr(c) for c in self.choices)
        low = None if self.minimum is None else f"{self.minimum:g}"
        high = None if self.maximum is None else f"{self.maximum:g}"
        if low is not None and high is not None:
            return f"lie in {'(' if self.exclusive_minimum else '['}{low}, {high}]"
        if low is not None:
            return f"be {'>' if self.exclusive_minimum else '≥'} {low}"
        if high is not None:
            return f"be ≤ {high}"
        return ""

    def coerce(self, value: Any, owner: str) -> Any:
        """``value`` (e.g. command-line text) converted to this parameter's type and checked.

        Booleans accept ``true/false``, ``yes/no``, ``on/off``, ``1/0`` (any case); numbers
        must be finite; an int is accepted for a float, a bool never for a number.

        Raises
        ------
        InputError
            Naming the parameter, its owner (``"method 'weighted'"``) and what is allowed.
        """
        out = _convert(value, self.type)
        if out is None:
            kind = "a finite number" if self.type is float else self.type.__name__
            raise InputError(
                None, f"parameter '{self.name}' of {owner} must be {kind}, got {value!r}"
            )
        bad = (
            (self.choices and out not in self.choices)
            or (self.minimum is not None and out < self.minimum)
            or (self.exclusive_minimum and self.minimum is not None and out <= self.minimum)
            or (self.maximum is not None and out > self.maximum)
        )
        if bad:
            raise InputError(
                None, f"parameter '{self.name}' of {owner} must {self.allowed()}, got {out!r}"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The parameter as JSON (``--json`` listings, the web viewer's forms)."""
        out: dict[str, Any] = {
            "name": self.name,
            "default": self.default,
            "type": self.type.__name__,
            "doc": self.doc,
        }
        if self.minimum is not None:
            out["exclusive_minimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        if self.choices:
            out["choices"] = list(self.choices)
        return out


class ParamSpec(NamedTuple):
    """The documentation and allowed values of one parameter, as :func:`param` declares them."""

    doc: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[str, ...] = ()


def param(
    doc: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    choices: Iterable[str] = (),
) -> ParamSpec:
    """Declare a parameter's documentation and allowed values (for :func:`parameters_of`).

    Parameters
    ----------
    doc : str
        One line for listings and ``--help``.
    minimum, maximum : float, optional
        Bounds of a number (inclusive).
    exclusive_minimum : bool, optional
        The value must be strictly greater than ``minimum``.
    choices : iterable of str, optional
        The allowed values of a text parameter.

    Returns
    -------
    ParamSpec
        The declaration.

    Examples
    --------
    >>> param("weight of A", minimum=0, maximum=1).maximum
    1
    """
    return ParamSpec(doc, minimum, maximum, exclusive_minimum, tuple(choices))


def parameters_of(
    func: Callable[..., Any], docs: Mapping[str, str | ParamSpec], owner: str
) -> tuple[Parameter, ...]:
    """The keyword-only parameters of ``func`` as :class:`Parameter` objects.

    Parameters
    ----------
    func : callable
        The function whose keyword-only parameters are read (names, defaults, types).
    docs : mapping
        Each keyword-only parameter → its one-line description or a :func:`param`
        declaration. It must document exactly the keyword-only parameters, each with a
        default of type bool, int, float or str (checked when the function is registered, so
        documentation and signature cannot drift apart); a default must itself be allowed.
    owner : str
        How messages name the function's entry (``"method 'weighted'"``).

    Returns
    -------
    tuple of Parameter
        In the signature's order.

    Raises
    ------
    TypeError
        Documentation and signature disagree, or a default is not a bool/int/float/str.

    Examples
    --------
    >>> def f(a, b, *, k: int = 3): ...
    >>> [p.allowed() for p in parameters_of(f, {"k": param("size", minimum=1)}, "f")]
    ['be ≥ 1']
    """
    sig = inspect.signature(func)
    kw = [p for p in sig.parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    if {p.name for p in kw} != set(docs):
        raise TypeError(
            f"{owner}: documented parameters {sorted(docs)} differ from the signature's "
            f"keyword-only parameters {sorted(p.name for p in kw)}"
        )
    out = []
    for p in kw:
        if p.default is inspect.Parameter.empty or not isinstance(p.default, _PARAM_TYPES):
            raise TypeError(f"{owner}: parameter '{p.name}' needs a bool/int/float/str default")
        spec = docs[p.name]
        spec = ParamSpec(spec) if isinstance(spec, str) else spec
        parameter = Parameter(p.name, p.default, type(p.default), *spec)
        parameter.coerce(p.default, owner)  # a default outside its own bounds is a bug
        out.append(parameter)
    return tuple(out)


@dataclass(frozen=True)
class Entry:
    """One registered choice (a fusion method, a registration method, a view ...).

    Attributes
    ----------
    name : str
        What the user types (``-m NAME``).
    kind : str
        What the registry holds, in words (``"fusion method"``).
    family : str
        Its family within the registry (``"pixel"``, ``"multiscale"``, ``"learned"`` ...).
    func : callable
        The function that does the work.
    summary : str
        One line.
    reference : str
        The paper (authors, year, venue) or the library it comes from.
    params : tuple of Parameter
        Its keyword parameters.
    dims : tuple of int
        The dimensions it takes: ``(2,)`` or ``(2, 3)``.
    capabilities : frozenset of str
        What else it can do (``"color"``, ``"learned"``, ``"exact-gradients"`` ...).
    extra : str or None
        The extra of ``brainfuse`` it needs (``"learned"``), None for the core.
    """

    name: str
    kind: str
    family: str
    func: Callable[..., Any]
    summary: str = ""
    reference: str = ""
    params: tuple[Parameter, ...] = ()
    dims: tuple[int, ...] = (2,)
    capabilities: frozenset[str] = field(default_factory=frozenset)
    extra: str | None = None

    @property
    def owner(self) -> str:
        """How messages name it: ``"method 'weighted'"``."""
        return f"{self.kind.split()[-1]} '{self.name}'"

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The defaults updated with ``params``, each converted and checked.

        Raises
        ------
        MissingExtraError
            When :attr:`extra` is not installed (before any work).
        InputError
            An unknown name (the valid ones are listed) or a value of the wrong type or
            outside its allowed values.
        """
        if self.extra:
            from ._extras import require_extra

            require_extra(self.extra, what=self.owner)
        known = {p.name: p for p in self.params}
        out = {p.name: p.default for p in self.params}
        for key, value in (params or {}).items():
            if key not in known:
                valid = ", ".join(known) or "none"
                raise InputError(
                    None, f"unknown parameter '{key}' for {self.owner}; valid: {valid}"
                )
            out[key] = known[key].coerce(value, self.owner)
        return out

    def to_dict(self) -> dict[str, Any]:
        """The entry as JSON: the same keys for every registry."""
        return {
            "name": self.name,
            "kind": self.kind,
            "family": self.family,
            "summary": self.summary,
            "reference": self.reference,
            "dims": list(self.dims),
            "capabilities": sorted(self.capabilities),
            "extra": self.extra,
            "params": [p.to_dict() for p in self.params],
        }


E = TypeVar("E", bound=Entry)


class Registry(Generic[E]):
    """The entries of one kind, by name, in the order they were added.

    Parameters
    ----------
    kind : str
        What it holds, in words (``"fusion method"``).
    modules : tuple of str
        Modules whose import adds the entries; imported on first use, so listing the CLI's
        commands stays fast and optional dependencies are imported only when needed.
    """

    def __init__(self, kind: str, modules: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.modules = modules
        self._entries: dict[str, E] = {}
        self._loaded = not modules

    def _load(self) -> None:
        if not self._loaded:
            self._loaded = True
            for module in self.modules:
                importlib.import_module(module)

    def add(self, entry: E) -> E:
        """Add ``entry``; a name added twice is a programming error."""
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} '{entry.name}' is registered twice")
        self._entries[entry.name] = entry
        return entry

    def get(self, name: str) -> E:
        """The entry called ``name``, or an :class:`InputError` listing the valid names."""
        self._load()
        try:
            return self._entries[name]
        except KeyError:
            valid = ", ".join(self.names())
            noun = self.kind.split()[-1]
            raise InputError(None, f"unknown {noun} '{name}'; valid: {valid}") from None

    def _ordered(self) -> list[E]:
        """The entries in the order of :attr:`modules` (then as added), whichever module was
        imported first, so every listing shows one order."""
        rank = {m: i for i, m in enumerate(self.modules)}
        # sorted() is stable: entries of one module keep the order they were added in
        return sorted(
            self._entries.values(),
            key=lambda e: rank.get(getattr(e.func, "__module__", ""), len(rank)),
        )

    def list(self, family: str | None = None) -> list[E]:
        """Every entry (of one ``family``), in registration order; an unknown family is an
        :class:`InputError` listing the families."""
        self._load()
        if family is not None and family not in self.families():
            valid = ", ".join(self.families())
            raise InputError(None, f"unknown family '{family}' of {self.kind}s; valid: {valid}")
        return [e for e in self._ordered() if family is None or e.family == family]

    def names(self) -> list[str]:
        """The names, in registration order."""
        self._load()
        return [e.name for e in self._ordered()]

    def families(self) -> list[str]:
        """The families, in order of first appearance."""
        self._load()
        return list(dict.fromkeys(e.family for e in self._ordered()))

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries


#: Every registry by the name the command line and the web viewer use for it
#: (``brainfuse list NAME``, ``GET /api/registry/NAME``), as ``"module:attribute"``: resolved
#: on first use, so listing one family does not import the others.
REGISTRIES: dict[str, str] = {
    "fusion": "brainfuse.fusion.registry:METHODS",
    "registration": "brainfuse.registration.api:REGISTRATION_METHODS",
    "profiles": "brainfuse.metrics.profiles:PROFILES",
    "metrics": "brainfuse.metrics.profiles:METRICS",
    "views": "brainfuse.viz.views:VIEWS",
    "bcg": "brainfuse.signals.methods:CORRECTIONS",
}


def get_registry(name: str) -> Registry[Any]:
    """The registry called ``name`` (a key of :data:`REGISTRIES`).

    Parameters
    ----------
    name : str
        ``"fusion"``, ``"registration"``, ``"profiles"``, ``"metrics"`` or ``"views"``.

    Returns
    -------
    Registry
        The registry (imported on first use).

    Raises
    ------
    InputError
        An unknown name; the message lists the valid ones.

    Examples
    --------
    >>> get_registry("fusion").get("average").kind
    'fusion method'
    """
    if name not in REGISTRIES:
        valid = ", ".join(REGISTRIES)
        raise InputError(None, f"unknown registry '{name}'; valid: {valid}")
    module, attr = REGISTRIES[name].split(":")
    return getattr(importlib.import_module(module), attr)
