"""Helpers of the monitoring tests: fresh in-process figures, a statement that sleeps."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.core.monitoring import ROUTES, STATEMENTS

#: A fingerprint that only the sleeping statement has.
SLEEP_FINGERPRINT = {"sqlite": "SELECT test_sleep(...)", "postgresql": "SELECT pg_sleep(...)"}


@pytest.fixture
def fresh_figures() -> Iterator[None]:
    """The process's statement and route figures, emptied before and after the test."""
    STATEMENTS.reset()
    ROUTES.reset()
    yield
    STATEMENTS.reset()
    ROUTES.reset()


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return 0


def sleep_statement(conn: Connection, seconds: float) -> None:
    """Run one statement that takes ``seconds`` on the server (a function of ours on SQLite)."""
    if conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        raw.create_function("test_sleep", 1, _sleep)  # type: ignore[union-attr]
        conn.execute(text("SELECT test_sleep(:seconds)"), {"seconds": seconds})
    else:
        conn.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
