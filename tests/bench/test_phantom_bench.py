"""``brainfuse bench --phantom``: the task-based ranking, the metric correlations, the report's
files repeated byte for byte, and bad options refused in one line."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from brainfuse.bench.phantom import correlate_metrics, run_phantom_bench
from brainfuse.cli import main

FILES = (
    "results.json",
    "ranking.csv",
    "ranking.md",
    "correlations.csv",
    "correlations.md",
    "ranking.png",
    "correlations.png",
    "examples.png",
    "index.html",
)


#: A small run: three methods, 10 case pairs per task, the metrics of one profile on one case.
SMALL = {"cases": 10, "seed": 3, "metric_cases": 1, "profiles": ["cddfuse"], "progress": False}
METHODS = ["average", "maximum", "laplacian"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("phantom") / "run"
    return out, run_phantom_bench(METHODS, out=out, **SMALL)


def test_rows_rank_the_sources_as_the_physics_says(report):
    _, result = report
    rows = {(r["rendering"], r["method"]): r for r in result.rows}
    assert {ren for ren, _ in rows} == {"grey", "colour"}
    pet = rows[("grey", "source:functional")]
    mri = rows[("grey", "source:anatomy")]
    avg = rows[("grey", "average")]
    # the lesion is on the PET only; averaging with the MRI dilutes its contrast
    assert pet["d_prime"] > avg["d_prime"] > mri["d_prime"]
    assert abs(mri["d_prime"]) < 0.5
    assert pet["crc"] > avg["crc"] > mri["crc"]
    # anatomy: the MRI is the noise-free anatomy plus noise, the PET shows little of it
    assert mri["ssim_anatomy"] > avg["ssim_anatomy"] > pet["ssim_anatomy"]
    assert pet["noise_amplification"] == 1.0
    assert math.isfinite(rows[("colour", "average")]["colour_rho"])
    assert "cddfuse:MI" in avg and math.isfinite(avg["cddfuse:MI"])


def test_the_report_repeats_byte_for_byte(report, tmp_path):
    out, _ = report
    again = tmp_path / "again"
    run_phantom_bench(METHODS, out=again, **SMALL)
    for name in FILES:
        assert (out / name).read_bytes() == (again / name).read_bytes(), name
    data = json.loads((out / "results.json").read_text())
    assert data["settings"]["cases"] == 10 and len(data["rows"]) == 2 * 5


def test_correlations_cover_every_metric_and_score(report):
    _, result = report
    metrics = {c["metric"] for c in result.correlations}
    assert "cddfuse:VIF" in metrics
    assert {c["score"] for c in result.correlations} == {"d_prime", "crc", "ssim_anatomy"}
    assert all(c["n"] == 6 for c in result.correlations)  # 3 methods x grey and colour


def test_correlate_metrics_against_scipy():
    from scipy import stats

    d = [0.1, 0.5, 0.2, 0.9, 0.7, 0.3]
    m = [1.0, 3.0, 2.5, 4.0, 3.5, 0.5]
    rows = [
        {"modality": "PET", "method": f"m{i}", "d_prime": x, "p:M": y}
        for i, (x, y) in enumerate(zip(d, m, strict=True))
    ]
    rows.append({"modality": "PET", "method": "source:functional", "d_prime": 9.0, "p:M": -9.0})
    (c,) = correlate_metrics(rows, ["d_prime"])
    assert c["spearman"] == pytest.approx(stats.spearmanr(m, d).statistic)
    assert c["kendall"] == pytest.approx(stats.kendalltau(m, d).statistic)
    assert c["n"] == 6  # the source row is left out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pairs", "x"], "--pairs: the phantom benchmark makes its own cases"),
        (["--cases", "3"], "--cases: the observer needs at least 8 case pairs"),
        (["--modalities", "mri"], "--modalities: unknown 'mri'"),
        (["--methods", "nope"], "nope"),
        (["--counts", "extreme"], "counts: unknown level"),
        (["--methods", "average,average"], "a method is listed twice"),
    ],
)
def test_bad_options_are_one_line_and_status_2(args, message, tmp_path, capsys):
    out = tmp_path / "out"
    status = main(["bench", "--phantom", "-o", str(out), "--cases", "8", *args])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (out / "index.html").exists()


def test_output_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "report"
    target.write_text("keep")
    status = main(["bench", "--phantom", "--methods", "average", "-o", str(target)])
    err = capsys.readouterr().err
    assert status == 2 and "exists and is not a folder" in err and err.count("\n") == 1
    assert target.read_text() == "keep"


def test_pair_bench_still_needs_pairs_and_methods(tmp_path, capsys):
    assert main(["bench", "--methods", "average", "-o", str(tmp_path / "o")]) == 2
    assert "--pairs: give at least one pair folder" in capsys.readouterr().err
    assert main(["bench", "--pairs", str(tmp_path), "-o", str(tmp_path / "o")]) == 2
    assert "--methods: give the methods to run" in capsys.readouterr().err


def test_cli_runs_the_phantom_bench(tmp_path, capsys):
    out = tmp_path / "cli"
    status = main(
        ["bench", "--phantom", "--methods", "average", "--cases", "8", "--metric-cases", "0",
         "--grey-only", "--modalities", "ct", "-o", str(out)]
    )  # fmt: skip
    assert status == 0, capsys.readouterr().err
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert [(r["modality"], r["rendering"], r["method"]) for r in rows] == [
        ("CT", "grey", "source:functional"),
        ("CT", "grey", "source:anatomy"),
        ("CT", "grey", "average"),
    ]
    assert Path(out / "index.html").is_file()
