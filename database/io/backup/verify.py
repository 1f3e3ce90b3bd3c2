"""``verify_backup``: every check of a restore, plus a trial restore elsewhere.

The trial restore loads the backup into a scratch SQLite database migrated to
the latest schema, so the database's own rules (CHECK constraints, unique
keys such as ``email_key``, foreign keys) judge every row too. The
scratch database lives in memory for small backups and in a private temporary
file for large ones, so that verifying a big backup does not need its size in
memory. Its resume files are written into a private temporary folder, thrown
away afterwards.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL

from database.core.config import DatabaseConfig
from database.core.keys import version_key
from database.core.session import DatabaseManager
from database.io.backup.restore import restore_into
from database.io.backup.validation import BackupSummary, Progress, validate_backup
from database.migrations.manager import MigrationManager, builtin_migrations
from utils.errors import ValidationError

#: Above this many rows the scratch database is a temporary file, not memory.
IN_MEMORY_ROWS = 50_000


def latest_schema_version() -> str | None:
    """The newest built-in migration this code knows."""
    migrations = builtin_migrations()
    return migrations[-1].version if migrations else None


def check_schema_version(summary: BackupSummary, database_version: str | None) -> None:
    """Refuse a backup taken from a newer schema than ``database_version``."""
    taken = summary.schema_version
    if taken is None or database_version is None:
        return
    if version_key(taken) > version_key(database_version):
        raise ValidationError(
            "backup.metadata.schema_version",
            f"is {taken}, newer than the database's schema {database_version}: "
            "migrate the database first",
        )


@contextmanager
def scratch_database(rows: int) -> Iterator[DatabaseManager]:
    """An empty SQLite database at the latest schema, thrown away afterwards."""
    with tempfile.TemporaryDirectory(prefix="auto_applyer_verify_") as folder:
        url = (
            URL.create("sqlite")
            if rows <= IN_MEMORY_ROWS
            else URL.create("sqlite", database=str(Path(folder) / "scratch.db"))
        )
        config = DatabaseConfig(environment="testing", url=url, sqlite_synchronous="OFF")
        manager = DatabaseManager(config)
        try:
            MigrationManager(manager).migrate_to_latest()
            yield manager
        finally:
            manager.close()


def verify_backup(backup_path: str | Path, progress: Progress | None = None) -> BackupSummary:
    """Check the backup at ``backup_path`` as a restore would, then restore it on trial.

    Returns the backup's summary; raises :class:`ValidationError` saying what is
    wrong and where, or :class:`~utils.errors.BackupError` if it cannot be read.
    The application's database is not touched.
    """
    path = existing_file(backup_path)
    summary = validate_backup(path, progress)
    check_schema_version(summary, latest_schema_version())
    with (
        scratch_database(summary.total_rows) as scratch,
        tempfile.TemporaryDirectory(prefix="auto_applyer_verify_files_") as folder,
    ):
        restore_into(scratch, summary, progress, resume_dir=Path(folder) / "resumes")
    return summary


def existing_file(backup_path: str | Path) -> Path:
    """``backup_path`` as a path to an existing regular file, or :class:`ValidationError`."""
    if not isinstance(backup_path, str | Path) or not str(backup_path).strip():
        raise ValidationError("backup_path", "must be the path of a backup file")
    if "\x00" in str(backup_path):
        raise ValidationError("backup_path", "must not contain NUL characters")
    path = Path(backup_path).expanduser()
    if not path.is_file():
        raise ValidationError("backup_path", "must name an existing backup file", str(path))
    return path
