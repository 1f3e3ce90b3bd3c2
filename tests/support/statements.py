"""Capturing the SQL a call sends through an engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


def statements_sent(engine: Engine, call: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Every (statement, parameters) that ``call()`` sends through ``engine``, in order."""
    sent: list[tuple[str, Any]] = []

    def record(
        conn: object,
        cursor: object,
        statement: str,
        parameters: Any,
        context: object,
        executemany: bool,
    ) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent
