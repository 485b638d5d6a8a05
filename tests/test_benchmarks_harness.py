"""The benchmarks' harness and index: ``docs/results/README.md`` against ``benchmarks/`` and
``docs/results/``, the imports of the benchmark modules (read with ``ast``, nothing run), and
what ``benchmarks._harness`` does (paths, exit status 2, atomic writes, the environment record,
the thread pinning of ``python -m benchmarks.<name>``)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import THREAD_VARIABLES
from benchmarks import _harness as harness

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
RESULTS = ROOT / "docs" / "results"
INDEX = RESULTS / "README.md"
MODULES = sorted(p.stem for p in BENCHMARKS.glob("*.py") if not p.name.startswith("_"))


def _table(section: str) -> list[list[str]]:
    """The rows (cells) of the table under the heading ``## section`` of the index."""
    text = INDEX.read_text(encoding="utf-8").split(f"\n## {section}\n", 1)[1].split("\n## ")[0]
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in row.strip("|").split(" | ")] for row in rows[1:]]


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def _benchmarks() -> dict[str, dict[str, list[str]]]:
    out = {}
    for name, command, _time, data, writes in _table("Benchmarks"):
        (module,) = _ticked(name)
        assert module not in out, f"{module} listed twice"
        out[module] = {
            "command": _ticked(command),
            "data": [d for d in _ticked(data) if not d.startswith("-")],  # not the options
            "writes": _ticked(writes),
        }
    return out


def _tree(module: str) -> ast.Module:
    return ast.parse((BENCHMARKS / f"{module}.py").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------- index
def test_every_benchmark_module_is_indexed() -> None:
    assert {"metrics_golden", "bench_registration"} < set(MODULES)
    assert sorted(_benchmarks()) == MODULES


def test_each_command_runs_its_module() -> None:
    for module, row in _benchmarks().items():
        assert row["command"][0].startswith(f".venv/bin/python -m benchmarks.{module}"), module


def test_listed_results_exist_and_every_result_is_claimed() -> None:
    claimed = [f for row in _benchmarks().values() for f in row["writes"]]
    claimed += [f for files, _ in _table("Written by other commands") for f in _ticked(files)]
    assert len(claimed) == len(set(claimed)), "a file is claimed twice"
    on_disk = {p.relative_to(RESULTS).as_posix() for p in RESULTS.rglob("*") if p.is_file()}
    assert set(claimed) - on_disk == set()
    assert on_disk - set(claimed) == set()


def _required(module: str) -> set[str]:
    """What ``module`` checks for before it starts: the folders of its ``require_data`` calls,
    and ``../shared/reference`` for ``require_reference``."""
    out = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.Call):
            called = ast.unparse(node.func)
            if called == "harness.require_data":
                (arg,) = node.args
                out.add(arg.value if isinstance(arg, ast.Constant) else ast.unparse(arg))
            elif called == "harness.require_reference":
                out.add("../shared/reference")
    return out


def test_data_column_is_what_the_module_checks_for() -> None:
    rows = _benchmarks()
    for module in MODULES:
        assert set(rows[module]["data"]) == _required(module), module
    assert _required("bench_registration") == {
        "harvard-cddfuse-test",
        "volumes/spm12",
        "volumes/clinical-ct",
    }


# ----------------------------------------------------------------------------- imports
def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return names


