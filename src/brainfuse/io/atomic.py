"""Atomic file output: write to a temporary file beside the target, then rename.

A failed or interrupted write leaves no partial file at the target path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import InputError

__all__ = ["atomic_path", "check_output_path", "compound_suffix"]


def compound_suffix(path: str | os.PathLike[str]) -> str:
    """Lower-case suffix, including ``.gz`` when doubled: ``a.nii.gz`` → ``.nii.gz``.

    Parameters
    ----------
    path : str or os.PathLike
        A file name or path.

    Returns
    -------
    suffix : str
        The last suffix, or the last two when the last is ``.gz``; ``""`` without one.

    Examples
    --------
    >>> from brainfuse.io.atomic import compound_suffix
    >>> compound_suffix("scans/T1.NII.GZ"), compound_suffix("fused.png")
    ('.nii.gz', '.png')
    """
    name = Path(path).name.lower()
    for double in (".nii.gz", ".tar.gz"):
        if name.endswith(double):
            return double
    return Path(name).suffix


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links (Python < 3.13)
        raise InputError(path, "is a loop of symbolic links") from None


def check_output_path(
    path: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str] | None] = ()
) -> Path:
    """Refuse an output path that is an input, a folder, or lies in a missing folder.

    An output is an input when both name the same file: the same path once symbolic links and
    ``..`` are resolved, or another name of the same file (a hard link). A loop of symbolic
    links, a parent that is not a folder and a folder we may not write in are refused too.

    Parameters
    ----------
    path : str or os.PathLike
        The output file.
    inputs : iterable of str, os.PathLike or None, optional
        The input files (``None`` entries are skipped).

    Returns
    -------
    path : pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    InputError
        If the output is refused; the message names it and the reason.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.errors import InputError
    >>> from brainfuse.io.atomic import check_output_path
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_output_path(folder / "fused.png", [folder / "mri.png"]).name
    'fused.png'
    >>> try:
    ...     check_output_path(folder / "mri.png", [folder / "mri.png"])
    ... except InputError as exc:
    ...     print(exc.problem)
    output path is an input file; refusing to overwrite an input
    """
    out = Path(path)
    target = _resolved(out)
    for src in inputs:
        if src is None:
            continue
        s = Path(src)
        same = target == _resolved(s)
        if not same:
            try:
                same = out.exists() and s.exists() and os.path.samefile(out, s)
            except OSError:
                same = False
        if same:
            raise InputError(out, "output path is an input file; refusing to overwrite an input")
    if out.is_dir():
        raise InputError(out, "output path is a folder; give a file name")
    parent = out.parent
    if str(parent) not in ("", "."):
        if not parent.exists():
            if any(p.exists() and not p.is_dir() for p in parent.parents):
                raise InputError(out, f"{parent} cannot be a folder: part of it is a file")
            raise InputError(out, f"output folder {parent} does not exist")
        if not parent.is_dir():
            raise InputError(out, f"{parent} is a file, not a folder")
    if not os.access(parent if str(parent) else ".", os.W_OK | os.X_OK):
        raise InputError(out, f"cannot write in folder {parent} (permission denied)")
    return out


def _read_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# Read once at import: os.umask can only be read by setting it, which races with threads.
_UMASK = _read_umask()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path with the same suffix; on success rename it to ``path``.

    The temporary file lives in the target's folder so the final ``os.replace`` is atomic. On any
    exception it is removed and the target is left untouched.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write.

    Yields
    ------
    tmp : pathlib.Path
        The temporary file to write to (created empty, in the target's folder).

    Raises
    ------
    InputError
        If the folder cannot be written in.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from brainfuse.io.atomic import atomic_path
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    suffix = compound_suffix(target)
    try:
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=f".part{suffix}", dir=target.parent
        )
    except OSError as exc:
        raise InputError(target, f"cannot write here ({exc.strerror or exc})") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if tmp_path.exists():  # mkstemp creates 0600; give the file the usual umask mode
            os.chmod(tmp_path, 0o666 & ~_UMASK)
        try:
            os.replace(tmp_path, target)
        except OSError as exc:
            raise InputError(target, f"cannot write here ({exc.strerror or exc})") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise
