"""Replacing all data with a checked backup's, in one transaction.

The delete of the old rows, the insert of the new ones, moving PostgreSQL's
sequences past the restored ids and rebuilding SQLite full-text indexes all
happen in one transaction: killed at any moment, the database holds either all
the old data or all the new. Other writers wait meanwhile (SQLite's write lock;
on PostgreSQL an EXCLUSIVE lock on every table, which still lets readers read
the old data until the commit).

The file is read a second time, as a stream, and its rows are checked again as
they go in; if the file no longer matches what was validated (changed in between),
the transaction is rolled back.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from database.backup.format import BACKUP_TABLES, TABLES_BY_NAME, BackupReader
from database.backup.validation import BackupSummary, DataCheck, Progress, checked_rows
from database.connection import DatabaseManager
from database.driver_errors import translate
from utils.errors import AutoApplyerError, ValidationError

logger = logging.getLogger(__name__)

INSERT_BATCH = 1000
_FTS_CONTENT = re.compile(r"content\s*=\s*['\"]?(\w+)", re.IGNORECASE)


def restore_into(
    manager: DatabaseManager, summary: BackupSummary, progress: Progress | None = None
) -> None:
    """Replace every table's rows with those of the validated backup ``summary``."""
    try:
        with manager.engine.begin() as conn:
            _lock_tables(conn)
            _delete_all(conn)
            _insert_all(conn, summary, progress)
            _after_insert(conn)
    except AutoApplyerError:
        raise
    except SQLAlchemyError as exc:
        raise translate(exc) from exc


def _lock_tables(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the write lock
    names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in BACKUP_TABLES)
    conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _delete_all(conn: Connection) -> None:
    for table in reversed(BACKUP_TABLES):
        conn.execute(table.delete())


def _insert_all(conn: Connection, summary: BackupSummary, progress: Progress | None) -> None:
    check = DataCheck(summary, references=False)
    batch: list[dict[str, Any]] = []
    table: Table | None = None
    with BackupReader(summary.path) as reader:
        for name, values in checked_rows(reader, check, progress, "restoring"):
            if values is None:
                _flush(conn, table, batch, check)
                table = TABLES_BY_NAME[name]
                continue
            batch.append(values)
            if len(batch) >= INSERT_BATCH:
                _flush(conn, table, batch, check)
        _flush(conn, table, batch, check)


def _flush(
    conn: Connection, table: Table | None, batch: list[dict[str, Any]], check: DataCheck
) -> None:
    if table is None or not batch:
        return
    first = check.counts[table.name] - len(batch)
    try:
        conn.execute(table.insert(), batch)
    except SQLAlchemyError as exc:
        error = translate(exc)
        where = f"backup.data.{table.name}[{first}..{first + len(batch) - 1}]"
        if isinstance(error, ValidationError):
            raise ValidationError(f"{where}.{error.field}", error.rule) from exc
        raise error from exc
    batch.clear()


def _after_insert(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        _move_sequences(conn)
    else:
        _rebuild_fts(conn)


def _move_sequences(conn: Connection) -> None:
    """Make every id sequence hand out ids above the restored ones.

    ``setval`` is not undone by a rollback, so a sequence is only ever moved
    forward: were this transaction killed, the old rows' ids stay free.
    """
    for table in BACKUP_TABLES:
        pk = table.primary_key.columns.values()[0]
        sequence = conn.scalar(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": pk.name},
        )
        if sequence is None:
            continue
        highest = conn.scalar(select(func.max(pk))) or 0
        handed_out = conn.scalar(_LAST_VALUE, {"seq": sequence}) or 0
        conn.execute(
            text("SELECT setval(CAST(:seq AS regclass), :next, false)"),
            {"seq": sequence, "next": max(highest, handed_out) + 1},
        )


_LAST_VALUE = text(
    "SELECT s.last_value FROM pg_sequences s "
    "JOIN pg_class c ON c.relname = s.sequencename "
    "JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = s.schemaname "
    "WHERE c.oid = CAST(:seq AS regclass)"
)


def _rebuild_fts(conn: Connection) -> None:
    """Rebuild each SQLite FTS5 index kept over one of the restored tables.

    Triggers keep such an index in step with its table row by row; a rebuild
    makes it exactly match the restored rows whatever the triggers did.
    """
    restored = {t.name for t in BACKUP_TABLES}
    rows = conn.execute(
        text("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE :pattern"),
        {"pattern": "CREATE VIRTUAL TABLE%USING fts5%"},
    ).all()
    for name, sql in rows:
        match = _FTS_CONTENT.search(sql or "")
        if match is None or match.group(1) not in restored:
            continue
        quoted = conn.dialect.identifier_preparer.quote(name)
        # The name comes from the catalog, quoted; FTS5 commands take no parameters here.
        conn.exec_driver_sql(f"INSERT INTO {quoted}({quoted}) VALUES ('rebuild')")  # noqa: S608
        logger.debug("rebuilt full-text index %s", name)
