"""The engines a test runs on, and opening a fresh global database on one of them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from database.connection import DatabaseManager, init_database
from database.models import TABLES

ROOT = Path(__file__).resolve().parents[2]
ALL_ENGINES = ("sqlite_memory", "sqlite_file", "postgresql")
ENGINES = tuple(
    e for e in os.environ.get("AUTO_APPLYER_TEST_ENGINES", ",".join(ALL_ENGINES)).split(",") if e
)
_pg_fresh: dict[str, bool] = {}


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


@pytest.fixture(name="engine_name", params=ENGINES)
def on_every_engine(request: pytest.FixtureRequest) -> str:
    """Every engine, the SQLite file included: for a module of a folder that narrows them."""
    return str(request.param)
