"""Figures: panel geometry, byte-identical output, atomic writes, volumes and regions."""

from __future__ import annotations

import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage

from brainfuse.errors import InputError
from brainfuse.io import Image
from brainfuse.io.slicing import canonical
from brainfuse.viz import (
    auto_roi,
    checkerboard_figure,
    difference_figure,
    gradients_figure,
    grid_figure,
    input_gradients,
    montage_figure,
    orthogonal_figure,
    overlay_figure,
    overlay_html,
)
from brainfuse.viz.energy import enhance_figure, timeline_figure
from brainfuse.viz.grid import GridRow
from brainfuse.viz.render import DPI
from brainfuse.viz.volume import select_slices

RNG = np.random.default_rng(7)
A = RNG.uniform(0, 255, (32, 32)).astype(np.float32)
B = np.zeros((32, 32), np.float32)
B[8:16, 18:28] = 230.0


def size(path):
    with PILImage.open(path) as im:
        return im.size


def test_figures_are_byte_identical_twice_and_carry_no_software_tag(tmp_path):
    g = input_gradients(A, B, "maximum")
    fused = np.maximum(A, B)
    paths = [tmp_path / "g1.png", tmp_path / "g2.png"]
    for p in paths:
        gradients_figure(A, B, gradients=g, fused=fused, palette=None, output_file=p)
    data = [p.read_bytes() for p in paths]
    assert data[0] == data[1]
    with PILImage.open(paths[0]) as im:
        assert "Software" not in im.info and not any("date" in k.lower() for k in im.info)
    assert size(paths[0]) == (round(3 * (2.6 + 0.85) * DPI), round((3 * (2.6 + 0.34) + 0.3) * DPI))


def test_grid_geometry_rows_of_regions_and_columns_of_methods(tmp_path):
    out = tmp_path / "grid.png"
    pairs = [GridRow(A, B, "p1"), GridRow(A[::-1], B[::-1], "p2")]
    grid_figure(
        pairs,
        ["average", "maximum", "minimum"],
        rois=[(0, 0, 16, 8), (4, 4, 8, 8)],
        output_file=out,
    )
    w, h = size(out)
    cell, title, gap = 2.2, 0.3, 0.12
    per_pair = cell + title + cell * 0.5 + cell * 1.0 + 3 * gap
    assert w == round(5 * cell * DPI)
    assert h == round((2 * per_pair + 0.1) * DPI)
    with pytest.raises(InputError, match="outside"):
        grid_figure(pairs, ["average"], rois=[(20, 20, 16, 16)], output_file=tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()


def test_auto_roi_finds_where_results_differ_inside_the_functional_signal():
    base = RNG.uniform(0, 50, (64, 64))
    other = base.copy()
    other[40:56, 8:24] += 100  # the methods disagree here
    x, y, w, h = auto_roi([base, other], size=16)
    assert (w, h) == (16, 16)
    assert abs(x - 8) <= 2 and abs(y - 40) <= 2
    weight = np.zeros((64, 64))
    weight[0:20, 40:60] = 1.0
    other[2:18, 42:58] += 60  # weaker disagreement, but where the functional signal is
    x, y, _, _ = auto_roi([base, other], size=16, weight=weight)
    assert abs(x - 42) <= 2 and abs(y - 2) <= 2


def test_two_d_views_write_pngs_and_html(tmp_path):
    overlay_figure(A, B, palette="hot", output_file=tmp_path / "o.png")
    checkerboard_figure(A, B, output_file=tmp_path / "c.png")
    difference_figure(A, B, output_file=tmp_path / "d.png")
    enhance_figure(A, B, fused=np.maximum(A, B), method="maximum", output_file=tmp_path / "e.png")
    timeline_figure(
        [A, A], [B, B * 0.5], [A, A], labels=["t0", "t1"], output_file=tmp_path / "t.png"
    )
    overlay_html(A, B, tmp_path / "o.html", alpha=0.4)
    assert size(tmp_path / "o.png") == (round((3 * 3.0 + 0.9) * DPI), round(3.32 * DPI))
    assert size(tmp_path / "c.png") == (round(9.0 * DPI), round(3.32 * DPI))
    page = (tmp_path / "o.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and 'value="0.4"' in page
    with pytest.raises(InputError, match=r"use \.png"):
        overlay_figure(A, B, output_file=tmp_path / "o.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "c.png",
        "d.png",
        "e.png",
        "o.html",
        "o.png",
        "t.png",
    ]


def _volume(tmp_path, flip: bool):
    data = np.zeros((20, 24, 18), np.float32)
    data[4:16, 4:20, 3:15] = 100.0
    data[5, 6, 7] = 300.0  # a marker at voxel (5, 6, 7)
    aff = np.diag([2.0, 2.0, 2.5, 1.0])
    aff[:3, 3] = (-20, -24, -20)
    if flip:  # LAS storage: x runs right → left
        data = data[::-1]
        aff = aff @ np.array([[-1, 0, 0, 19], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]])
    path = tmp_path / f"v{int(flip)}.nii.gz"
    nib.save(nib.Nifti1Image(data, aff), path)
    return Image(data, affine=aff, spacing=(2.0, 2.0, 2.5))


def test_canonical_orientation_undoes_a_flipped_header(tmp_path):
    ras, las = canonical(_volume(tmp_path, False)), canonical(_volume(tmp_path, True))
    assert np.array_equal(ras.array, las.array)
    assert ras.voxel(ras.world((5, 6, 7))) == (5, 6, 7)
    assert ras.array[ras.voxel((-10.0, -12.0, -2.5))] == 300.0
    axial, extent = ras.view("axial", 7)
    assert axial.shape == (24, 20) and extent == (0.0, 40.0, 0.0, 48.0)
    assert axial[24 - 1 - 6, 5] == 300.0  # anterior up, patient's left on the left


def test_select_slices_stays_inside_the_head():
    vol = np.zeros((8, 8, 40), np.float32)
    vol[:, :, 10:30] = 1.0
    idx = select_slices(vol, 5)
    assert len(idx) == 5 and min(idx) > 10 and max(idx) < 29 and idx == sorted(idx)


def test_volume_views_with_overlay_and_refusal_off_grid(tmp_path):
    anat = _volume(tmp_path, False)
    func = anat.replace(array=anat.array[::-1].copy())
    orthogonal_figure(anat, func, at_mm=(-10, -12, -2.5), output_file=tmp_path / "s.png")
    montage_figure(anat, func, slices=6, columns=3, output_file=tmp_path / "m.png")
    w, h = size(tmp_path / "m.png")
    cell_h = 2.0 * 48 / 40
    assert (w, h) == (round((3 * 2.0 + 1.0) * DPI), round(2 * (cell_h + 0.26) * DPI))
    moved = func.affine.copy()
    moved[0, 3] += 10
    shifted = func.replace(affine=moved)
    with pytest.raises(InputError, match="grid"):
        montage_figure(anat, shifted, output_file=tmp_path / "bad.png")
    assert not (tmp_path / "bad.png").exists()
