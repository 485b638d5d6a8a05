"""Pieces every command-line module shares: option types, ``-p KEY=VALUE`` parsing.

It sits below all the command modules (``brainfuse.cli`` and the ``cli`` module of each
package import it; it imports none of them), so no command module imports one above it.
"""

from __future__ import annotations

import math
from typing import Any

import click

from .errors import InputError

__all__ = ["FINITE", "FiniteFloat", "max_pixels_option", "parse_params"]


class FiniteFloat(click.ParamType):
    """A click option type: a finite number (``nan`` and ``inf`` are refused)."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        try:
            out = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(out):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return out


#: The finite-number option type.
FINITE = FiniteFloat()


def parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    """``("k=v", ...)`` → ``{"k": "v"}``: the ``-p KEY=VALUE`` options of a command.

    Parameters
    ----------
    pairs : tuple of str
        The option values as given.

    Returns
    -------
    dict
        Keys and values as text (the registry converts and checks them).

    Raises
    ------
    InputError
        A pair without ``=`` or without a key.

    Examples
    --------
    >>> parse_params(("w=0.3", "levels = 2"))
    {'w': '0.3', 'levels': '2'}
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError("-p", f"expected key=value, got {pair!r}")
        out[key.strip()] = value.strip()
    return out


max_pixels_option = click.option(
    "--max-pixels",
    type=click.IntRange(min=1),
    default=None,
    help="Refuse inputs with more pixels/voxels (default 2^28, or $BRAINFUSE_MAX_PIXELS).",
)
