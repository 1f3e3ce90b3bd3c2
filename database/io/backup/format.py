"""The backup file format: its shape, version, checksum and streamed reading.

A backup is one JSON document, the shape the spec documents plus the resume files::

    {"metadata": {"format": "auto-applyer-backup", "version": "1.1",
                  "backup_date": "2024-01-15T10:30:00Z", "environment": "development",
                  "database_type": "sqlite", "schema_version": "003.1",
                  "row_counts": {"users": 1, ...},
                  "files": {"count": 1, "bytes": 5120,
                            "missing": [{"path": "/r/cv.pdf", "reason": "not found"}]},
                  "sha256": "..."},
     "data": {"users": [{...}, ...], "user_preferences": [...], ...},
     "files": [{"path": "/srv/data/resumes/7/3f...e1.pdf",
                "content": ["JVBERi0x...", ...], "size": 5120, "sha256": "..."}]}

``metadata`` comes first, so listing backups reads a few hundred bytes of each.
``data`` holds every table of the schema except ``schema_migrations`` (the schema
belongs to the database being restored into), in foreign-key order, each row an
object with every column, rows in primary-key order, one row per line.

``files`` (version 1.1) holds each distinct ``resumes.file_path`` whose file
could be read when the backup was taken: the path as stored (a lookup key only,
never a place to write), the bytes as base64 chunks of at most 64 KB of data
each (so a reader never holds more than a chunk), their size and SHA-256. Paths
whose file could not be read are listed in ``metadata.files.missing`` instead.
Version 1.0 backups have neither and still restore.

The SHA-256 in the metadata covers the data, not the file's layout: for every row
it hashes the table name, a tab, the row as canonical JSON (sorted keys, no
spaces, UTF-8) and a newline; then for each file ``files``, a tab and
``{"path", "sha256", "size"}`` as canonical JSON and a newline; then for each
missing file ``missing_files``, a tab, its entry as canonical JSON and a
newline. A reader re-serialises what it parsed and compares; each file's own
SHA-256 covers its bytes.

Files are read as a stream of parser events (``ijson``), one row or chunk at a
time, and a gzip file is recognised by its first bytes, whatever its name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import ijson  # type: ignore[import-untyped]
from sqlalchemy import Table

from database.models import TABLES
from utils.errors import BackupError, ValidationError

FORMAT_NAME = "auto-applyer-backup"
FORMAT_VERSION = "1.1"
#: Versions this code reads; 1.0 has no ``files`` (resume files are not restored).
SUPPORTED_VERSIONS = frozenset({"1.0", FORMAT_VERSION})
#: Top-level sections of a backup, in their order.
SECTIONS = ("metadata", "data", "files")
GZIP_MAGIC = b"\x1f\x8b"

#: Tables a backup leaves out: the migrations' own log, the outbox of events (a
#: notification of a change, not data; a restore must not bring back old event ids), and
#: the calendar feed secrets (a restore must not bring back a secret that was rotated away),
#: and the webhooks (configuration holding signing secrets in clear, which a backup file
#: must not spread; a restore removes those of the people it replaces, with them).
NOT_BACKED_UP = frozenset(
    {
        "schema_migrations",
        "events",
        "calendar_feeds",
        "webhook_endpoints",
        "webhook_deliveries",
        # The server's own bookkeeping: how it ran, not anyone's data.
        "maintenance_runs",
        "maintenance_locks",
        "metric_samples",
        "alert_states",
        # Where a person last wrote on the primary: meaningless on another server.
        "read_marks",
        # How much of a person's current rate-limit window the workers took.
        "rate_limits",
    }
)
#: The tables a backup holds, each after the tables it references.
BACKUP_TABLES: tuple[Table, ...] = tuple(t for t in TABLES if t.name not in NOT_BACKED_UP)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in BACKUP_TABLES}

_Event = tuple[str, Any]


def canonical_json(value: Any) -> bytes:
    """``value`` as canonical JSON: sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


