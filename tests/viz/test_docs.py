"""The documentation of `brainfuse.viz`: every public function has numpydoc sections and a
runnable example, the examples run, and the text names papers, not internal documents."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import brainfuse.viz

MODULES = [
    "brainfuse.viz",
    "brainfuse.viz.cli",
    "brainfuse.viz.energy",
    "brainfuse.viz.gradients",
    "brainfuse.viz.grid",
    "brainfuse.viz.inputs",
    "brainfuse.viz.labels",
    "brainfuse.viz.mask",
    "brainfuse.viz.overlay",
    "brainfuse.viz.render",
    "brainfuse.viz.series",
    "brainfuse.viz.views",
    "brainfuse.viz.volume",
]
ROOT = Path(__file__).resolve().parents[2]


def _public_functions():
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) and obj.__module__ == name:
                yield f"{name}.{attr}", obj


def test_every_module_lists_its_public_names():
    package = Path(brainfuse.viz.__file__).parent
    assert sorted(
        f"brainfuse.viz.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"
    ) == [m for m in MODULES if m != "brainfuse.viz"]
    for name in MODULES:
        module = importlib.import_module(name)
        assert all(hasattr(module, attr) for attr in module.__all__), name


@pytest.mark.parametrize(("name", "func"), [pytest.param(*f, id=f[0]) for f in _public_functions()])
def test_public_functions_have_numpydoc_sections_and_an_example(name, func):
    doc = inspect.getdoc(func) or ""
    sections = set(re.findall(r"^(\w[\w ]*)\n-{3,}$", doc, flags=re.MULTILINE))
    if name.startswith("brainfuse.viz.cli."):
        return  # click commands: their docstrings are the --help text
    has_params = bool(inspect.signature(func).parameters)
    assert "Returns" in sections, name
    assert "Examples" in sections and ">>>" in doc, name
    if has_params:
        assert "Parameters" in sections, name


def test_no_internal_document_names():
    texts = [*Path(brainfuse.viz.__file__).parent.glob("*.py"), ROOT / "docs" / "visualisation.md"]
    for path in texts:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"seed 0\d\d|seeds'|§|spec/methods|\b000[A-Z]\b", text), path
