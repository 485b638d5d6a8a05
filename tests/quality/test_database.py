"""The MOS database CSV loader (its one-line errors) and the controlled degradations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from skimage.metrics import structural_similarity

from brainfuse.errors import InputError
from brainfuse.quality.database import COLUMNS, load_database, to_model_grid
from brainfuse.quality.degrade import DEGRADATIONS, degrade


def test_loader_reads_images_mos_and_splits(small_db: Path):
    db = load_database(small_db)
    assert len(db) == 20
    assert db.a.shape == db.b.shape == db.fused.shape == (20, 128, 128)
    assert db.a.dtype == np.float32 and 0.0 <= db.a.min() and db.a.max() <= 1.0
    # MOS 1..5 becomes the condition scale 0.2..1.0
    assert np.allclose(db.mos[:5], [1.0, 0.8, 0.6, 0.4, 0.2])
    assert db.split.count("train") == 10 and db.split.count("test") == 5
    assert len(db.subset("val")) == 5


def _rewrite(table: Path, old: str, new: str) -> Path:
    text = table.read_text()
    assert old in text
    table.write_text(text.replace(old, new, 1))
    return table


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("seven", "line 2: MOS 'seven' is not a number from 1 to 5"),
        ("0", "line 2: MOS '0' is not a number from 1 to 5"),
        ("5.5", "line 2: MOS '5.5' is not a number from 1 to 5"),
        ("nan", "line 2: MOS 'nan' is not a number from 1 to 5"),
    ],
)
def test_bad_mos_values_name_the_csv_and_line(small_db: Path, bad: str, problem: str):
    _rewrite(small_db, "p0_f0.png,5,", f"p0_f0.png,{bad},")
    with pytest.raises(InputError) as err:
        load_database(small_db)
    assert err.value.source == str(small_db)
    assert err.value.problem == problem


def test_a_missing_image_is_named(small_db: Path):
    (small_db.parent / "p1_f3.png").unlink()
    with pytest.raises(InputError) as err:
        load_database(small_db)
    assert err.value.source == str(small_db.parent / "p1_f3.png")
    assert "listed on line 10 of mos.csv but not found" in err.value.problem


def test_a_missing_column_an_empty_cell_and_a_bad_split(small_db: Path):
    text = small_db.read_text()
    small_db.write_text(text.replace("mos,split", "score,split", 1))
    with pytest.raises(InputError, match="no column 'mos'"):
        load_database(small_db)
    small_db.write_text(text.replace("p0_f0.png,5,train", "p0_f0.png,,train", 1))
    with pytest.raises(InputError, match="line 2: no value for 'mos'"):
        load_database(small_db)
    small_db.write_text(text.replace("p0_f0.png,5,train", "p0_f0.png,5,holdout", 1))
    with pytest.raises(InputError, match="split 'holdout'"):
        load_database(small_db)


def test_missing_empty_and_corrupt_tables(tmp_path: Path):
    with pytest.raises(InputError, match="MOS database not found"):
        load_database(tmp_path / "none.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="empty"):
        load_database(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text(",".join(COLUMNS) + "\n")
    with pytest.raises(InputError, match="no fused images"):
        load_database(header_only)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        load_database(binary)


def test_a_corrupt_image_and_a_size_mismatch(small_db: Path):
    from PIL import Image

    folder = small_db.parent
    Image.fromarray(np.zeros((64, 64), np.uint8)).save(folder / "p2_f1.png")
    with pytest.raises(InputError, match="differs from its sources"):
        load_database(small_db)
    (folder / "p2_f1.png").write_bytes(b"not a png")
    with pytest.raises(InputError) as err:
        load_database(small_db)
    assert err.value.source == str(folder / "p2_f1.png")


def test_model_grid_is_exact_for_256_and_resamples_others():
    x = np.arange(256 * 256, dtype=np.float64).reshape(256, 256) % 255
    g = to_model_grid(x)
    assert g.shape == (128, 128)
    assert g[0, 0] == pytest.approx((x[0, 0] + x[0, 1] + x[1, 0] + x[1, 1]) / 4 / 255)
    assert to_model_grid(np.full((90, 100), 102.0)).shape == (128, 128)


@pytest.mark.parametrize("kind", DEGRADATIONS)
def test_each_degradation_gets_worse_with_its_level(kind: str):
    yy, xx = np.mgrid[0:96, 0:96]
    img = (127 + 100 * np.sin(xx / 5.0) * np.cos(yy / 7.0)).astype(np.float32)
    assert np.array_equal(degrade(img, kind, 0), img)
    ssim = [structural_similarity(img, degrade(img, kind, k), data_range=255) for k in range(5)]
    assert ssim[0] == 1.0
    assert ssim[4] < ssim[1] < 1.0
    assert np.array_equal(degrade(img, kind, 3, seed=5), degrade(img, kind, 3, seed=5))


def test_unknown_degradations_and_levels_are_refused():
    img = np.zeros((16, 16), np.float32)
    with pytest.raises(InputError, match="unknown degradation"):
        degrade(img, "rain", 1)
    with pytest.raises(InputError, match=r"0\.\.4"):
        degrade(img, "blur", 5)


def test_proxy_levels_are_quintiles_of_the_training_scores():
    from brainfuse.quality.proxy import mos_levels

    reference = np.linspace(0.0, 1.0, 101)
    levels = mos_levels(reference, reference)
    assert np.bincount(levels)[1:].tolist() == [20, 20, 20, 20, 21]
    assert mos_levels(np.array([-1.0, 2.0]), reference).tolist() == [1, 5]