class DataDigest:
    """The SHA-256 of a backup's data, fed one canonical row at a time."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def add(self, table: str, row_json: bytes) -> None:
        """Add one row, already serialised by :func:`canonical_json`."""
        self._hash.update(b"".join((table.encode(), b"\t", row_json, b"\n")))

    def add_file(self, path: str, size: int, sha256: str) -> None:
        """Add one file entry of the ``files`` section."""
        self.add("files", canonical_json({"path": path, "sha256": sha256, "size": size}))

    def add_missing(self, entry: dict[str, Any]) -> None:
        """Add one entry of ``metadata.files.missing``."""
        self.add("missing_files", canonical_json(entry))

    def hexdigest(self) -> str:
        """The checksum so far, as 64 hex digits."""
        return self._hash.hexdigest()


def open_backup(path: Path) -> IO[bytes] | gzip.GzipFile:
    """Open a backup for reading, decompressing it when it is gzip."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise ValidationError(
            "backup_path", "must name an existing backup file", str(path)
        ) from None
    except OSError as exc:
        raise BackupError(f"Cannot read backup {path.name}: {exc.strerror or exc}") from exc
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise BackupError(f"Cannot read backup {path.name}: {exc.strerror or exc}") from exc
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # closing it leaves raw open
    return raw


def _bad_file(problem: str) -> ValidationError:
    return ValidationError("backup", problem)


