"""Fixtures of the dashboard tests: the app under Streamlit's AppTest, in-process.

AppTest runs the script in this process, so the app shares the global database
the ``db`` fixture opened, on each engine in turn (PostgreSQL included).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.support.browser import CHROMIUM, served_dashboard
from tests.support.engines import ENGINES, ROOT

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
#: The dashboard runs on the SQLite file (``make run``, a laptop) and on PostgreSQL (hosted);
#: in-memory SQLite adds nothing a page could tell apart from the file.
DASHBOARD_ENGINES = [e for e in ENGINES if e != "sqlite_memory"]


@pytest.fixture(params=DASHBOARD_ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Uploaded files go to this test's folder, never the developer's ``data/``."""
    folder = tmp_path / "dashboard-data"
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(folder))
    st.cache_data.clear()
    yield folder


@pytest.fixture
def app(db: DatabaseManager) -> Callable[..., AppTest]:
    """A factory of a fresh session of the app on the test database."""

    def start(user_id: int | None = None, page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(APP), default_timeout=60)
        if user_id is not None:
            at.session_state["user_id"] = user_id
        if page is not None:
            at.session_state["page"] = page
        return at.run()

    return start


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    """A profile with no applications yet."""
    return DatabaseUtils.create_user("ann@example.com", first_name="Ann", last_name="Lee").id


@pytest.fixture
def browser_path() -> Path:
    """Debian's Chromium for the end-to-end tests, installed when missing."""
    if not CHROMIUM.exists():
        subprocess.run([str(ROOT / "scripts" / "install-browser.sh")], check=True)
    return CHROMIUM


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The local dashboard served by ``streamlit run`` on a throwaway SQLite file: URL and file."""
    database = tmp_path / "db.sqlite"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        ENVIRONMENT="development",
        AUTO_APPLYER_DATA_DIR=str(tmp_path / "data"),
    )
    with served_dashboard(env, tmp_path) as url:
        yield url, database
