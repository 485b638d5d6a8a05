"""The save/return rule of every figure: a Figure is returned; ``output_file`` also writes it,
as the figures were written before the functions returned them; never over an input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image as PILImage

from brainfuse.errors import InputError
from brainfuse.viz import checkerboard_figure, difference_figure, overlay_figure
from brainfuse.viz.overlay import checkerboard, difference, diverging_colormap
from brainfuse.viz.render import add_colorbar, row_figure, save_figure, show_image

RNG = np.random.default_rng(5)
A = RNG.uniform(0, 255, (24, 20)).astype(np.float32)
B = np.zeros((24, 20), np.float32)
B[6:14, 4:12] = 220.0


def _checkerboard_as_before(a, b, path, tiles):
    """The drawing of checkerboard_figure when it took a path and returned it (frozen copy)."""
    fig, axes, _ = row_figure(3, bar=False)
    show_image(axes[0], a, title="A", vmin=0, vmax=255)
    show_image(axes[1], b, title="B", vmin=0, vmax=255)
    board = checkerboard(a, b, tiles=tiles)
    show_image(axes[2], board, title=f"checkerboard, {tiles} tiles", vmin=0, vmax=255)
    return save_figure(fig, path)


def _difference_as_before(a, b, path):
    """The drawing of difference_figure when it took a path and returned it (frozen copy)."""
    d = difference(a, b)
    lim = float(np.abs(d).max()) or 1.0
    fig, axes, bar_rect = row_figure(3)
    show_image(axes[0], a, title="A", vmin=0, vmax=255)
    show_image(axes[1], b, title="B", vmin=0, vmax=255)
    shown = show_image(
        axes[2],
        d,
        title=f"A − B (mean |Δ| {float(np.abs(d).mean()):.2f})",
        cmap=diverging_colormap(),
        vmin=-lim,
        vmax=lim,
    )
    add_colorbar(fig, shown, bar_rect, "difference (grey levels)")
    return save_figure(fig, path)


def test_figures_are_returned_and_written_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig = checkerboard_figure(A, B, tiles=5)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert list(tmp_path.iterdir()) == []  # nothing written without output_file
    out = tmp_path / "c.png"
    again = checkerboard_figure(A, B, tiles=5, output_file=out)
    assert isinstance(again, Figure)
    save_figure(again, tmp_path / "returned.png")  # the returned figure is the one written
    assert out.read_bytes() == (tmp_path / "returned.png").read_bytes()
    with PILImage.open(out) as im:
        assert im.size == (900, 332) and im.mode == "RGB" and "Software" not in im.info


def test_output_file_writes_the_same_bytes_as_the_path_taking_functions(tmp_path):
    checkerboard_figure(A, B, tiles=5, output_file=tmp_path / "new_c.png")
    _checkerboard_as_before(A, B, tmp_path / "old_c.png", 5)
    assert (tmp_path / "new_c.png").read_bytes() == (tmp_path / "old_c.png").read_bytes()
    difference_figure(A, B, output_file=tmp_path / "new_d.png")
    _difference_as_before(A, B, tmp_path / "old_d.png")
    assert (tmp_path / "new_d.png").read_bytes() == (tmp_path / "old_d.png").read_bytes()
    # and a different figure gives different bytes (the comparison can fail)
    checkerboard_figure(A, B, tiles=4, output_file=tmp_path / "other.png")
    assert (tmp_path / "other.png").read_bytes() != (tmp_path / "old_c.png").read_bytes()


def test_an_output_equal_to_an_input_is_refused_before_any_work(tmp_path):
    a_path, b_path = tmp_path / "mri.png", tmp_path / "pet.png"
    PILImage.fromarray(A.astype(np.uint8)).save(a_path)
    PILImage.fromarray(B.astype(np.uint8)).save(b_path)
    before = b_path.read_bytes()
    with pytest.raises(InputError, match="input") as info:
        overlay_figure(a_path, b_path, output_file=b_path)  # an image given as a path
    assert str(b_path) in str(info.value)
    with pytest.raises(InputError, match="input"):
        checkerboard_figure(A, B, inputs=[b_path], output_file=b_path)  # named in inputs
    assert b_path.read_bytes() == before
    with pytest.raises(InputError, match=r"use \.png"):
        difference_figure(a_path, b_path, output_file=tmp_path / "d.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mri.png", "pet.png"]
