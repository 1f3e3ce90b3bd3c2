"""Checking a whole backup file before anything is restored from it.

:func:`validate_backup` reads the file once, as a stream, and checks its JSON, its
format version, its metadata, every row against its table's columns (see
:mod:`database.io.backup.columns`), ids unique and in order, every reference
pointing at a row of the backup, plain unique columns, the row counts, every
resume file (see :mod:`database.io.backup.files`) and the SHA-256. Memory stays
flat: ids are kept as runs of consecutive numbers and only the (small)
uniquely-keyed tables keep their keys, and the resumes their file paths.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint

from database.io.backup.columns import OwnerMap, TableCodec, table_codecs
from database.io.backup.files import FILE_TABLES, FileCheck, FilesSummary, files_summary
from database.io.backup.format import (
    BACKUP_TABLES,
    FORMAT_NAME,
    SUPPORTED_VERSIONS,
    TABLES_BY_NAME,
    BackupReader,
    DataDigest,
    canonical_json,
)
from utils.errors import ValidationError

#: ``progress(phase, rows_done, rows_total)``, called every few thousand rows.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 2000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
CODECS: dict[str, TableCodec] = table_codecs(BACKUP_TABLES)
TABLE_ORDER: dict[str, int] = {t.name: i for i, t in enumerate(BACKUP_TABLES)}


@dataclass(frozen=True)
class BackupSummary:
    """What a checked backup holds, from its metadata (which the check confirmed)."""

    path: Path
    metadata: dict[str, Any]
    backup_date: datetime
    environment: str
    schema_version: str | None
    row_counts: dict[str, int]
    sha256: str
    #: (device, inode, size, mtime) of the file when it was checked
    stamp: tuple[int, int, int, int] = (0, 0, 0, 0)
    #: The resume files it holds and those it lists as missing.
    files: FilesSummary = field(default_factory=FilesSummary)
    #: The safety backup a restore of it wrote first, if any.
    safety_backup: str | None = None

    @property
    def version(self) -> str:
        """The format version of the file."""
        return str(self.metadata["version"])

    @property
    def total_rows(self) -> int:
        """Rows in all tables together."""
        return sum(self.row_counts.values())


class IdSet:
    """A set of ids added in increasing order, kept as runs of consecutive ids."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []  # inclusive

    def add(self, value: int) -> None:
        """Add ``value``, greater than every id added before."""
        if self._ends and self._ends[-1] == value - 1:
            self._ends[-1] = value
        else:
            self._starts.append(value)
            self._ends.append(value)

    def __contains__(self, value: int) -> bool:
        index = bisect.bisect_right(self._starts, value) - 1
        return index >= 0 and value <= self._ends[index]


def check_metadata(metadata: dict[str, Any], path: Path) -> BackupSummary:
    """The summary the metadata claims, or :class:`ValidationError` naming the bad field."""
    where = "backup.metadata"
    if metadata.get("format") != FORMAT_NAME:
        raise ValidationError(f"{where}.format", f'must be "{FORMAT_NAME}"')
    version = metadata.get("version")
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(sorted(SUPPORTED_VERSIONS))
        raise ValidationError(
            f"{where}.version", f"must be a supported format version ({supported}), not {version!r}"
        )
    backup_date = _timestamp(metadata.get("backup_date"), f"{where}.backup_date")
    environment = metadata.get("environment")
    if not isinstance(environment, str):
        raise ValidationError(f"{where}.environment", "must be a string")
    schema_version = metadata.get("schema_version")
    if schema_version is not None and not isinstance(schema_version, str):
        raise ValidationError(f"{where}.schema_version", "must be a string or null")
    counts = metadata.get("row_counts")
    if not isinstance(counts, dict):
        raise ValidationError(f"{where}.row_counts", "must be an object of table: rows")
    for table, count in counts.items():
        if table not in TABLES_BY_NAME:
            raise ValidationError(f"{where}.row_counts.{table}", "is not a table of the schema")
        if type(count) is not int or count < 0:
            raise ValidationError(f"{where}.row_counts.{table}", "must be a count of rows")
    sha256 = metadata.get("sha256")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValidationError(f"{where}.sha256", "must be a SHA-256 as 64 lowercase hex digits")
    files = files_summary(metadata, version)
    return BackupSummary(
        path, metadata, backup_date, environment, schema_version, counts, sha256, files=files
    )


