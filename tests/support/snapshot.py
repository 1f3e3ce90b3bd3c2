"""Helpers to prove that a rejected call left the database unchanged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from database.connection import get_database_manager
from database.models import TABLES


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, ordered by primary key."""
    manager = get_database_manager()
    with manager.engine.connect() as conn:
        return {
            table.name: [
                tuple(row) for row in conn.execute(select(table).order_by(*table.primary_key))
            ]
            for table in TABLES
        }
