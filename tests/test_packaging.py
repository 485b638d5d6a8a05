"""The light core and its extras.

The core install must load, fuse with the classical methods, score and run the CLI without any
optional dependency; a feature that needs an extra must say, in one line, which one to install.
The default-suite tests emulate a core install by making the optional packages unimportable in
a subprocess; the slow test builds the wheel and installs it with the core dependencies only.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from brainfuse._extras import EXTRAS, extra_available, require, require_extra
from brainfuse.errors import BrainFuseError, InputError, MissingExtraError
from brainfuse.fusion import get_method, list_methods

ROOT = Path(__file__).resolve().parents[1]

#: Top-level modules that only the extras (and the dev tools) bring: hidden from the "core" run.
OPTIONAL = (
    "torch",
    "monai",
    "fastapi",
    "starlette",
    "uvicorn",
    "python_multipart",
    "multipart",
    "dask",
    "distributed",
    "nilearn",
    "pandas",
    "mne",
    "statsmodels",
    "trimesh",
)

#: Run first in the subprocess: any import of an OPTIONAL module (or a submodule) fails as if
#: the package were not installed, and every attempt is recorded.
PRELUDE = textwrap.dedent(
    f"""
    import sys

    class _Absent:
        blocked = {OPTIONAL!r}
        tried = []

        @classmethod
        def find_spec(cls, name, path=None, target=None):
            if name.partition(".")[0] in cls.blocked:
                cls.tried.append(name)
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, _Absent)
    """
)

#: The core-only session: library calls, then the CLI in process (``main`` returns the exit
#: status; its stderr is captured), all results printed as one JSON object.
CORE_SESSION = textwrap.dedent(
    """
    import contextlib, io, json, pickle, sys
    from pathlib import Path

    import numpy as np
    from PIL import Image as PILImage

    import brainfuse
    from brainfuse.cli import main
    from brainfuse.fusion import fuse_arrays
    from brainfuse.metrics import evaluate

    work = Path(sys.argv[1])
    out = {}
    a = np.tile(np.arange(0, 64, dtype=np.float32) * 2, (32, 1))     # 0..126, left to right
    b = np.tile(np.arange(64, 0, -1, dtype=np.float32) * 2, (32, 1))  # 128..2
    out["average"] = fuse_arrays(a, b, "average").tolist()
    out["maximum_max"] = float(fuse_arrays(a, b, "maximum").max())
    out["laplacian_shape"] = list(fuse_arrays(a, b, "laplacian").shape)
    scores = evaluate(fuse_arrays(a, b, "maximum"), a, b, metrics=["EN", "SD", "MI"])
    out["scores"] = {k: float(v) for k, v in scores.items()}
    methods = {m.name: m.to_dict() for m in brainfuse.list_methods()}
    out["extras"] = {name: d["extra"] for name, d in methods.items()}
    PILImage.fromarray(a.astype(np.uint8)).save(work / "a.png")
    PILImage.fromarray(b.astype(np.uint8)).save(work / "b.png")

    def cli(*args):
        err, std = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
            code = main([str(x) for x in args])
        return {"code": code, "stderr": err.getvalue(), "stdout": std.getvalue()}

    out["fuse"] = cli("fuse", work / "a.png", work / "b.png", "-m", "average", "-o",
                      work / "out.png")
    out["metrics"] = cli("metrics", work / "out.png", work / "a.png", work / "b.png",
                         "--metrics", "EN,SD", "--json")
    out["help"] = cli("--help")
    out["methods_json"] = cli("methods", "--json")
    out["methods_table"] = cli("methods")
    out["funfusean"] = cli("fuse", work / "a.png", work / "b.png", "-m", "funfusean", "-o",
                           work / "learned.png")
    out["serve"] = cli("serve", "--port", "8765")
    out["serve_help"] = cli("serve", "--help")
    out["train"] = cli("train", "funfusean", "--data", work, "--out", work / "m.pt")
    out["demo"] = cli("demo", "-o", work / "demo")
    out["bench_dask"] = cli("bench", "--pairs", work, "--methods", "average", "--out",
                            work / "bench", "--scheduler", "local")
    out["viz_gradient_average"] = cli("viz", "gradient-color", work / "a.png", work / "b.png",
                                      "-m", "average", "-o", work / "grad.png")
    out["viz_gradient_funfusean"] = cli("viz", "gradient-color", work / "a.png", work / "b.png",
                                        "-m", "funfusean", "-o", work / "grad_learned.png")
    out["phantom_series"] = cli("viz", "phantom-series", "-o", work / "series")
    try:
        import brainfuse.web
        brainfuse.web.create_app
        out["web_import"] = "no error"
    except brainfuse.BrainFuseError as exc:
        out["web_import"] = str(exc)
    out["files"] = sorted(p.name for p in work.iterdir())
    out["tried"] = sorted({n.partition(".")[0] for n in _Absent.tried})
    print(json.dumps(out))
    """
)


def _line(extra: str, what: str, module: str) -> str:
    return (
        f"brainfuse: error: {what} needs the optional dependency {module}: "
        f"pip install 'brainfuse[{extra}]'\n"
    )


@pytest.fixture(scope="module")
def core_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("core")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "400"}  # no wrapped cells
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + CORE_SESSION, str(work)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "work": work}


def test_core_fuses_and_scores_without_extras(core_run: dict) -> None:
    from brainfuse.fusion import fuse_arrays
    from brainfuse.metrics import evaluate

    # a = 2i, b = 128 - 2i along each row: their average is 64 everywhere, their maximum 128
    assert np.array_equal(np.asarray(core_run["average"]), np.full((32, 64), 64.0))
    assert core_run["maximum_max"] == 128.0
    assert core_run["laplacian_shape"] == [32, 64]
    # the same numbers as here, in the full environment
    a = np.tile(np.arange(0, 64, dtype=np.float32) * 2, (32, 1))
    b = np.tile(np.arange(64, 0, -1, dtype=np.float32) * 2, (32, 1))
    here = evaluate(fuse_arrays(a, b, "maximum"), a, b, metrics=["EN", "SD", "MI"])
    assert core_run["scores"] == {k: float(v) for k, v in here.items()}
    # max(2i, 128 - 2i): 33 distinct values, 62 of the 64 columns in pairs -> SD is that of
    # the values themselves
    values = np.maximum(np.arange(64) * 2, 128 - np.arange(64) * 2)
    assert core_run["scores"]["SD"] == pytest.approx(values.std(), rel=1e-6)


def test_core_cli_fuse_and_metrics(core_run: dict) -> None:
    assert core_run["fuse"]["code"] == 0, core_run["fuse"]["stderr"]
    assert core_run["fuse"]["stderr"] == ""
    metrics = core_run["metrics"]
    assert metrics["code"] == 0, metrics["stderr"]
    assert np.unique(np.asarray(PILImage.open(core_run["work"] / "out.png"))).tolist() == [64]
    # a constant image: entropy 0, standard deviation 0
    assert json.loads(metrics["stdout"])["metrics"] == {"EN": 0.0, "SD": 0.0}


def test_core_lists_learned_methods_with_their_extra(core_run: dict) -> None:
    listed = core_run["methods_json"]
    assert listed["code"] == 0
    extras = {m["name"]: m["extra"] for m in json.loads(listed["stdout"])}
    assert extras == core_run["extras"]
    learned = {m.name for m in list_methods() if m.learned}
    assert {"funfusean", "mdafuse", "mfinet", "drbif", "vgg19"} <= learned
    assert {name: extras[name] for name in learned} == {name: "learned" for name in learned}
    assert extras["average"] is None and extras["gff"] is None
    table = core_run["methods_table"]
    assert table["code"] == 0 and "needs brainfuse[learned]" in table["stdout"]


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("funfusean", _line("learned", "method 'funfusean'", "torch")),
        ("serve", _line("web", "'brainfuse serve'", "fastapi")),
        ("train", _line("learned", "'brainfuse train'", "torch")),
        ("demo", _line("demo", "'brainfuse demo' (the MNI152 brain phantom)", "nilearn")),
        ("phantom_series", _line("demo", "view 'phantom-series'", "nilearn")),
        ("bench_dask", _line("dask", "running on Dask (--scheduler)", "dask")),
        ("viz_gradient_funfusean", _line("learned", "method 'funfusean'", "torch")),
    ],
)
def test_core_missing_extra_is_one_line(core_run: dict, key: str, line: str) -> None:
    result = core_run[key]
    assert (result["code"], result["stderr"]) == (2, line)


def test_core_missing_extra_writes_nothing(core_run: dict) -> None:
    # only the inputs and the successful outputs: no learned.png, demo/, bench/, series/ ...
    assert core_run["viz_gradient_average"]["code"] == 0  # a pixel rule's gradients: NumPy
    assert core_run["files"] == ["a.png", "b.png", "grad.png", "out.png"]


def test_core_help_and_web_import(core_run: dict) -> None:
    assert core_run["help"]["code"] == 0
    for command in ("fuse", "metrics", "serve", "train", "bench", "demo"):
        assert f"  {command} " in core_run["help"]["stdout"], command
    assert core_run["serve_help"]["code"] == 0
    assert "--port" in core_run["serve_help"]["stdout"]
    assert core_run["web_import"] == _line("web", "the web viewer", "fastapi")[18:-1]
    # the run did hide what it claims to hide: torch and fastapi were asked for and refused
    assert {"torch", "fastapi", "nilearn", "dask"} <= set(core_run["tried"])


def test_core_console_script_exit_status(tmp_path: Path) -> None:
    """The real process: exit status 2 and one line on stderr, no traceback."""
    for name, value in (("a.png", 40), ("b.png", 90)):
        PILImage.fromarray(np.full((16, 16), value, np.uint8)).save(tmp_path / name)
    run = "from brainfuse.cli import run; sys.argv[0] = 'brainfuse'; run()"
    args = ["fuse", "a.png", "b.png", "-m", "mdafuse", "-o", "f.png"]
    proc = subprocess.run(
        [sys.executable, "-c", PRELUDE + run, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert proc.stderr == _line("learned", "method 'mdafuse'", "torch")
    assert not (tmp_path / "f.png").exists()


# --- the mechanism, in process -------------------------------------------------------------


def test_require_returns_the_module_or_names_the_extra() -> None:
    assert require("json", extra="learned", what="x") is json
    with pytest.raises(MissingExtraError) as info:
        require("brainfuse_no_such_module", extra="navigation", what="mesh export")
    assert str(info.value) == (
        "mesh export needs the optional dependency brainfuse_no_such_module: "
        "pip install 'brainfuse[navigation]'"
    )
    assert isinstance(info.value, InputError) and isinstance(info.value, BrainFuseError)
    with pytest.raises(ValueError, match="unknown extra"):
        require("json", extra="gpu", what="x")


def test_require_reports_a_broken_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bf_broken_pkg.py").write_text("raise ImportError('libfoo.so: cannot open')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(MissingExtraError) as info:
        require("bf_broken_pkg", extra="learned", what="method 'x'")
    assert str(info.value) == (
        "method 'x' needs the optional dependency bf_broken_pkg, which is installed but does "
        "not import (libfoo.so: cannot open): pip install 'brainfuse[learned]'"
    )


def test_missing_extra_error_pickles() -> None:
    err = MissingExtraError("method 'funfusean'", "torch", "learned")
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is MissingExtraError
    assert (str(again), again.module, again.extra) == (str(err), "torch", "learned")


def test_extras_table_matches_pyproject() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["optional-dependencies"]
    assert set(EXTRAS) <= set(declared)
    assert set(declared) == set(EXTRAS) | {"all", "dev"}
    everything = declared["all"][0]
    assert everything.startswith("brainfuse[") and set(everything[10:-1].split(",")) == set(EXTRAS)
    core = " ".join(project["dependencies"]).lower()
    for name in ("torch", "fastapi", "uvicorn", "dask", "nilearn", "monai", "mne", "trimesh"):
        assert name not in core, name


def test_installed_dev_environment_has_every_extra() -> None:
    """`make` installs `.[all,dev]`: every extra's modules are there, and its methods bind."""
    for extra in EXTRAS:
        assert extra_available(extra), extra
        require_extra(extra, what="test")
    assert get_method("funfusean").bind() == {"weights": "", "zero_background": True}


