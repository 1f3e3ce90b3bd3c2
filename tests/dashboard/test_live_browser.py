"""End to end: an application added by another process appears on the open page by itself.

The real app under ``streamlit run`` on a SQLite file, in headless Chromium; the
test process writes through ``DatabaseUtils`` as the CLI or an import would,
and the page, never reloaded, shows the change within seconds.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from database.connection import DatabaseManager, init_database
from database.utilities import DatabaseUtils
from tests.support.browser import browser_page, served_dashboard, settled

#: The page looks for changes this often in the test (the default is 3 s).
LIVE_SECONDS = 1


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DatabaseManager]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    manager = init_database("development")
    yield manager
    manager.close()


def test_an_application_added_elsewhere_appears_without_a_reload(
    browser_path: Path, database: DatabaseManager, tmp_path: Path
) -> None:
    user = DatabaseUtils.create_user("ann@example.com", first_name="Ann")
    DatabaseUtils.add_job_application(user.id, "Engineer", "Acme")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=str(database.config.url),
        ENVIRONMENT="development",
        AUTO_APPLYER_DATA_DIR=str(tmp_path / "data"),
        AUTO_APPLYER_LIVE_SECONDS=str(LIVE_SECONDS),
    )
    with (
        served_dashboard(env, tmp_path) as url,
        browser_page(browser_path, tmp_path, "live") as (
            page,
            shots,
        ),
    ):
        page.goto(url)
        settled(page)
        # The table is drawn on a canvas: its count line tells what it holds.
        expect(page.get_by_text("1 applications")).to_be_visible()
        shots.take("before")
        written = time.monotonic()
        DatabaseUtils.add_job_application(user.id, "Engineer", "Globex")
        expect(page.get_by_text("2 applications")).to_be_visible(timeout=15_000)
        seen_after = time.monotonic() - written
        shots.take("after")
    print(f"a write of another process was on the open page {seen_after:.1f} s later")
