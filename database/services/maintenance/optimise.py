"""The optimisation step of maintenance: statistics, WAL and full-text indexes.

SQLite: each FTS5 index is merged into one b-tree (``'optimize'``), ``PRAGMA
optimize`` refreshes the planner's statistics where they are stale, and a file
database's WAL is checkpointed and truncated (outside any transaction, on the
driver's connection). PostgreSQL: ``ANALYZE`` of the tables that changed;
autovacuum reclaims the space.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable

from sqlalchemy import text

from database.core.errors import translated
from database.core.session import DatabaseManager
from database.models import TABLES
from utils.errors import DatabaseError

log = logging.getLogger(__name__)

_KNOWN_TABLES = frozenset(table.name for table in TABLES)
_FTS5_TABLES = text(
    "SELECT name FROM sqlite_master WHERE type = 'table' "
    "AND lower(sql) LIKE 'create virtual table%using fts5%' ORDER BY name"
)


def optimise(manager: DatabaseManager, changed: Iterable[str]) -> list[str]:
    """Optimise the database of ``manager``; the actions taken, in order.

    ``changed`` names the tables that maintenance changed (PostgreSQL analyses those).
    """
    if manager.config.database_type == "postgresql":
        return _analyse(manager, changed)
    return _optimise_sqlite(manager)


def _analyse(manager: DatabaseManager, changed: Iterable[str]) -> list[str]:
    tables = sorted(set(changed) & _KNOWN_TABLES)
    if not tables:
        return []
    with manager.connection_scope() as conn:
        for name in tables:
            # The names are the schema's own tables, never input.
            conn.exec_driver_sql(f"ANALYZE {name}")
    log.info("maintenance: analysed %s", ", ".join(tables))
    return [f"ANALYZE {name}" for name in tables]


def _optimise_sqlite(manager: DatabaseManager) -> list[str]:
    actions = []
    with manager.connection_scope() as conn:
        for name in conn.scalars(_FTS5_TABLES).all():
            conn.exec_driver_sql(f"INSERT INTO {name}({name}) VALUES ('optimize')")  # noqa: S608
            actions.append(f"FTS5 optimize {name}")
        conn.exec_driver_sql("PRAGMA optimize")
        actions.append("PRAGMA optimize")
    if manager.config.sqlite_file is not None:
        actions.append(_checkpoint(manager))
    log.info("maintenance: %s", "; ".join(actions))
    return actions


def _checkpoint(manager: DatabaseManager) -> str:
    """Checkpoint the WAL into the database file and truncate it (readers may hold some back)."""
    with translated():
        raw = manager.engine.raw_connection()
    try:
        busy, _log_frames, _done = raw.driver_connection.execute(  # type: ignore[union-attr]
            "PRAGMA wal_checkpoint(TRUNCATE)"
        ).fetchone()
    except sqlite3.Error as exc:
        raise DatabaseError(f"Cannot checkpoint the SQLite WAL: {exc}") from exc
    finally:
        raw.close()
    if busy:
        log.info("maintenance: the WAL checkpoint was partial (a reader was active)")
        return "PRAGMA wal_checkpoint(TRUNCATE) (partial)"
    return "PRAGMA wal_checkpoint(TRUNCATE)"