# --- the lock file -------------------------------------------------------------------------


LOCK = ROOT / "requirements" / "lock.txt"


def _lock_lines() -> list[tuple[str, str, str]]:
    """The lock's pins as ``(name, version, marker)``, each checked to be an exact pin."""
    out = []
    for line in LOCK.read_text().splitlines():
        if line and not line.startswith("#"):
            pin, _, marker = line.partition(";")
            name, sep, version = pin.strip().partition("==")
            assert sep and re.fullmatch(r"[0-9A-Za-z.!]+", version), line
            out.append((name, version, marker.strip()))
    return out


def _lock_pins(machine: str | None = None) -> dict[str, str]:
    """``{name: version}`` of the pins that apply on ``machine`` (default: this one)."""
    from packaging.markers import Marker

    env = None if machine is None else {"platform_machine": machine}
    return {
        name: version
        for name, version, marker in _lock_lines()
        if not marker or Marker(marker).evaluate(env)
    }


def test_lock_is_exact_sorted_and_platform_neutral() -> None:
    lines = _lock_lines()
    names = [name for name, _, _ in lines]
    assert names == sorted(names)
    # PEP 503 names: what pip and `make lock` compare, one spelling per package
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names), names
    # torch alone depends on the machine: the CPU builds (see TORCH in the Makefile)
    assert [(n, v) for n, v, m in lines if m] == [("torch", "2.13.0"), ("torch", "2.9.1")]
    x86, arm = _lock_pins("x86_64"), _lock_pins("aarch64")
    assert (x86["torch"], arm["torch"]) == ("2.13.0", "2.9.1")
    assert {k: v for k, v in x86.items() if k != "torch"} == {
        k: v for k, v in arm.items() if k != "torch"
    }
    assert "brainfuse" not in x86
    for name in x86:
        assert not name.startswith(("nvidia-", "triton", "cuda-")), name
    for name in ("numpy", "scipy", "monai", "mne", "nilearn", "statsmodels", "trimesh", "pip"):
        assert name in x86, name


