"""End to end, hosted mode: sign up, sign out, sign in, see only your data, sign out, in Chromium.

The real app runs under ``streamlit run`` on a free localhost port, on the test
database of the engine (a SQLite file, or PostgreSQL with ``ENVIRONMENT=production``
and no ``AUTO_APPLYER_MODE``, which proves that production defaults to hosted).
Another person's account and application are there before the browser arrives.
In-memory SQLite cannot be shared with a second process, so it is not one of the
engines here.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import func, select

from database.connection import DatabaseManager
from database.domain.accounts import sign_up
from database.models import AuthToken, TokenKind
from database.utilities import DatabaseUtils
from tests.support.api import PASSWORD
from tests.support.browser import (
    TIMEOUT_MS,
    Shots,
    browser_page,
    open_tab,
    served_dashboard,
    settled,
)
from tests.support.engines import ENGINES

BROWSER_ENGINES = [e for e in ENGINES if e != "sqlite_memory"]
#: The first run imports the whole app and opens the database: slow on a busy 2-core machine.
FIRST_RUN_MS = 120_000


@contextmanager
def _served(db: DatabaseManager, tmp_path: Path) -> Iterator[str]:
    """The dashboard in hosted mode on ``db``, served on a free localhost port."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DATABASE_") and k not in ("ENVIRONMENT", "AUTO_APPLYER_MODE")
    }
    env.update(
        DATABASE_URL=db.config.url.render_as_string(hide_password=False),
        AUTO_APPLYER_DATA_DIR=str(tmp_path / "data"),
    )
    if db.config.database_type == "postgresql":
        env["ENVIRONMENT"] = "production"
    else:
        env.update(ENVIRONMENT="development", AUTO_APPLYER_MODE="hosted")
    with served_dashboard(env, tmp_path) as url:
        yield url


def _live_sessions(db: DatabaseManager, email: str) -> int:
    user = DatabaseUtils.get_user_by_email(email)
    assert user is not None
    with db.session_scope() as session:
        query = select(func.count()).where(
            AuthToken.user_id == user.id,
            AuthToken.kind == TokenKind.ACCESS,
            AuthToken.revoked_at.is_(None),
        )
        return int(session.scalar(query) or 0)


@pytest.mark.parametrize("engine_name", BROWSER_ENGINES)
def test_hosted_sign_up_sign_in_own_data_and_sign_out_in_a_real_browser(
    browser_path: Path, db: DatabaseManager, tmp_path: Path
) -> None:
    with db.session_scope() as session:
        bob = sign_up(session, f"bob-{uuid.uuid4().hex[:6]}@example.com", PASSWORD).id
    DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    email = f"eve-{uuid.uuid4().hex[:6]}@example.com"
    with (
        _served(db, tmp_path) as url,
        browser_page(browser_path, tmp_path, "hosted dashboard") as (page, shots),
    ):
        _journey(page, shots, url, email)
    assert _live_sessions(db, email) == 0


def _form(page: Page, button: str) -> Locator:
    return page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name=button))


def _signed_out(page: Page, timeout: float = TIMEOUT_MS) -> None:
    heading = page.get_by_role("heading", name="Sign in to Auto Applyer")
    expect(heading).to_be_visible(timeout=timeout)
    expect(page.get_by_test_id("stSidebar")).to_have_count(0)


def _journey(page: Page, shots: Shots, url: str, email: str) -> None:
    page.goto(url)
    _signed_out(page, FIRST_RUN_MS)
    shots.take("sign-in-page")

    open_tab(page, "Create an account")
    sign_up_form = _form(page, "Create account")
    sign_up_form.get_by_label("Email").fill(email)
    sign_up_form.get_by_label("Password (at least 8 characters)").fill(PASSWORD)
    sign_up_form.get_by_label("First name").fill("Eve")
    sign_up_form.get_by_label("Last name").fill("Stone")
    sign_up_form.get_by_role("button", name="Create account").click()
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_text("Signed in as Eve Stone")).to_be_visible()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible()
    shots.take("signed-up")

    sidebar.get_by_role("button", name="Sign out").click()
    _signed_out(page)
    sign_in_form = _form(page, "Sign in")
    sign_in_form.get_by_label("Email").fill(email)
    sign_in_form.get_by_label("Password", exact=True).fill(PASSWORD)
    sign_in_form.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("Signed in as Eve Stone")).to_be_visible()
    expect(sidebar.get_by_test_id("stSelectbox")).to_have_count(0)  # no profile picker
    expect(sidebar.get_by_text("Backups", exact=True)).to_have_count(0)
    expect(sidebar.get_by_text("Settings", exact=True)).to_have_count(0)

    open_tab(page, "Add")
    page.get_by_label("Job title *").fill("Site Reliability Engineer")
    page.get_by_label("Company *").fill("Browser Labs")
    page.get_by_role("button", name="Add application").click()
    expect(page.get_by_text("Added Site Reliability Engineer at Browser Labs.")).to_be_visible()
    open_tab(page, "Board")
    expect(page.get_by_role("heading", name="Applied (1)")).to_be_visible()
    # The cards are drawn by the drag-and-drop component, in its own frame.
    cards = page.frame_locator("iframe[title*='sortable']").first
    expect(cards.get_by_text("Site Reliability Engineer · Browser Labs")).to_be_visible()
    expect(cards.get_by_text("Bob Airways")).to_have_count(0)
    expect(page.get_by_text("Bob Airways")).to_have_count(0)
    settled(page)
    shots.take("own-data-only")

    sidebar.get_by_role("button", name="Sign out").click()
    _signed_out(page)
    expect(page.get_by_text("Browser Labs")).to_have_count(0)
    shots.take("signed-out")
