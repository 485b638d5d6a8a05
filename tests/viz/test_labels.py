"""Segmentation label overlays (brainfuse.viz.labels): the blend, outlines, the colour table,
grids, the figure and `brainfuse viz labels` with every kind of bad input."""

from __future__ import annotations

import subprocess
import sys
from itertools import combinations
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
from PIL import Image as PILImage
from scipy import ndimage

from brainfuse.errors import InputError
from brainfuse.viz.labels import (
    BRATS,
    BRATS_REGIONS,
    check_label_codes,
    label_rgba,
    labels_figure,
    load_label_volumes,
    overlay_labels,
)

SHAPE = (24, 28, 20)
#: An LAS affine (x flipped, as many scanners write), 2 mm voxels, off the origin.
AFFINE = np.array([[-2.0, 0, 0, 30], [0, 2.0, 0, -20], [0, 0, 2.0, -10], [0, 0, 0, 1]])
COLOUR = {c.code: np.array(c.colour, float) for c in BRATS}


def _ball(centre, radius, shape=SHAPE) -> np.ndarray:
    grid = np.indices(shape).astype(float)
    return sum((g - c) ** 2 for g, c in zip(grid, centre, strict=True)) <= radius**2


def _case() -> tuple[np.ndarray, np.ndarray]:
    """A head (ellipsoid, smooth intensities) and nested spheres: edema, ET shell, core."""
    rng = np.random.default_rng(0)
    head = _ball((12, 14, 10), 11)
    anat = np.where(head, 300.0 + 50 * rng.random(SHAPE), 0.0).astype(np.float32)
    labels = np.zeros(SHAPE, np.uint8)
    labels[_ball((9, 15, 11), 6)] = 2
    labels[_ball((9, 15, 11), 4)] = 4
    labels[_ball((9, 15, 11), 2)] = 1
    return anat, labels


def _write(folder: Path, name: str, data: np.ndarray, affine=AFFINE) -> Path:
    path = folder / name
    nib.save(nib.Nifti1Image(data, affine), path)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("labels")
    anat, labels = _case()
    _write(d, "t1c.nii.gz", anat)
    _write(d, "seg.nii.gz", labels)
    truth = np.roll(labels, 2, axis=1)  # the prediction shifted by 2 voxels (4 mm)
    _write(d, "truth.nii.gz", truth)
    _write(d, "small.nii.gz", labels[:-1])
    moved = AFFINE.copy()
    moved[0, 3] += 2.0
    _write(d, "shifted.nii.gz", labels, moved)
    codes = labels.copy()
    codes[codes == 4] = 3
    codes[0, 0, 0] = 7
    _write(d, "codes.nii.gz", codes)
    frac = labels.astype(np.float32)
    frac[5, 5, 5] = 1.5
    _write(d, "frac.nii.gz", frac)
    nan = labels.astype(np.float32)
    nan[5, 5, 5] = np.nan
    _write(d, "nan.nii.gz", nan)
    PILImage.fromarray(labels[:, :, 10]).save(d / "flat.png")
    (d / "corrupt.nii.gz").write_bytes(b"\x1f\x8b not really gzip")
    return d


# ----------------------------------------------------------------------------- the blend


def test_labelled_pixels_are_the_table_blend_and_the_rest_keeps_its_grey():
    rng = np.random.default_rng(1)
    anat = rng.uniform(0, 1000, (30, 40))
    lab = np.zeros((30, 40), np.uint8)
    lab[5:12, 5:15], lab[15:25, 20:30], lab[2:4, 30:38] = 1, 2, 4
    window = (100.0, 900.0)
    for alpha in (0.0, 0.4, 1.0):
        rgb = overlay_labels(anat, lab, alpha=alpha, window=window)
        assert rgb.dtype == np.uint8 and rgb.shape == (30, 40, 3)
        grey = np.clip((anat - 100.0) * 255.0 / 800.0, 0, 255)
        for code, colour in COLOUR.items():
            m = lab == code
            want = np.rint((1 - alpha) * grey[m][:, None] + alpha * colour)
            assert np.array_equal(rgb[m], want.astype(np.uint8)), (code, alpha)
        m = lab == 0
        assert np.array_equal(rgb[m], np.repeat(np.rint(grey[m])[:, None], 3, axis=1))


