"""The battery's web cases: ``POST /api/fuse`` through FastAPI's TestClient.

Every refused request gets a 4xx JSON answer whose ``detail`` is one line without a server path;
nothing gets a 500; every upload folder is gone afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brainfuse.web import WebSettings, create_app

from .cases import WEB_CASES
from .conftest import param
from .files import file_bytes

CAP = 2 << 20


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    temp_root = tmp_path_factory.mktemp("web-uploads")
    sources = tmp_path_factory.mktemp("web-sources")
    clients: dict[int | None, TestClient] = {}

    def client(max_pixels: int | None) -> TestClient:
        if max_pixels not in clients:
            settings = WebSettings(max_upload_bytes=CAP, temp_root=str(temp_root))
            if max_pixels is not None:
                settings = WebSettings(
                    max_upload_bytes=CAP, temp_root=str(temp_root), max_pixels=max_pixels
                )
            clients[max_pixels] = TestClient(create_app(settings), raise_server_exceptions=False)
        return clients[max_pixels]

    yield client, temp_root, sources
    for c in clients.values():
        c.close()


def post(client: TestClient, case, sources: Path):
    files = []
    for field, name, content in case.uploads:
        data = content if isinstance(content, bytes) else file_bytes(content, sources)
        files.append((field, (name, data)))
    return client.post("/api/fuse", data=dict(case.form), files=files or None)


@pytest.mark.parametrize("case", [param(case) for case in WEB_CASES])
def test_web_case(case, web):
    client, temp_root, sources = web
    r = post(client(case.max_pixels), case, sources)
    assert r.status_code != 500, r.text
    assert r.status_code in case.status, r.text[:500]
    assert list(temp_root.iterdir()) == [], "an upload folder was left behind"
    if r.status_code == 200:
        return
    assert r.headers["content-type"].startswith("application/json")
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.strip(), r.text
    assert "\n" not in detail and "Traceback" not in detail, detail
    assert str(temp_root) not in detail and "brainfuse-web-" not in detail, detail
    for needle in case.names:
        assert needle in detail, (needle, detail)
