"""The viewer in a real browser: Debian's chromium driven by Playwright (no browser download).

Runs wherever /usr/bin/chromium exists; ``.ci/run`` installs it, and in CI (``CI`` set) a missing
browser is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import Server, make_pair, png_bytes

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _browser_or_skip():
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright Python package is not installed (pip install -e '.[dev]')"
    if reason is None and not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found (apt-get install chromium; .ci/run does it)"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"browser test must run in CI: {reason}")
        pytest.skip(reason)
    return sync_playwright


def test_upload_fuse_and_see_result(server: Server, tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    mri, pet = make_pair(3)
    (tmp_path / "mri.png").write_bytes(png_bytes(mri))
    (tmp_path / "pet.png").write_bytes(png_bytes(pet))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/")
            page.wait_for_selector("body[data-ready='1']", timeout=20_000)
            page.check("#source-upload")
            page.set_input_files("#file-a", str(tmp_path / "mri.png"))
            page.set_input_files("#file-b", str(tmp_path / "pet.png"))
            page.select_option("#method", "weighted")
            page.fill("#param-w", "0.65")
            page.click("#fuse-button")
            page.wait_for_selector("#status:text('Done.')", timeout=60_000)
            for key in ("fused_grey", "fused_color"):
                width = page.eval_on_selector(
                    f"#img-{key}", "img => img.complete ? img.naturalWidth : 0"
                )
                if width == 0:
                    page.wait_for_function(
                        f"document.getElementById('img-{key}').naturalWidth > 0", timeout=20_000
                    )
                    width = page.eval_on_selector(f"#img-{key}", "img => img.naturalWidth")
                assert width == 64
            rows = page.locator("#metrics tbody tr")
            assert rows.count() == 8
            assert rows.first.inner_text().startswith("EN")
            assert "weighted (w=0.65)" in page.inner_text("#result-title")
            assert page.locator("#downloads a").count() == 7
            # An error is a message on the page, not a traceback.
            page.set_input_files("#file-b", str(tmp_path / "mri.png"))
            page.fill("#param-w", "7")
            page.click("#fuse-button")
            page.wait_for_selector("#status.error", timeout=30_000)
            status = page.inner_text("#status")
            assert status.startswith("Error: parameter 'w' of method 'weighted' must lie in")
            assert errors == []
        finally:
            browser.close()
