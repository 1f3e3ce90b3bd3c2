"""The spec's ``BackupManager``: create, list, verify and restore backups.

>>> from database.utilities import BackupManager
>>> manager = BackupManager()
>>> path = manager.create_backup("my_backup")        # backups/my_backup.json
>>> manager.restore_backup(path, confirm=True)        # all-or-nothing

Backups hold every table and column and the resume files the rows point at
(see :mod:`database.io.backup.format`), are written crash-safely and readable by
their owner only, and are checked in full before a restore replaces anything,
in one transaction. Before it does, a restore writes a safety backup of the
data it replaces (``pre-restore-<timestamp>.json`` in the same folder).
"""

from __future__ import annotations

import logging
import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from database.core import files as data_files
from database.core.column_types import utcnow
from database.core.config import PROJECT_ROOT
from database.core.errors import translated
from database.core.keys import version_key
from database.core.session import DatabaseManager, get_database_manager
from database.domain import events
from database.io.backup import names
from database.io.backup.files import FilesSummary, back_up_files
from database.io.backup.format import (
    BACKUP_TABLES,
    FORMAT_NAME,
    FORMAT_VERSION,
    DataDigest,
    canonical_json,
    read_metadata,
)
from database.io.backup.restore import restore_into
from database.io.backup.snapshot import count_rows, read_snapshot, stream_rows
from database.io.backup.validation import (
    CODECS,
    PROGRESS_EVERY,
    BackupSummary,
    Progress,
    check_metadata,
    validate_backup,
)
from database.io.backup.verify import check_schema_version, existing_file, verify_backup
from database.io.backup.writer import DIR_MODE, BackupFileWriter, remove_stale_files
from database.models import EventKind, SchemaMigration
from utils.errors import AutoApplyerError, BackupError, DatabaseError, ValidationError

logger = logging.getLogger(__name__)

DEFAULT_BACKUP_DIR = PROJECT_ROOT / "backups"
#: Names another default folder, for every tool at once (library, CLI, dashboard).
BACKUP_DIR_VARIABLE = "AUTO_APPLYER_BACKUP_DIR"


def default_backup_dir() -> Path:
    """``$AUTO_APPLYER_BACKUP_DIR`` when set, else ``backups/`` under the project root."""
    configured = os.environ.get(BACKUP_DIR_VARIABLE)
    return Path(configured).expanduser() if configured else DEFAULT_BACKUP_DIR


