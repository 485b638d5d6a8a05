"""Optional dependencies: which extra of ``brainfuse`` brings which module, checked in one place.

The core install (``pip install brainfuse``) loads, fuses with the classical methods, registers,
scores and draws. The rest comes with extras (``pip install 'brainfuse[learned,web]'``); code
that needs one calls :func:`require` (or :func:`require_extra`) first, which raises
:class:`~brainfuse.errors.MissingExtraError` naming the module and the extra to install.
The command line prints it as one line, exit status 2::

    brainfuse: error: method 'funfusean' needs the optional dependency torch: pip install 'brainfuse[learned]'
"""  # noqa: E501

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from .errors import MissingExtraError

__all__ = ["EXTRAS", "extra_available", "require", "require_extra"]

#: Extra of the ``brainfuse`` distribution -> the top-level modules that code needing it imports
#: (the pyproject's ``[project.optional-dependencies]`` lists the distributions; ``web`` also
#: brings ``demo`` for the viewer's demo pair, which checks for nilearn itself).
EXTRAS: dict[str, tuple[str, ...]] = {
    "learned": ("torch",),
    "demo": ("nilearn",),
    "web": ("fastapi", "uvicorn", "python_multipart"),
    "dask": ("dask", "distributed"),
    "segmentation": ("torch", "monai"),
    "signals": ("mne", "nilearn", "statsmodels"),
    "navigation": ("trimesh",),
}


def require(module: str, *, extra: str, what: str) -> ModuleType:
    """Import ``module`` or raise :class:`~brainfuse.errors.MissingExtraError`.

    Parameters
    ----------
    module
        The top-level module to import, e.g. ``"torch"``.
    extra
        The extra that installs it, e.g. ``"learned"``; must be a key of :data:`EXTRAS`.
    what
        The feature that needs it, as the user knows it, e.g. ``"method 'funfusean'"``.

    Returns
    -------
    ModuleType
        The imported module.

    Raises
    ------
    MissingExtraError
        When the module is not installed, or is installed but fails to import (the reason is
        then part of the message).
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        absent = isinstance(exc, ModuleNotFoundError) and (
            exc.name is None or exc.name == module or module.startswith(f"{exc.name}.")
        )
        raise MissingExtraError(what, module, extra, "" if absent else str(exc)) from None


def require_extra(extra: str, *, what: str) -> None:
    """Import every module of ``extra`` (see :data:`EXTRAS`); the first one missing raises.

    Parameters
    ----------
    extra
        A key of :data:`EXTRAS`, e.g. ``"web"``.
    what
        The feature that needs it, e.g. ``"'brainfuse serve'"``.

    Raises
    ------
    MissingExtraError
        Naming the first module of the extra that does not import.
    """
    if extra not in EXTRAS:
        raise ValueError(f"unknown extra {extra!r}; known: {', '.join(EXTRAS)}")
    for module in EXTRAS[extra]:
        require(module, extra=extra, what=what)


def extra_available(extra: str) -> bool:
    """True when every module of ``extra`` is installed (found on the path; nothing imported).

    Parameters
    ----------
    extra
        A key of :data:`EXTRAS`.

    Returns
    -------
    bool
        Whether :func:`require_extra` can be expected to pass (a module that is found may
        still fail to import).
    """
    for module in EXTRAS[extra]:
        try:
            if importlib.util.find_spec(module) is None:
                return False
        except (ImportError, ValueError):
            return False
    return True