def _timestamp(value: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(where, "must be an ISO 8601 timestamp with a UTC offset or Z")
    return parsed


@dataclass
class _Uniques:
    """The values seen so far of one table's plain unique columns."""

    columns: list[tuple[int, ...]]
    names: list[str]
    seen: list[set[tuple[Any, ...]]] = field(init=False)

    def __post_init__(self) -> None:
        self.seen = [set() for _ in self.columns]

    def check(self, values: list[Any], where: str) -> None:
        for positions, name, seen in zip(self.columns, self.names, self.seen, strict=True):
            key = tuple(values[i] for i in positions)
            if None in key:
                continue
            if key in seen:
                raise ValidationError(f"{where}.{name}", "must be unique within the backup")
            seen.add(key)


def _uniques(codec: TableCodec) -> _Uniques:
    """Unique constraints and indexes over plain columns (not the primary key).

    Unique expressions (an index on ``lower(name)``, say) are left to the database, which
    checks them inside the restore's transaction.
    """
    sets: list[tuple[str, ...]] = []
    for constraint in codec.table.constraints:
        if isinstance(constraint, UniqueConstraint):
            sets.append(tuple(c.name for c in constraint.columns))
    for index in codec.table.indexes:
        plain = all(isinstance(e, Column) for e in index.expressions)
        if isinstance(index, Index) and index.unique and plain:
            sets.append(tuple(c.name for c in index.columns))
    positions = [tuple(codec.index[n] for n in names) for names in sets]
    return _Uniques(positions, [names[0] for names in sets])


class DataCheck:
    """Checks the rows of a backup as they stream by, then its files and checksum.

    :func:`checked_rows` feeds it the rows and compares the row counts;
    :meth:`check_files` checks the files section and :meth:`finish` the SHA-256.

    ``references`` checks ids, references and unique columns across rows;
    ``digest`` recomputes the SHA-256; ``trusted`` (for a file already checked
    and unchanged since) only converts the values.
    """

    def __init__(
        self,
        summary: BackupSummary,
        *,
        references: bool = True,
        digest: bool = True,
        trusted: bool = False,
    ) -> None:
        self.summary = summary
        self.trusted = trusted
        self.references = references
        self.digest = DataDigest() if digest else None
        self.counts: dict[str, int] = {}
        self.tables_seen: list[str] = []
        self._ids: dict[str, IdSet] = {}
        self._last_id: int | None = None
        self._uniques: dict[str, _Uniques] = {}
        self._refs: dict[str, list[tuple[int, str, str]]] = {}
        self._referenced = {fk.column.table.name for t in BACKUP_TABLES for fk in t.foreign_keys}
        self.files = (
            FileCheck(summary.files, self.digest)
            if summary.version != "1.0" and not trusted
            else None
        )
        self._file_paths = {
            table: CODECS[table].index[column.column] for table, column in FILE_TABLES.items()
        }
        self._owners = OwnerMap(CODECS)

    def start_table(self, table: str) -> TableCodec:
        """Begin ``table``'s rows; it must be known and come in foreign-key order."""
        where = f"backup.data.{table}"
        if table not in CODECS:
            raise ValidationError(where, "is not a table of the schema")
        if self.tables_seen and TABLE_ORDER[table] < TABLE_ORDER[self.tables_seen[-1]]:
            raise ValidationError(
                where, f"must come before {self.tables_seen[-1]} (tables are in foreign-key order)"
            )
        self.tables_seen.append(table)
        self.counts[table] = 0
        self._last_id = None
        codec = CODECS[table]
        self._uniques[table] = _uniques(codec)
        self._refs[table] = [
            (codec.index[fk.parent.name], fk.parent.name, fk.column.table.name)
            for fk in codec.table.foreign_keys
        ]
        if table in self._referenced:
            self._ids[table] = IdSet()
        return codec

    def row(self, table: str, raw: dict[str, Any]) -> list[Any]:
        """Check one row of the current table; returns its values in column order."""
        index = self.counts[table]
        codec = CODECS[table]
        if self.trusted:
            self.counts[table] = index + 1
            values = codec.convert(raw)
            self._owners.apply(table, values, codec.where(index))
            return values
        values = codec.decode(raw, index)
        row_id = values[codec.pk]
        if self._last_id is not None and row_id <= self._last_id:
            raise ValidationError(
                f"{codec.where(index)}.id",
                "must be greater than the previous row's (unique, in id order)",
            )
        self._last_id = row_id
        if self.references:
            self._check_references(table, values, index)
            if table in self._ids:
                self._ids[table].add(row_id)
        self._owners.apply(table, values, codec.where(index))
        if self.digest is not None:
            self.digest.add(table, canonical_json(raw))
        if table in self._file_paths and self.files is not None:
            stored = values[self._file_paths[table]]
            if stored is not None:
                self.files.use(table, stored, index)
        self.counts[table] = index + 1
        return values

    def _check_references(self, table: str, values: list[Any], index: int) -> None:
        uniques = self._uniques[table]
        if uniques.columns:
            uniques.check(values, CODECS[table].where(index))
        for position, column, target in self._refs[table]:
            value = values[position]
            if value is not None and value not in self._ids.get(target, ()):
                raise ValidationError(
                    f"{CODECS[table].where(index)}.{column}",
                    f"refers to {target} id {value}, which is not in the backup",
                )

    def check_files(self, reader: BackupReader) -> None:
        """Check the ``files`` section that follows the rows (format 1.1)."""
        if reader.has_files != (self.summary.version != "1.0"):
            rule = "is required" if not reader.has_files else "is not part of format version 1.0"
            raise ValidationError("backup.files", rule)
        for kind, index, value in reader.files():
            if self.files is not None:
                self.files.event(kind, index, value)
        if self.files is not None:
            self.files.finish()

    def finish(self) -> None:
        """After the rows and the files: compare the metadata's checksum."""
        if self.digest is not None and self.digest.hexdigest() != self.summary.sha256:
            raise ValidationError(
                "backup.metadata.sha256",
                "does not match the data (the file was changed or damaged after it was written)",
            )

    def finish_rows(self) -> None:
        """Compare the rows read with the metadata's row counts."""
        claimed = self.summary.row_counts
        if set(claimed) != set(self.counts):
            missing = sorted(set(claimed) ^ set(self.counts))[0]
            raise ValidationError(
                f"backup.data.{missing}", "must be listed in both metadata.row_counts and data"
            )
        for table, count in self.counts.items():
            if claimed[table] != count:
                raise ValidationError(
                    f"backup.data.{table}",
                    f"has {count} rows but metadata.row_counts says {claimed[table]}",
                )


def checked_rows(
    reader: BackupReader, check: DataCheck, progress: Progress | None, phase: str
) -> Iterator[tuple[str, list[Any] | None]]:
    """The reader's rows as database values, each checked; ``None`` starts a table.

    The row counts are compared at the end; the files that follow are the caller's.
    """
    total = check.summary.total_rows
    done = 0
    for table, raw in reader.rows():
        if raw is None:
            check.start_table(table)
            yield table, None
            continue
        yield table, check.row(table, raw)
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(phase, done, total)
    check.finish_rows()
    if progress is not None:
        progress(phase, done, total)


def file_stamp(path: Path) -> tuple[int, int, int, int]:
    """What identifies this version of the file: device, inode, size, modification time."""
    info = path.stat()
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def validate_backup(path: Path, progress: Progress | None = None) -> BackupSummary:
    """Check the whole backup at ``path``; returns its summary.

    Raises :class:`ValidationError` naming what is wrong and where
    (``backup.data.users[3].email``), or :class:`~utils.errors.BackupError` when
    the file cannot be read at all.
    """
    stamp = file_stamp(path)
    with BackupReader(path) as reader:
        summary = replace(check_metadata(reader.metadata, path), stamp=stamp)
        check = DataCheck(summary)
        for _ in checked_rows(reader, check, progress, "validating"):
            pass
        check.check_files(reader)
        check.finish()
    if file_stamp(path) != stamp:
        raise ValidationError("backup", "changed while it was being checked")
    return summary
