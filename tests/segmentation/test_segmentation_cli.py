"""``brainfuse segmentation simulate`` and ``score`` through a subprocess, with bad inputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

pytest.importorskip("monai")
pytest.importorskip("nilearn")


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", "segmentation", *map(str, args)],
        capture_output=True,
        text=True,
    )


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert all(w in lines[0] for w in words), lines[0]


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cohort") / "cases"
    result = run("simulate", "-o", out, "-n", "2", "--resolution", "2", "--seed", "4")
    assert result.returncode == 0, result.stderr
    return out


def test_simulate_writes_cases_and_split(cohort):
    names = sorted(p.name for p in cohort.iterdir())
    assert names == ["BraTS2021_00004", "BraTS2021_00005", "split.csv"]
    rows = (cohort / "split.csv").read_text().splitlines()
    assert rows[0].startswith("case,split,seed") and rows[1].split(",")[:3] == [
        "BraTS2021_00004", "train", "4"
    ]  # fmt: skip
    one_line_error(run("simulate", "-o", cohort, "-n", "1"), str(cohort), "not an empty folder")


def test_score_a_case_against_itself_and_another(cohort):
    seg = cohort / "BraTS2021_00004" / "BraTS2021_00004_seg.nii.gz"
    other = cohort / "BraTS2021_00005" / "BraTS2021_00005_seg.nii.gz"
    same = json.loads(run("score", seg, seg, "--json").stdout)
    assert same["WT"]["dice"] == 1.0 and same["WT"]["hd95"] == 0.0
    result = run("score", seg, other)
    assert result.returncode == 0 and result.stdout.splitlines()[0].split()[:3] == [
        "region", "dice", "hd95"
    ]  # fmt: skip


def test_score_refuses_bad_label_files(cohort, tmp_path):
    seg = cohort / "BraTS2021_00004" / "BraTS2021_00004_seg.nii.gz"
    t1 = cohort / "BraTS2021_00004" / "BraTS2021_00004_t1.nii.gz"
    one_line_error(run("score", seg, t1), str(t1), "codes other than")
    img = nib.load(seg)
    cut = tmp_path / "cut.nii.gz"
    nib.save(nib.Nifti1Image(np.asarray(img.dataobj)[:, :, :30], img.affine), cut)
    one_line_error(run("score", cut, seg), "grid differs")
    one_line_error(run("score", tmp_path / "missing.nii.gz", seg), "missing.nii.gz")
