"""Putting a backup's stored files back: all or nothing, never outside their folders.

Where a restored file goes never depends on the backup's text. Each file gets a
new random name under ``<resume folder>/<user id>/`` (the integer id of the
first restored resume that uses it), or for a cover letter's file under
``<data dir>/cover_letters/<user id>/`` (the sibling of the resume folder),
keeping only a short alphanumeric extension of the stored name. The path in
the backup is only the key saying which rows use the file; their ``file_path``
is rewritten to the new file. Rows whose file the backup lists as missing (and
all rows of a format 1.0 backup, which holds no files) keep their
``file_path`` as it was.

While the restore's transaction runs, files are written to a private staging
folder inside the resume folder (``.restoring.<pid>.<tag>``), each synced and
checked against its size and SHA-256. Only when every row and file is in, just
before the commit, are they linked to their final names; if anything fails up
to and including the commit, every new file is removed and the staging folder
with it. Killed before the links, the staging folder is removed by the next
restore (its process is gone); killed between the links and the commit, the
new files stay unused under random names. Either way no resume ever points at
a file that is not there, and files of the replaced data are never touched.

A successful restore keeps the files of the replaced data too: a restore never
deletes a file (the safety backup holds them, but with ``safety_backup=False``
the folder may be their only copy).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
from pathlib import Path, PurePath
from typing import IO, Any

from database.io.backup.files import (
    FILE_TABLES,
    MAX_PATH_LENGTH,
    ContentHash,
    FilesSummary,
    check_entry,
)
from database.io.backup.writer import (
    DIR_MODE,
    create_private,
    fsync_dir,
    link_no_clobber,
    pid_alive,
)
from utils.errors import BackupError

logger = logging.getLogger(__name__)

_STAGING = re.compile(r"^\.restoring\.(?P<pid>\d+)\.[0-9a-f]{8}$")
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def _suffix(stored: str) -> str:
    suffix = PurePath(stored).suffix.lower()
    return suffix if _SUFFIX.match(suffix) else ""


def _error(what: str, exc: OSError) -> BackupError:
    reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    error = BackupError(f"Could not restore resume files ({what}): {reason}")
    error.__cause__ = exc
    return error


def remove_stale_staging(root: Path) -> int:
    """Remove the staging folders of restores that were killed."""
    removed = 0
    if not root.is_dir():
        return removed
    for entry in root.iterdir():
        match = _STAGING.match(entry.name)
        if match and entry.is_dir() and not pid_alive(int(match["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    if removed:
        logger.info("removed %d staging folder(s) left by interrupted restores", removed)
    return removed


class RestoredFiles:
    """The files of one restore: staged during its transaction, published before the commit.

    ``restore`` is ``False`` for a backup without files (format 1.0): paths are
    left as they are and nothing is written.
    """

    def __init__(self, root: Path, summary: FilesSummary, *, restore: bool) -> None:
        self.root = root.resolve()
        #: table -> the folder its restored files go to (the resumes' is ``root``).
        self.folders = {
            table: self.root if table == "resumes" else self.root.parent / column.folder
            for table, column in FILE_TABLES.items()
        }
        self.restore = restore
        self._missing = summary.missing_paths
        self._targets: dict[str, Path] = {}
        self._staging: Path | None = None
        self._current: tuple[int, Path, IO[bytes]] | None = None
        self._moves: list[tuple[Path, Path]] = []
        self._published: list[Path] = []
        self._content = ContentHash()
        try:
            remove_stale_staging(self.root)
        except OSError:
            logger.debug("could not sweep %s for old staging folders", self.root, exc_info=True)

    # -- during the transaction ----------------------------------------------

    def rewrite(self, stored: str, user_id: int, table: str = "resumes") -> str:
        """The ``file_path`` a restored row of ``table`` gets for the stored path ``stored``."""
        if not self.restore or stored in self._missing:
            return stored
        target = self._targets.get(stored)
        if target is None:
            name = secrets.token_hex(16) + _suffix(stored)
            target = self.folders[table] / str(int(user_id)) / name
            if len(str(target)) > MAX_PATH_LENGTH:
                raise BackupError(f"The resume folder {self.root} is too long a path to restore to")
            self._targets[stored] = target
        return str(target)

    def event(self, kind: str, index: int, value: Any) -> None:
        """One event of :meth:`BackupReader.files`: write a chunk, or finish a file."""
        if kind == "chunk":
            data = self._content.add(value, index)
            try:
                self._stream(index).write(data)
            except OSError as exc:
                raise _error("writing", exc) from exc
            return
        path, size, sha256 = check_entry(value, index)
        _, staged, stream = self._entry(index)
        self._current = None
        try:
            stream.flush()
            os.fsync(stream.fileno())
            stream.close()
        except OSError as exc:
            raise _error("writing", exc) from exc
        self._content.check(index, size, sha256)
        self._content.reset()
        target = self._targets.get(path)
        if target is None:  # no restored resume uses it (a checked backup has none such)
            staged.unlink(missing_ok=True)
            return
        self._moves.append((staged, target))

    def _stream(self, index: int) -> IO[bytes]:
        return self._entry(index)[2]

    def _entry(self, index: int) -> tuple[int, Path, IO[bytes]]:
        if self._current is None or self._current[0] != index:
            staged, stream = self._open(index)
            self._current = (index, staged, stream)
        return self._current

    def _open(self, index: int) -> tuple[Path, IO[bytes]]:
        try:
            if self._staging is None:
                self.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                staging = self.root / f".restoring.{os.getpid()}.{secrets.token_hex(4)}"
                staging.mkdir(mode=DIR_MODE)
                self._staging = staging
            staged = self._staging / str(index)
            return staged, create_private(staged)
        except OSError as exc:
            raise _error(f"in {self.root}", exc) from exc

    def publish(self) -> None:
        """Give every staged file its final name (the last step before the commit)."""
        folders: set[Path] = set()
        try:
            for staged, target in self._moves:
                folder = target.parent
                folder.parent.mkdir(mode=DIR_MODE, exist_ok=True)  # the cover letters' folder
                folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                if folder.resolve() != folder:  # a link planted in the resume folder
                    raise BackupError(f"Will not restore a file through the link {folder}")
                link_no_clobber(staged, target)
                self._published.append(target)
                folders.add(folder)
            for folder in folders:
                fsync_dir(folder)
        except OSError as exc:
            raise _error(f"in {self.root}", exc) from exc
        if self._published:
            logger.info("restored %d resume file(s) into %s", len(self._published), self.root)

    # -- afterwards -------------------------------------------------------------

    def discard(self) -> None:
        """After a failure: remove every new file, published or not."""
        for path in self._published:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                logger.warning("could not remove %s after a failed restore", path)
        self._published.clear()
        self.close()

    def close(self) -> None:
        """Remove the staging folder (what is still in it was not published)."""
        if self._current is not None:
            self._current[2].close()
            self._current = None
        if self._staging is not None:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None

    @property
    def published(self) -> list[Path]:
        """The files put in place so far."""
        return list(self._published)
