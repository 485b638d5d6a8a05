"""The navigation page of the web viewer: upload a CT, get the report; bad uploads refused."""

from __future__ import annotations

import io

import numpy as np
import pytest

from brainfuse.io.nifti import write_nifti
from brainfuse.navigation.phantom import HematomaSpec, plant

from .conftest import small_head

pytest.importorskip("fastapi")
pytest.importorskip("httpx")


@pytest.fixture(scope="module")
def client():
    from fastapi.testclient import TestClient

    from brainfuse.web.app import create_app

    return TestClient(create_app())


def nifti_bytes(tmp_path, arr_img) -> bytes:
    path = tmp_path / "ct.nii.gz"
    write_nifti(arr_img, path)
    return path.read_bytes()


def test_page_and_plan(client, tmp_path) -> None:
    assert "Hematoma puncture plan" in client.get("/navigation").text
    ct, _ = plant(small_head(2.0), HematomaSpec((25.0, 10.0, 5.0), 20.0, hu=72.0, seed=4))
    files = {"ct": ("head.nii.gz", io.BytesIO(nifti_bytes(tmp_path, ct)))}
    answer = client.post("/api/navigation/plan", files=files, data={"needle_mm": "3"})
    assert answer.status_code == 200, answer.text
    assert "importmap" in answer.text and "Hematoma puncture plan" in answer.text
    assert "needle 3" in answer.text


def test_bad_uploads_are_one_line(client, tmp_path) -> None:
    mri = small_head(2.0).replace(array=np.abs(small_head(2.0).array))  # no air: not HU
    files = {"ct": ("mri.nii.gz", io.BytesIO(nifti_bytes(tmp_path, mri)))}
    answer = client.post("/api/navigation/plan", files=files)
    assert answer.status_code == 422
    assert "not Hounsfield units" in answer.json()["detail"]
    assert str(tmp_path) not in answer.text
    files = {"ct": ("note.txt", io.BytesIO(b"hello"))}
    assert client.post("/api/navigation/plan", files=files).status_code == 415
    head = small_head(2.0)
    files = {"ct": ("head.nii.gz", io.BytesIO(nifti_bytes(tmp_path, head)))}
    answer = client.post("/api/navigation/plan", files=files, data={"target": "1,2"})
    assert answer.status_code == 422 and "target" in answer.json()["detail"]
