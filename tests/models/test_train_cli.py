"""``brainfuse train`` on bad input: exit status 2, one line on stderr naming the file or option
and the problem, no traceback, and no file written (no weights, checkpoint, manifest or curve).
Also: the same seed gives the same bytes in every file, and the start model is recorded by hash.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from brainfuse.cli import main
from brainfuse.models.pretrained import WEIGHTS_DIR
from brainfuse.models.train import sha256_file

#: A run that takes a second: FunFuseAn of width 4, two steps of two 32x32 patches.
TINY = ["--steps", "2", "--batch-size", "2", "--patch", "32", "--threads", "1", "--quiet"]


def _argv(data: Path, out: Path, *extra: str, model: str = "funfusean") -> list[str]:
    width = ["-p", "width=4"] if model == "funfusean" else []
    return ["train", model, "--data", str(data), "--out", str(out), *TINY, *width, *extra]


def _snapshot(*folders: Path) -> dict[Path, bytes | None]:
    """Every path under ``folders`` with the bytes of the files (symbolic links not followed)."""
    found: dict[Path, bytes | None] = {}
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                found[path] = (
                    path.read_bytes() if path.is_file() and not path.is_symlink() else None
                )
    return found


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str], *watch: Path) -> str:
    """Run ``brainfuse`` with ``argv``; check exit 2, one stderr line and no file changed in
    ``watch``; return that line without the ``brainfuse: error:`` prefix."""
    before = _snapshot(*watch)
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("brainfuse: error: ") and "Traceback" not in captured.err
    assert "wrote" not in captured.out
    assert _snapshot(*watch) == before
    return lines[0].removeprefix("brainfuse: error: ")


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--steps", "-5"], "--steps: must be a whole number ≥ 1, got -5"),
        (["--steps", "0"], "--steps: must be a whole number ≥ 1, got 0"),
        (["--steps", "ten"], "--steps: must be a whole number, got 'ten'"),
        (["--batch-size", "0"], "--batch-size: must be a whole number ≥ 1, got 0"),
        (["--batch-size", "-4"], "--batch-size: must be a whole number ≥ 1, got -4"),
        (["--batch-size", "5000"], "--batch-size: 5000 patches of 32x32 are 5120000 pixels"),
        (["--patch", "8"], "--patch: must be a whole number ≥ 11, got 8"),
        (["--lr", "0"], "--lr: must be a positive finite number, got 0.0"),
        (["--lr", "-1e-3"], "--lr: must be a positive finite number, got -0.001"),
        (["--lr", "nan"], "--lr: must be a positive finite number, got nan"),
        (["--lr", "inf"], "--lr: must be a positive finite number, got inf"),
        (["--lr", "fast"], "--lr: must be a number, got 'fast'"),
        (["--seed", "-1"], "--seed: must be a whole number from 0 to"),
        (["--threads", "0"], "--threads: must be a whole number ≥ 1, got 0"),
        (["--max-minutes", "-1"], "--max-minutes: must be a non-negative finite number"),
        (["--max-minutes", "nan"], "--max-minutes: must be a non-negative finite number"),
        (["-p", "width"], "-p: expected key=value, got 'width'"),
        (["-p", "depth=3"], "unknown parameter 'depth' for model 'funfusean'; valid: width, lam"),
        (["-p", "width=wide"], "parameter 'width' of model 'funfusean' must be int, got 'wide'"),
        (["-p", "width=0"], "parameter 'width' of model 'funfusean' must be ≥ 1, got 0"),
        (["-p", "lam=nan"], "parameter 'lam' of model 'funfusean' must be a finite number, got"),
        (["-p", "lam=1.5"], "parameter 'lam' of model 'funfusean' must lie in [0, 1], got 1.5"),
        (["--pairsets", "MRI-XYZ"], "unknown pair set 'MRI-XYZ'"),
        (["--split", "benchmark-overlap"], "overlaps the CDDFuse test set"),
        (["--val-split", "benchmark-overlap"], "overlaps the CDDFuse test set"),
        (["--split", "test"], "no pairs of split 'test'"),
    ],
)
def test_bad_options_are_refused_before_any_file(mini_aanlib, out_dir, capsys, extra, problem):
    line = _refused(_argv(mini_aanlib, out_dir / "w.pt", *extra), capsys, out_dir, mini_aanlib)
    assert problem in line


def test_parameters_that_build_no_network_are_refused(mini_aanlib, out_dir, capsys):
    extra = ["--pairsets", "PET-MRI", "-p", "width=5", "-p", "heads=2"]
    line = _refused(_argv(mini_aanlib, out_dir / "w.pt", *extra, model="mfinet"), capsys, out_dir)
    assert line.startswith("mfinet: no network with parameters width=5, sfe_blocks=1, heads=2")
    assert line.endswith("(channels (5) must be a multiple of heads (2))")
    extra = ["--pairsets", "PET-MRI", "-p", "lambda_ssim=-1"]
    line = _refused(_argv(mini_aanlib, out_dir / "w.pt", *extra, model="drbif"), capsys, out_dir)
    assert line == "parameter 'lambda_ssim' of model 'drbif' must be ≥ 0, got -1.0"


def test_patch_larger_than_the_images_names_an_image(mini_aanlib, out_dir, capsys):
    line = _refused(_argv(mini_aanlib, out_dir / "w.pt", "--patch", "300"), capsys, out_dir)
    assert line.endswith(".png: image is smaller than the 300x300 patch size")


def test_missing_model_data_or_out_are_one_line(mini_aanlib, out_dir, capsys):
    out = str(out_dir / "w.pt")
    line = _refused(["train", "--data", str(mini_aanlib), "--out", out], capsys, out_dir)
    assert line == "MODEL: missing; trainable: drbif, funfusean, mdafuse, mfinet"
    line = _refused(["train", "nope", "--data", str(mini_aanlib), "--out", out], capsys, out_dir)
    assert line.startswith("unknown model 'nope'; trainable: drbif")
    assert _refused(["train", "funfusean", "--out", out], capsys, out_dir).startswith("--data: ")
    line = _refused(["train", "funfusean", "--data", str(mini_aanlib)], capsys, out_dir)
    assert line.startswith("--out: missing")


def _data_with_table(mini_aanlib: Path, root: Path, table: bytes) -> Path:
    """The pairs of ``mini_aanlib`` (linked) under ``root`` with ``table`` as split.csv."""
    root.mkdir()
    for pairset in mini_aanlib.iterdir():
        if pairset.is_dir():
            (root / pairset.name).symlink_to(pairset)
    (root / "split.csv").write_bytes(table)
    return root


def _table_without_split_column(mini_aanlib: Path) -> bytes:
    with open(mini_aanlib / "split.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["pairset", "file", "case", "slice"])
    writer.writeheader()
    writer.writerows({k: r[k] for k in writer.fieldnames} for r in rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (None, "split.csv: no column 'split' in the header pairset,file,case,slice"),
        (b"\xff\xfe\x00garbage\x81\x9c,\n", "split.csv: not UTF-8 text (byte 0)"),
        (b"", "split.csv: empty; expected the header pairset,file,split"),
        (b"pairset,file,split\nPET-MRI,,train\n", "split.csv: line 2: no value for 'file'"),
        (
            b"pairset,file,case,slice,split\nPET-MRI,nope.png,x,1,train\n",
            "PET-MRI/MRI/nope.png: listed in split.csv but not found",
        ),
    ],
)
def test_bad_split_tables_are_refused(mini_aanlib, tmp_path, out_dir, capsys, table, problem):
    if table is None:
        table = _table_without_split_column(mini_aanlib)
    data = _data_with_table(mini_aanlib, tmp_path / "data", table)
    line = _refused(_argv(data, out_dir / "w.pt"), capsys, out_dir, data)
    assert line.startswith(str(data)) and line.endswith(problem)


def test_bad_data_folders_are_refused(tmp_path, out_dir, capsys):
    missing, empty, a_file = tmp_path / "missing", tmp_path / "empty", tmp_path / "pairs.csv"
    empty.mkdir()
    a_file.write_text("pairset,file,split\n")
    out = out_dir / "w.pt"
    assert _refused(_argv(missing, out), capsys, out_dir) == f"{missing}: data folder not found"
    line = _refused(_argv(a_file, out), capsys, out_dir, a_file)
    assert line == f"{a_file}: not a folder (give the folder that holds split.csv)"
    line = _refused(_argv(empty, out), capsys, out_dir, empty)
    assert line.startswith(f"{empty / 'split.csv'}: split table not found")


def _start_model(folder: Path) -> Path:
    """A copy of the shipped MdAFuse weights (with manifest) to start from."""
    folder.mkdir(exist_ok=True)
    for suffix in (".pt", ".json"):
        shutil.copy(WEIGHTS_DIR / f"mdafuse{suffix}", folder / f"start{suffix}")
    return folder / "start.pt"


def test_out_equal_to_an_input_is_refused_and_the_input_kept(mini_aanlib, tmp_path, capsys):
    start = _start_model(tmp_path / "start")
    for out in (start, tmp_path / "start" / "sub" / ".." / "start.pt"):
        argv = _argv(mini_aanlib, out, "-p", f"init={start}", model="mdafuse")
        line = _refused(argv, capsys, start.parent, mini_aanlib)
        assert line == f"{out}: output path is an input file; refusing to overwrite an input"
    image = next((mini_aanlib / "PET-MRI" / "MRI").iterdir())
    line = _refused(_argv(mini_aanlib, image), capsys, mini_aanlib)
    assert line == f"{image}: weights file name must end in .pt"


def test_bad_out_paths_are_refused(mini_aanlib, tmp_path, out_dir, capsys):
    plain = tmp_path / "notes.txt"
    plain.write_text("a file, not a folder")
    (out_dir / "w.json").mkdir()
    (out_dir / "folder.pt").mkdir()
    cases = {
        tmp_path / "nowhere" / "w.pt": "output folder {parent} does not exist",
        plain / "w.pt": "{parent} is a file, not a folder",
        out_dir / "folder.pt": "output path is a folder; give a file name",
    }
    for out, problem in cases.items():
        line = _refused(_argv(mini_aanlib, out), capsys, tmp_path)
        assert line == f"{out}: " + problem.format(parent=out.parent)
    # the manifest's path is taken by a folder: refused before training, not after it
    line = _refused(_argv(mini_aanlib, out_dir / "w.pt"), capsys, tmp_path)
    assert line == f"{out_dir / 'w.json'}: output path is a folder; give a file name"


def test_bad_start_models_are_refused_before_any_file(mini_aanlib, tmp_path, out_dir, capsys):
    out = out_dir / "w.pt"
    missing = tmp_path / "missing.pt"
    line = _refused(
        _argv(mini_aanlib, out, "-p", f"init={missing}", model="mdafuse"), capsys, out_dir
    )
    assert line == f"{missing}: file of parameter 'init' not found"
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00" * 64)
    argv = _argv(mini_aanlib, out, "-p", f"init={junk}", model="mdafuse")
    assert (
        _refused(argv, capsys, out_dir, junk) == f"{junk}: no manifest junk.json beside the weights"
    )
    start = _start_model(tmp_path / "start")
    argv = _argv(mini_aanlib, out, "-p", f"init={start}", "-p", "fine=16", model="mdafuse")
    line = _refused(argv, capsys, out_dir, start.parent)
    assert line.startswith(f"{start}: weights do not fit this network")


def test_resume_from_a_missing_or_corrupt_checkpoint(mini_aanlib, out_dir, capsys):
    out = out_dir / "w.pt"
    line = _refused(_argv(mini_aanlib, out, "--resume"), capsys, out_dir)
    assert line == f"{out}.ckpt: no checkpoint to resume from"
    ckpt = out_dir / "w.pt.ckpt"
    ckpt.write_bytes(b"\xff\xfe" + b"not a checkpoint" * 20)
    line = _refused(_argv(mini_aanlib, out, "--resume"), capsys, out_dir)
    assert line.startswith(f"{ckpt}: not a checkpoint of brainfuse train (")


def test_same_seed_same_bytes_and_the_start_model_recorded_by_hash(mini_aanlib, tmp_path, capsys):
    # a small MdAFuse to start from, copied to two places under two names
    first = tmp_path / "first" / "start.pt"
    first.parent.mkdir()
    small = ["-p", "coarse=2", "-p", "fine=4", "-p", "multi=2"]
    assert main(_argv(mini_aanlib, first, *small, "--val-split", "", model="mdafuse")) == 0
    starts = []
    for folder, name in (("x", "ct.pt"), ("y", "other-name.pt")):
        (tmp_path / folder).mkdir()
        shutil.copy(first, tmp_path / folder / name)
        shutil.copy(first.with_suffix(".json"), (tmp_path / folder / name).with_suffix(".json"))
        starts.append(tmp_path / folder / name)
    runs = []
    for i, start in enumerate(starts):
        out = tmp_path / f"run{i}" / "mda.pt"
        out.parent.mkdir()
        extra = [*small, "-p", f"init={start}", "--steps", "3", "--seed", "7"]
        assert main(_argv(mini_aanlib, out, *extra, model="mdafuse")) == 0
        runs.append({p.name: p.read_bytes() for p in sorted(out.parent.iterdir())})
    capsys.readouterr()
    assert sorted(runs[0]) == ["mda.json", "mda.loss.png", "mda.pt", "mda.pt.ckpt"]
    assert runs[0] == runs[1]
    manifest = json.loads(runs[0]["mda.json"])
    assert manifest["params"]["init"] == f"sha256:{sha256_file(first)}"
    assert str(tmp_path) not in runs[0]["mda.json"].decode()
    assert manifest["steps_done"] == 3 and manifest["config"]["seed"] == 7
    assert manifest["val_data"]["pairs"] == 2 and manifest["final_val_losses"]["step"] == 3
