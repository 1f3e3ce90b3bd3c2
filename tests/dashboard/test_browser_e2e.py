"""End to end: the real app under ``streamlit run``, driven in headless Chromium.

Debian's Chromium (``scripts/install-browser.sh`` installs it) is driven by
Playwright through ``executable_path``; Playwright never downloads a browser.
The app runs on a throwaway SQLite database. Screenshots go to a temporary
folder whose paths the test prints.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import Shots, browser_page, choose, download, open_tab, settled


@pytest.fixture
def app_url(served: tuple[str, Path]) -> str:
    """The dashboard served by ``streamlit run`` on a free localhost port."""
    return served[0]


def _go_to(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(name, exact=True).click()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_profile_application_board_analytics_and_csv_in_a_real_browser(
    browser_path: Path, app_url: str, tmp_path: Path
) -> None:
    with browser_page(browser_path, tmp_path, "dashboard", accept_downloads=True) as (page, shots):
        _journey(page, shots, app_url, tmp_path)


def _journey(page: Page, shots: Shots, url: str, tmp_path: Path) -> None:
    page.goto(url)
    expect(page.get_by_role("heading", name="Welcome to Auto Applyer")).to_be_visible()
    shots.take("welcome")

    page.get_by_label("Email").fill("e2e@example.com")
    page.get_by_label("First name").fill("Eve")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
    shots.take("profile-created")

    open_tab(page, "Add")
    page.get_by_label("Job title *").fill("Site Reliability Engineer")
    page.get_by_label("Company *").fill("Browser Labs")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_text("Added Site Reliability Engineer at Browser Labs.")).to_be_visible()
    shots.take("application-added")

    open_tab(page, "Board")
    expect(page.get_by_role("heading", name="Applied (1)")).to_be_visible()
    # The move form, the board's accessible way (dragging is in test_board_browser.py).
    choose(page, "Move to status", "screening")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved #1 to screening.")).to_be_visible()
    expect(page.get_by_role("tab", name="Board", selected=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Screening (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Applied (0)")).to_be_visible()
    settled(page)
    shots.take("moved-on-board")

    _go_to(page, "Analytics")
    expect(page.get_by_test_id("stMetric").filter(has_text="Applications").first).to_contain_text(
        "1"
    )
    expect(page.get_by_text("screening: 1")).to_be_visible()
    expect(
        page.locator(
            "[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg"
        ).first
    ).to_be_visible()
    settled(page)
    shots.take("analytics")

    _go_to(page, "Applications")
    open_tab(page, "Export & import")
    saved = tmp_path / "applications.csv"
    download(page, "Download CSV").save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [(r["job_title"], r["company"], r["status"]) for r in rows] == [
        ("Site Reliability Engineer", "Browser Labs", "screening")
    ]
    shots.take("export")
