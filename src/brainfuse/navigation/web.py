"""The web viewer's navigation page: upload a head CT (NIfTI), get the plan's HTML report.

``GET /navigation`` is a small form; ``POST /api/navigation/plan`` (multipart: ``ct``, and
optional ``seed``, ``target``, ``entry`` as ``x,y,z`` mm and ``needle_mm``) runs
:func:`~brainfuse.navigation.api.plan_case` and answers with the self-contained report (the
3D view, the two-plane figure, the numbers). The upload rules of the viewer apply (size cap,
content sniffed, a temporary folder removed after the request, one-line 422 errors).
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import HTMLResponse

from ..errors import InputError

__all__ = ["navigation_router"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BrainFuse navigation</title>
<style>body{font-family:sans-serif;margin:2em;max-width:44em}label{display:block;margin:.6em 0}
</style></head><body>
<h1>Hematoma puncture plan</h1>
<p>Upload a head CT in Hounsfield units (NIfTI). The answer is the plan's report: hematoma
volume and ABC/2, the 3D model (skin, skull, ventricles, hematoma, trajectory, markers), the
two-plane view. Points are world millimetres of the CT; leave them empty for automatic
choices. Peng et al. 2022 workflow; a research tool, not a medical device.</p>
<form method="post" action="/api/navigation/plan" enctype="multipart/form-data" target="_blank">
<label>CT (.nii, .nii.gz) <input type="file" name="ct" required></label>
<label>Seed in the hematoma (x,y,z) <input name="seed" placeholder="automatic"></label>
<label>Target (x,y,z) <input name="target" placeholder="hematoma centre"></label>
<label>Entry (x,y,z) <input name="entry" placeholder="shortest safe path"></label>
<label>Needle diameter (mm) <input name="needle_mm" value="4"></label>
<button type="submit">Plan</button>
</form></body></html>
"""


def navigation_router(cfg: Any) -> APIRouter:
    """The page and the endpoint, with the limits of the viewer's settings.

    Parameters
    ----------
    cfg : brainfuse.web.app.WebSettings
        Upload size, voxel limit, temporary folder.

    Returns
    -------
    fastapi.APIRouter
    """
    from ..web.uploads import label, load_upload, save_upload
    from .api import plan_case, write_plan
    from .cli import _point
    from .ct import check_hounsfield

    router = APIRouter()
    gate = threading.Semaphore(1)  # one plan at a time: each takes a core for seconds

    @router.get("/navigation", include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(_PAGE)

    @router.post("/api/navigation/plan")
    def plan(
        ct: Annotated[UploadFile, File()],
        seed: Annotated[str, Form()] = "",
        target: Annotated[str, Form()] = "",
        entry: Annotated[str, Form()] = "",
        needle_mm: Annotated[float, Form()] = 4.0,
    ) -> HTMLResponse:
        points = {
            k: _point(v or None, k)
            for k, v in (("seed", seed), ("target", target), ("entry", entry))
        }
        with tempfile.TemporaryDirectory(prefix="brainfuse-web-", dir=cfg.temp_root) as tmp:
            path = save_upload(ct, Path(tmp), "CT", cfg.max_upload_bytes)
            name = label("CT", ct.filename)
            image = load_upload(path, name, cfg.max_pixels)
            check_hounsfield(image, name)
            with gate:
                result = plan_case(
                    image,
                    seed_mm=points["seed"],
                    target_mm=points["target"],
                    entry_mm=points["entry"],
                    needle_mm=needle_mm,
                )
                write_plan(result, Path(tmp) / "plan")
            if not (Path(tmp) / "plan" / "report.html").exists():
                raise InputError(name, "the plan wrote no report")
            return HTMLResponse((Path(tmp) / "plan" / "report.html").read_text(encoding="utf-8"))

    return router