def test_default_window_is_the_slice_range_and_alpha_is_checked():
    anat = np.array([[0.0, 50.0], [100.0, 200.0]])
    lab = np.array([[0, 0], [0, 2]], np.uint8)
    rgb = overlay_labels(anat, lab, alpha=0.5)
    assert rgb[..., 0].tolist() == [[0, 64], [128, 128]]  # (255 + 0) / 2 on ED's red
    assert rgb[1, 1].tolist() == [128, 206, 185]
    with pytest.raises(InputError, match=r"'alpha' of view 'labels' must lie in \[0, 1\]"):
        overlay_labels(anat, lab, alpha=1.5)
    with pytest.raises(InputError, match="differs from the anatomy"):
        overlay_labels(anat, lab[:1])


def test_outline_marks_only_the_boundaries_in_their_own_colours():
    lab = np.zeros((40, 40), np.uint8)
    lab[_ball((20, 20), 12, (40, 40))] = 2
    lab[_ball((20, 20), 6, (40, 40))] = 4
    anat = np.full((40, 40), 80.0)
    anat[0, 0], anat[-1, -1] = 0.0, 160.0
    rgb = overlay_labels(anat, lab, alpha=0.3, outline=True)
    layer = label_rgba(lab, outline=True)
    # the boundary pixels: labelled pixels with a 4-neighbour of another code
    edge = np.zeros(lab.shape, bool)
    for code in (2, 4):
        region = lab == code
        edge |= region & ~ndimage.binary_erosion(region, border_value=1)
    assert np.array_equal(layer[..., 3] > 0, edge)
    assert 0 < edge.sum() < 0.5 * (lab > 0).sum()
    for code in (2, 4):
        on = edge & (lab == code)
        assert np.all(rgb[on] == COLOUR[code])  # outlines are opaque
    inner = ~edge
    inner[0, 0] = inner[-1, -1] = False  # the window's two ends
    assert np.all(rgb[inner] == 128)  # inside and outside: the grey (80 of 0..160)


def test_codes_outside_the_table_nan_and_fractions_are_refused_by_name():
    assert check_label_codes(np.array([[0, 4], [2, 1]], np.int16)).dtype == np.uint8
    with pytest.raises(
        InputError, match=r"^s\.nii: label map holds codes other than 0, 1, 2, 4: 3, 5$"
    ):
        check_label_codes(np.array([0, 3, 5, 1]), "s.nii")
    with pytest.raises(InputError, match="NaN"):
        check_label_codes(np.array([0.0, np.nan]))
    with pytest.raises(InputError, match="fractional"):
        check_label_codes(np.array([0.0, 1.5]))
    table = {1: (255, 255, 255), 7: (0, 0, 255)}
    assert label_rgba(np.array([[7, 1]]), colours=table)[0, 0].tolist() == [0, 0, 255, 255]
    with pytest.raises(InputError, match="distinct label codes"):
        label_rgba(np.zeros((2, 2)), colours={0: (1, 2, 3)})


# ----------------------------------------------------------------------------- the table


def test_the_table_agrees_with_the_segmentation_package():
    from brainfuse.segmentation import labels

    assert [c.code for c in BRATS] == [labels.NCR, labels.ED, labels.ET]
    assert [0, *(c.code for c in BRATS)] == list(labels.LABELS)
    assert BRATS_REGIONS == {k: tuple(v) for k, v in labels.REGIONS.items()}
    assert len({c.colour for c in BRATS}) == 3


#: Machado, Oliveira & Fernandes 2009 (IEEE TVCG 15:1291), severity 1, on linear RGB.
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}  # fmt: skip


