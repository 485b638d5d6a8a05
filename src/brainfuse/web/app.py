"""The web viewer's server: a FastAPI application with a static page.

Endpoints (all answers are JSON except images and downloads):

- ``GET /`` the page; ``GET /static/...`` its script and style (served from the package, no CDN);
- ``GET /api/methods`` the registry: name, family, dims, parameters with defaults and docs;
- ``GET /api/options`` metric profiles, palettes, the upload limit and accepted formats;
- ``POST /api/fuse`` (multipart form) fuse the demo phantom slice or an uploaded pair and score
  it; the answer lists the images, metrics and downloads of the result;
- ``GET /api/results/{id}/{name}`` one file of a result (kept in memory, the last few results).

Safety: the request body is capped (413), uploads are identified by content
(:func:`brainfuse.io.sniff_format`; 415 otherwise), the client never names a server path (results
are addressed by a random id and a fixed file name), each upload lives in a temporary folder
removed when the request ends, and errors are one-line messages (input problems 422, never a
traceback).
"""

from __future__ import annotations

import logging
import re
import secrets
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from ..errors import InputError
from .pipeline import PALETTES, ViewRequest, demo_pair, fuse_for_viewer, parse_params
from .uploads import (
    ACCEPTED_FORMATS,
    DEFAULT_MAX_UPLOAD,
    BodyLimit,
    TooLarge,
    Unsupported,
    label,
    load_upload,
    save_upload,
    too_large,
)

__all__ = ["ACCEPTED_FORMATS", "DEFAULT_MAX_UPLOAD", "WebSettings", "create_app"]

log = logging.getLogger("brainfuse.web")

STATIC = Path(__file__).parent / "static"

_RESULT_NAME = re.compile(r"^[a-z_]+\.(png|json|nii\.gz|zip)$")
_RESULT_ID = re.compile(r"^[0-9a-f]{32}$")
_MEDIA = (
    (".png", "image/png"),
    (".json", "application/json"),
    (".zip", "application/zip"),
    (".nii.gz", "application/gzip"),
)
_ORDER = (
    "a.png",
    "b.png",
    "fused_grey.png",
    "fused_color.png",
    "overlay.png",
    "checkerboard.png",
    "difference.png",
    "gradient_color.png",
)


@dataclass(frozen=True)
class WebSettings:
    """Limits of one server."""

    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    max_pixels: int = 1 << 24  # per image or volume
    kept_results: int = 16  # results kept in memory for download
    concurrent_fusions: int = 2  # fusions computed at once (one per core here)
    temp_root: str | None = None  # where upload folders are made (default: the system's)


