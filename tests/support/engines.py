"""The engines a test runs on, and opening a fresh global database on one of them."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from database.connection import DatabaseManager, init_database
from database.core.config import DatabaseConfig
from database.core.session import cleanup_database, install_manager
from database.models import TABLES

ROOT = Path(__file__).resolve().parents[2]
ALL_ENGINES = ("sqlite_memory", "sqlite_file", "postgresql")
ENGINES = tuple(
    e for e in os.environ.get("AUTO_APPLYER_TEST_ENGINES", ",".join(ALL_ENGINES)).split(",") if e
)
_pg_fresh: dict[str, bool] = {}
#: A SQLite database migrated once per test process by ``init_database``: each test
#: starts from a copy of it instead of running every migration again.
_sqlite_template: list[Path] = []


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
        return _from_template(DatabaseConfig.for_environment("testing"))
    monkeypatch.setenv("DATABASE_URL", url)
    if engine_name != "postgresql":
        return _from_template(DatabaseConfig.for_environment("development"))
    # One drop-and-migrate per run, then truncation between tests (much faster).
    manager = init_database("production", drop_existing=not _pg_fresh.get(url))
    _pg_fresh[url] = True
    truncate_all(manager)
    return manager


def sqlite_template() -> Path:
    """The migrated, empty SQLite database of this test process (made on first use)."""
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="aa_template_"))
        path = folder / "template.db"
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("DATABASE_URL", f"sqlite:///{path}")
            init_database("development")
            cleanup_database()
        _sqlite_template.append(path)
    return _sqlite_template[0]


def _from_template(config: DatabaseConfig) -> DatabaseManager:
    """A global manager of ``config``'s SQLite database, holding a copy of the template.

    The same as ``init_database`` on an empty database (the template was made by it),
    without migrating from nothing in every test.
    """
    template = sqlite3.connect(sqlite_template())
    cleanup_database()
    manager = DatabaseManager(config)
    try:
        with manager.engine.connect() as conn:
            target = conn.connection.driver_connection
            assert isinstance(target, sqlite3.Connection)
            template.backup(target)
    except BaseException:
        manager.close()
        raise
    finally:
        template.close()
    install_manager(manager)
    return manager


def truncate_all(manager: DatabaseManager) -> None:
    """Empty every data table of the schema, keeping the migration records.

    Only the tables holding rows are truncated (a TRUNCATE of every table costs far
    more than the test that follows), and every sequence a test moved starts again.
    """
    with manager.engine.begin() as conn:
        filled = conn.execute(text(_FILLED_TABLES)).scalars().all()
        if filled:
            conn.execute(text(f"TRUNCATE {', '.join(filled)} RESTART IDENTITY CASCADE"))
        conn.execute(text(_RESTART_SEQUENCES))


_DATA_TABLES = [t.name for t in TABLES if t.name != "schema_migrations"]
# The table names are the schema's own, never input.
_FILLED_TABLES = " UNION ALL ".join(
    f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in _DATA_TABLES
)
_RESTART_SEQUENCES = (
    "SELECT setval(format('%I.%I', schemaname, sequencename), 1, false) FROM pg_sequences"
    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    " AND sequencename NOT LIKE 'schema_migrations%'"
)


@pytest.fixture(name="engine_name", params=ENGINES)
def on_every_engine(request: pytest.FixtureRequest) -> str:
    """Every engine, the SQLite file included: for a module of a folder that narrows them."""
    return str(request.param)
