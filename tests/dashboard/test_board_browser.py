"""The board in Chromium: a card dragged to another column, the move form, a reload keeping
the profile, page, tab and application (the URL's query parameters)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import browser_page, choose, open_tab, settled


def _status(database: Path, application_id: int) -> str:
    with sqlite3.connect(database) as connection:
        (status,) = connection.execute(
            "SELECT status FROM job_applications WHERE id = ?", (application_id,)
        ).fetchone()
    return str(status)


def _start(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill("board@example.com")
    page.get_by_role("button", name="Create profile").click()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
    open_tab(page, "Add")
    page.get_by_label("Job title *").fill("Platform Engineer")
    page.get_by_label("Company *").fill("Drag Co")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_text("Added Platform Engineer at Drag Co.")).to_be_visible()
    # The Add tab stays open after the rerun of the submit.
    expect(page.get_by_role("tab", name="Add", selected=True)).to_be_visible()


def test_board_moves_and_a_reload_keeps_the_place(
    browser_path: Path, served: tuple[str, Path], tmp_path: Path
) -> None:
    url, database = served
    with browser_page(browser_path, tmp_path, "board") as (page, shots):
        _start(page, url)
        open_tab(page, "Board")
        expect(page.get_by_role("heading", name="Applied (1)")).to_be_visible()
        settled(page)
        frame = page.frame_locator("iframe[title*='sortable']").first
        card = frame.get_by_text("#1 Platform Engineer · Drag Co")
        target = frame.get_by_text("Screening", exact=True)
        expect(card).to_be_visible()
        shots.take("board")
        box, goal = card.bounding_box(), target.bounding_box()
        assert box is not None and goal is not None
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.down()
        page.mouse.move(goal["x"] + goal["width"] / 2, goal["y"] + 60, steps=20)
        page.mouse.up()
        expect(page.get_by_role("heading", name="Screening (1)")).to_be_visible()
        assert _status(database, 1) == "screening"
        expect(page.get_by_role("tab", name="Board", selected=True)).to_be_visible()
        shots.take("dragged")

        # The accessible way: the move form.
        choose(page, "Move to status", "offer received")
        page.get_by_role("button", name="Move", exact=True).click()
        expect(page.get_by_text("Moved #1 to offer received.")).to_be_visible()
        expect(page.get_by_role("heading", name="Offer (1)")).to_be_visible()
        assert _status(database, 1) == "offer_received"

        open_tab(page, "Details")
        expect(page.get_by_role("heading", name="Platform Engineer at Drag Co")).to_be_visible()
        # The address follows the app's run: wait for it rather than read it at once.
        page.wait_for_url(re.compile(r"view=details.*application=1|application=1.*view=details"))
        page.reload()
        expect(page.get_by_role("tab", name="Details", selected=True)).to_be_visible()
        expect(page.get_by_role("heading", name="Platform Engineer at Drag Co")).to_be_visible()
        assert "profile=1" in page.url and "page=applications" in page.url, page.url
        shots.take("reloaded")