def test_lock_matches_this_environment() -> None:
    """The venv `make` built is the lock: every pinned distribution at its pinned version."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = {}
    for name, pinned in _lock_pins().items():
        try:
            have = version(name)
        except PackageNotFoundError:
            have = None
        if have is None or have.split("+")[0] != pinned:
            wrong[name] = (pinned, have)
    assert wrong == {}, "this environment is not the lock: `make` reinstalls it"


# --- the wheel, installed with the core dependencies only (slow) -----------------------------


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.slow
def test_core_wheel_in_a_fresh_venv(tmp_path: Path) -> None:
    """Build the wheel, install it with the core dependencies (from the lock) into a new venv,
    fuse and score through its console script; print the venv's size."""
    t0 = time.perf_counter()
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        timeout=600,
    )
    (wheel,) = dist.glob("brainfuse-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for folder in ("fusion/data/", "models/weights/", "web/static/"):
        assert any(n.startswith(f"brainfuse/{folder}") for n in names), folder
    assert "brainfuse/py.typed" in names

    venv = tmp_path / "core-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "-c", str(LOCK), str(wheel)], check=True, timeout=1200
    )
    freeze = subprocess.run(
        [py, "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    for name in ("torch", "fastapi", "dask", "nilearn", "pandas", "monai", "mne", "trimesh"):
        assert f"\n{name}==" not in f"\n{freeze}", name

    def bf(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [venv / "bin" / "brainfuse", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    for name, value in (("a.png", 40), ("b.png", 90)):
        PILImage.fromarray(np.full((16, 16), value, np.uint8)).save(tmp_path / name)
    ok = bf("fuse", "a.png", "b.png", "-m", "average", "-o", "f.png")
    assert ok.returncode == 0, ok.stderr
    assert np.asarray(PILImage.open(tmp_path / "f.png")).tolist() == [[65] * 16] * 16
    scores = bf("metrics", "f.png", "a.png", "b.png", "--metrics", "EN,SD", "--json")
    assert scores.returncode == 0, scores.stderr
    assert json.loads(scores.stdout)["metrics"] == {"EN": 0.0, "SD": 0.0}
    learned = bf("fuse", "a.png", "b.png", "-m", "funfusean", "-o", "g.png")
    assert (learned.returncode, learned.stderr) == (
        2,
        _line("learned", "method 'funfusean'", "torch"),
    )
    assert not (tmp_path / "g.png").exists()
    size = _du(venv)
    print(f"core venv: {size / 2**20:.0f} MiB, {time.perf_counter() - t0:.0f} s")
    # measured 916 MiB (SimpleITK, OpenCV, SciPy are most of it); torch alone adds ~750 MiB
    assert size < 1.5 * (1 << 30)
    shutil.rmtree(venv)
