"""The metrics package is laid out in layers: no module imports one of its own layer or above.

Every ``import`` of a sibling module, at the top of a module or inside a function, is read
from the source (so a lazy import that would hide a cycle is found too), and the package's
registries have the one entry shape of :mod:`brainfuse.registry`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import brainfuse.metrics as metrics
from brainfuse.errors import InputError
from brainfuse.fusion import get_method
from brainfuse.metrics import PROFILES, Metric, Profile, get_profile, list_metrics

PACKAGE = Path(metrics.__file__).parent

#: Layer of each module: a module may import only modules of lower layers.
LAYERS = {
    "_common": 0,
    **dict.fromkeys(("noreference", "sources", "fmi", "structural", "edges", "phase", "hvs"), 1),
    **dict.fromkeys(("information", "ranking"), 2),  # they use noreference's grey levels / AG
    "task": 2,  # structural's SSIM map
    "grey": 3,
    "profiles": 4,
    "evaluate": 5,
    **dict.fromkeys(("protocol", "batch"), 6),
    "cli": 7,
    "__init__": 8,
}


def _sibling_imports(path: Path) -> list[tuple[str, int]]:
    """(module, line) of every import of a module of the package in ``path``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.append((node.module.split(".")[0], node.lineno))
            else:
                out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "brainfuse.metrics."
        ):
            out.append((node.module.split(".")[2], node.lineno))
    return out


def test_every_module_has_a_layer() -> None:
    assert {p.stem for p in PACKAGE.glob("*.py")} == set(LAYERS)


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_a_module_imports_only_lower_layers(module: str) -> None:
    for target, line in _sibling_imports(PACKAGE / f"{module}.py"):
        assert LAYERS[target] < LAYERS[module], f"{module}.py:{line} imports {target}"


def test_imports_inside_functions_are_not_of_the_package() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom):
                        assert inner.level == 0, f"{path.name}:{inner.lineno} imports lazily"
                        assert not (inner.module or "").startswith("brainfuse")


@pytest.mark.parametrize("module", ["evaluate", "profiles", "protocol"])
def test_a_module_once_in_a_cycle_imports_alone(module: str) -> None:
    # evaluate -> profiles -> protocol -> evaluate was a cycle, held apart by lazy imports.
    code = f"import brainfuse.metrics.{module}"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_profiles_and_metrics_have_the_keys_of_a_fusion_method() -> None:
    keys = set(get_method("average").to_dict())
    assert PROFILES.kind == "metric profile"
    assert PROFILES.families() == ["paper", "reference code"]
    assert [p.name for p in PROFILES.list("paper")] == ["paper"]
    for profile in PROFILES.list():
        assert isinstance(profile, Profile)
        assert set(profile.to_dict()) == keys
        assert profile.reference
        for metric in profile.metrics.values():
            d = metric.to_dict()
            assert set(d) == keys
            assert (d["kind"], d["family"]) == ("metric", profile.name)
            assert d["dims"] == ([2, 3] if metric.volumes else [2])
            assert len(d["capabilities"]) == 1
            assert d["reference"] and d["summary"]


def test_list_metrics_by_profile_and_all() -> None:
    every = list_metrics()
    assert len(every) == sum(len(p.metrics) for p in PROFILES.list()) == 115
    assert [m.name for m in list_metrics("cddfuse")] == list(PROFILES["cddfuse"].metrics)
    by_name = {m.name: m for m in list_metrics("paper")}
    assert isinstance(by_name["CE"], Metric)
    assert by_name["CE"].capabilities == {"lower-is-better"}
    assert by_name["CE"].direction == "lower-is-better"
    assert by_name["rSFe"].capabilities == {"zero-is-best"}
    assert sorted([0.3, -0.1, -0.5], key=by_name["rSFe"].rank_key) == [-0.1, 0.3, -0.5]
    assert by_name["EN"].capabilities == {"higher-is-better"}
    assert by_name["OP"].reference.startswith("Amini & Mostaar 2022")
    assert list_metrics("tang")[-5].reference.startswith("Wang, Bovik")  # tang SSIM
    assert PROFILES["tang"].metric("MS_SSIM").reference.startswith("Ma, Zeng & Wang")


def test_unknown_names_are_refused_with_the_valid_ones() -> None:
    with pytest.raises(InputError, match="unknown profile 'matlab'; valid: paper, cddfuse"):
        list_metrics("matlab")
    with pytest.raises(InputError, match="unknown profile 'x'; valid: paper"):
        PROFILES["x"]
    with pytest.raises(InputError, match=r"^--profile: unknown profile 'x'"):
        get_profile("x")
    with pytest.raises(InputError, match="unknown metric 'EI' for profile 'cddfuse'; valid: EN"):
        PROFILES["cddfuse"].metric("EI")
    assert "tang" in PROFILES and "x" not in PROFILES
    assert list(PROFILES) == ["paper", "cddfuse", "vifb", "mefb", "liu2012", "tang"]
    assert len(PROFILES) == 6