class BackupManager:
    """Backups of one database, kept in one folder.

    ``backup_dir`` defaults to ``$AUTO_APPLYER_BACKUP_DIR`` or else ``backups/``
    under the project root;
    ``database_manager`` defaults to the global database of
    :func:`database.connection.init_database`, looked up at each call;
    ``data_dir`` (where resume files live, under ``resumes/``) defaults to
    :func:`database.core.files.data_dir` of that database.
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike[str] | None = None,
        database_manager: DatabaseManager | None = None,
        *,
        data_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.backup_dir = Path(backup_dir).expanduser() if backup_dir else default_backup_dir()
        self._database_manager = database_manager
        self._data_dir = Path(data_dir).expanduser().resolve() if data_dir else None
        #: The path of the last safety backup a restore wrote (kept when it failed too).
        self.last_safety_backup: str | None = None

    def __repr__(self) -> str:
        return f"BackupManager(backup_dir={str(self.backup_dir)!r})"

    @property
    def database(self) -> DatabaseManager:
        """The database this manager backs up and restores."""
        return self._database_manager or get_database_manager()

    @property
    def data_dir(self) -> Path:
        """The folder of the database's files; relative resume paths are read from it."""
        return self._data_dir or data_files.data_dir(self.database.config)

    @property
    def resume_dir(self) -> Path:
        """Where a restore puts resume files: ``<data_dir>/resumes``."""
        return self.data_dir / data_files.RESUMES_FOLDER

    # -- create ---------------------------------------------------------------

    def create_backup(
        self, backup_name: str | None = None, *, progress: Progress | None = None
    ) -> str:
        """Back up every table and resume file to ``<backup_dir>/<backup_name>.json``.

        Returns its path. Without a name the file is ``backup_YYYYmmdd_HHMMSS.json``
        (UTC). A name ending in ``.json.gz`` writes a gzip file. An existing backup
        is never replaced: its name is a :class:`ValidationError`. Resume files
        that cannot be read are listed in ``metadata.files.missing`` (and logged);
        the backup still succeeds.
        """
        now = utcnow()
        filename = (
            names.backup_filename(backup_name)
            if backup_name is not None
            else names.default_name(now)
        )
        folder = self._prepare_folder()
        if backup_name is None:
            filename = names.free_name(folder, filename)
        path = self._create(names.resolve_in(folder, filename), now, progress)
        self._announce(Path(path))
        return path

    def _announce(self, path: Path) -> None:
        """Record ``backup.finished`` (a system event) once the file is complete and published.

        In a transaction of its own, after the backup's read snapshot has ended.
        The backup is made whatever happens here: a failure is logged, not raised.
        A restore's safety backup records none (the restore holds the write lock).
        """
        try:
            with self.database.connection_scope() as conn:
                events.record(
                    conn, EventKind.BACKUP_FINISHED, "backup", None, user_id=None,
                    payload={"name": path.name},
                )  # fmt: skip
        except DatabaseError:
            logger.warning("backup %s is complete; its event was not recorded", path.name)

    def _create(self, target: Path, now: datetime, progress: Progress | None) -> str:
        if target.exists():
            raise ValidationError("backup_name", "a backup with this name already exists")
        database = self.database
        with translated(), read_snapshot(database) as conn:
            counts = self._write(conn, target, now, progress)
        logger.info("backup written: %s (%d rows)", target.name, sum(counts.values()))
        return str(target)

    def _prepare_folder(self) -> Path:
        try:
            self.backup_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            remove_stale_files(self.backup_dir)
        except OSError as exc:
            raise BackupError(
                f"Cannot use backup folder {self.backup_dir}: {exc.strerror or exc}"
            ) from exc
        return self.backup_dir

    def _write(
        self, conn: Connection, target: Path, now: datetime, progress: Progress | None
    ) -> dict[str, int]:
        total = sum(count_rows(conn, BACKUP_TABLES).values())
        schema_version = _schema_version(conn)
        digest = DataDigest()
        counts: dict[str, int] = {}
        done = 0
        with BackupFileWriter(target, compress=target.name.endswith(names.GZIP_SUFFIX)) as out:
            for table in BACKUP_TABLES:
                codec = CODECS[table.name]
                out.start_table(table.name)
                counts[table.name] = 0
                for values in stream_rows(conn, table):
                    row_json = _row_json(codec.encode(values), table.name)
                    digest.add(table.name, row_json)
                    out.add_row(row_json)
                    counts[table.name] += 1
                    done += 1
                    if progress is not None and done % PROGRESS_EVERY == 0:
                        progress("backing up", done, max(total, done))
            files = back_up_files(conn, out, digest, self.data_dir)
            out.publish(self._metadata(now, schema_version, counts, files, digest))
        if progress is not None:
            progress("backing up", done, done)
        return counts

    def _metadata(
        self,
        now: datetime,
        schema_version: str | None,
        counts: dict[str, int],
        files: FilesSummary,
        digest: DataDigest,
    ) -> dict[str, Any]:
        config = self.database.config
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "backup_date": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "environment": config.environment,
            "database_type": config.database_type,
            "schema_version": schema_version,
            "row_counts": counts,
            "files": files.as_metadata(),
            "sha256": digest.hexdigest(),
        }

    # -- list and verify ------------------------------------------------------

    def list_backups(self, *, verify: bool = True) -> list[dict[str, Any]]:
        """The backups in the folder, newest first.

        Each is a dict with ``filename``, ``path``, ``created`` (UTC datetime),
        ``size`` (bytes), ``environment``, ``database_type``, ``schema_version``,
        ``row_counts``, ``files`` (resume files it holds), ``missing_files``
        (paths it could not back up), ``verified`` (its structure, rows, files,
        counts and checksum check out; ``False`` with ``verify=False``) and
        ``error`` (why it does not verify, or ``None``).
        """
        if not self.backup_dir.is_dir():
            return []
        entries = [
            self._describe(path, verify)
            for path in self.backup_dir.iterdir()
            if names.is_backup_filename(path.name) and path.is_file()
        ]
        entries.sort(key=lambda e: (e["created"], e["_mtime"]), reverse=True)
        for entry in entries:
            del entry["_mtime"]
        return entries

    def _describe(self, path: Path, verify: bool) -> dict[str, Any]:
        stat = path.stat()
        entry: dict[str, Any] = {
            "filename": path.name,
            "path": str(path),
            "created": datetime.fromtimestamp(stat.st_mtime, UTC),
            "size": stat.st_size,
            "environment": None,
            "database_type": None,
            "schema_version": None,
            "row_counts": {},
            "files": 0,
            "missing_files": [],
            "verified": False,
            "error": None,
            "_mtime": stat.st_mtime,
        }
        try:
            summary = check_metadata(read_metadata(path), path)
            entry.update(
                created=summary.backup_date,
                environment=summary.environment,
                database_type=summary.metadata.get("database_type"),
                schema_version=summary.schema_version,
                row_counts=dict(summary.row_counts),
                files=summary.files.count,
                missing_files=sorted(summary.files.missing_paths),
            )
            if verify:
                validate_backup(path)
                entry["verified"] = True
        except AutoApplyerError as exc:
            entry["error"] = str(exc)
        return entry

    def verify_backup(
        self, backup_path: str | Path, *, progress: Progress | None = None
    ) -> BackupSummary:
        """Check the backup in full and restore it into a scratch database.

        See :func:`database.io.backup.verify.verify_backup`; this database is not touched.
        """
        return verify_backup(self._locate(backup_path), progress)

    # -- restore --------------------------------------------------------------

    def restore_backup(
        self,
        backup_path: str | Path,
        confirm: bool = False,
        *,
        safety_backup: bool = True,
        progress: Progress | None = None,
    ) -> BackupSummary:
        """Replace all data and resume files with the backup's. Refuses unless ``confirm=True``.

        The whole file is checked first; a bad file raises :class:`ValidationError`
        (what and where) and nothing changes. Then, unless ``safety_backup=False``,
        the current data is backed up to ``pre-restore-<timestamp>.json`` in the
        backup folder (its path is the summary's ``safety_backup`` and
        :attr:`last_safety_backup`; it stays, whatever happens next). The
        replacement is one transaction: interrupted at any point, the database
        keeps all its old data. The backup's resume files go into
        :attr:`resume_dir` under new names, and the resumes point at them.
        """
        if confirm is not True:
            raise ValidationError(
                "confirm", "must be True to restore a backup (this replaces all data)"
            )
        self.last_safety_backup = None
        path = self._locate(backup_path)
        summary = validate_backup(path, progress)
        database = self.database
        check_schema_version(summary, database.schema_version())
        folder = self._prepare_folder() if safety_backup else None
        try:
            restored = restore_into(
                database,
                summary,
                progress,
                resume_dir=self.resume_dir,
                before_replace=(lambda: self._safety_backup(folder, progress)) if folder else None,
            )
        except BaseException:
            if self.last_safety_backup is not None:
                logger.info(
                    "restore of %s failed; nothing changed (safety backup %s)",
                    path, self.last_safety_backup,
                )  # fmt: skip
            raise
        logger.info("restored %s (%d rows, %d files)", path.name, summary.total_rows, len(restored))
        return replace(summary, safety_backup=self.last_safety_backup)

    def _safety_backup(self, folder: Path, progress: Progress | None) -> str:
        """Back up the data a restore is about to replace."""
        now = utcnow()
        filename = names.free_name(folder, names.safety_name(now))
        safety = self._create(names.resolve_in(folder, filename), now, progress)
        self.last_safety_backup = safety
        logger.info("safety backup of the data before the restore: %s", safety)
        return safety

    def _locate(self, backup_path: str | Path) -> Path:
        """A path as given, or else the name of a backup in this manager's folder."""
        if isinstance(backup_path, str | Path) and str(backup_path).strip():
            candidate = Path(backup_path).expanduser()
            if not candidate.is_file() and candidate.name == str(backup_path):
                for name in (candidate.name, candidate.name + names.PLAIN_SUFFIX):
                    inside = self.backup_dir / name
                    if names.is_backup_filename(name) and inside.is_file():
                        return inside
        return existing_file(backup_path)


def _schema_version(conn: Connection) -> str | None:
    versions = conn.scalars(select(SchemaMigration.version)).all()
    return max(versions, key=version_key) if versions else None


def _row_json(row: dict[str, Any], table: str) -> bytes:
    try:
        return canonical_json(row)
    except ValueError as exc:  # NaN or infinity in a float column
        raise BackupError(f"Cannot back up a row of {table}: {exc}") from exc
