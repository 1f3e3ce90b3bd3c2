"""Test fixtures: the same suite runs on in-memory SQLite, a SQLite file and PostgreSQL.

PostgreSQL is a real server started by ``scripts/pg-test-server.sh`` (installed
with apt-get when missing, run as a non-root user on a private port); set
``TEST_POSTGRES_URL`` to use another server. ``AUTO_APPLYER_TEST_ENGINES``
(comma-separated) narrows the engines for a quick local run; CI runs them all.
Tests never touch the developer's ``data/`` database: every ``DATABASE_*``
variable is cleared and each engine gets its own throwaway database.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from database.connection import DatabaseManager, cleanup_database, init_database
from database.models import TABLES

ROOT = Path(__file__).resolve().parent.parent
ALL_ENGINES = ("sqlite_memory", "sqlite_file", "postgresql")
ENGINES = tuple(
    e for e in os.environ.get("AUTO_APPLYER_TEST_ENGINES", ",".join(ALL_ENGINES)).split(",") if e
)
_pg_fresh: dict[str, bool] = {}


def pytest_report_header() -> str:
    return f"database engines: {', '.join(ENGINES)}"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of the test PostgreSQL server's own database, started on first use."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    result = subprocess.run(
        [str(ROOT / "scripts" / "pg-test-server.sh"), "start"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"could not start the test PostgreSQL server:\n{result.stderr}", pytrace=False)
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A PostgreSQL database of this test run alone, dropped at the end.

    Several test runs (or xdist workers) can share one server without meeting.
    """
    base = make_url(postgres_server_url)
    name = f"aa_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        cleanup_database()
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    for attempt in range(5):
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError:
            time.sleep(0.5 * (attempt + 1))
    warnings.warn(f"could not drop the test database {name}", stacklevel=1)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's settings or data; none leaves a manager behind.

    Even ``init_database("development")`` lands in a throwaway file.
    """
    for name in list(os.environ):
        if name.startswith("DATABASE_") or name == "ENVIRONMENT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_SQLITE_PATH", str(tmp_path / "development.db"))
    yield
    cleanup_database()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def url_for(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """The ``DATABASE_URL`` of ``engine_name`` (``None``: the testing environment)."""
    if engine_name == "sqlite_memory":
        return None
    if engine_name == "sqlite_file":
        return f"sqlite:///{tmp_path / 'auto_applyer_test.db'}"
    return str(request.getfixturevalue("postgres_url"))


def open_database(
    engine_name: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> DatabaseManager:
    """Initialise the global database on ``engine_name``, empty and at the latest schema."""
    url = url_for(engine_name, request, tmp_path)
    if url is None:
        return init_database("testing")
    monkeypatch.setenv("DATABASE_URL", url)
    if engine_name != "postgresql":
        return init_database("development")
    # One drop-and-migrate per run, then truncation between tests (much faster).
    manager = init_database("production", drop_existing=not _pg_fresh.get(url))
    _pg_fresh[url] = True
    truncate_all(manager)
    return manager


def truncate_all(manager: DatabaseManager) -> None:
    """Empty every data table of the schema, keeping the migration records."""
    names = [t.name for t in TABLES if t.name != "schema_migrations"]
    with manager.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(
    engine_name: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DatabaseManager]:
    """The global database, freshly initialised on each engine in turn."""
    manager = open_database(engine_name, request, tmp_path, monkeypatch)
    yield manager
    cleanup_database()
