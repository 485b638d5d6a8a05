"""The web viewer: ``brainfuse serve`` (FastAPI + a static page, everything served locally).

See :mod:`brainfuse.web.app` for the endpoints and limits, and ``docs/web.md``. FastAPI comes
with the ``web`` extra (``pip install 'brainfuse[web]'``); it is imported when one of the names
below is first used, so that ``brainfuse.web.cli`` imports (and says which extra is missing)
without it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ACCEPTED_FORMATS", "DEFAULT_MAX_UPLOAD", "WebSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from .._extras import require_extra

        require_extra("web", what="the web viewer")
        from . import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
