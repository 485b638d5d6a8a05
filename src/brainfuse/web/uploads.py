"""Uploads of the web viewer: the request-size limit, storing an upload, reading it.

Uploads are identified by content (:func:`brainfuse.io.sniff_format`; anything else is a 415),
stored in a temporary folder under a name of the server's choosing, and read with
:func:`brainfuse.io.load`; an error names the upload as the user knows it
(``image A (mri.png)``), never the server path.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import UploadFile
from fastapi.responses import JSONResponse

from ..errors import InputError
from ..io import Image, load, sniff_format

__all__ = [
    "ACCEPTED_FORMATS",
    "DEFAULT_MAX_UPLOAD",
    "BodyLimit",
    "TooLarge",
    "Unsupported",
    "label",
    "load_upload",
    "save_upload",
    "too_large",
]

#: Default cap on a request body (both files together): 64 MiB.
DEFAULT_MAX_UPLOAD = 64 << 20

#: Upload formats, as :func:`brainfuse.io.sniff_format` names them, and the file suffix each
#: is stored under for reading.
ACCEPTED_FORMATS = {
    "png": ".png",
    "gif": ".gif",
    "tiff": ".tif",
    "nifti": ".nii",
    "nifti-gz": ".nii.gz",
}


class TooLarge(Exception):
    """A request body over the limit (answered with 413)."""


class Unsupported(Exception):
    """An upload whose content is not an accepted format (answered with 415)."""


class BodyLimit:
    """ASGI middleware: refuse request bodies above ``limit`` bytes with 413, whether announced
    by Content-Length or found while streaming."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await too_large(self.limit)(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise TooLarge
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except TooLarge:
            if not started:
                await too_large(self.limit)(scope, receive, send)


def too_large(limit: int) -> JSONResponse:
    return JSONResponse(
        {"detail": f"upload too large: the limit is {limit / (1 << 20):g} MiB"}, status_code=413
    )


def label(which: str, filename: str | None) -> str:
    """``image A (name.png)``: the client's file name, reduced to safe printable characters."""
    name = Path((filename or "").replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name)[:60]
    return f"image {which} ({name})" if name else f"image {which}"


def save_upload(upload: UploadFile, folder: Path, which: str, max_bytes: int) -> Path:
    """Write an upload into ``folder`` and name it after its sniffed format."""
    name = label(which, upload.filename)
    raw = folder / f"upload_{which}"
    size = 0
    with open(raw, "wb") as fh:
        while chunk := upload.file.read(1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise TooLarge
            fh.write(chunk)
    if size == 0:
        raise InputError(name, "the file is empty")
    kind = sniff_format(raw)
    if kind not in ACCEPTED_FORMATS:
        found = kind.upper() if kind else "unrecognised"
        raise Unsupported(f"{name}: {found} content; accepted: PNG, GIF, TIFF, NIfTI")
    path = folder / f"{which}{ACCEPTED_FORMATS[kind]}"
    raw.rename(path)
    return path


def load_upload(path: Path, name: str, max_pixels: int) -> Image:
    """Load a stored upload; errors name the upload (``image A (mri.png)``), not the path."""
    try:
        img = load(path, max_pixels=max_pixels)
    except InputError as exc:
        raise InputError(name, exc.problem.replace(str(path), name)) from None
    return img.replace(source=name)
