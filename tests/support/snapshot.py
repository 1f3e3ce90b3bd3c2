"""Helpers to prove that a rejected call left the database unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, func, select

from database.connection import get_database_manager
from database.models import TABLES


def snapshot(tables: Iterable[Table] = TABLES) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (or of ``tables``), ordered by primary key."""
    manager = get_database_manager()
    with manager.engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in tables
        }


def table_fingerprint(conn: Any) -> tuple[Any, ...]:
    """Row count, key sum (or greatest key) and latest update of every table, in one statement."""
    parts = []
    for table in TABLES:
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        if "id" in table.c:
            parts.append(select(func.coalesce(func.sum(table.c.id), 0)).scalar_subquery())
        else:
            key = next(iter(table.primary_key))
            parts.append(select(func.max(key)).scalar_subquery())
        if "updated_at" in table.c:
            parts.append(select(func.max(table.c.updated_at)).scalar_subquery())
    return tuple(conn.execute(select(*parts)).one())