def _worst_difference(colours) -> float:
    """The smallest CIEDE2000 difference between two of ``colours`` under any simulated
    colour-vision deficiency."""
    from skimage.color import deltaE_ciede2000, rgb2lab

    def simulate(rgb, m):
        c = np.asarray(rgb, float) / 255
        lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        out = np.clip(lin @ np.asarray(m).T, 0, 1)
        return np.where(out <= 0.0031308, 12.92 * out, 1.055 * out ** (1 / 2.4) - 0.055)

    worst = np.inf
    for m in MACHADO.values():
        lab = [rgb2lab(simulate(c, m)[None, None]) for c in colours]
        for a, b in combinations(lab, 2):
            worst = min(worst, float(deltaE_ciede2000(a, b)[0, 0]))
    return worst


def test_the_colours_stay_apart_for_colour_blind_readers():
    # ours: 18.2 at worst (protanopia, core against edema); the usual BraTS red, green,
    # yellow: 4.1 (protanopia, core against enhancing tumour)
    assert _worst_difference([c.colour for c in BRATS]) > 15
    assert _worst_difference([(255, 0, 0), (0, 255, 0), (255, 255, 0)]) < 5


# ----------------------------------------------------------------------------- volumes


def test_grids_are_checked_and_slices_go_through_the_tumour(files):
    vols = load_label_volumes(files / "t1c.nii.gz", files / "seg.nii.gz", files / "truth.nii.gz")
    # LAS on disk: RAS+ flips x, so the ball centred at file voxel i = 9 sits at 23 - 9 = 14
    assert vols.centre() == (14, 15, 11)
    assert vols.anatomy.spacing == (2.0, 2.0, 2.0) and vols.voxel_ml == 0.008
    axial, coronal, sagittal = vols.planes()
    assert (axial.index, coronal.index, sagittal.index) == (11, 15, 14)
    assert axial.caption == "axial z = 12 mm"  # -10 + 2 * 11
    assert sagittal.caption == "sagittal x = 12 mm"  # file voxel 9: 30 - 2 * 9
    assert axial.labels.shape == (28, 24) and axial.labels.dtype == np.uint8
    ml = vols.region_ml()
    ball4, ball2 = _ball((9, 15, 11), 4).sum(), _ball((9, 15, 11), 2).sum()
    assert ml["TC"] == pytest.approx(ball4 * 0.008)
    assert ml["ET"] == pytest.approx((ball4 - ball2) * 0.008)  # the shell
    assert ml["WT"] > ml["TC"] > ml["ET"] > 0
    dice = vols.dice()
    same = load_label_volumes(files / "t1c.nii.gz", files / "seg.nii.gz", files / "seg.nii.gz")
    assert same.dice() == {"WT": 1.0, "TC": 1.0, "ET": 1.0}
    p, t = _case()[1] > 0, np.roll(_case()[1], 2, axis=1) > 0
    assert dice["WT"] == pytest.approx(2 * (p & t).sum() / (p.sum() + t.sum()))
    assert vols.planes({"axial": 3, "sagittal": -1})[0].index == 3
    with pytest.raises(InputError, match=r"axial slice 99 is outside 0\.\.19"):
        vols.planes({"axial": 99})
    for name, needle in [
        ("small.nii.gz", r"small\.nii\.gz: grid \(23, 28, 20\) differs from the anatomy's"),
        ("shifted.nii.gz", r"shifted\.nii\.gz: header \(affine\) differs"),
    ]:
        with pytest.raises(InputError, match=needle):
            load_label_volumes(files / "t1c.nii.gz", files / name)
        with pytest.raises(InputError, match=needle):
            load_label_volumes(files / "t1c.nii.gz", files / "seg.nii.gz", files / name)


