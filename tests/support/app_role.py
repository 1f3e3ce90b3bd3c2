"""The application role of a hosted deployment, for the row-level security tests (PostgreSQL).

A login role of this test run alone (not a superuser, owning nothing, no
``BYPASSRLS``), granted with :func:`database.core.tenant.grant_app_role`,
dropped at the end of the run. The ``db`` fixture's database is migrated as
its owner; :func:`app_database` makes the global database the same one
reached as the application role, as ``python -m api`` would in production.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from database.connection import DatabaseManager, init_database
from database.core.tenant import grant_app_role


@dataclass(frozen=True)
class AppRole:
    """A login role that does not own the tables, and the URL that connects as it."""

    name: str
    url: str


@contextmanager
def catalog_lock() -> Iterator[None]:
    """Hold a lock all test workers share while one of them creates, grants or drops a role.

    Roles and their grants live in catalogs the whole server shares, and two
    sessions changing one catalog row at once fail with "tuple concurrently
    updated"; an advisory lock would not help, being local to one database.
    """
    path = Path(tempfile.gettempdir()) / "auto-applyer-test-roles.lock"
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def app_role(postgres_url: str) -> Iterator[AppRole]:
    """The application role of this test run, dropped (with its grants) at the end."""
    name = f"aa_app_{os.getpid()}_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    owner = create_engine(postgres_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with catalog_lock(), owner.connect() as conn:
        conn.exec_driver_sql(
            f"CREATE ROLE {name} LOGIN PASSWORD '{password}' "
            "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
        )
    url = make_url(postgres_url).set(username=name, password=password)
    try:
        yield AppRole(name, url.render_as_string(hide_password=False))
    finally:
        with catalog_lock(), owner.connect() as conn:
            for kind in ("TABLES", "SEQUENCES"):
                conn.exec_driver_sql(f"REVOKE ALL ON ALL {kind} IN SCHEMA public FROM {name}")
            conn.exec_driver_sql(f"REVOKE ALL ON SCHEMA public FROM {name}")
            conn.exec_driver_sql(f"DROP ROLE {name}")
        owner.dispose()


def app_database(
    db: DatabaseManager, role: AppRole, monkeypatch: pytest.MonkeyPatch
) -> DatabaseManager:
    """The global database reached as ``role``, granted anew (a test may have re-created tables)."""
    with catalog_lock():
        grant_app_role(db.engine, role.name)
    monkeypatch.setenv("DATABASE_URL", role.url)
    return init_database("production")


@pytest.fixture
def app_engine(db: DatabaseManager, app_role: AppRole) -> Iterator[Engine]:
    """An engine connecting as the application role, granted on the ``db`` fixture's database."""
    with catalog_lock():
        grant_app_role(db.engine, app_role.name)
    engine = create_engine(app_role.url, poolclass=NullPool)
    yield engine
    engine.dispose()
