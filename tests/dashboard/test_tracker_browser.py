"""The tracker in Chromium: a posting imported from its address on a local web server, a
contact added on the Contacts page and linked to that application in its details."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support.browser import browser_page, open_tab, settled
from tests.support.posting_server import posting_server


def _rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return list(connection.execute(sql).fetchall())


def _import(page: Page, address: str) -> None:
    form = page.get_by_test_id("stForm").filter(
        has=page.get_by_role("button", name="Import posting")
    )
    form.get_by_label("Job posting URL").fill(address)
    form.get_by_role("button", name="Import posting").click()


def _add_contact(page: Page) -> None:
    page.get_by_text("Contacts", exact=True).first.click()
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    form = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Add contact"))
    form.get_by_label("Name *").fill("Grace Hopper")
    form.get_by_label("Company").fill("Northwind Analytics")
    form.get_by_label("Email").fill("grace@northwind.example")
    form.get_by_role("button", name="Add contact").click()
    expect(page.get_by_text("Contact saved.")).to_be_visible()


def test_a_posting_imported_by_address_gets_a_contact_linked_in_its_details(
    browser_path: Path, served: tuple[str, Path], tmp_path: Path
) -> None:
    url, database = served
    with (
        posting_server() as postings,
        browser_page(browser_path, tmp_path, "tracker") as (
            page,
            shots,
        ),
    ):
        page.goto(url)
        page.get_by_label("Email").fill("tracker@example.com")
        page.get_by_role("button", name="Create profile").click()
        expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
        open_tab(page, "Add")
        _import(page, postings.url("/greenhouse.html"))
        expect(
            page.get_by_text("Imported Senior Data Engineer at Northwind Analytics")
        ).to_be_visible()
        shots.take("posting-imported")
        # The posting names no address of its own: the one it was fetched from is kept.
        assert _rows(database, "SELECT job_title, company, job_url FROM job_applications") == [
            ("Senior Data Engineer", "Northwind Analytics", postings.url("/greenhouse.html"))
        ]

        _add_contact(page)
        shots.take("contact-added")
        page.get_by_text("Applications", exact=True).first.click()
        open_tab(page, "Details")
        expect(
            page.get_by_role("heading", name="Senior Data Engineer at Northwind Analytics")
        ).to_be_visible()
        settled(page)
        page.get_by_role("button", name="Link", exact=True).click()
        expect(page.get_by_text("Grace Hopper — Northwind Analytics", exact=False)).to_be_visible()
        shots.take("contact-linked")
        assert _rows(database, "SELECT application_id, contact_id FROM application_contacts") == [
            (1, 1)
        ]
