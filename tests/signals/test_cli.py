"""``brainfuse eeg-fmri``: corrections written as FIF/EDF, spectra, GLM, and every bad input
(one line on stderr, exit status 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import mne
import nibabel as nib
import numpy as np
import pytest

from brainfuse.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory, session):
    """The simulated inside recording as EDF and FIF, the outside one as FIF, and variants."""
    root = tmp_path_factory.mktemp("eegfmri")
    out = {}
    out["edf"] = root / "inside.edf"
    mne.export.export_raw(out["edf"], session.inside, fmt="edf", verbose="error")
    out["fif"] = root / "inside_raw.fif"
    session.inside.save(out["fif"], verbose="error")
    out["outside"] = root / "outside_raw.fif"
    session.outside.save(out["outside"], verbose="error")
    no_ecg = session.inside.copy().drop_channels(["ECG"])
    out["no_ecg"] = root / "noecg_raw.fif"
    no_ecg.save(out["no_ecg"], verbose="error")
    no_marks = session.inside.copy().set_annotations(None)
    out["no_markers"] = root / "nomarkers_raw.fif"
    no_marks.save(out["no_markers"], verbose="error")
    short = session.inside.copy().crop(0, 6)
    out["short"] = root / "short_raw.fif"
    short.save(out["short"], verbose="error")
    resampled = session.outside.copy().resample(200.0, verbose="error")
    out["other_rate"] = root / "outside200_raw.fif"
    resampled.save(out["other_rate"], verbose="error")
    low = session.inside.copy().resample(90.0, verbose="error")
    out["low_rate"] = root / "low_raw.fif"
    low.save(out["low_rate"], verbose="error")
    out["garbage"] = root / "garbage.edf"
    out["garbage"].write_bytes(b"not an EDF file at all" * 10)
    return out


def _refused(capsys, argv, out: Path | None, *needles: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("brainfuse: error: ")
    for needle in needles:
        assert needle in err[0], err[0]
    if out is not None:
        assert not out.exists()
        assert not list(out.parent.glob(f".{out.name}.*")), "temporary file left behind"


def test_correct_edf_to_fif_with_provenance(files, tmp_path, capsys, session):
    out = tmp_path / "clean_raw.fif"
    assert (
        main(
            ["eeg-fmri", "correct", str(files["edf"]), "--ecg", "ECG", "-m", "aas", "-o", str(out)]
        )
        == 0
    )
    assert "wrote" in capsys.readouterr().out
    raw = mne.io.read_raw(out, verbose="error")
    prov = json.loads(raw.info["description"])
    assert prov["method"] == "aas" and prov["params"]["window"] == 30
    assert prov["gradient_window"] == 5
    assert abs(prov["beats"] - session.r_peaks.size) <= 1
    # the BCG is mostly gone: closer to the truth than the input
    truth = session.truth.copy().filter(1, 50, verbose="error").get_data()
    before = mne.io.read_raw(files["edf"], verbose="error").pick(session.truth.ch_names)
    before = before.load_data().filter(1, 50, verbose="error").get_data()
    after = raw.get_data(picks=session.truth.ch_names)
    assert np.std(after - truth) < 0.2 * np.std(before - truth)  # gradient + BCG removed


def test_correct_to_edf_and_repeat_bit_for_bit(files, tmp_path, capsys):
    a, b = tmp_path / "a.edf", tmp_path / "b.edf"
    for out in (a, b):
        args = ["eeg-fmri", "correct", str(files["fif"]), "-m", "obs", "-o", str(out)]
        assert main(args) == 0
    assert a.read_bytes() == b.read_bytes()
    raw = mne.io.read_raw(a, verbose="error")
    notes = [d for d in raw.annotations.description if d.startswith("brainfuse:")]
    assert len(notes) == 1 and json.loads(notes[0][len("brainfuse: ") :])["method"] == "obs"


@pytest.mark.parametrize(
    ("key", "extra", "needles"),
    [
        ("no_ecg", [], ("noecg_raw.fif", "no ECG channel")),
        ("fif", ["--ecg", "NOPE"], ("inside_raw.fif", "no channel 'NOPE'")),
        ("no_markers", [], ("nomarkers_raw.fif", "no volume markers")),
        ("short", [], ("short_raw.fif", "too short")),
        ("garbage", ["--ecg", "ECG"], ("garbage.edf", "cannot read")),
        ("low_rate", [], ("low_raw.fif", "sampled at 90 Hz")),
    ],
)
def test_correct_refuses_bad_recordings(files, tmp_path, capsys, key, extra, needles):
    out = tmp_path / "out_raw.fif"
    _refused(
        capsys, ["eeg-fmri", "correct", str(files[key]), *extra, "-o", str(out)], out, *needles
    )


def test_correct_refuses_channels_at_different_rates(tmp_path, capsys):
    import edfio

    rng = np.random.default_rng(0)
    path = tmp_path / "mixed.edf"
    edfio.Edf(
        [
            edfio.EdfSignal(
                rng.standard_normal(10000) * 10, 1000, label="C3", physical_dimension="uV"
            ),
            edfio.EdfSignal(
                rng.standard_normal(2500) * 100, 250, label="ECG", physical_dimension="uV"
            ),
        ]
    ).write(path)
    out = tmp_path / "out_raw.fif"
    argv = ["eeg-fmri", "correct", str(path), "--ecg", "ECG", "-o", str(out)]
    _refused(capsys, argv, out, "mixed.edf", "250, 1000 Hz", "mismatched sampling rates")


def test_correct_refuses_bad_requests(files, tmp_path, capsys):
    out = tmp_path / "out_raw.fif"
    base = ["eeg-fmri", "correct", str(files["fif"]), "-o"]
    _refused(capsys, [*base, str(out), "-m", "nope"], out, "unknown correction 'nope'")
    _refused(capsys, [*base, str(files["fif"])], None, "output path is an input")
    _refused(capsys, [*base, str(tmp_path / "x.txt")], tmp_path / "x.txt", "unknown output format")
    _refused(capsys, [*base, str(out), "-p", "window=1", "-m", "aas"], out, "window")
    missing = tmp_path / "missing.edf"
    _refused(capsys, ["eeg-fmri", "correct", str(missing), "-o", str(out)], out, "file not found")


def test_spectra_with_reference_and_mismatched_rates(files, tmp_path, capsys):
    out = tmp_path / "table.json"
    args = ["eeg-fmri", "spectra", str(files["outside"]), "--reference", str(files["outside"])]
    assert main([*args, "--json", str(out)]) == 0
    table = json.loads(out.read_text())
    # a recording against itself: no change; alpha dominates the relative power
    assert all(abs(r["percent_change"]) < 1e-9 for r in table["bands"].values())
    assert table["bands"]["alpha"]["relative"] > table["bands"]["gamma"]["relative"]
    assert 8.5 < table["iaf_hz"] < 12 and table["ec_eo_ratio"] > 1.5
    capsys.readouterr()
    bad = ["eeg-fmri", "spectra", str(files["outside"]), "--reference", str(files["other_rate"])]
    _refused(capsys, bad, None, "outside200_raw.fif", "mismatched sampling rates")


def test_glm_writes_the_effect_map_and_checks_the_tr(files, tmp_path, capsys, session):
    from brainfuse.signals.glm import alpha_regressor
    from brainfuse.signals.simulate import simulate_bold

    truth = session.truth.copy()
    truth.set_annotations(session.inside.annotations)
    alpha, _ = alpha_regressor(truth)
    bold, cluster, _ = simulate_bold(alpha, 2.0, resolution=6)
    bold_path = tmp_path / "bold.nii.gz"
    img = nib.Nifti1Image(bold.get_fdata(dtype=np.float32), bold.affine)
    img.header.set_zooms((6.0, 6.0, 6.0, 2.0))
    img.header.set_xyzt_units("mm", "sec")
    nib.save(img, bold_path)
    # the truth with markers stands for a corrected recording
    raw_path = tmp_path / "truth_raw.fif"
    truth.save(raw_path, verbose="error")
    out = tmp_path / "effect.nii.gz"
    assert main(["eeg-fmri", "glm", str(raw_path), str(bold_path), "-o", str(out)]) == 0
    effect = nib.load(out).get_fdata()
    assert np.median(effect[cluster.get_fdata() > 0]) > 0
    capsys.readouterr()
    img.header.set_zooms((6.0, 6.0, 6.0, 2.5))
    bad = tmp_path / "bold_tr25.nii.gz"
    nib.save(img, bad)
    out2 = tmp_path / "effect2.nii.gz"
    _refused(
        capsys, ["eeg-fmri", "glm", str(raw_path), str(bad), "-o", str(out2)], out2, "mismatched"
    )


def test_list_bcg_names_the_eight_corrections(capsys):
    assert main(["list", "bcg", "--json"]) == 0
    names = [e["name"] for e in json.loads(capsys.readouterr().out)]
    assert names == ["aas", "obs", "ica", "obs-ica", "aas-ica", "projic-aas", "projic-obs", "ife"]


@pytest.mark.parametrize(
    ("fmt", "name"), [("brainvision", "inside.vhdr"), ("eeglab", "inside.set")]
)
def test_correct_reads_brainvision_and_eeglab(session, tmp_path, capsys, fmt, name):
    # BrainVision markers come back as "Comment/TR": the marker still matches
    src = tmp_path / name
    mne.export.export_raw(src, session.inside, fmt=fmt, verbose="error")
    out = tmp_path / "clean_raw.fif"
    assert main(["eeg-fmri", "correct", str(src), "--ecg", "ECG", "-m", "aas", "-o", str(out)]) == 0
    prov = json.loads(mne.io.read_raw(out, verbose="error").info["description"])
    assert abs(prov["beats"] - session.r_peaks.size) <= 1


@pytest.mark.slow
@pytest.mark.parametrize("dask", [False, True])
def test_bench_scores_every_correction(tmp_path, capsys, dask):
    out = tmp_path / "bench.json"
    args = ["eeg-fmri", "bench", "--subjects", "1", "--duration", "60", "--json", str(out)]
    if dask:
        args += ["--scheduler", "local", "--workers", "1"]
    assert main(args) == 0
    summary = json.loads(out.read_text())["summary"]
    assert list(summary)[1:] == [
        "aas",
        "obs",
        "ica",
        "obs-ica",
        "aas-ica",
        "projic-aas",
        "projic-obs",
        "ife",
    ]
    assert summary["uncorrected"]["cardiac_cut_pct"] == 0.0
    assert summary["obs"]["cardiac_cut_pct"] > 80 and summary["ica"]["cardiac_cut_pct"] > 80
