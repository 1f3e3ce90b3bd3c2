"""Erasing a person's files with their rows, in an order that never strands a row.

The rows go in the caller's transaction (:func:`database.domain.erasure.erase`);
the resume files are removed only once that transaction has committed (a
SQLAlchemy ``after_commit`` hook on the session). So a failure before or in
the commit leaves every row and every file as it was, and a crash after the
commit leaves at worst files no row names: :func:`remove_orphan_files`
finds and removes those on a later run. A row pointing at a missing file
cannot come of it. Only files inside ``<data dir>/resumes`` are ever
removed: a path a local user registered elsewhere is their own file.
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

from database.core.files import RESUMES_FOLDER
from database.domain import erasure
from database.models import Resume

logger = logging.getLogger(__name__)

#: An unreferenced file younger than this may be an upload whose row is not committed yet.
ORPHAN_MIN_AGE_SECONDS = 3600


def _stored_file(root: Path, stored: str) -> Path | None:
    """The file ``stored`` names if it lies inside ``root/resumes``, else ``None``."""
    base = (root / RESUMES_FOLDER).resolve()
    path = Path(stored)
    target = (path if path.is_absolute() else root / path).resolve()
    return target if target.is_relative_to(base) and target != base else None


def remove_files(root: Path, stored_paths: Iterable[str]) -> int:
    """Remove the stored resume files (inside ``root/resumes`` only); how many went.

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
            logger.warning("could not remove resume file %s: %s", target.name, exc)
            continue
        removed += 1
        folders.add(target.parent)
    base = (root / RESUMES_FOLDER).resolve()
    for folder in folders:
        if folder != base:
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
        remove_after_commit(session, root, erased.resume_paths)
    return erased


def remove_orphan_files(
    session: Session,
    root: Path,
    min_age_seconds: float = ORPHAN_MIN_AGE_SECONDS,
    dry_run: bool = False,
) -> list[Path]:
    """Remove the files under ``root/resumes`` that no resume row names; the ones found.

    Files younger than ``min_age_seconds`` are spared: an upload writes its
    file just before its row. ``dry_run`` only reports.
    """
    base = (root / RESUMES_FOLDER).resolve()
    if not base.is_dir():
        return []
    named = {
        target
        for stored in session.scalars(select(Resume.file_path))
        if (target := _stored_file(root, stored)) is not None
    }
    cutoff = time.time() - min_age_seconds
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
    if not dry_run and found:
        remove_files(root, [str(p) for p in found])
        logger.info("removed %d resume files no row names", len(found))
    return sorted(found)
