"""Errors raised by BrainFuse.

Every problem with what a user gave us (a file, a parameter, a method name) is an
:class:`InputError`. The command line prints it on one line and exits with status 2.
"""

from __future__ import annotations

from os import PathLike


class BrainFuseError(Exception):
    """Base class of all BrainFuse errors."""


class InputError(BrainFuseError, ValueError):
    """Bad input: a missing, corrupt, mismatched or unsupported file, or a bad argument.

    Parameters
    ----------
    source:
        The file (or argument name) the problem is about; ``None`` when it concerns no file.
    problem:
        What is wrong, in a short sentence without a trailing full stop.
    """

    def __init__(self, source: str | PathLike[str] | None, problem: str) -> None:
        self.source = None if source is None else str(source)
        self.problem = problem
        super().__init__(problem if source is None else f"{source}: {problem}")

    def __reduce__(self) -> tuple[type[InputError], tuple[str | None, str]]:
        # Picklable, so an error raised in a worker process (Dask) reaches the client intact.
        return (type(self), (self.source, self.problem))


class MissingExtraError(InputError):
    """A feature needs an optional dependency that is not installed.

    Raised by :func:`brainfuse._extras.require`; the command line prints it on one line like
    every :class:`InputError`. It is an :class:`InputError` so that every caller that already
    reports bad requests cleanly (the CLI, the benchmark, the demo, the web viewer) reports this
    one too.

    Parameters
    ----------
    what:
        The feature, as the user named it, e.g. ``"method 'funfusean'"``.
    module:
        The module that could not be imported, e.g. ``"torch"``.
    extra:
        The extra of the ``brainfuse`` distribution that installs it, e.g. ``"learned"``.
    detail:
        Why the import failed when the module is installed but does not import; else empty.
    """

    def __init__(self, what: str, module: str, extra: str, detail: str = "") -> None:
        self.what = what
        self.module = module
        self.extra = extra
        self.detail = detail
        problem = f"{what} needs the optional dependency {module}"
        if detail:
            problem += f", which is installed but does not import ({detail})"
        super().__init__(None, f"{problem}: pip install 'brainfuse[{extra}]'")

    def __reduce__(self) -> tuple[type[MissingExtraError], tuple[str, str, str, str]]:  # type: ignore[override]
        return (type(self), (self.what, self.module, self.extra, self.detail))
