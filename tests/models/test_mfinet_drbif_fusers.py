"""The registered MFINet and DRBIF fusers with the shipped weights."""

import json

import numpy as np
import pytest

import brainfuse
from brainfuse.cli import main
from brainfuse.fusion import fuse_arrays, get_method
from brainfuse.io import Image, Modality
from brainfuse.models import drbif, mfinet, pretrained
from brainfuse.models.train import sha256_file

METHODS = ("mfinet", "drbif")
MODULES = {"mfinet": mfinet, "drbif": drbif}
PAIRSETS = {"ct": "CT-MRI", "pet": "PET-MRI", "spect": "SPECT-MRI"}
#: The models this install ships (one per network and modality of B).
SHIPPED = tuple((name, modality) for name in METHODS for modality in PAIRSETS)
CT_MODELS = [name for name, modality in SHIPPED if modality == "ct"]

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize(("name", "modality"), SHIPPED)
def test_shipped_weights_match_their_manifests(name, modality):
    path = pretrained.WEIGHTS_DIR / f"{name}-{modality}.pt"
    manifest = json.loads(path.with_suffix(".json").read_text())
    assert manifest["sha256"] == sha256_file(path)
    assert path.stat().st_size < 10_000_000 and oct(path.stat().st_mode)[-3:] == "644"
    assert manifest["model"] == name and manifest["data"]["split"] == "train"
    assert set(manifest["data"]["pairsets"]) == {PAIRSETS[modality]}
    assert manifest["val_data"]["split"] == "val"
    assert manifest["steps_done"] > 0  # no wall time: the trainer no longer writes one
    assert pretrained.load_state_dict(path)


@pytest.mark.parametrize("name", METHODS)
def test_registered_learned_methods(name):
    m = get_method(name)
    assert m.learned and m.dims == (2,) and m.family == "learned"
    assert {p.name for p in m.params} >= {"modality", "weights", "zero_background"}


def _pair(shared_data, pairset, modality):
    folder = shared_data / "harvard-cddfuse-test" / pairset
    name = sorted((folder / "MRI").iterdir())[0].name
    return brainfuse.load(folder / "MRI" / name), brainfuse.load(folder / modality / name)


@pytest.mark.parametrize("name", CT_MODELS)
def test_fuse_picks_the_ct_model_for_ct_and_for_arrays(shared_data, name):
    module = MODULES[name]
    mri, ct = _pair(shared_data, "MRI_CT", "CT")
    assert ct.modality is Modality.CT
    out = brainfuse.fuse(mri, ct, name)
    assert out.meta["params"]["modality"] == "ct" and not out.rgb
    a, b = mri.grey(), ct.grey()
    np.testing.assert_array_equal(out.array, module.fuse(a, b, modality="ct"))
    # arrays carry no modality: the CT model
    np.testing.assert_array_equal(fuse_arrays(a, b, name), out.array)


@pytest.mark.parametrize(("name", "modality"), [s for s in SHIPPED if s[1] != "ct"])
def test_fuse_picks_the_model_of_a_functional_modality(shared_data, name, modality):
    mri, b = _pair(shared_data, f"MRI_{modality.upper()}", modality.upper())
    color = brainfuse.fuse(mri, b, name)
    assert color.rgb and color.meta["params"]["modality"] == modality
    # an explicit choice wins over the image's modality
    forced = brainfuse.fuse(mri, b, name, modality="ct")
    assert forced.meta["params"]["modality"] == "ct"
    assert not np.array_equal(forced.array, color.array)


@pytest.mark.parametrize("name", METHODS)
def test_missing_shipped_weights_are_refused_in_one_line(
    shared_data, tmp_path, monkeypatch, capsys, name
):
    monkeypatch.setattr(pretrained, "WEIGHTS_DIR", tmp_path)
    src = shared_data / "harvard-cddfuse-test" / "MRI_CT"
    out = tmp_path / "never.png"
    argv = ["fuse", str(src / "MRI" / "11.png"), str(src / "CT" / "11.png"), "-m", name]
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"no shipped {name} model for CT in this install (shipped: none)" in err
    assert err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("name", CT_MODELS)
def test_odd_sizes_volumes_and_determinism(name):
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 255, (23, 31, 3)).astype(np.float32)
    b = rng.uniform(0, 255, (23, 31, 3)).astype(np.float32)
    a[:4] = 0
    b[:4] = 0
    out = brainfuse.fuse(a, b, name)
    assert out.shape == a.shape and out.dtype == np.float32
    assert np.all(out[:4] == 0) and np.all((out[4:] > 0) & (out[4:] < 255))
    for k in range(3):
        np.testing.assert_array_equal(out[:, :, k], brainfuse.fuse(a[:, :, k], b[:, :, k], name))
    np.testing.assert_array_equal(out, brainfuse.fuse(a, b, name))


def test_drbif_rules_differ(shared_data):
    mri, ct = _pair(shared_data, "MRI_CT", "CT")
    a, b = mri.grey(), ct.grey()
    outs = [fuse_arrays(a, b, "drbif", rule=rule) for rule in ("add", "max", "l1")]
    assert not np.array_equal(outs[0], outs[1]) and not np.array_equal(outs[1], outs[2])


def test_bad_parameters_are_refused_in_one_line(shared_data, tmp_path, capsys):
    src = shared_data / "harvard-cddfuse-test" / "MRI_CT"
    files = [str(src / "MRI" / "11.png"), str(src / "CT" / "11.png")]
    out = tmp_path / "never.png"
    for argv in (["-m", "drbif", "-p", "rule=sum"], ["-m", "mfinet", "-p", "modality=mri"]):
        assert main(["fuse", *files, *argv, "-o", str(out)]) == 2
        err = capsys.readouterr().err
        assert "must be 'add'" in err or "must be 'auto'" in err
        assert err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("name", CT_MODELS)
def test_cli_fuses_mri_and_ct(shared_data, tmp_path, name):
    src = shared_data / "harvard-cddfuse-test" / "MRI_CT"
    out = tmp_path / f"{name}.png"
    assert (
        main(
            [
                "fuse",
                str(src / "MRI" / "11.png"),
                str(src / "CT" / "11.png"),
                "-m",
                name,
                "-o",
                str(out),
            ]
        )
        == 0
    )
    img = brainfuse.load(out)
    assert img.shape == (256, 256) and not img.rgb and float(img.array.std()) > 20
    assert isinstance(img, Image)
