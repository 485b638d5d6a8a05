"""The one-line contract end to end: a few cases through a real ``python -m brainfuse``."""

from __future__ import annotations

import pytest

from .cases import CLI_CASES
from .conftest import FIFO_TIMEOUT, PROCESS_TIMEOUT, check_cli, param, run_process, snapshot
from .files import materialize

CASES = [case for case in CLI_CASES if case.via == "subprocess"]


@pytest.mark.parametrize("case", [param(case) for case in CASES])
def test_process_case(case, tmp_path):
    (tmp_path / "out").mkdir()
    materialize(tmp_path, case.files)
    before = snapshot(tmp_path)
    timeout = FIFO_TIMEOUT if any("fifo" in f for f in case.files) else PROCESS_TIMEOUT
    result = run_process(case.argv, tmp_path, dict(case.env), timeout)
    check_cli(case, result, before, snapshot(tmp_path))
