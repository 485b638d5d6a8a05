"""The battery's harness: run one case in a fresh folder and check the one-line contract."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import stat
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from .cases import Case, WebCase
from .files import materialize

ROOT = Path(__file__).resolve().parents[2]
PROCESS_TIMEOUT = 60.0  # seconds; a case that blocks (a FIFO) is killed at FIFO_TIMEOUT
FIFO_TIMEOUT = 5.0


def param(case: Case | WebCase):
    """``pytest.param`` of a case, an expected failure (strict) when it fails today."""
    marks = [pytest.mark.xfail(strict=True, reason=case.fails)] if case.fails else []
    if getattr(case, "slow", False):
        marks.append(pytest.mark.slow)
    return pytest.param(case, id=case.id, marks=marks)


@dataclass
class Result:
    status: int | None  # None: the command raised (or was killed)
    stdout: str
    stderr: str


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under ``root``: kind, and for files size, mtime and SHA-256 (links not
    followed, FIFOs not opened)."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = os.fsencode(p.relative_to(root))
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                digest = hashlib.sha256(p.read_bytes()).hexdigest()
                out[rel] = ("file", st.st_size, st.st_mtime_ns, digest)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                out[rel] = ("special", stat.S_IFMT(st.st_mode))
    return out


def run_inprocess(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> Result:
    """``brainfuse.cli.main(argv)`` with captured output; an escaping exception is a
    traceback (it would be one on the command line)."""
    from brainfuse.cli import main

    tb = ""
    try:
        status: int | None = main(list(argv))
    except SystemExit as exc:  # never expected: main() returns its status
        status = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        status, tb = None, traceback.format_exc()
    captured = capsys.readouterr()
    return Result(status, captured.out, captured.err + tb)


def run_process(argv: tuple[str, ...], cwd: Path, env: dict[str, str], timeout: float) -> Result:
    """``python -m brainfuse argv`` in ``cwd``; killed (with its children) after ``timeout``."""
    full_env = {**os.environ, **env, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-m", "brainfuse", *argv]
    with subprocess.Popen(
        [os.fsencode(a) for a in args],
        cwd=cwd,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
            status: int | None = proc.returncode
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            status = None
            err += f"\n[killed after {timeout:g} s]".encode()
    decode = {"encoding": "utf-8", "errors": "backslashreplace"}
    return Result(status, out.decode(**decode), err.decode(**decode))


def _matches(line: str, needle: str) -> bool:
    return any(alt in line for alt in needle.split("|"))


def check_cli(case: Case, result: Result, before: dict, after: dict) -> None:
    """The contract: status, one line naming the culprit, no traceback, inputs untouched, no
    output (refused) or the promised outputs (valid)."""
    both = result.stdout + result.stderr
    assert "Traceback" not in both, both[-3000:]
    assert result.status == case.status, (result.status, result.stderr[-2000:])
    changed = [k for k, v in before.items() if after.get(k) != v]
    assert not changed, f"inputs changed or removed: {changed}"
    new = sorted(set(after) - set(before))
    if case.status == 0:
        for name in case.creates:
            assert os.fsencode(name) in after, f"{name} not written"
        return
    assert not new, f"refused, yet wrote {new}"
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr[-2000:]
    line = lines[0]
    assert line.startswith("brainfuse: error: "), line
    for needle in case.names:
        assert _matches(line, needle), f"{needle!r} not in {line!r}"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh folder (the current directory) with an empty ``out/``."""
    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def prepare(case: Case, root: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    materialize(root, case.files)
    for key, value in case.env:
        monkeypatch.setenv(key, value)
    return snapshot(root)


def cli_test(group: str):
    """The parametrized test of the in-process cases of one group (one test file per group,
    so ``pytest -n 2 --dist loadfile`` spreads them over the workers)."""
    from .cases import CLI_CASES

    cases = [c for c in CLI_CASES if c.via == "inprocess" and c.group == group]

    @pytest.mark.parametrize("case", [param(c) for c in cases])
    def test_cli_case(case, workspace, monkeypatch, capsys):
        before = prepare(case, workspace, monkeypatch)
        result = run_inprocess(case.argv, capsys)
        check_cli(case, result, before, snapshot(workspace))

    return test_cli_case