class _Results:
    """The last results, in memory: id → {file name: bytes}."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._items: OrderedDict[str, dict[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, files: dict[str, bytes]) -> str:
        rid = secrets.token_hex(16)
        with self._lock:
            self._items[rid] = files
            while len(self._items) > self.keep:
                self._items.popitem(last=False)
        return rid

    def get(self, rid: str, name: str) -> bytes | None:
        with self._lock:
            return self._items.get(rid, {}).get(name)


def _handle_errors(app: FastAPI, cfg: WebSettings) -> None:
    """One-line JSON answers: 422 for bad input, 415, 413, and 500 without a traceback."""
    temp_root = re.escape(str(Path(cfg.temp_root or tempfile.gettempdir())))
    upload_path = re.compile(temp_root + r"/brainfuse-web-[^\s'\"]*")

    @app.exception_handler(InputError)
    async def _input_error(request: Request, exc: InputError) -> JSONResponse:
        # Safety net: a message never shows where uploads live on the server.
        return JSONResponse({"detail": upload_path.sub("<upload>", str(exc))}, status_code=422)

    @app.exception_handler(Unsupported)
    async def _unsupported(request: Request, exc: Unsupported) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=415)

    @app.exception_handler(TooLarge)
    async def _large(request: Request, exc: TooLarge) -> JSONResponse:
        return too_large(cfg.max_upload_bytes)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "; ".join(problems)}, status_code=422)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )


def _inputs(
    source: str, a: UploadFile | None, b: UploadFile | None, folder: Path, cfg: WebSettings
) -> tuple[Any, Any, str | None]:
    """The two images of a request (the demo pair or the uploads) and a default palette."""
    if source in ("demo-pet", "demo-spect"):
        return demo_pair(source.split("-")[1])
    if source != "upload":
        raise InputError("source", "expected upload, demo-pet or demo-spect")
    if a is None or b is None:
        raise InputError(None, "upload two images: A (MRI) and B (PET, SPECT or CT)")
    pa = save_upload(a, folder, "A", cfg.max_upload_bytes)
    pb = save_upload(b, folder, "B", cfg.max_upload_bytes)
    name_a, name_b = label("A", a.filename), label("B", b.filename)
    return load_upload(pa, name_a, cfg.max_pixels), load_upload(pb, name_b, cfg.max_pixels), None


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The web viewer as an ASGI application (``uvicorn.run(create_app())``).

    Parameters
    ----------
    settings : WebSettings, optional
        Limits of the server (upload size, pixels, results kept, fusions at once).

    Returns
    -------
    fastapi.FastAPI
        The application: the page, the registries, and the fusion endpoint.
    """
    from .. import __version__
    from ..color import check_palette
    from ..metrics import get_profile
    from ..registry import REGISTRIES, get_registry

    cfg = settings or WebSettings()
    app = FastAPI(title="BrainFuse", version=__version__, docs_url=None, redoc_url=None)
    results = _Results(cfg.kept_results)
    gate = threading.Semaphore(cfg.concurrent_fusions)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(BodyLimit, limit=cfg.max_upload_bytes)
    _handle_errors(app, cfg)
    from ..navigation.web import navigation_router

    app.include_router(navigation_router(cfg))

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/api/methods")
    def methods() -> list[dict[str, Any]]:
        return [m.to_dict() for m in get_registry("fusion").list()]

    @app.get("/api/registry/{kind}")
    def registry(kind: str) -> list[dict[str, Any]]:
        return [e.to_dict() for e in get_registry(kind).list()]

    @app.get("/api/options")
    def options() -> dict[str, Any]:
        return {
            "profiles": get_registry("profiles").names(),
            "palettes": list(PALETTES),
            "registries": list(REGISTRIES),
            "max_upload_bytes": cfg.max_upload_bytes,
            "formats": ["PNG", "GIF", "TIFF", "NIfTI (.nii, .nii.gz)"],
            "version": __version__,
        }

    @app.post("/api/fuse")
    def fuse(
        method: Annotated[str, Form()],
        source: Annotated[str, Form()] = "upload",
        params: Annotated[str, Form()] = "{}",
        palette: Annotated[str, Form()] = "",
        profile: Annotated[str, Form()] = "cddfuse",
        gradients: Annotated[bool, Form()] = False,
        omega: Annotated[float, Form()] = 0.6,
        a: Annotated[UploadFile | None, File()] = None,
        b: Annotated[UploadFile | None, File()] = None,
    ) -> dict[str, Any]:
        bound = parse_params(method, params)
        get_profile(profile)
        if palette:
            check_palette(palette)
        with tempfile.TemporaryDirectory(prefix="brainfuse-web-", dir=cfg.temp_root) as tmp:
            a_img, b_img, default_palette = _inputs(source, a, b, Path(tmp), cfg)
            view = ViewRequest(palette or default_palette, profile, gradients, omega)
            with gate:
                out = fuse_for_viewer(a_img, b_img, method, bound, view, Path(tmp))
        rid = results.add(out["files"])
        names = sorted(out["files"], key=lambda n: (_ORDER.index(n) if n in _ORDER else 9, n))
        return {
            "id": rid,
            **out["summary"],
            "images": {n[:-4]: f"/api/results/{rid}/{n}" for n in names if n.endswith(".png")},
            "downloads": {
                n: f"/api/results/{rid}/{n}" for n in names if not n.startswith(("a.", "b."))
            },
        }

    @app.get("/api/results/{rid}/{name}")
    def result_file(rid: str, name: str) -> Response:
        data = None
        if _RESULT_ID.match(rid) and _RESULT_NAME.match(name):
            data = results.get(rid, name)
        if data is None:
            return JSONResponse(
                {"detail": "no such result (results are kept for a while only)"}, 404
            )
        media = next(t for suffix, t in _MEDIA if name.endswith(suffix))
        headers = {}
        if not name.endswith(".png"):
            headers["Content-Disposition"] = f'attachment; filename="brainfuse_{name}"'
        return Response(data, media_type=media, headers=headers)

    return app
