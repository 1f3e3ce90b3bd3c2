"""Cover letters: at most one per application, its text, a stored file, or both.

The row belongs to the application's owner (its ``user_id`` is set from the
application). Creating is an ``INSERT ... ON CONFLICT DO NOTHING`` on the
unique ``application_id`` followed by an update of the row found, so two
writers creating the same letter at once both succeed and one row results.
Each change records an ``application.updated`` event whose payload says
``{"cover_letter": "saved"}`` or ``{"cover_letter": "removed"}``.

This module touches no file: it records where a stored file is and hands back
the paths a change leaves unused, for the caller to remove once the
transaction has committed (:mod:`database.io.cover_letter_files`).
Functions take a session; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.upsert import conflict_insert
from database.domain import events
from database.domain.records import require_application
from database.domain.schemas import check_text, require_id
from database.models import CoverLetter, EventKind, JobApplication
from utils.errors import ValidationError

#: The longest text a cover letter may have, in characters.
MAX_BODY = 100_000
MAX_FILENAME = 255
MAX_FILE_PATH = 1024
MAX_FILE_TYPE = 20


@dataclass(frozen=True)
class StoredFile:
    """Where a checked upload was stored, as the row records it."""

    filename: str
    file_path: str
    file_size: int
    file_type: str


def check_body(body: Any, field: str = "body") -> str:
    """``body`` as given (whitespace kept) if it is non-blank storable text of at most MAX_BODY."""
    if not isinstance(body, str):
        raise ValidationError(field, "must be text", body)
    check_text(body, field)
    if not body.strip():
        raise ValidationError(field, "must not be empty", body)
    if len(body) > MAX_BODY:
        raise ValidationError(field, f"must be at most {MAX_BODY} characters", len(body))
    return body


def _check_short(value: Any, field: str, longest: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, "must be non-empty text", value)
    check_text(value, field)
    if len(value) > longest:
        raise ValidationError(field, f"must be at most {longest} characters", value)
    return value


def _check_file(stored: StoredFile) -> StoredFile:
    if not isinstance(stored, StoredFile):
        raise ValidationError("file", "must be a stored file", stored)
    _check_short(stored.filename, "filename", MAX_FILENAME)
    _check_short(stored.file_path, "file_path", MAX_FILE_PATH)
    _check_short(stored.file_type, "file_type", MAX_FILE_TYPE)
    size = stored.file_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise ValidationError("file_size", "must be a size in bytes", size)
    return stored


def get(session: Session, application_id: int) -> CoverLetter | None:
    """The application's cover letter, or ``None`` (also for an unknown application)."""
    query = select(CoverLetter).where(
        CoverLetter.application_id == require_id(application_id, "application_id")
    )
    return session.scalars(query).one_or_none()


def _changed(session: Session, letter: CoverLetter, change: str) -> None:
    events.record(
        session, EventKind.APPLICATION_UPDATED, "application", letter.application_id,
        user_id=letter.user_id, payload={"cover_letter": change},
    )  # fmt: skip


def _upsert(session: Session, application: JobApplication, values: dict[str, Any]) -> CoverLetter:
    """The application's letter with ``values`` written: inserted, or the existing row updated."""
    now = utcnow()
    statement = (
        conflict_insert(session, CoverLetter)
        .values(
            application_id=application.id,
            user_id=application.user_id,
            created_at=now,
            updated_at=now,
            **values,
        )
        .on_conflict_do_nothing(index_elements=["application_id"])
        .returning(CoverLetter.id)
    )
    inserted = session.scalar(statement)
    # A concurrent writer's row is visible here once it committed (the insert waited for it).
    query = select(CoverLetter).where(CoverLetter.application_id == application.id)
    letter = session.scalars(
        query.with_for_update().execution_options(populate_existing=True)
    ).one()
    if inserted is None:
        for name, value in values.items():
            setattr(letter, name, value)
        session.flush()
    _changed(session, letter, "saved")
    return letter


def set_body(session: Session, application_id: int, body: str) -> CoverLetter:
    """Create the application's letter with ``body``, or replace the text of the one it has."""
    text = check_body(body)
    return _upsert(session, require_application(session, application_id), {"body": text})


def attach_file(
    session: Session, application_id: int, stored: StoredFile
) -> tuple[CoverLetter, str | None]:
    """Record ``stored`` as the letter's file (its text kept); the path it replaced, if any.

    The replaced file is the caller's to remove once the transaction commits.
    """
    _check_file(stored)
    application = require_application(session, application_id)
    previous = get(session, application.id)
    replaced = previous.file_path if previous is not None else None
    letter = _upsert(
        session,
        application,
        {
            "filename": stored.filename,
            "file_path": stored.file_path,
            "file_size": stored.file_size,
            "file_type": stored.file_type,
        },
    )
    return letter, replaced if replaced != stored.file_path else None


def remove_file(session: Session, application_id: int) -> str | None:
    """Forget the letter's file, keeping its text; the path it had, or ``None`` if it had none.

    A letter with no text would then be empty, so it is deleted instead.
    """
    letter = get(session, application_id)
    if letter is None or letter.file_path is None:
        return None
    path = letter.file_path
    if letter.body is None:
        session.delete(letter)
        session.flush()
        _changed(session, letter, "removed")
        return path
    letter.filename = letter.file_path = letter.file_size = letter.file_type = None
    session.flush()
    _changed(session, letter, "saved")
    return path


def remove(session: Session, application_id: int) -> tuple[bool, str | None]:
    """Delete the application's letter: whether there was one, and the path of its file."""
    letter = get(session, application_id)
    if letter is None:
        return False, None
    path = letter.file_path
    session.delete(letter)
    session.flush()
    _changed(session, letter, "removed")
    return True, path


def file_paths(session: Session, user_id: int | None = None) -> list[str]:
    """The stored file paths of every letter (of ``user_id``'s only, when given)."""
    query = select(CoverLetter.file_path).where(CoverLetter.file_path.is_not(None))
    if user_id is not None:
        query = query.where(CoverLetter.user_id == require_id(user_id, "user_id"))
    return [path for path in session.scalars(query) if path is not None]


def texts_of(session: Session, user_id: int) -> dict[int, str]:
    """The text of each of ``user_id``'s letters that has one, by application id (for exports)."""
    query = select(CoverLetter.application_id, CoverLetter.body).where(
        CoverLetter.user_id == require_id(user_id, "user_id"), CoverLetter.body.is_not(None)
    )
    return {application_id: body for application_id, body in session.execute(query) if body}