def test_figure_panels_legend_and_colours(files, tmp_path):
    out = tmp_path / "fig.png"
    fig = labels_figure(
        files / "t1c.nii.gz", files / "seg.nii.gz", files / "truth.nii.gz", output_file=out
    )
    assert len(fig.axes) == 12
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles[0].startswith("anatomy: axial z = 12 mm") and titles[3].startswith("prediction")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == [
        "1 NCR/NET: necrotic and non-enhancing tumour core",
        "2 ED: peritumoral edema",
        "4 ET: enhancing tumour",
    ]
    caption = fig.texts[-1].get_text()
    assert "Dice: WT" in caption and "prediction (ml): WT" in caption
    png = np.asarray(PILImage.open(out).convert("RGB")).reshape(-1, 3)
    colours = {tuple(c) for c in np.unique(png, axis=0)}
    # the truth's outlines in the last column are opaque: the table's exact colours
    assert {tuple(c.colour) for c in BRATS} <= colours
    again = tmp_path / "again.png"
    labels_figure(
        files / "t1c.nii.gz", files / "seg.nii.gz", files / "truth.nii.gz", output_file=again
    )
    assert again.read_bytes() == out.read_bytes()  # same input, same bytes
    assert len(labels_figure(*_case()).axes) == 6  # arrays; no truth: two columns


# ----------------------------------------------------------------------------- command line


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "brainfuse", "viz", "labels", *map(str, args)],
        capture_output=True,
        text=True,
    )


def test_command_writes_the_figure(files, tmp_path):
    out = tmp_path / "o.png"
    proc = run(files / "t1c.nii.gz", files / "seg.nii.gz", "--truth", files / "truth.nii.gz",
               "--slice", "axial:8", "--outline", "-o", out)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"wrote {out}"
    with PILImage.open(out) as im:
        assert im.mode == "RGB" and im.size[0] > 800


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("missing.nii.gz", "seg.nii.gz"), "missing.nii.gz"),
        (("t1c.nii.gz", "missing.nii.gz"), "missing.nii.gz"),
        (("corrupt.nii.gz", "seg.nii.gz"), "corrupt.nii.gz"),
        (("flat.png", "seg.nii.gz"), "flat.png: is a 2D image"),
        (("t1c.nii.gz", "flat.png"), "flat.png: is a 2D image"),
        (("t1c.nii.gz", "small.nii.gz"), "small.nii.gz: grid (23, 28, 20) differs"),
        (("t1c.nii.gz", "shifted.nii.gz"), "shifted.nii.gz: header (affine) differs"),
        (("t1c.nii.gz", "seg.nii.gz", "--truth", "shifted.nii.gz"), "shifted.nii.gz: header"),
        (("t1c.nii.gz", "codes.nii.gz"), "codes other than 0, 1, 2, 4: 3, 7"),
        (("t1c.nii.gz", "frac.nii.gz"), "frac.nii.gz: label map holds fractional values"),
        (("t1c.nii.gz", "nan.nii.gz"), "nan.nii.gz: contains 1 NaN"),
        (("t1c.nii.gz", "seg.nii.gz", "--slice", "axial:99"), "--slice: axial slice 99"),
        (("t1c.nii.gz", "seg.nii.gz", "--slice", "top:3"), "--slice: expected PLANE:INDEX"),
        (("t1c.nii.gz", "seg.nii.gz", "--alpha", "2"), "--alpha: parameter 'alpha'"),
        (("t1c.nii.gz", "seg.nii.gz", "--alpha", "nan"), "--alpha"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_file(files, tmp_path, capsys, args, needle):
    from brainfuse.cli import main

    out = tmp_path / "out.png"
    given = [str(files / a) if a.endswith((".gz", ".png")) else a for a in args]
    status = main(["viz", "labels", *given, "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("brainfuse: error: "), err
    assert needle in lines[0], lines[0]
    assert not out.exists() and not list(tmp_path.iterdir())


def test_never_writes_over_an_input(files):
    before = (files / "truth.nii.gz").read_bytes()
    proc = run(files / "t1c.nii.gz", files / "seg.nii.gz", "--truth", files / "truth.nii.gz",
               "-o", files / "truth.nii.gz")  # fmt: skip
    assert proc.returncode == 2 and "refusing to overwrite an input" in proc.stderr
    assert (files / "truth.nii.gz").read_bytes() == before
