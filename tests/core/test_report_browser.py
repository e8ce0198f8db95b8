"""Slow: the self-contained HTML reports open in a real headless Chromium and draw their charts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from coalign.cli import app
from coalign.governance.synthetic import example_path
from tests.browser import ARGS, CHROMIUM, needs_chromium

pytestmark = [pytest.mark.slow, needs_chromium]


def test_governance_report_opens_and_draws(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    html = tmp_path / "agile.html"
    res = CliRunner().invoke(
        app,
        ["index", "build", "agile-2024", str(example_path()), "--report", str(html)]
        + ["--uncertainty", "40"],
    )
    assert res.exit_code == 0, res.output
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        # offline: the report must not need the network, so block every non-file request
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(html.as_uri())
        page.wait_for_selector(".plotly-graph-div .main-svg", timeout=20_000)
        n_plots = page.locator(".plotly-graph-div").count()
        drawn = page.locator(".plotly-graph-div .main-svg").count()
        text = page.inner_text("body")
        page.screenshot(path=str(tmp_path / "agile.png"), full_page=False)
        browser.close()
    assert not errors, errors
    assert n_plots >= 4 and drawn >= n_plots  # ranking, radar, heatmap, uncertainty, scatter
    assert "SYNTHETIC" in text and "Singapore" in text
