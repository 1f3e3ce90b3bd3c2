"""Writing a backup file so that a crash never leaves half of one under its name.

Rows stream into a hidden *spool* file while their count and checksum are taken;
then the final document is assembled in a hidden *partial* file (metadata first,
then the spooled rows copied as bytes), flushed to disk, and linked into place
under its name, which fails rather than replaces if that name exists. Both hidden
files are created readable by their owner only, carry the writer's process id,
and are removed on any error; those of a writer that was killed are removed by
the next one (:func:`remove_stale_files`).

A ``.json.gz`` backup is a series of gzip members (metadata, rows and files,
closing brackets); gzip readers, Python's included, read them as one stream.
"""

from __future__ import annotations

import errno
import gzip
import json
import logging
import os
import re
import secrets
import shutil
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from utils.errors import BackupError

logger = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700
COMPRESS_LEVEL = 6
_HIDDEN = re.compile(r"^\..+\.(?P<pid>\d+)\.[0-9a-f]{8}\.(?:spool|partial)$")


def create_private(path: Path) -> IO[bytes]:
    """Create ``path`` (which must not exist) readable and writable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    os.fchmod(fd, FILE_MODE)  # whatever the umask
    return os.fdopen(fd, "wb")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_files(folder: Path) -> int:
    """Remove hidden spool and partial files left by writers that died."""
    removed = 0
    if not folder.is_dir():
        return removed
    for entry in folder.iterdir():
        match = _HIDDEN.match(entry.name)
        if match and not pid_alive(int(match["pid"])):
            entry.unlink(missing_ok=True)
            removed += 1
    if removed:
        logger.info("removed %d file(s) left by interrupted backups", removed)
    return removed


def _write_error(target: Path, exc: OSError) -> BackupError:
    reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return BackupError(f"Could not write backup {target.name}: {reason}")


def link_no_clobber(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target`` atomically, failing if ``target`` exists."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        # A file system without hard links: rename, after checking the name is free.
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(source, target)


class BackupFileWriter:
    """Streams one backup's tables and rows to disk, then publishes it atomically.

    >>> with BackupFileWriter(path, compress=False) as out:
    ...     out.start_table("users"); out.add_row(b'{"id":1,...}')
    ...     out.publish(metadata)
    """

    def __init__(self, target: Path, *, compress: bool) -> None:
        self.target = target
        self.compress = compress
        tag = f"{os.getpid()}.{secrets.token_hex(4)}"
        self._spool_path = target.with_name(f".{target.name}.{tag}.spool")
        self._partial_path = target.with_name(f".{target.name}.{tag}.partial")
        self._spool_raw: IO[bytes] | None = None
        self._spool: IO[bytes] | gzip.GzipFile | None = None
        self._first_table = True
        self._first_row = True
        self._in_files = False
        self._first_file = True
        self._first_chunk = True
        self.published = False

    def __enter__(self) -> BackupFileWriter:
        try:
            self._spool_raw = create_private(self._spool_path)
        except OSError as exc:
            raise _write_error(self.target, exc) from exc
        self._spool = (
            gzip.GzipFile(fileobj=self._spool_raw, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0)
            if self.compress
            else self._spool_raw
        )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close_spool()
        self._spool_path.unlink(missing_ok=True)
        self._partial_path.unlink(missing_ok=True)

    def _close_spool(self) -> None:
        for stream in (self._spool, self._spool_raw):
            if stream is not None and not stream.closed:
                try:
                    stream.close()
                except OSError:
                    logger.debug("closing the spool failed", exc_info=True)

    def _write(self, data: bytes) -> None:
        assert self._spool is not None, "use BackupFileWriter as a context manager"
        try:
            self._spool.write(data)
        except OSError as exc:
            raise _write_error(self.target, exc) from exc

    def start_table(self, name: str) -> None:
        """Open the list of rows of table ``name``."""
        prefix = b"" if self._first_table else b"\n  ],\n"
        self._first_table = False
        self._first_row = True
        self._write(prefix + b"  " + json.dumps(name).encode() + b": [")

    def add_row(self, row_json: bytes) -> None:
        """Append one row, already serialised, to the current table."""
        self._write((b"\n    " if self._first_row else b",\n    ") + row_json)
        self._first_row = False

    def _close_data(self) -> bytes:
        return b"\n}" if self._first_table else b"\n  ]\n}"

    def start_files(self) -> None:
        """Close the data and open the ``files`` section (after the last table)."""
        self._write(self._close_data() + b',\n"files": [')
        self._in_files = True

    def start_file(self, path: str) -> None:
        """Open the entry of one file, stored under ``path``."""
        prefix = b"\n  " if self._first_file else b",\n  "
        self._first_file = False
        self._first_chunk = True
        self._write(prefix + b'{"path": ' + json.dumps(path).encode() + b', "content": [')

    def add_chunk(self, encoded: bytes) -> None:
        """Append one base64 chunk to the current file."""
        self._write((b"\n    " if self._first_chunk else b",\n    ") + b'"' + encoded + b'"')
        self._first_chunk = False

    def end_file(self, size: int, sha256: str) -> None:
        """Close the current file's entry with its size and checksum."""
        self._write(b'], "size": %d, "sha256": "%s"}' % (size, sha256.encode()))

    def publish(self, metadata: dict[str, Any]) -> None:
        """Write the final file (metadata, rows, files) and link it under its name."""
        tail = b"\n]\n" if self._in_files else self._close_data() + b"\n"
        self._write(tail)
        self._close_spool()
        head = b'{\n"metadata": ' + json.dumps(metadata, indent=2).encode() + b',\n"data": {\n'
        try:
            with create_private(self._partial_path) as out:
                self._write_member(out, head)
                with self._spool_path.open("rb") as spool:
                    shutil.copyfileobj(spool, out, 1024 * 1024)
                self._write_member(out, b"}\n")
                out.flush()
                os.fsync(out.fileno())
            link_no_clobber(self._partial_path, self.target)
        except FileExistsError:
            raise BackupError(
                f"Could not write backup {self.target.name}: a file with that name appeared"
            ) from None
        except OSError as exc:
            raise _write_error(self.target, exc) from exc
        self._partial_path.unlink(missing_ok=True)
        fsync_dir(self.target.parent)
        self.published = True

    def _write_member(self, out: IO[bytes], data: bytes) -> None:
        if not self.compress:
            out.write(data)
            return
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=COMPRESS_LEVEL, mtime=0) as gz:
            gz.write(data)
