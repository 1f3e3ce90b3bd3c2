"""The stored files of a backup: reading them from disk, and checking them in a file.

A backup holds every distinct path of :data:`FILE_COLUMNS` once (the resumes'
``file_path``, then the cover letters' ``file_path`` not already held), each in
the order of the first row that uses it (the same on every engine). A relative path is read
relative to the data folder. A file is backed up when it is a regular file of
at most :data:`MAX_FILE_BYTES` that can be opened; otherwise its path is listed
in ``metadata.files.missing`` with the reason, a warning is logged, and the
backup goes on. Bytes travel as base64 chunks of :data:`CHUNK_BYTES`, so memory
stays flat whatever the number or size of the files.

:class:`FileCheck` checks a backup's ``files`` section as it streams by: base64,
sizes, each file's SHA-256, no path twice, and that the files and the missing
list account for exactly the paths the rows use.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from database.core.files import COVER_LETTERS_FOLDER, RESUMES_FOLDER
from database.io.backup.format import TABLES_BY_NAME, DataDigest
from database.io.backup.writer import BackupFileWriter
from utils.errors import BackupError, ValidationError

logger = logging.getLogger(__name__)

#: Bytes of a file per base64 chunk.
CHUNK_BYTES = 64 * 1024
#: The largest file a backup holds (uploads are at most 5 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PATH_LENGTH = 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_KEYS = frozenset({"path", "content", "size", "sha256"})
_WARN_PATHS = 5


@dataclass(frozen=True)
class FileColumn:
    """A column whose value names a stored file, and where a restore puts that file."""

    table: str
    column: str
    #: The column of the file's owner: a restored file goes to ``<folder>/<owner id>/``.
    owner: str
    #: The folder under the data folder that holds these files.
    folder: str


#: Every column naming a stored file, in the order a backup holds their files.
FILE_COLUMNS = (
    FileColumn("resumes", "file_path", "user_id", RESUMES_FOLDER),
    FileColumn("cover_letters", "file_path", "user_id", COVER_LETTERS_FOLDER),
)
FILE_TABLES = {column.table: column for column in FILE_COLUMNS}


@dataclass(frozen=True)
class FilesSummary:
    """``metadata.files``: how many files a backup holds, their bytes, which are missing."""

    count: int = 0
    bytes: int = 0
    missing: tuple[dict[str, str], ...] = ()

    @property
    def missing_paths(self) -> frozenset[str]:
        """The paths listed as missing."""
        return frozenset(entry["path"] for entry in self.missing)

    def as_metadata(self) -> dict[str, Any]:
        """The JSON form written to ``metadata.files``."""
        return {"count": self.count, "bytes": self.bytes, "missing": list(self.missing)}


def files_summary(metadata: dict[str, Any], version: str) -> FilesSummary:
    """``metadata.files`` checked (required from format 1.1 on; absent before)."""
    where = "backup.metadata.files"
    value = metadata.get("files")
    if version == "1.0":
        if value is not None:
            raise ValidationError(where, "is not part of format version 1.0")
        return FilesSummary()
    if not isinstance(value, dict) or set(value) != {"count", "bytes", "missing"}:
        raise ValidationError(where, 'must be an object of "count", "bytes" and "missing"')
    for key in ("count", "bytes"):
        if type(value[key]) is not int or value[key] < 0:
            raise ValidationError(f"{where}.{key}", "must be a count")
    missing = value["missing"]
    if not isinstance(missing, list):
        raise ValidationError(f"{where}.missing", "must be a list")
    for index, entry in enumerate(missing):
        if (
            not isinstance(entry, dict)
            or set(entry) != {"path", "reason"}
            or not all(isinstance(v, str) for v in entry.values())
        ):
            raise ValidationError(
                f"{where}.missing[{index}]", 'must be an object of "path" and "reason" strings'
            )
    paths = [entry["path"] for entry in missing]
    if len(set(paths)) != len(paths):
        raise ValidationError(f"{where}.missing", "must not list a path twice")
    return FilesSummary(value["count"], value["bytes"], tuple(missing))


# -- backing files up ---------------------------------------------------------


def _open_source(stored: str, data_root: Path) -> tuple[IO[bytes] | None, str]:
    """The file behind ``stored`` opened for reading, or ``None`` and why not."""
    path = Path(stored)
    if not path.is_absolute():
        path = data_root / path
    try:
        # O_NONBLOCK: opening a FIFO someone put there must not hang the backup.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except (FileNotFoundError, NotADirectoryError):
        return None, "not found"
    except PermissionError:
        return None, "permission denied"
    except (OSError, ValueError) as exc:
        return None, f"cannot be opened ({getattr(exc, 'strerror', None) or exc})"
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        return None, "not a regular file"
    if info.st_size > MAX_FILE_BYTES:
        os.close(descriptor)
        return None, f"larger than the {MAX_FILE_BYTES // 2**20} MB a backup holds per file"
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb"), ""


def read_stored_file(stored: str, data_root: Path) -> bytes | None:
    """The bytes of the stored file ``stored`` (relative to ``data_root``), ``None`` if unreadable.

    The same checks as a backup's: a regular file of at most :data:`MAX_FILE_BYTES`
    (a FIFO planted where a resume was never hangs the reader).
    """
    source, _why = _open_source(stored, data_root)
    if source is None:
        return None
    with source:
        return source.read(MAX_FILE_BYTES + 1)


def _copy_file(source: IO[bytes], stored: str, out: BackupFileWriter) -> tuple[int, str]:
    """Stream one open file into the backup; returns its size and SHA-256."""
    digest = hashlib.sha256()
    size = 0
    out.start_file(stored)
    try:
        while chunk := source.read(CHUNK_BYTES):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise BackupError(f"Cannot back up resume file {stored}: it grew past the limit")
            digest.update(chunk)
            out.add_chunk(base64.b64encode(chunk))
    except OSError as exc:
        raise BackupError(f"Cannot back up resume file {stored}: {exc.strerror or exc}") from exc
    sha256 = digest.hexdigest()
    out.end_file(size, sha256)
    return size, sha256


def _stored_paths(conn: Connection) -> Iterator[str]:
    """Every distinct path of :data:`FILE_COLUMNS` once, each column's in first-use order."""
    seen: set[str] = set()
    for file_column in FILE_COLUMNS:
        table = TABLES_BY_NAME[file_column.table]
        column = table.c[file_column.column]
        query = (
            select(column)
            .where(column.is_not(None))
            .group_by(column)
            .order_by(func.min(table.c.id))
        )
        for (stored,) in conn.execute(query):
            if stored not in seen:
                seen.add(stored)
                yield stored


