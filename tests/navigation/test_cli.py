"""``brainfuse navigation`` through a subprocess: plan, register, table, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from brainfuse.io.nifti import write_nifti
from brainfuse.navigation.phantom import HematomaSpec, _plant_markers, place_markers, plant

from .conftest import small_head


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", "navigation", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
    )


def run_here(capsys: pytest.CaptureFixture[str], *args: str | Path) -> subprocess.CompletedProcess:
    """The same, in this process (``brainfuse.cli.main``): faster for many refusals."""
    from brainfuse.cli import main

    capsys.readouterr()
    status = main(["navigation", *map(str, args)])
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, out.out, out.err)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ct")
    head = small_head(2.0)
    ct, truth = plant(head, HematomaSpec((25.0, 10.0, 5.0), 20.0, hu=72.0, seed=4))
    markers = place_markers(ct, np.array([25.0, 10.0, 5.0]), seed=1)
    ct = _plant_markers(ct, markers)
    out = {"ct": folder / "ct.nii.gz", "empty": folder / "empty.nii.gz"}
    write_nifti(ct, out["ct"])
    write_nifti(head, out["empty"])
    (folder / "truth.json").write_text(json.dumps({"volume_ml": truth}))
    positive = folder / "positive.nii.gz"
    nib.save(nib.Nifti1Image((ct.array + 1024).astype(np.int16), ct.affine), positive)
    out["positive"] = positive
    flat = folder / "flat.nii.gz"
    nib.save(nib.Nifti1Image(ct.array[:, :, 40], ct.affine), flat)
    out["flat"] = flat
    nan = ct.array.copy()
    nan[10, 10, 10] = np.nan
    out["nan"] = folder / "nan.nii.gz"
    nib.save(nib.Nifti1Image(nan, ct.affine), out["nan"])
    out["truth"] = folder / "truth.json"
    out["markers"] = folder / "markers.csv"
    np.savetxt(out["markers"], markers, delimiter=",", header="x,y,z", comments="")
    return out


def test_plan_writes_every_file_and_measures_the_truth(cases, tmp_path) -> None:
    out = tmp_path / "plan"
    done = run("plan", cases["ct"], "-o", out, "--tip", "28,12,5")
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert {"plan.json", "model.glb", "model.obj", "hematoma.stl", "skull.stl", "skin.stl"} <= names
    assert {
        "report.html",
        "two_plane.png",
        "model.png",
        "hematoma.nii.gz",
        "trajectory.stl",
    } <= names
    plan = json.loads((out / "plan.json").read_text())
    truth = json.loads(cases["truth"].read_text())["volume_ml"]
    assert plan["hematoma"]["volume_ml"] == pytest.approx(truth, rel=0.05)
    assert plan["hematoma"]["mesh_volume_ml"] == pytest.approx(truth, rel=0.07)
    assert plan["deviation"]["d_mm"] == pytest.approx(
        np.linalg.norm(np.array([28, 12, 5]) - plan["trajectory"]["target_mm"]), abs=1e-3
    )
    assert len(plan["markers_mm"]) == 3
    assert plan["trajectory"]["crossings_mm"]["ventricles"] == 0.0
    html = (out / "report.html").read_text()
    assert (
        "importmap" in html
        and "GLTFLoader" in html
        and "http" not in html.split("<body>")[1][:2000]
    )
    import trimesh

    scene = trimesh.load(out / "model.glb")
    assert {"skin", "skull", "hematoma", "trajectory", "markers"} <= set(scene.geometry)


def test_register_prints_transform_fre_tre(cases, tmp_path) -> None:
    pts = np.loadtxt(cases["markers"], delimiter=",", skiprows=1)
    tracked = tmp_path / "tracked.json"
    tracked.write_text(json.dumps({"points": (pts + np.array([10.0, -5.0, 2.0])).tolist()}))
    out = tmp_path / "reg.json"
    done = run(
        "register",
        "--ct-markers",
        cases["markers"],
        "--tracked",
        tracked,
        "--target",
        "25,10,5",
        "--fle-mm",
        "1",
        "-o",
        out,
    )
    assert done.returncode == 0, done.stderr
    res = json.loads(out.read_text())
    np.testing.assert_allclose(np.array(res["matrix"])[:3, 3], [10.0, -5.0, 2.0], atol=1e-4)
    assert res["fre_mm"] < 1e-4 and res["expected_tre_mm"] > 0
    assert res["target_tracked_mm"] == pytest.approx([35.0, 5.0, 7.0], abs=1e-3)


def test_table_prints_the_article_numbers() -> None:
    done = run("table")
    assert done.returncode == 0
    assert "HER 47.36 ± 9.16 %" in done.stdout
    assert "deviation 5.76 ± 0.80 mm" in done.stdout
    assert "p = 0.0015" in done.stdout


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("positive", ("positive.nii.gz", "not Hounsfield units")),
        ("flat", ("flat.nii.gz",)),
        ("nan", ("nan.nii.gz", "NaN")),
        ("empty", ("empty.nii.gz", "no hematoma found")),
    ],
)
def test_plan_bad_input_is_one_line_and_writes_nothing(cases, tmp_path, key, words) -> None:
    out = tmp_path / "plan"
    one_line_error(run("plan", cases[key], "-o", out), *words)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []


def test_plan_missing_markers_and_bad_points(cases, tmp_path, capsys) -> None:
    out = tmp_path / "plan"
    one_line_error(
        run_here(capsys, "plan", cases["empty"], "-o", out, "--require-markers"), "empty.nii.gz"
    )
    one_line_error(run_here(capsys, "plan", cases["ct"], "-o", out, "--target", "1,2"), "--target")
    one_line_error(
        run_here(capsys, "plan", tmp_path / "missing.nii", "-o", out), "missing.nii", "no such file"
    )
    one_line_error(run_here(capsys, "plan", cases["ct"], "-o", cases["ct"]), "ct.nii.gz")
    assert not out.exists()


def test_register_bad_input(cases, tmp_path, capsys) -> None:
    line = tmp_path / "line.csv"
    line.write_text("0,0,0\n40,0,0\n80,0.2,0\n")
    two = tmp_path / "two.csv"
    two.write_text("0,0,0\n40,0,0\n")
    out = tmp_path / "r.json"
    one_line_error(
        run_here(capsys, "register", "--ct-markers", line, "--tracked", line, "-o", out),
        "collinear",
    )
    one_line_error(
        run_here(capsys, "register", "--ct-markers", two, "--tracked", two, "-o", out), "at least 3"
    )
    one_line_error(
        run_here(capsys, "register", "--ct-markers", cases["markers"], "--tracked", two), "two.csv"
    )
    one_line_error(
        run("register", "--ct-markers", tmp_path / "none.csv", "--tracked", two), "none.csv"
    )
    assert not out.exists()
