"""docs/bad-inputs.md is the table of the current case list, and the list is well formed."""

from __future__ import annotations

from .cases import CLI_CASES, WEB_CASES
from .files import BUILDERS
from .table import PAGE, render


def test_page_is_up_to_date():
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/bad-inputs.md is out of date: run python tests/badinput/table.py"
    )


def test_cases_are_well_formed():
    assert len(CLI_CASES) + len(WEB_CASES) >= 100
    for case in CLI_CASES:
        assert set(case.files) <= set(BUILDERS), case.id
        assert case.status in (0, 2), case.id
        assert case.status == 0 or case.names, f"{case.id}: say what the line must name"
        assert bool(case.fails) == bool(case.fix), f"{case.id}: a failing case says the fix"
    for case in WEB_CASES:
        uploads = [c for _, _, c in case.uploads if isinstance(c, str)]
        assert set(uploads) <= set(BUILDERS), case.id
        assert bool(case.fails) == bool(case.fix), case.id
