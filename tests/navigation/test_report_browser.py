"""The HTML report in a real browser (Debian's chromium through Playwright), offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from brainfuse.navigation.api import plan_case, write_plan
from brainfuse.navigation.phantom import HematomaSpec, plant

from .conftest import small_head

CHROMIUM = Path("/usr/bin/chromium")


def test_report_loads_three_js_and_the_models_offline(tmp_path: Path) -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright Python package is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    ct, _ = plant(small_head(2.0), HematomaSpec((25.0, 10.0, 5.0), 20.0, hu=72.0, seed=4))
    write_plan(plan_case(ct), tmp_path / "plan")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--use-angle=swiftshader"],
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            requests: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto((tmp_path / "plan" / "report.html").as_uri())
            page.wait_for_selector("body[data-models], body[data-error]", timeout=30_000)
            assert page.get_attribute("body", "data-error") is None
            assert (
                int(page.get_attribute("body", "data-models")) == 5
            )  # skin skull hem. traj. vent.
            assert page.locator("#layers label").count() == 5
        finally:
            browser.close()
    assert errors == []
    assert all(u.startswith(("file:", "data:")) for u in requests)
