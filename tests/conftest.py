"""Test fixtures: the same suite runs on in-memory SQLite, a SQLite file and PostgreSQL.

PostgreSQL is a real server started by ``scripts/pg-test-server.sh`` (installed
with apt-get when missing, run as a non-root user on a private port); set
``TEST_POSTGRES_URL`` to use another server. ``AUTO_APPLYER_TEST_ENGINES``
(comma-separated) narrows the engines for a quick local run; CI runs them all.
``AUTO_APPLYER_TEST_POSTGRES_VIA=pgbouncer`` runs the PostgreSQL tests through
PgBouncer in transaction-pooling mode in front of that server (``make test``
runs them both ways); the replica tests start a hot standby of it.
Tests never touch the developer's ``data/`` database: every ``DATABASE_*``
variable is cleared and each engine gets its own throwaway database.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from database.connection import DatabaseManager, cleanup_database
from tests.support.engines import ENGINES, open_database
from tests.support.pg_server import server
from tests.support.reliability import collected_figures, end_figures, start_figures

#: How the PostgreSQL tests reach the server: ``direct`` or through ``pgbouncer``.
POSTGRES_VIA = os.environ.get("AUTO_APPLYER_TEST_POSTGRES_VIA", "direct")


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the main process, before any worker starts
        start_figures()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    figures = collected_figures()
    if figures:
        terminalreporter.section("reliability figures")
        for line in figures:
            terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        end_figures()


#: Folders whose tests run for minutes: collected first, so that a worker starts
#: them at once and the short tests fill the other worker meanwhile, instead of
#: one of them starting last and running alone at the end.
LONG_RUNNING = (
    "tests/reliability/",
    "tests/dashboard/test_browser",
    "tests/dashboard/test_hosted_browser",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def long_first(item: pytest.Item) -> int:
        return 0 if item.nodeid.startswith(LONG_RUNNING) else 1

    items.sort(key=long_first)
    if POSTGRES_VIA != "direct":  # the PostgreSQL suite again, through PgBouncer: only it
        others = [item for item in items if not _uses_postgres(item)]
        if others:
            config.hook.pytest_deselected(items=others)
            items[:] = [item for item in items if _uses_postgres(item)]


def _uses_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    engine = callspec.params.get("engine_name") if callspec is not None else None
    return engine == "postgresql" or "postgres_url" in getattr(item, "fixturenames", ())


def pytest_report_header() -> str:
    return f"database engines: {', '.join(ENGINES)}"


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """URL of the test PostgreSQL server's own database, started on first use."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    return server("start")


@pytest.fixture(scope="session")
def postgres_url(postgres_server_url: str, postgres_database: str) -> str:
    """The URL of this run's database, through PgBouncer when the run asks for it."""
    base = postgres_server_url if POSTGRES_VIA == "direct" else server(POSTGRES_VIA)
    url = make_url(base).set(database=postgres_database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_direct_url(postgres_server_url: str, postgres_database: str) -> str:
    """This run's database on the server itself, never through PgBouncer."""
    url = make_url(postgres_server_url).set(database=postgres_database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url: str) -> Iterator[str]:
    """The name of a PostgreSQL database of this test run alone, dropped at the end.

    Several test runs (or xdist workers) can share one server without meeting.
    """
    base = make_url(postgres_server_url)
    name = f"aa_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        cleanup_database()
        _drop_database(admin, name)
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    error = "no attempt"
    for attempt in range(5):
        try:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except DBAPIError as exc:
            error = str(exc.orig)
            time.sleep(0.5 * (attempt + 1))
    warnings.warn(f"could not drop the test database {name}: {error}", stacklevel=1)


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[None]:
    """No test sees the developer's settings or data; none leaves a manager behind.

    Even ``init_database("development")`` lands in a throwaway file. Through
    PgBouncer, the server itself is ``DATABASE_DIRECT_URL``, as in production.
    """
    for name in list(os.environ):
        if name.startswith("DATABASE_") or name == "ENVIRONMENT":
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_SQLITE_PATH", str(tmp_path / "development.db"))
    if POSTGRES_VIA != "direct":
        monkeypatch.setenv("DATABASE_DIRECT_URL", request.getfixturevalue("postgres_direct_url"))
    yield
    cleanup_database()


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


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
