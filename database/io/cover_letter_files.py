"""Cover letter files: checked like resumes, stored privately, removed only after the commit.

An upload passes the resume checks (:func:`database.io.resume_files.check_upload`:
at most 5 MB, a PDF, Word document or UTF-8 text by its bytes, the name's
extension agreeing, a readable document) and is stored under
``<data dir>/cover_letters/<user id>/`` with a random name and mode 0600; the
sender's name is only a label. Only files inside that folder are ever read or
removed, whatever path a row holds.

The functions taking a session write the row through
:mod:`database.domain.cover_letters` in the caller's transaction and settle
the files by its outcome: a file the change leaves unused goes once the
transaction commits, a new file goes if it rolls back. So a row never points
at a missing file; a crash in between leaves at most an unnamed file, which
:func:`database.io.personal_erasure.remove_orphan_files` sweeps later.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from database.core.files import COVER_LETTERS_FOLDER
from database.domain import cover_letters
from database.domain.cover_letters import StoredFile
from database.domain.records import require_application
from database.io import personal_erasure, resume_files
from database.models import CoverLetter
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

MAX_BYTES = resume_files.MAX_BYTES
KINDS = resume_files.KINDS
MEDIA_TYPES = resume_files.MEDIA_TYPES
#: The label of a file sent without a name: ``cover_letter.<kind>``.
STEM = "cover_letter"


def store(root: Path, user_id: int, content: bytes, filename: str | None = None) -> StoredFile:
    """Check and store one uploaded cover letter file of ``user_id``; nothing is written if bad."""
    kind, label = resume_files.check_upload(content, filename, STEM)
    resume_files.extract_text(content, kind)  # a document that cannot be read is refused
    folder = root / COVER_LETTERS_FOLDER / str(int(user_id))
    path = resume_files.write_private(folder, kind, content)
    logger.info("stored a %s cover letter of %d bytes for user %d", kind, len(content), user_id)
    return StoredFile(label, str(path), len(content), kind)


def read(root: Path, stored_path: str) -> bytes | None:
    """The bytes of a stored letter file; ``None`` if missing or outside ``root/cover_letters``."""
    return resume_files.read(root, stored_path, COVER_LETTERS_FOLDER)


def _settle(session: Session, root: Path, *, unused: list[str], new: list[str]) -> None:
    """Remove ``unused`` once the transaction commits, and ``new`` if it rolls back."""
    settled = {"done": False}

    def outcome(paths: list[str]) -> None:
        # Whichever comes first is the transaction's end; the other hook stays idle.
        if not settled["done"]:
            settled["done"] = True
            personal_erasure.remove_files(root, paths)

    def committed(_session: Session) -> None:
        outcome(unused)

    def rolled_back(_session: Session) -> None:
        outcome(new)

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def _content(value: object) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ValidationError("content", "must be the file's bytes", type(value).__name__)
    return bytes(value)


def _filename(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationError("filename", "must be text", value)
    return value


def attach(
    session: Session, root: Path, application_id: int, filename: str | None, content: bytes
) -> CoverLetter:
    """Store ``content`` as the application's cover letter file (its text kept).

    The same content as the file it has keeps that file (a second click stores
    nothing new). Raises :class:`ValidationError` on ``file`` for a file a
    resume upload would refuse, and on ``application_id`` for no such application.
    """
    data, name = _content(content), _filename(filename)
    application = require_application(session, application_id)
    letter = cover_letters.get(session, application.id)
    if (
        letter is not None
        and letter.file_path is not None
        and letter.file_size == len(data)
        and read(root, letter.file_path) == data
    ):
        return letter
    stored = store(root, application.user_id, data, name)
    try:
        letter, replaced = cover_letters.attach_file(session, application.id, stored)
    except BaseException:
        personal_erasure.remove_files(root, [stored.file_path])
        raise
    _settle(session, root, unused=[replaced] if replaced else [], new=[stored.file_path])
    return letter


def remove_file(session: Session, root: Path, application_id: int) -> bool:
    """Forget the letter's file (the text stays); whether it had one. The file goes after commit."""
    path = cover_letters.remove_file(session, application_id)
    if path is None:
        return False
    _settle(session, root, unused=[path], new=[])
    return True


def delete(session: Session, root: Path, application_id: int) -> bool:
    """Delete the application's letter; whether there was one. Its file goes after commit."""
    found, path = cover_letters.remove(session, application_id)
    if path is not None:
        _settle(session, root, unused=[path], new=[])
    return found


def read_file(session: Session, root: Path, application_id: int) -> bytes | None:
    """The bytes of the application's letter file; ``None`` without one or if it is gone."""
    letter = cover_letters.get(session, application_id)
    if letter is None or letter.file_path is None:
        return None
    content = read(root, letter.file_path)
    if content is None:
        logger.warning("the file of the cover letter of application %d is missing", application_id)
    return content
