"""``brainfuse eeg-fmri correct-cohort``: a folder of recordings, here or on Dask, the same
bytes as one ``correct`` per file, and nothing written when one recording is bad."""

from __future__ import annotations

import json

import mne
import pytest

from brainfuse.cli import main


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Two simulated subjects as EDF (45 s at 250 Hz)."""
    from brainfuse.signals.simulate import simulate_session

    root = tmp_path_factory.mktemp("cohort")
    folder = root / "recordings"
    folder.mkdir()
    for seed in (1, 2):
        raw = simulate_session(seed, duration=45.0, sfreq=250.0).inside
        mne.export.export_raw(folder / f"sub-{seed}.edf", raw, fmt="edf", verbose="error")
    return folder


def _argv(folder, out):
    return ["eeg-fmri", "correct-cohort", str(folder), "-o", str(out), "--ecg", "ECG", "-m", "aas"]


@pytest.mark.parametrize("dask", [False, True])
def test_cohort_matches_one_correct_per_file(cohort, tmp_path, capsys, dask):
    out = tmp_path / "clean"
    argv = _argv(cohort, out)
    if dask:
        pytest.importorskip("distributed", reason="brainfuse[dask] is not installed")
        argv += ["--scheduler", "local", "--workers", "1"]
    assert main(argv) == 0
    assert "wrote 2 recordings" in capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir())
    assert written == ["sub-1_aas_raw.fif", "sub-2_aas_raw.fif"]
    single = tmp_path / "single_raw.fif"
    src = cohort / "sub-2.edf"
    assert (
        main(["eeg-fmri", "correct", str(src), "--ecg", "ECG", "-m", "aas", "-o", str(single)]) == 0
    )
    a = mne.io.read_raw(out / "sub-2_aas_raw.fif", verbose="error")
    b = mne.io.read_raw(single, verbose="error")
    assert (a.get_data() == b.get_data()).all()
    prov = json.loads(a.info["description"])
    assert prov["input"] == str(src) and prov["method"] == "aas" and prov["beats"] > 20


def test_a_bad_recording_leaves_nothing(cohort, tmp_path, capsys):
    import shutil

    folder = tmp_path / "mixed"
    shutil.copytree(cohort, folder)
    (folder / "sub-3.edf").write_bytes(b"not an EDF file" * 20)
    out = tmp_path / "clean"
    assert main(_argv(folder, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sub-3.edf" in err[0], err
    assert list(out.iterdir()) == []  # the good recordings were staged, then removed


def test_empty_folder_and_existing_outputs_are_refused(cohort, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(_argv(empty, tmp_path / "o1")) == 2
    assert "no recording" in capsys.readouterr().err
    out = tmp_path / "o2"
    out.mkdir()
    (out / "sub-1_aas_raw.fif").write_bytes(b"x")
    assert main(_argv(cohort, out)) == 2
    assert "already exists" in capsys.readouterr().err
    assert (out / "sub-1_aas_raw.fif").read_bytes() == b"x"
