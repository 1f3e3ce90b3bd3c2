"""What ``init_db`` reports about a database: engine, URL, version, row counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from database.core.session import DatabaseManager
from database.models import TABLES


def row_counts(manager: DatabaseManager) -> dict[str, int]:
    """Rows per table of the schema (tables that do not exist are left out)."""
    present = set(manager.table_names())
    counts: dict[str, int] = {}
    with manager.session_scope() as session:
        for table in TABLES:
            if table.name in present:
                counts[table.name] = int(
                    session.scalar(select(func.count()).select_from(table)) or 0
                )
    return counts


def database_status(manager: DatabaseManager) -> dict[str, Any]:
    """:meth:`DatabaseManager.get_database_info` plus ``row_counts``."""
    info = manager.get_database_info()
    info["row_counts"] = row_counts(manager)
    return info
