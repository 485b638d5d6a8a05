"""``brainfuse quality``: train, score and evaluate through the command line; bad input is one
line on stderr, exit status 2, no traceback and no file written; training is repeatable bit for
bit and a resumed run ends with the weights of an uninterrupted one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")

from brainfuse.cli import main

TINY = ["--steps", "4", "--batch-size", "2", "--width", "4"]


def run(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brainfuse: error:"), result.stderr
    assert "Traceback" not in result.stderr
    for f in fragments:
        assert f in lines[0]


@pytest.fixture
def trained(small_db: Path, tmp_path: Path) -> Path:
    out = tmp_path / "w.pt"
    assert main(["quality", "train", "--db", str(small_db), "--out", str(out), *TINY]) == 0
    return out


def test_train_writes_weights_manifest_and_curves(trained: Path, small_db: Path):
    manifest = json.loads(trained.with_suffix(".json").read_text())
    assert manifest["model"] == "tang-cgan"
    assert manifest["steps_done"] == 4
    assert manifest["data"]["images"] == {"test": 5, "train": 10, "val": 5}
    assert manifest["params"] == {"width": 4, "attention": True, "alpha": 100.0, "beta": 20.0}
    assert len(manifest["start_weights_sha256"]) == 64
    assert len(manifest["validation"]) == 1
    assert trained.with_name("w.loss.png").is_file()
    assert trained.with_name("w.pt.ckpt").is_file()


def test_score_prints_a_level_and_json(trained: Path, small_db: Path, capsys):
    folder = small_db.parent
    args = ["quality", "score", folder / "p3_f2.png", folder / "p3_a.png", folder / "p3_b.png"]
    assert main([*map(str, args), "--weights", str(trained), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["mos"] in (0.2, 0.4, 0.6, 0.8, 1.0)
    assert out["level"] == round(5 * out["mos"])
    assert sorted(out["similarities"]) == ["0.2", "0.4", "0.6", "0.8", "1.0"]
    best = max(out["similarities"].values())
    assert out["similarities"][f"{out['mos']:.1f}"] == best


def test_evaluate_prints_the_table(trained: Path, small_db: Path, capsys):
    args = ["quality", "evaluate", "--db", str(small_db), "--weights", str(trained), "--json"]
    assert main(args) == 0
    table = json.loads(capsys.readouterr().out)
    assert set(table) == {
        "Q_MI",
        "Q_NCIE",
        "Q_G",
        "Q_rSFe",
        "Q_Y",
        "Q_EP",
        "Q_P",
        "learned (Tang et al.)",
    }
    assert all(row["n"] == 5 for row in table.values())


def test_training_is_repeatable_and_resumable(small_db: Path, tmp_path: Path, monkeypatch):
    import brainfuse.quality.training as training

    one, two, cut = tmp_path / "one.pt", tmp_path / "two.pt", tmp_path / "cut.pt"
    base = ["quality", "train", "--db", str(small_db), *TINY]
    assert main([*base, "--out", str(one)]) == 0
    assert main([*base, "--out", str(two)]) == 0
    assert one.read_bytes() == two.read_bytes()
    # interrupt at the third step: the checkpoint keeps step 2, and --resume finishes the run
    real, calls = training.generator_losses, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "generator_losses", interrupted)
    assert main([*base, "--out", str(cut)]) == 130
    assert not cut.exists() and cut.with_name("cut.pt.ckpt").is_file()
    monkeypatch.setattr(training, "generator_losses", real)
    assert main([*base, "--out", str(cut), "--resume"]) == 0
    assert cut.read_bytes() == one.read_bytes()
    # a finished run resumed with more steps ends as one run of that many steps (validating at
    # the same steps: every 2)
    every = ["--batch-size", "2", "--width", "4", "--val-every", "2"]
    four, six = [*base[:4], "--steps", "4", *every], [*base[:4], "--steps", "6", *every]
    assert main([*six, "--out", str(two)]) == 0
    assert main([*four, "--out", str(cut)]) == 0
    assert main([*six, "--out", str(cut), "--resume"]) == 0
    assert cut.read_bytes() == two.read_bytes()


def _error(capsys, *args: str | Path) -> str:
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("brainfuse: error:"), err
    return err[0]


def test_a_missing_file_is_one_line_in_a_fresh_process(small_db: Path):
    folder = small_db.parent
    result = run("quality", "score", folder / "none.png", folder / "p0_a.png", folder / "p0_b.png")
    one_line_error(result, "none.png", "no such file")


def test_bad_inputs_are_one_line_and_write_nothing(small_db: Path, tmp_path: Path, capsys):
    folder = small_db.parent
    before = sorted(p.name for p in folder.iterdir())
    a, b, f = folder / "p0_a.png", folder / "p0_b.png", folder / "p0_f1.png"
    assert "w.pt" in _error(capsys, "quality", "score", f, a, b, "--weights", tmp_path / "w.pt")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG garbage")
    assert "bad.png" in _error(capsys, "quality", "score", bad, a, b)
    small = tmp_path / "small.png"
    from PIL import Image

    Image.new("L", (64, 64)).save(small)
    assert "differs" in _error(capsys, "quality", "score", small, a, b)
    out = tmp_path / "w.pt"
    line = _error(capsys, "quality", "train", "--db", tmp_path / "no.csv", "--out", out)
    assert "no.csv" in line and "not found" in line
    # the output may not be an input, nor lie in a missing folder, nor be other than .pt
    assert ".pt" in _error(capsys, "quality", "train", "--db", small_db, "--out", small_db)
    missing = tmp_path / "missing" / "w.pt"
    assert "does not exist" in _error(
        capsys, "quality", "train", "--db", small_db, "--out", missing
    )
    line = _error(capsys, "quality", "train", "--db", small_db, "--out", out, "--steps", "0")
    assert "steps" in line
    line = _error(capsys, "quality", "train", "--db", small_db, "--out", out, "--resume")
    assert "no checkpoint" in line
    text = small_db.read_text()
    small_db.write_text(text.replace("p0_f0.png,5,", "p0_f0.png,9,", 1))
    line = _error(capsys, "quality", "train", "--db", small_db, "--out", out)
    assert "mos.csv" in line and "line 2" in line and "'9'" in line
    small_db.write_text(text)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not out.exists() and not (tmp_path / "w.json").exists()


def test_shipped_weights_score_a_harvard_pair(tmp_path: Path):
    from brainfuse.quality.assess import SHIPPED

    if not SHIPPED.is_file():
        pytest.skip("no shipped quality weights in this install")
    from brainfuse.quality import score

    folder = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "harvard-aanlib"
    mri, pet = folder / "PET-MRI" / "MRI" / "30026.png", folder / "PET-MRI" / "PET" / "30026.png"
    if not mri.is_file():
        pytest.skip("../shared/data/harvard-aanlib is absent")
    from brainfuse.io import load
    from brainfuse.quality.degrade import degrade

    a, b = load(mri).grey(), load(pet).grey()
    fused = np.maximum(a, b)
    first, again = score(fused, a, b), score(fused, a, b)
    assert first == again  # same input, same score and similarities, bit for bit
    assert first.mos in (0.2, 0.4, 0.6, 0.8, 1.0)
    assert first.similarities[f"{first.mos:.1f}"] == max(first.similarities.values())
    assert len(first.weights) == 64
    blurred = score(degrade(fused, "blur", 4), a, b)
    assert blurred.similarities != first.similarities
