"""The registry of views: one entry per `brainfuse viz` command, parameters read from the
functions' signatures with their bounds, checked in one place (Entry.bind)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from brainfuse.errors import InputError
from brainfuse.viz import VIEWS, get_view, list_views
from brainfuse.viz.cli import viz_command
from brainfuse.viz.views import PLUMBING, bind_view

A = np.tile(np.linspace(0, 255, 16, dtype=np.float32), (16, 1))
B = A.T.copy()


def test_every_command_is_a_view_and_every_view_a_command():
    assert set(viz_command.commands) == set(VIEWS.names())
    assert [v.name for v in list_views()] == [
        "overlay",
        "checkerboard",
        "difference",
        "grid",
        "gradient-color",
        "gradients",
        "enhance",
        "timeline",
        "slices",
        "montage",
        "phantom-series",
        "labels",
    ]
    assert VIEWS.families() == ["overlay", "comparison", "gradients", "energy", "volume", "series"]


def test_entries_carry_bounds_dims_capabilities_and_references():
    bounds = {
        (v.name, p.name): (p.minimum, p.maximum, p.exclusive_minimum)
        for v in list_views()
        for p in v.params
    }
    for view in ("overlay", "slices", "montage"):
        assert bounds[view, "alpha"] == (0, 1, False) and bounds[view, "threshold"] == (0, 1, False)
    assert bounds["gradient-color", "omega"] == (0, 1, False)
    assert bounds["gradient-color", "step"] == (0, 64, True)
    assert bounds["checkerboard", "tiles"] == (1, None, False)
    assert bounds["montage", "slices"] == (1, None, False)
    assert bounds["enhance", "sigma"] == (0, None, True)
    assert bounds["enhance", "gain"] == (0, None, False)
    assert bounds["timeline", "lift"] == (0, 1, False)
    assert get_view("slices").dims == (3,) and get_view("overlay").dims == (2,)
    assert {"raw", "html"} <= get_view("overlay").capabilities
    assert "gradients" in get_view("gradient-color").capabilities
    assert "FunFuseAn" in get_view("gradients").reference
    assert "MdAFuse" in get_view("enhance").reference
    assert get_view("phantom-series").extra == "demo"
    d = get_view("checkerboard").to_dict()
    assert d["kind"] == "view" and d["params"] == [
        {
            "name": "tiles",
            "default": 8,
            "type": "int",
            "doc": "tiles along the shorter side",
            "minimum": 1,
        }
    ]


@pytest.mark.parametrize("view", [v.name for v in list_views()])
def test_parameters_are_the_signature_defaults_and_the_rest_is_plumbing(view):
    entry = get_view(view)
    sig = inspect.signature(entry.func).parameters
    for p in entry.params:
        assert (
            sig[p.name].default == p.default and sig[p.name].kind is inspect.Parameter.KEYWORD_ONLY
        )
    kw = {n for n, p in sig.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert kw - {p.name for p in entry.params} <= PLUMBING
    if entry.name != "phantom-series":
        assert "output_file" in sig and sig["output_file"].default is None


def test_unknown_view_and_family_are_refused_with_the_valid_names():
    with pytest.raises(InputError, match=r"unknown view 'nope'; valid: overlay, checkerboard"):
        get_view("nope")
    with pytest.raises(InputError, match="unknown family 'x' of views"):
        list_views("x")


def test_values_are_checked_by_bind_wherever_they_come_from():
    assert bind_view("overlay", alpha="0.25", threshold=np.float32(0.5))["threshold"] == 0.5
    cases = [
        (lambda: bind_view("overlay", alpha=2), r"'alpha' of view 'overlay' must lie in \[0, 1\]"),
        (lambda: bind_view("overlay", nope=1), "unknown parameter 'nope' for view 'overlay'"),
        (
            lambda: bind_view("checkerboard", tiles=2.5),
            "'tiles' of view 'checkerboard' must be int",
        ),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message):
            call()
    from brainfuse.viz import checkerboard, energy_enhance, gradient_color, montage_figure, overlay

    with pytest.raises(
        InputError, match=r"'alpha' of view 'overlay' must lie in \[0, 1\], got 1.5"
    ):
        overlay(A, B, alpha=1.5)
    with pytest.raises(InputError, match="'tiles' of view 'checkerboard' must be ≥ 1, got 0"):
        checkerboard(A, B, tiles=0)
    with pytest.raises(InputError, match=r"'omega' of view 'gradient-color' must lie in \[0, 1\]"):
        gradient_color(A, B, A, omega=-0.1)
    with pytest.raises(InputError, match="'lift' of view 'enhance'"):
        energy_enhance(A, B, lift=1.01)
    with pytest.raises(InputError, match="'gain' of view 'enhance' must be ≥ 0"):
        energy_enhance(A, B, gain=-1)
    with pytest.raises(InputError, match="'columns' of view 'montage' must be ≥ 1"):
        montage_figure(np.zeros((4, 4, 4)), columns=0)
