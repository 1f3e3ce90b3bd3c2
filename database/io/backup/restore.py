"""Replacing all data with a checked backup's, in one transaction.

The delete of the old rows, the insert of the new ones, moving PostgreSQL's
sequences past the restored ids and rebuilding SQLite full-text indexes (see
:mod:`database.io.backup.fts`) all happen in one transaction: killed at any
moment, the database holds either all the old data or all the new. Other
writers wait meanwhile (SQLite's write lock; on PostgreSQL an EXCLUSIVE lock on
every table, which still lets readers read the old data until the commit), so
the safety backup taken once the lock is held holds exactly the data replaced.

The file is read a second time, as a stream, and its rows converted; if the file
is no longer the one that was validated (its size, time or inode changed, or its
row counts), the transaction is rolled back. Any rule only the database knows
(a CHECK constraint, ``email_key`` unique) rolls it back too. The stored files
(resumes', cover letters') are written during the transaction and put in place
just before its commit (see :mod:`database.io.backup.restore_files`); they are
removed again if it fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from database.core.errors import translated
from database.core.session import DatabaseManager
from database.core.tenant import owner_copy
from database.io.backup.files import FILE_TABLES
from database.io.backup.format import BACKUP_TABLES, TABLES_BY_NAME, BackupReader
from database.io.backup.fts import indexes_rebuilt_after
from database.io.backup.inserter import RowInserter
from database.io.backup.restore_files import RestoredFiles
from database.io.backup.validation import (
    CODECS,
    BackupSummary,
    DataCheck,
    Progress,
    checked_rows,
    file_stamp,
)
from utils.errors import ValidationError

logger = logging.getLogger(__name__)


def restore_into(
    manager: DatabaseManager,
    summary: BackupSummary,
    progress: Progress | None = None,
    *,
    resume_dir: Path,
    before_replace: Callable[[], object] | None = None,
) -> list[Path]:
    """Replace every table's rows with those of the validated backup ``summary``.

    Its resume files go into ``resume_dir``; returns the files put there.
    ``before_replace`` (the safety backup) runs once other writers are locked
    out and before anything changes, so it sees exactly the data replaced; on
    in-memory SQLite, whose one connection cannot read beside the restore's
    transaction, just before that transaction (nobody else writes there anyway).
    """
    files = RestoredFiles(resume_dir, summary.files, restore=summary.version != "1.0")
    try:
        if before_replace is not None and manager.config.is_memory:
            before_replace()
            before_replace = None
        _replace(manager, summary, files, progress, before_replace)
    except BaseException:
        files.discard()
        raise
    finally:
        files.close()
    return files.published


def _replace(
    manager: DatabaseManager,
    summary: BackupSummary,
    files: RestoredFiles,
    progress: Progress | None,
    before_replace: Callable[[], object] | None,
) -> None:
    with translated(), manager.engine.begin() as conn:
        _lock_tables(conn)
        if before_replace is not None:
            before_replace()  # reads through a connection of its own
        with indexes_rebuilt_after(conn, {t.name for t in BACKUP_TABLES}):
            _delete_all(conn)
            with owner_copy(conn, [t.name for t in BACKUP_TABLES]):
                _insert_all(conn, summary, files, progress)
        if conn.dialect.name == "postgresql":
            _move_sequences(conn)
        files.publish()


def _lock_tables(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return  # SQLite: BEGIN IMMEDIATE already holds the write lock
    names = ", ".join(conn.dialect.identifier_preparer.quote(t.name) for t in BACKUP_TABLES)
    conn.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _delete_all(conn: Connection) -> None:
    for table in reversed(BACKUP_TABLES):
        conn.execute(table.delete())


#: table -> (position of its file path, position of the file's owner) in a row's values.
_FILE_POSITIONS = {
    table: (CODECS[table].index[column.column], CODECS[table].index[column.owner])
    for table, column in FILE_TABLES.items()
}


def _insert_all(
    conn: Connection, summary: BackupSummary, files: RestoredFiles, progress: Progress | None
) -> None:
    # The validation pass checked every value, file and the checksum; this pass
    # makes sure the file is still that one (and its row counts), converts the
    # rows and writes the files.
    check = DataCheck(summary, references=False, digest=False, trusted=True)
    inserter: RowInserter | None = None
    if file_stamp(summary.path) != summary.stamp:
        raise ValidationError("backup", "changed after it was checked; nothing was restored")
    with BackupReader(summary.path) as reader:
        for name, values in checked_rows(reader, check, progress, "restoring"):
            if values is None:
                if inserter is not None:
                    inserter.flush()
                inserter = RowInserter(conn, TABLES_BY_NAME[name])
                continue
            assert inserter is not None
            if name in _FILE_POSITIONS:
                path, owner = _FILE_POSITIONS[name]
                if values[path] is not None:
                    values[path] = files.rewrite(values[path], values[owner], name)
            inserter.add(values)
        if inserter is not None:
            inserter.flush()
        for kind, index, value in reader.files():
            files.event(kind, index, value)
    if file_stamp(summary.path) != summary.stamp:
        raise ValidationError("backup", "changed while it was restored; nothing was restored")


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