class BackupReader:
    """A backup file read as a stream: first its metadata, then its rows.

    >>> with BackupReader(path) as reader:
    ...     reader.metadata
    ...     for table, row in reader.rows(): ...

    :meth:`rows` yields ``(table, None)`` when a table's list starts (so empty
    tables are seen too), then ``(table, row)`` for each row; :meth:`files`
    then streams the resume files. Malformed JSON, a
    truncated or corrupt file, and a shape other than the format's raise
    :class:`ValidationError` on ``backup``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open_backup(path)
        self._raw: IO[bytes] | None = getattr(self._file, "fileobj", None)
        self._events: Iterator[_Event] = ijson.basic_parse(self._file, use_float=True)
        self.metadata: dict[str, Any] = self._read_metadata()
        #: Whether a ``files`` section follows the data (known once :meth:`rows` ends).
        self.has_files = False

    def __enter__(self) -> BackupReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file."""
        self._file.close()
        if self._raw is not None:
            self._raw.close()

    # -- events ---------------------------------------------------------------

    def _next(self) -> _Event:
        try:
            return next(self._events)
        except (StopIteration, ijson.JSONError, EOFError, OSError, zlib.error) as exc:
            raise self._read_error(exc) from None

    def _read_error(self, exc: BaseException) -> Exception:
        """The project error for a failure while reading the stream."""
        if isinstance(exc, StopIteration):
            return _bad_file("is truncated (the JSON document ends early)")
        if isinstance(exc, ijson.IncompleteJSONError):
            return _bad_file(_json_problem(exc))
        if isinstance(exc, ijson.JSONError):
            return _bad_file(f"is not valid JSON ({_first_line(exc)})")
        if isinstance(exc, EOFError | gzip.BadGzipFile | zlib.error):
            return _bad_file(f"is a truncated or corrupt gzip file ({_first_line(exc)})")
        error = BackupError(f"Cannot read backup {self.path.name}: {exc}")
        error.__cause__ = exc
        return error

    def _expect(self, event: str, value: Any, where: str, rule: str) -> None:
        got = self._next()
        if got[0] != event or (value is not None and got[1] != value):
            raise ValidationError(where, rule)

    def _value(self, event: str, value: Any) -> Any:
        """The whole JSON value that starts with ``(event, value)``."""
        if event == "start_map":
            result: dict[str, Any] = {}
            while True:
                event, key = self._next()
                if event == "end_map":
                    return result
                result[key] = self._value(*self._next())
        if event == "start_array":
            items: list[Any] = []
            while True:
                event, value = self._next()
                if event == "end_array":
                    return items
                items.append(self._value(event, value))
        return value

    # -- structure ------------------------------------------------------------

    def _read_metadata(self) -> dict[str, Any]:
        self._expect("start_map", None, "backup", "must be a JSON object")
        self._expect("map_key", "metadata", "backup", 'must start with its "metadata" object')
        metadata = self._value(*self._next())
        if not isinstance(metadata, dict):
            raise ValidationError("backup.metadata", "must be a JSON object")
        return metadata

    def rows(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """``(table, None)`` at each table's start, then ``(table, row)`` per row."""
        self._expect("map_key", "data", "backup", 'must have a "data" object after "metadata"')
        self._expect("start_map", None, "backup.data", "must be a JSON object")
        seen: set[str] = set()
        while True:
            event, table = self._next()
            if event == "end_map":
                break
            if table in seen:
                raise ValidationError(f"backup.data.{table}", "appears twice")
            seen.add(table)
            self._expect("start_array", None, f"backup.data.{table}", "must be a JSON array")
            yield table, None
            yield from self._table_rows(table)
        event, key = self._next()
        if event == "end_map":
            self._expect_end()
            return
        if key != "files":
            raise ValidationError(
                f"backup.{key}",
                'is not part of the format (only "metadata", "data" and "files")',
            )
        self.has_files = True

    def files(self) -> Iterator[tuple[str, int, Any]]:
        """The ``files`` section, after :meth:`rows`, as a stream of events.

        ``("chunk", i, text)`` for each content chunk of file ``i`` (base64, not
        decoded), then ``("entry", i, fields)`` with its other fields. Nothing
        when the backup has no ``files`` section.
        """
        if not self.has_files:
            return
        self._expect("start_array", None, "backup.files", "must be a JSON array")
        index = 0
        while True:
            event, _ = self._next()
            if event == "end_array":
                break
            if event != "start_map":
                raise ValidationError(f"backup.files[{index}]", "must be a JSON object")
            yield from self._file_entry(index)
            index += 1
        event, key = self._next()
        if event != "end_map":
            raise ValidationError(f"backup.{key}", "must not follow the files section")
        self._expect_end()

    def _file_entry(self, index: int) -> Iterator[tuple[str, int, Any]]:
        where = f"backup.files[{index}]"
        fields: dict[str, Any] = {}
        while True:
            event, key = self._next()
            if event == "end_map":
                break
            if key in fields:
                raise ValidationError(f"{where}.{key}", "appears twice")
            event, value = self._next()
            if key == "content" and event == "start_array":
                fields[key] = True
                yield from self._chunks(index)
            else:
                fields[key] = self._value(event, value)
        yield "entry", index, fields

    def _chunks(self, index: int) -> Iterator[tuple[str, int, Any]]:
        while True:
            event, value = self._next()
            if event == "end_array":
                return
            if event != "string":
                raise ValidationError(
                    f"backup.files[{index}].content", "must be a list of base64 strings"
                )
            yield "chunk", index, value

    def _table_rows(self, table: str) -> Iterator[tuple[str, dict[str, Any]]]:
        # The hot loop of every restore: events are pulled directly (no helper call
        # per event); a read failure anywhere in it is translated once, below.
        next_event = self._events.__next__
        index = 0
        try:
            while True:
                event, value = next_event()
                if event == "end_array":
                    return
                if event != "start_map":
                    raise ValidationError(f"backup.data.{table}[{index}]", "must be a JSON object")
                row: dict[str, Any] = {}
                while True:
                    event, key = next_event()
                    if event == "end_map":
                        break
                    event, value = next_event()
                    if event == "start_map" or event == "start_array":
                        value = self._value(event, value)
                    if key in row:
                        raise ValidationError(
                            f"backup.data.{table}[{index}].{key}", "appears twice"
                        )
                    row[key] = value
                yield table, row
                index += 1
        except (StopIteration, ijson.JSONError, EOFError, OSError, zlib.error) as exc:
            raise self._read_error(exc) from None

    def _expect_end(self) -> None:
        try:
            extra = next(self._events)
        except StopIteration:
            return
        except ijson.JSONError as exc:
            raise _bad_file(f"has data after the JSON document ({_first_line(exc)})") from None
        raise _bad_file(f"has data after the JSON document ({extra[0]})")


def read_metadata(path: Path) -> dict[str, Any]:
    """Only the metadata of the backup at ``path`` (reads the start of the file)."""
    with BackupReader(path) as reader:
        return reader.metadata


def _json_problem(exc: Exception) -> str:
    message = _first_line(exc)
    if "premature" in message.lower() or "incomplete" in message.lower():
        return f"is truncated ({message})"
    return f"is not valid JSON ({message})"


def _first_line(exc: BaseException) -> str:
    # The parser quotes the text around the error on its next lines: keep only the
    # first line, so no row content (a password hash, say) reaches a message.
    text = str(exc).strip().removeprefix("b'").replace("\\n", "\n")
    lines = text.splitlines()
    return lines[0][:200] if lines else type(exc).__name__
