"""``run_bench`` and ``brainfuse bench``: report files, real scores, resume, Dask == in process."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brainfuse.bench import run_bench
from brainfuse.errors import InputError
from brainfuse.metrics import evaluate, evaluate_cddfuse_protocol, read_cddfuse_grey

from .conftest import make_pair_folder


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_cddfuse_profile_report_and_scores(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=3, nvol=0)
    out = tmp_path / "out"
    index = run_bench([pairs], ["maximum", "average"], out=out, profile="cddfuse", progress=False)
    assert index == out / "index.html"
    for name in ("pairs.csv", "summary.csv", "summary.md", "speed.csv", "grid_MRI-PET.png"):
        assert (out / name).stat().st_size > 0
    rows = _rows(out / "pairs.csv")
    assert [(r["method"], r["pair"]) for r in rows] == [
        (m, f"{n}.png") for m in ("maximum", "average") for n in (11, 12, 13)
    ]
    assert list(rows[0])[3:] == ["EN", "SD", "SF", "MI", "SCD", "VIF", "Qabf", "SSIM"]
    # Each number is the protocol's score of that fusion, exactly.
    a = read_cddfuse_grey(pairs / "MRI_PET/MRI/12.png")
    b = read_cddfuse_grey(pairs / "MRI_PET/PET/12.png")
    want = evaluate_cddfuse_protocol(np.maximum(a, b), a, b)
    got = {k: float(v) for k, v in rows[1].items() if k in want}
    assert got == want
    # Summary: mean over the 3 pairs, sample std, rank by the metric's direction.
    summ = {(r["method"], r["metric"]): r for r in _rows(out / "summary.csv")}
    for metric in want:
        vals = {
            m: [float(r[metric]) for r in rows if r["method"] == m] for m in ("maximum", "average")
        }
        for m, v in vals.items():
            assert float(summ[m, metric]["mean"]) == pytest.approx(np.mean(v), rel=1e-12)
            assert float(summ[m, metric]["std"]) == pytest.approx(np.std(v, ddof=1), rel=1e-9)
        best = max(vals, key=lambda m: np.mean(vals[m]))
        assert summ[best, metric]["rank"] == "1"
    speed = _rows(out / "speed.csv")
    assert [r["method"] for r in speed] == ["maximum", "average"]
    assert all(float(r["median_ms"]) > 0 for r in speed)
    html = index.read_text()
    assert "grid_MRI-PET.png" in html and "maximum" in html


def test_resume_skips_finished_tasks(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=3, nvol=0)
    out = tmp_path / "out"
    run_bench([pairs], ["average"], out=out, profile="cddfuse", progress=False)
    results = sorted((out / "results").rglob("*.json"))
    assert len(results) == 3
    before = {p: p.stat().st_mtime_ns for p in results}
    first_csv = (out / "pairs.csv").read_bytes()
    results[1].unlink()
    run_bench([pairs], ["average"], out=out, profile="cddfuse", progress=False)
    assert results[1].exists()
    assert results[0].stat().st_mtime_ns == before[results[0]]
    assert results[2].stat().st_mtime_ns == before[results[2]]
    assert (out / "pairs.csv").read_bytes() == first_csv
    # Explicit default parameters are the same settings: nothing recomputed.
    run_bench([pairs], ["average"], out=out, profile="cddfuse", progress=False, params={})
    assert results[0].stat().st_mtime_ns == before[results[0]]
    # Other parameters: the stored results no longer apply and are recomputed.
    rec = out / "results/weighted/MRI-PET/11.png.json"
    for w in (0.8, 0.2):
        run_bench(
            [pairs],
            ["weighted"],
            out=out,
            profile="cddfuse",
            progress=False,
            params={"weighted": {"w": w}},
        )
        assert json.loads(rec.read_text())["params"] == {"w": w}


def test_a_failing_task_is_reported_and_retried_not_fatal(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=3, nvol=0)
    bad = pairs / "MRI_PET/PET/12.png"
    good = bad.read_bytes()
    bad.write_bytes(good[:40])  # truncated PNG
    out = tmp_path / "out"
    run_bench([pairs], ["average"], out=out, profile="cddfuse", progress=False)
    rows = _rows(out / "pairs.csv")
    assert [r["pair"] for r in rows] == ["11.png", "13.png"]
    assert not (out / "results/average/MRI-PET/12.png.json").exists()
    summary = (out / "summary.md").read_text() + (out / "index.html").read_text()
    assert "average failed on MRI-PET/12.png" in summary
    assert (out / "grid_MRI-PET.png").stat().st_size > 0
    bad.write_bytes(good)  # repaired: the next run computes only that task
    run_bench([pairs], ["average"], out=out, profile="cddfuse", progress=False)
    assert [r["pair"] for r in _rows(out / "pairs.csv")] == ["11.png", "12.png", "13.png"]


def test_dask_local_cluster_equals_in_process(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=3, nvol=2)
    here, dask = tmp_path / "here", tmp_path / "dask"
    kw = dict(profile="paper", progress=False)
    run_bench([pairs], ["weighted", "maximum"], out=here, **kw)
    run_bench([pairs], ["weighted", "maximum"], out=dask, scheduler="local", workers=2, **kw)
    for name in ("pairs.csv", "summary.csv"):
        assert (dask / name).read_bytes() == (here / name).read_bytes()
    rows = _rows(here / "pairs.csv")
    assert len(rows) == 2 * 5
    assert {r["pair_set"] for r in rows} == {"MRI-PET", "MRI-CT"}
    # Volume pairs get the 3D-capable metrics of the profile; 2D-only ones are left empty.
    vol = next(r for r in rows if r["pair_set"] == "MRI-CT")
    assert vol["EN"] != "nan" and vol["SSIM"] != "nan"
    for name in ("fused/maximum/MRI-CT/v0.png", "fused/weighted/MRI-PET/11.png"):
        assert (dask / name).read_bytes() == (here / name).read_bytes()
    # On the cluster the volumes were fused in slabs (2 per worker seen), here whole.
    rec = "results/maximum/MRI-CT/v1.nii.gz.json"
    assert json.loads((here / rec).read_text())["chunks"] == 1
    assert json.loads((dask / rec).read_text())["chunks"] in (2, 4)


def test_colour_pairs_scored_on_luminance(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=1, nvol=0)
    out = tmp_path / "out"
    run_bench([pairs], ["average"], out=out, profile="paper", metrics=["EN", "MI"], progress=False)
    from brainfuse import fuse, load
    from brainfuse.color import rgb_to_grey

    a, b = load(pairs / "MRI_PET/MRI/11.png"), load(pairs / "MRI_PET/PET/11.png")
    assert b.rgb
    fused = fuse(a, b, "average")
    assert fused.rgb
    want = evaluate(rgb_to_grey(fused.array), a.array, rgb_to_grey(b.array), metrics=["EN", "MI"])
    row = _rows(out / "pairs.csv")[0]
    assert {k: float(row[k]) for k in want} == want


def test_bad_arguments(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=1, nvol=0)
    out = tmp_path / "out"
    with pytest.raises(InputError, match="use --profile cddfuse"):
        run_bench([pairs], ["average"], out=out, compare="published")
    with pytest.raises(InputError, match="unknown method 'nope'"):
        run_bench([pairs], ["average", "nope"], out=out)
    with pytest.raises(InputError, match="unknown metric"):
        run_bench([pairs], ["average"], out=out, metrics=["XYZ"])
    with pytest.raises(InputError, match="inside the pair folder"):
        run_bench([pairs], ["average"], out=pairs / "report")
    with pytest.raises(InputError, match="not in --methods"):
        run_bench([pairs], ["average"], out=out, params={"weighted": {"w": 0.3}})
    with pytest.raises(InputError, match="cddfuse profile is defined for 2D"):
        run_bench(
            [make_pair_folder(tmp_path / "v", n2d=0, nvol=1)],
            ["average"],
            out=out,
            profile="cddfuse",
            progress=False,
        )
    assert not (out / "pairs.csv").exists()


def test_cli(tmp_path: Path) -> None:
    pairs = make_pair_folder(tmp_path / "pairs", n2d=2, nvol=0)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "brainfuse", "bench", "--pairs", str(pairs)]
    ok = subprocess.run(
        [
            *cmd,
            "--methods",
            "average,weighted",
            "-p",
            "weighted.w=0.7",
            "--out",
            str(out),
            "--profile",
            "cddfuse",
            "--metrics",
            "EN,SD",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stderr
    assert f"report: {out / 'index.html'}" in ok.stdout
    assert _rows(out / "pairs.csv")[0].keys() == {"method", "pair_set", "pair", "EN", "SD"}
    bad = subprocess.run(
        [*cmd[:-2], "--pairs", str(tmp_path / "nope"), "--methods", "average", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == f"brainfuse: error: {tmp_path / 'nope'}: no such folder"


def test_published_rows_on_the_cddfuse_test_set(shared_data: Path, tmp_path: Path) -> None:
    """Pixel average and maximum on the 21 MRI-CT pairs reproduce the maintainers' measured
    rows of metrics-and-peers.md §5 (three decimals), and the report adds the published rows."""
    out = tmp_path / "out"
    run_bench(
        [shared_data / "harvard-cddfuse-test/MRI_CT"],
        ["average", "maximum"],
        out=out,
        profile="cddfuse",
        compare="published",
        progress=False,
    )
    summ = {(r["method"], r["metric"]): float(r["mean"]) for r in _rows(out / "summary.csv")}
    from brainfuse.bench.published import MEASURED_PEERS

    for ours, theirs in (("average", "pixel average"), ("maximum", "pixel max")):
        row = next(r for r in MEASURED_PEERS if r.pair_set == "MRI-CT" and r.method == theirs)
        for metric, value in row.values.items():
            digits = 2 if value >= 10 else 3
            assert round(summ[ours, metric], digits) == pytest.approx(value, abs=1e-9), metric
    md = (out / "summary.md").read_text()
    assert "CDDFuse* (Zhao et al., CDDFuse, CVPR 2023, Table 5) | 4.880" in md


def test_running_scheduler_by_address(tmp_path: Path) -> None:
    """``--scheduler tcp://HOST:PORT``: a cluster started elsewhere (here: in this process)."""
    from distributed import LocalCluster

    pairs = make_pair_folder(tmp_path / "pairs", n2d=2, nvol=1)
    here, remote = tmp_path / "here", tmp_path / "remote"
    run_bench([pairs], ["maximum"], out=here, progress=False)
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        protocol="tcp://",
        dashboard_address=None,
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        run_bench(
            [pairs], ["maximum"], out=remote, scheduler=cluster.scheduler_address, progress=False
        )
    for name in ("pairs.csv", "summary.csv"):
        assert (remote / name).read_bytes() == (here / name).read_bytes()
    with pytest.raises(InputError, match="expected 'local' or tcp://HOST:PORT"):
        run_bench([pairs], ["maximum"], out=remote, scheduler="localhost:8786")


def test_metric_that_refuses_small_images_is_nan_with_reason(tmp_path: Path) -> None:
    root = tmp_path / "small"
    rng = np.random.default_rng(7)
    from PIL import Image as PILImage

    for sub in ("MRI", "CT"):
        (root / sub).mkdir(parents=True)
        for n in (1, 2):
            PILImage.fromarray(rng.integers(0, 256, (32, 30), dtype=np.uint8)).save(
                root / sub / f"{n}.png"
            )
    out = tmp_path / "out"
    run_bench([root], ["average"], out=out, profile="cddfuse", progress=False)
    rows = _rows(out / "pairs.csv")
    assert [r["VIF"] for r in rows] == ["nan", "nan"]
    assert all(float(r["EN"]) > 0 and float(r["SSIM"]) > 0 for r in rows)
    assert "VIF could not be computed 2 time(s) (NaN), e.g. average on 1.png: image (32, 30)" in (
        (out / "index.html").read_text()
    )
