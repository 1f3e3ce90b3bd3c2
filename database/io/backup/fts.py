"""SQLite full-text indexes during a restore: one rebuild instead of a trigger per row.

An FTS5 index with external content (``content='job_applications'``) is kept in
step with its table by triggers that index each inserted or deleted row one by
one; for a restore of many rows that is most of the work. SQLite cannot switch
triggers off, so inside the restore's one transaction the triggers that write
to such an index are dropped, the rows are replaced, each index is rebuilt from
its table in one pass, and the triggers are created again from their own SQL
as read from the catalog. DDL is transactional in SQLite: if the restore fails
or is killed, the triggers are back as they were with the old data. Other
triggers are left alone. Everything is found in the catalog at run time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

logger = logging.getLogger(__name__)

_CONTENT = re.compile(r"\bcontent\s*=\s*['\"]?(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class FullTextIndexes:
    """The external-content FTS5 tables over some tables, and the triggers feeding them."""

    tables: tuple[str, ...]
    triggers: tuple[tuple[str, str], ...]  # (name, CREATE TRIGGER sql)


def find_indexes(conn: Connection, content_tables: set[str]) -> FullTextIndexes:
    """The FTS5 indexes whose content is one of ``content_tables``, from the catalog."""
    rows = conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE :pattern"),
        {"pattern": "CREATE VIRTUAL TABLE%USING fts5%"},
    ).all()
    tables = []
    for name, sql in rows:
        match = _CONTENT.search(sql or "")
        if match is not None and match.group(1) in content_tables:
            tables.append(str(name))
    if not tables:
        return FullTextIndexes((), ())
    feeding = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in tables) + r")\b")
    trigger_rows = conn.execute(
        text("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    ).all()
    triggers = tuple(
        (str(name), str(sql))
        for name, table, sql in trigger_rows
        if table in content_tables and sql and feeding.search(sql)
    )
    return FullTextIndexes(tuple(tables), triggers)


@contextmanager
def indexes_rebuilt_after(conn: Connection, content_tables: set[str]) -> Iterator[None]:
    """Around a bulk replace of ``content_tables`` on SQLite: triggers off, one rebuild.

    Must run inside the restore's transaction. On any other database, a no-op.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    found = find_indexes(conn, content_tables)
    quote = conn.dialect.identifier_preparer.quote
    for name, _sql in found.triggers:
        conn.exec_driver_sql(f"DROP TRIGGER {quote(name)}")
    yield
    for table in found.tables:
        # Names come from the catalog, quoted; an FTS5 command is written as an insert.
        conn.exec_driver_sql(f"INSERT INTO {quote(table)}({quote(table)}) VALUES ('rebuild')")  # noqa: S608
        logger.debug("rebuilt full-text index %s", table)
    for _name, sql in found.triggers:
        conn.exec_driver_sql(sql)
