"""``brainfuse metrics``: one triple, JSON, folders with CSV and summary, input errors."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from brainfuse.cli import main


@pytest.fixture()
def triple(reference_dir: Path) -> tuple[Path, Path, Path]:
    t = reference_dir / "triples"
    return t / "MRI_CT_11_F_max.png", t / "MRI_CT_11_A.png", t / "MRI_CT_11_B.png"


def test_json_output_matches_golden(triple, reference_dir, capsys) -> None:
    assert main(["metrics", *map(str, triple), "--profile", "cddfuse", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    golden = json.loads((reference_dir / "golden-cddfuse.json").read_text())
    want = golden["triples"]["MRI_CT_11/F_max"]["values"]
    assert out["profile"] == "cddfuse"
    for name, value in want.items():
        assert out["metrics"][name] == pytest.approx(value, rel=1e-6)


def test_folders_write_csv_and_summary(triple, tmp_path, capsys) -> None:
    dirs = {}
    for role, src in zip(("F", "A", "B"), triple, strict=True):
        d = tmp_path / role
        d.mkdir()
        for name in ("x.png", "y.png"):
            shutil.copy(src, d / name)
        dirs[role] = d
    out = tmp_path / "scores.csv"
    code = main(
        [
            "metrics",
            str(dirs["F"]),
            str(dirs["A"]),
            str(dirs["B"]),
            "--metrics",
            "EN,MI",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["name"] for r in rows] == ["x.png", "y.png"]
    assert rows[0]["EN"] == rows[1]["EN"]
    summary = {r["metric"]: r for r in csv.DictReader((tmp_path / "scores-summary.csv").open())}
    assert float(summary["MI"]["std"]) == 0.0
    assert float(summary["EN"]["mean"]) == pytest.approx(float(rows[0]["EN"]))
    assert "2 pairs" in capsys.readouterr().out


def test_errors_are_one_line_exit_2(triple, tmp_path, capsys) -> None:
    f, a, _ = triple
    assert main(["metrics", str(f), str(a), str(tmp_path / "none.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "none.png" in err
    assert main(["metrics", str(f), str(a), str(a), "--metrics", "XX"]) == 2
    assert "unknown metric" in capsys.readouterr().err
    (tmp_path / "F").mkdir()
    assert main(["metrics", str(tmp_path / "F"), str(tmp_path), str(tmp_path)]) == 2
    assert "--output" in capsys.readouterr().err


# --- files named in errors, tiny images, outputs never over an input --------------------


def _png(path: Path, shape: tuple[int, int], seed: int) -> Path:
    import cv2
    import numpy as np

    x = np.random.default_rng(seed).integers(0, 256, shape).astype(np.uint8)
    assert cv2.imwrite(str(path), x)
    return path


def _pngs(d: Path, shape: tuple[int, int] = (48, 48)) -> tuple[Path, Path, Path]:
    return tuple(_png(d / f"{r}.png", shape, i) for i, r in enumerate("FAB"))


@pytest.mark.parametrize("shape", [(1, 1), (2, 2), (1, 9), (9, 1), (3, 3)])
def test_tiny_images_give_one_line_naming_the_fused_file(tmp_path, capsys, shape) -> None:
    f, a, b = _pngs(tmp_path, shape)
    for profile in ("mefb", "liu2012", "paper"):
        assert main(["metrics", str(f), str(a), str(b), "--profile", profile]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith(f"brainfuse: error: {f}: image {shape} is ")
        assert "too small" in err or "smaller than" in err


SSIM_11 = "11-pixel SSIM window"


def test_a_one_voxel_volume_gives_one_line_or_numbers(tmp_path, capsys) -> None:
    import nibabel as nib
    import numpy as np

    paths = []
    for r in "FAB":
        paths.append(str(tmp_path / f"{r}.nii.gz"))
        nib.save(nib.Nifti1Image(np.full((1, 1, 1), 7.0, np.float32), np.eye(4)), paths[-1])
    assert main(["metrics", *paths, "--profile", "paper"]) == 2
    err = capsys.readouterr().err
    assert err == f"brainfuse: error: {paths[0]}: image (1, 1, 1) is smaller than the {SSIM_11}\n"
    assert main(["metrics", *paths, "--profile", "mefb", "--json"]) == 0
    values = json.loads(capsys.readouterr().out)["metrics"]
    assert values["SD"] == 0.0 and values["EN"] == 0.0


def test_errors_from_files_name_the_file_not_the_role(tmp_path, capsys) -> None:
    from brainfuse.errors import InputError
    from brainfuse.metrics.batch import evaluate_files

    f, a, _ = _pngs(tmp_path)
    b = _png(tmp_path / "small.png", (40, 48), 9)
    assert main(["metrics", str(f), str(a), str(b), "--metrics", "EN"]) == 2
    err = capsys.readouterr().err
    assert err == f"brainfuse: error: {b}: shape (40, 48) differs from the fused shape (48, 48)\n"
    with pytest.raises(InputError) as info:
        evaluate_files(f, b, a, metrics="EN")
    assert info.value.source == str(b)
    with pytest.raises(InputError) as info:
        evaluate_files(f, a, a, metrics="MS_SSIM")  # 176 pixels per side
    assert info.value.source == str(f) and "176" in info.value.problem


def _folders(tmp_path: Path) -> dict[str, Path]:
    dirs = {}
    for i, role in enumerate("FAB"):
        d = tmp_path / role
        d.mkdir()
        for j, name in enumerate(("11.png", "12.png")):
            _png(d / name, (48, 48), 10 * i + j)
        dirs[role] = d
    return dirs


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_no_output_over_an_input_file_or_folder(tmp_path, capsys) -> None:
    d = _folders(tmp_path)
    (tmp_path / "link.csv").symlink_to(d["A"] / "11.png")
    os.link(d["B"] / "12.png", tmp_path / "hard.csv")
    before = _snapshot(tmp_path)
    folders = [str(d[r]) for r in "FAB"]
    for output in (
        d["A"] / "11.png",
        d["F"] / "12.png",
        d["A"] / ".." / "B" / "11.png",
        d["A"],
        tmp_path / "link.csv",
        tmp_path / "hard.csv",
    ):
        assert main(["metrics", *folders, "--metrics", "EN", "-o", str(output)]) == 2, output
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"brainfuse: error: {output}: "), err
    assert _snapshot(tmp_path) == before


def test_no_summary_over_an_input_file(tmp_path, capsys) -> None:
    d = _folders(tmp_path)
    for role in "FAB":
        (d[role] / "11.png").rename(d[role] / "s-summary.png")
    before = _snapshot(tmp_path)
    output = d["A"] / "s.png"  # its summary sibling is A/s-summary.png, an input
    assert main(["metrics", *(str(d[r]) for r in "FAB"), "-o", str(output)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"brainfuse: error: {d['A'] / 's-summary.png'}: output path is an input file; "
        "refusing to overwrite an input\n"
    )
    assert _snapshot(tmp_path) == before


def test_one_triple_with_output_writes_one_row_never_an_input(tmp_path, capsys) -> None:
    f, a, b = _pngs(tmp_path)
    (tmp_path / "link.png").symlink_to(a)
    before = _snapshot(tmp_path)
    for output in (a, f, tmp_path / "link.png", tmp_path):
        assert main(["metrics", str(f), str(a), str(b), "--metrics", "EN", "-o", str(output)]) == 2
        assert capsys.readouterr().err.startswith(f"brainfuse: error: {output}: ")
    assert _snapshot(tmp_path) == before
    out = tmp_path / "one.csv"
    assert main(["metrics", str(f), str(a), str(b), "--metrics", "EN,SD", "-o", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [r["name"] for r in rows] == ["F.png"]
    summary = {r["metric"]: r for r in csv.DictReader((tmp_path / "one-summary.csv").open())}
    assert summary["SD"]["mean"] == rows[0]["SD"] and summary["SD"]["n"] == "1"