def back_up_files(
    conn: Connection, out: BackupFileWriter, digest: DataDigest, data_root: Path
) -> FilesSummary:
    """Write the ``files`` section for every stored file path of the snapshot ``conn``."""
    out.start_files()
    count = total = 0
    missing: list[dict[str, str]] = []
    for stored in _stored_paths(conn):
        source, reason = _open_source(stored, data_root)
        if source is None:
            missing.append({"path": stored, "reason": reason})
            continue
        with source:
            size, sha256 = _copy_file(source, stored, out)
        digest.add_file(stored, size, sha256)
        count += 1
        total += size
    for entry in missing:
        digest.add_missing(entry)
    if missing:
        shown = "; ".join(f"{m['path']} ({m['reason']})" for m in missing[:_WARN_PATHS])
        more = f" and {len(missing) - _WARN_PATHS} more" if len(missing) > _WARN_PATHS else ""
        logger.warning(
            "%d resume file(s) could not be read and are recorded as missing: %s%s",
            len(missing), shown, more,
        )  # fmt: skip
    return FilesSummary(count, total, tuple(missing))


# -- checking files in a backup -----------------------------------------------


def decode_chunk(text: Any, where: str) -> bytes:
    """One content chunk as bytes, or :class:`ValidationError`."""
    if not isinstance(text, str):
        raise ValidationError(where, "must be a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(where, "must be valid base64") from None


def check_entry(fields: dict[str, Any], index: int) -> tuple[str, int, str]:
    """The path, size and SHA-256 a file entry claims, each checked for its form."""
    where = f"backup.files[{index}]"
    if set(fields) != _ENTRY_KEYS:
        odd = sorted(set(fields) ^ _ENTRY_KEYS)[0]
        rule = "is not a field of a file" if odd in fields else "is required"
        raise ValidationError(f"{where}.{odd}", rule)
    if fields["content"] is not True:
        raise ValidationError(f"{where}.content", "must be a list of base64 strings")
    path, size, sha256 = fields["path"], fields["size"], fields["sha256"]
    if not isinstance(path, str) or not path or len(path) > MAX_PATH_LENGTH or "\x00" in path:
        raise ValidationError(
            f"{where}.path", f"must be a non-empty path of at most {MAX_PATH_LENGTH} characters"
        )
    if type(size) is not int or not 0 <= size <= MAX_FILE_BYTES:
        raise ValidationError(f"{where}.size", f"must be a size of at most {MAX_FILE_BYTES} bytes")
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValidationError(f"{where}.sha256", "must be a SHA-256 as 64 lowercase hex digits")
    return path, size, sha256


class ContentHash:
    """The size and SHA-256 of one file's chunks, as they stream by."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start the next file."""
        self._hash = hashlib.sha256()
        self.size = 0

    def add(self, text: Any, index: int) -> bytes:
        """Decode and count one chunk of file ``index``; returns its bytes."""
        data = decode_chunk(text, f"backup.files[{index}].content")
        self.size += len(data)
        if self.size > MAX_FILE_BYTES:
            raise ValidationError(
                f"backup.files[{index}].content", f"must hold at most {MAX_FILE_BYTES} bytes"
            )
        self._hash.update(data)
        return data

    def check(self, index: int, size: int, sha256: str) -> None:
        """The chunks must be the ``size`` bytes of hash ``sha256`` the entry claims."""
        where = f"backup.files[{index}]"
        if self.size != size:
            raise ValidationError(f"{where}.size", f"is {size} but the content has {self.size}")
        if self._hash.hexdigest() != sha256:
            raise ValidationError(
                f"{where}.sha256", "does not match the content (the file was changed or damaged)"
            )


@dataclass
class FileCheck:
    """Checks the ``files`` section and how it matches the file paths of the data's rows."""

    summary: FilesSummary
    digest: DataDigest | None
    #: stored file path -> (table, index) of the first row using it
    used: dict[str, tuple[str, int]] = field(default_factory=dict)
    paths: set[str] = field(default_factory=set)
    total: int = 0
    content: ContentHash = field(default_factory=ContentHash)

    def use(self, table: str, path: str, index: int) -> None:
        """Note that row ``index`` of ``table`` (one of :data:`FILE_TABLES`) uses ``path``."""
        self.used.setdefault(path, (table, index))

    def event(self, kind: str, index: int, value: Any) -> None:
        """One event of :meth:`BackupReader.files`."""
        if kind == "chunk":
            self.content.add(value, index)
            return
        path, size, sha256 = check_entry(value, index)
        self.content.check(index, size, sha256)
        self.content.reset()
        where = f"backup.files[{index}].path"
        if path in self.paths:
            raise ValidationError(where, "appears twice")
        if path in self.summary.missing_paths:
            raise ValidationError(where, "is also listed in metadata.files.missing")
        if path not in self.used:
            raise ValidationError(
                where, "is not the file_path of any resume or cover letter in the backup"
            )
        self.paths.add(path)
        self.total += size
        if self.digest is not None:
            self.digest.add_file(path, size, sha256)

    def finish(self) -> None:
        """Compare the files with ``metadata.files`` and the rows' paths."""
        if self.digest is not None:
            for entry in self.summary.missing:
                self.digest.add_missing(entry)
        where = "backup.metadata.files"
        if len(self.paths) != self.summary.count or self.total != self.summary.bytes:
            raise ValidationError(
                where,
                f"says {self.summary.count} files of {self.summary.bytes} bytes but the backup "
                f"holds {len(self.paths)} of {self.total}",
            )
        missing = self.summary.missing_paths
        for path, (table, index) in self.used.items():
            if path not in self.paths and path not in missing:
                raise ValidationError(
                    f"backup.data.{table}[{index}].file_path",
                    "has no file in the backup and is not listed in metadata.files.missing",
                )
        unused = missing - self.used.keys()
        if unused:
            raise ValidationError(
                f"{where}.missing", f"lists {min(unused)!r}, the file_path of no row"
            )
