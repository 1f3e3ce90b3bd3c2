"""Erasing a person's files with their rows, in an order that never strands a row.

The rows go in the caller's transaction (:func:`database.domain.erasure.erase`);
the resume and cover letter files are removed only once that transaction has committed (a
SQLAlchemy ``after_commit`` hook on the session). So a failure before or in
the commit leaves every row and every file as it was, and a crash after the
commit leaves at worst files no row names: :func:`remove_orphan_files`
finds and removes those on a later run. A row pointing at a missing file
cannot come of it. Only files inside ``<data dir>/resumes`` and
``<data dir>/cover_letters`` (:data:`FOLDERS`) are ever removed: a path a
local user registered elsewhere is their own file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from database.core.files import COVER_LETTERS_FOLDER, RESUMES_FOLDER
from database.domain import erasure
from database.models import CoverLetter, Resume

logger = logging.getLogger(__name__)

#: An unreferenced file younger than this may be an upload whose row is not committed yet.
ORPHAN_MIN_AGE_SECONDS = 3600
#: The folders of stored uploads, and the column of the rows that name their files.
FOLDERS = ((RESUMES_FOLDER, Resume.file_path), (COVER_LETTERS_FOLDER, CoverLetter.file_path))


def _stored_file(root: Path, stored: str) -> Path | None:
    """The file ``stored`` names if it lies inside one of :data:`FOLDERS`, else ``None``."""
    path = Path(stored)
    target = (path if path.is_absolute() else root / path).resolve()
    for folder, _column in FOLDERS:
        base = (root / folder).resolve()
        if target.is_relative_to(base) and target != base:
            return target
    return None


def remove_files(root: Path, stored_paths: Iterable[str]) -> int:
    """Remove the stored files (inside :data:`FOLDERS` only); how many went.

    A file already missing counts as removed; one that cannot be removed is
    logged and left for :func:`remove_orphan_files`. Emptied per-person
    folders are removed too.
    """
    removed = 0
    folders: set[Path] = set()
    for stored in stored_paths:
        target = _stored_file(root, stored)
        if target is None:
            continue
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            logger.warning("could not remove stored file %s: %s", target.name, exc)
            continue
        removed += 1
        folders.add(target.parent)
    bases = {(root / name).resolve() for name, _column in FOLDERS}
    for folder in folders:
        if folder not in bases:
            _remove_if_empty(folder)
    return removed


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not empty (another resume), or already gone
        folder.rmdir()


def remove_after_commit(session: Session, root: Path, stored_paths: list[str]) -> None:
    """Remove ``stored_paths`` once the session's current transaction commits; never on rollback."""
    state = {"cancelled": False}

    def cancel(_session: Session) -> None:
        state["cancelled"] = True

    def remove(_session: Session) -> None:
        if not state["cancelled"]:
            remove_files(root, stored_paths)

    event.listen(session, "after_rollback", cancel, once=True)
    event.listen(session, "after_commit", remove, once=True)


def erase(session: Session, user_id: int, root: Path) -> erasure.Erased | None:
    """Erase the person's rows in the session's transaction and their files after its commit.

    ``None`` when there is no such person; raises what
    :func:`database.domain.erasure.erase` raises (nothing is changed then).
    """
    erased = erasure.erase(session, user_id)
    if erased is not None:
        remove_after_commit(session, root, erased.resume_paths + erased.cover_letter_paths)
    return erased


def remove_orphan_files(
    session: Session,
    root: Path,
    min_age_seconds: float = ORPHAN_MIN_AGE_SECONDS,
    dry_run: bool = False,
) -> list[Path]:
    """Remove the files under :data:`FOLDERS` that no row names; the ones found.

    A file named by a resume or a cover letter is kept, wherever of the two
    folders it lies. Files younger than ``min_age_seconds`` are spared: an
    upload writes its file just before its row. ``dry_run`` only reports.
    """
    bases = [b for name, _c in FOLDERS if (b := (root / name).resolve()).is_dir()]
    if not bases:
        return []
    named = {
        target
        for _folder, column in FOLDERS
        for stored in session.scalars(select(column).where(column.is_not(None)))
        if stored is not None and (target := _stored_file(root, stored)) is not None
    }
    cutoff = time.time() - min_age_seconds
    found: list[Path] = []
    for base in bases:
        found.extend(_unnamed(base, named, cutoff))
    if not dry_run and found:
        remove_files(root, [str(p) for p in found])
        logger.info("removed %d stored files no row names", len(found))
    return sorted(found)


def _unnamed(base: Path, named: set[Path], cutoff: float) -> list[Path]:
    """The files under ``base`` not in ``named`` and older than ``cutoff``."""
    found: list[Path] = []
    for folder, _dirs, names in os.walk(base):
        for name in names:
            path = Path(folder, name).resolve()
            try:
                fresh = path.stat().st_mtime > cutoff
            except OSError:
                continue  # a dangling link: nothing of ours
            if path in named or fresh:
                continue
            found.append(path)
    return found