def test_benchmarks_import_neither_tests_nor_each_other() -> None:
    siblings = {p.stem for p in BENCHMARKS.glob("*.py")}
    for path in sorted(BENCHMARKS.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ("tests", "conftest") and not top.startswith("test_"), path.name
            assert top not in siblings, f"{path.name} imports {name} by file name"
            if top == "benchmarks" and name.count(".") == 1:
                # shared code is in benchmarks._* (and constants of the package), never in
                # another benchmark
                member = name.split(".")[1]
                assert member.startswith("_") or member.isupper(), f"{path.name} imports {name}"
        tree = ast.parse(source)
        uses_sys_path = any(
            isinstance(n, ast.Attribute)
            and n.attr == "path"
            and isinstance(n.value, ast.Name)
            and n.value.id == "sys"
            for n in ast.walk(tree)
        )
        assert not uses_sys_path, f"{path.name} changes sys.path"
        assert "E402" not in source, f"{path.name} imports after code"


def test_every_benchmark_runs_as_a_module() -> None:
    for module in MODULES:
        guards = [
            n
            for n in _tree(module).body
            if isinstance(n, ast.If) and ast.unparse(n.test) == "__name__ == '__main__'"
        ]
        assert len(guards) == 1, module


def test_golden_mapping_is_shared_by_the_benchmark_and_the_test() -> None:
    from benchmarks._golden import MAPPING

    test = ROOT / "tests" / "metrics" / "test_golden_matlab.py"
    for path in (BENCHMARKS / "metrics_golden.py", test):
        assert "benchmarks._golden.MAPPING" in _imports(path), path.name
    assert MAPPING["VIFB.Qcb"] == ("vifb", "Q_CB")


# ----------------------------------------------------------------------------- harness
def test_missing_data_is_exit_status_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setattr(harness, "DATA", tmp_path)
    (tmp_path / "volumes" / "spm12").mkdir(parents=True)
    assert harness.require_data("volumes/spm12") == tmp_path / "volumes" / "spm12"
    with pytest.raises(SystemExit) as stop:
        harness.require_data("harvard-aanlib")
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(tmp_path / "harvard-aanlib") in err and "BRAINFUSE_DATA" in err


def test_missing_data_stops_a_benchmark_before_it_runs(tmp_path: Path) -> None:
    env = {**os.environ, "BRAINFUSE_DATA": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.protocol_stretch"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("benchmarks.protocol_stretch: ")
    assert "harvard-cddfuse-test/MRI_PET not found" in done.stderr


def test_write_json_records_the_environment(tmp_path: Path) -> None:
    data = {"rows": [1.5, 2.25], "command": "python -m benchmarks.x"}
    path = harness.write_json(tmp_path / "sub" / "r.json", data, indent=1)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert list(written) == ["rows", "command", "environment"]
    assert written["rows"] == [1.5, 2.25] and "environment" not in data
    env = written["environment"]
    assert env["packages"]["numpy"] == np.__version__
    assert env["python"] == ".".join(map(str, sys.version_info[:3]))
    assert set(env["threads"]) == {"BRAINFUSE_BENCH_THREADS", *THREAD_VARIABLES}
    assert env["git_commit"] is None or re.fullmatch(r"[0-9a-f]{40}", env["git_commit"])
    assert path.read_text(encoding="utf-8").endswith("}\n")
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]
    with pytest.raises(ValueError):
        harness.write_json(tmp_path / "e.json", {"environment": 1})


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path) -> None:
    path = harness.write_text(tmp_path / "r.md", "old\n")

    def fail(tmp: Path) -> None:
        tmp.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        harness._atomic(path, fail)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.md"]
    harness.copy_file(path, tmp_path / "copy" / "r.md")
    assert (tmp_path / "copy" / "r.md").read_text() == "old\n"


def test_save_figure_writes_the_format_of_the_suffix(tmp_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(1, 1))
    ax.plot([0, 1])
    path = harness.save_figure(fig, tmp_path / "out" / "f.png", dpi=20)
    plt.close(fig)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["f.png"]


def test_repeat_counts_runs_within_its_bounds() -> None:
    calls = []
    wall, cpu, cpu_min, runs = harness.repeat(
        lambda: calls.append(1), min_runs=4, max_runs=9, budget_s=0.0
    )
    assert (runs, len(calls)) == (4, 5)  # one warm-up call, then min_runs
    assert 0 <= cpu_min <= cpu and wall >= 0
    calls.clear()
    assert harness.repeat(lambda: calls.append(1), min_runs=1, max_runs=3, budget_s=60)[3] == 3
    assert len(calls) == 4


def _python(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    clean.pop("BRAINFUSE_BENCH_THREADS", None)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_pins_every_thread_pool_before_the_benchmark_runs() -> None:
    done = _python("-m", "benchmarks._harness", OMP_NUM_THREADS="7")
    assert done.returncode == 0, done.stderr
    env = json.loads(done.stdout)
    assert env["command"] == "python -m benchmarks._harness"
    assert env["threads"] == {
        "BRAINFUSE_BENCH_THREADS": None,
        **dict.fromkeys(THREAD_VARIABLES, "1"),
    }
    done = _python("-m", "benchmarks._harness", BRAINFUSE_BENCH_THREADS="2")
    assert set(json.loads(done.stdout)["threads"].values()) == {"2"}
    done = _python("-m", "benchmarks._harness", BRAINFUSE_BENCH_THREADS="0")
    assert done.returncode == 2 and "BRAINFUSE_BENCH_THREADS" in done.stderr


def test_importing_the_package_otherwise_changes_nothing() -> None:
    done = _python("-c", "import os, benchmarks._harness; print(os.environ.get('OMP_NUM_THREADS'))")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None\n"


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_every_benchmark_parses_help(module: str) -> None:
    done = _python("-m", f"benchmarks.{module}", "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: python -m benchmarks.{module}")
