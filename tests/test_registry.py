import json

import numpy as np
import pytest

import brainfuse
from brainfuse.errors import InputError
from brainfuse.fusion import get_method, list_methods


def test_first_methods_registered_with_metadata():
    names = [m.name for m in list_methods()]
    for name in ("average", "maximum", "minimum", "weighted"):
        assert name in names
    w = get_method("weighted")
    assert w.family == "pixel"
    assert w.dims == (2, 3)
    assert [(p.name, p.default, p.type) for p in w.params] == [("w", 0.5, float)]
    d = w.to_dict()
    assert d["name"] == "weighted" and d["kind"] == "fusion method" and d["dims"] == [2, 3]
    assert "learned" not in d["capabilities"] and d["extra"] is None
    assert d["params"][0]["minimum"] == 0 and d["params"][0]["maximum"] == 1


def test_declared_bounds_and_choices_are_checked_by_bind():
    with pytest.raises(InputError, match=r"'w' of method 'weighted' must lie in \[0, 1\], got 7"):
        get_method("weighted").bind({"w": "7"})
    with pytest.raises(InputError, match="'eps1' of method 'gff' must be > 0"):
        get_method("gff").bind({"eps1": 0})
    with pytest.raises(InputError, match="'chroma' of method 'legff' must be 'code' or 'article'"):
        get_method("legff").bind({"chroma": "nope"})
    with pytest.raises(InputError, match="'scales' of method 'legff0' must be ≥ 1, got 0"):
        get_method("legff0").bind({"scales": 0})
    with pytest.raises(InputError, match="unknown family 'nope'"):
        list_methods("nope")


def test_unknown_method_lists_valid_names():
    with pytest.raises(InputError, match=r"unknown method 'nope'; valid: .*average"):
        get_method("nope")


def test_unknown_parameter_lists_valid_ones():
    with pytest.raises(InputError, match="unknown parameter 'x' for method 'weighted'; valid: w"):
        get_method("weighted").bind({"x": 1})


def test_parameter_strings_are_coerced_and_checked():
    assert get_method("weighted").bind({"w": "0.25"}) == {"w": 0.25}
    for bad in ("abc", "nan", "inf", float("nan"), True):
        with pytest.raises(InputError, match="must be a finite number"):
            get_method("weighted").bind({"w": bad})
    assert get_method("legff").bind({"scales": "3"})["scales"] == 3
    for bad in ("3.5", "true", 2.0, False):
        with pytest.raises(InputError, match="must be int"):
            get_method("legff").bind({"scales": bad})
    for word, value in (("Yes", True), ("off", False), ("1", True), ("FALSE", False)):
        assert get_method("funfusean").bind({"zero_background": word})["zero_background"] is value


def test_pixel_rules_values():
    a = np.array([[0, 100], [200, 50]], np.float32)
    b = np.array([[100, 100], [0, 150]], np.float32)
    np.testing.assert_array_equal(brainfuse.fuse(a, b, "average"), [[50, 100], [100, 100]])
    np.testing.assert_array_equal(brainfuse.fuse(a, b, "maximum"), [[100, 100], [200, 150]])
    np.testing.assert_array_equal(brainfuse.fuse(a, b, "minimum"), [[0, 100], [0, 50]])
    np.testing.assert_allclose(brainfuse.fuse(a, b, "weighted", w=0.75), 0.75 * a + 0.25 * b)


def test_every_registry_lists_entries_of_one_shape(capsys):
    from brainfuse.cli import main
    from brainfuse.registry import REGISTRIES, get_registry

    keys = None
    for kind in REGISTRIES:
        assert main(["list", kind, "--json"]) == 0
        items = json.loads(capsys.readouterr().out)
        assert items and [i["name"] for i in items] == get_registry(kind).names()
        for item in items:
            keys = keys or set(item)
            assert set(item) == keys, (kind, item["name"])
    assert main(["list", "registration", "--family", "nope"]) == 2
    assert "unknown family 'nope'" in capsys.readouterr().err
