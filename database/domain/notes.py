"""An application's activity log: dated notes its owner writes, and the timeline.

An application's own ``notes`` text is the person's to edit; status-change
notes stay in the status history. The log holds as many dated notes as the
person adds, and the timeline merges them with the status moves in time order.
Functions take a session; the caller owns the transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.domain import events
from database.domain.records import require_application
from database.domain.schemas import check_text, require_id
from database.models import ApplicationNote, ApplicationStatusHistory, EventKind
from utils.errors import ValidationError


def check_body(body: Any, field: str = "body") -> str:
    """``body`` as given (whitespace kept) if it is storable, non-blank text."""
    if not isinstance(body, str):
        raise ValidationError(field, "must be text", body)
    check_text(body, field)
    if not body.strip():
        raise ValidationError(field, "must not be empty", body)
    return body


def add(session: Session, application_id: int, body: str) -> ApplicationNote:
    """A new note at the end of the application's log, owned by the application's user."""
    text = check_body(body)
    application = require_application(session, application_id)
    note = ApplicationNote(application_id=application.id, user_id=application.user_id, body=text)
    session.add(note)
    session.flush()
    _changed(session, note, "added")
    return note


def _changed(session: Session, note: ApplicationNote, change: str) -> None:
    """A note added, changed or removed is a change of its application (an outbox event)."""
    events.record(
        session, EventKind.APPLICATION_UPDATED, "application", note.application_id,
        user_id=note.user_id, payload={"note": change, "note_id": note.id},
    )  # fmt: skip


def get(session: Session, note_id: int) -> ApplicationNote | None:
    """The note with ``note_id``, or ``None``."""
    return session.get(ApplicationNote, require_id(note_id, "note_id"))


def _require(session: Session, note_id: int) -> ApplicationNote:
    note = get(session, note_id)
    if note is None:
        raise ValidationError("note_id", f"no note with id {note_id}", note_id)
    return note


def list_for_application(session: Session, application_id: int) -> list[ApplicationNote]:
    """The application's notes, oldest first."""
    require_application(session, application_id)
    query = (
        select(ApplicationNote)
        .where(ApplicationNote.application_id == application_id)
        .order_by(ApplicationNote.created_at, ApplicationNote.id)
    )
    return list(session.scalars(query))


def update(session: Session, note_id: int, body: str) -> ApplicationNote:
    """Replace the text of a note (its ``updated_at`` moves, its place in the log does not)."""
    text = check_body(body)
    note = _require(session, note_id)
    note.body = text
    session.flush()
    _changed(session, note, "changed")
    return note


def remove(session: Session, note_id: int) -> None:
    """Delete one note of a log."""
    note = _require(session, note_id)
    session.delete(note)
    session.flush()
    _changed(session, note, "removed")


def timeline(session: Session, application_id: int) -> list[dict[str, Any]]:
    """The status moves and notes of an application, oldest first.

    Each entry: ``kind`` (``"status"`` or ``"note"``), ``id``, ``at`` (aware
    UTC), ``from_status`` and ``to_status`` (value strings; ``None`` for a note
    and for the first status's ``from_status``), ``notes`` (a status move's
    note) and ``body`` (a note's text). A move and a note at the same instant
    list the move first.
    """
    require_application(session, application_id)
    history = session.scalars(
        select(ApplicationStatusHistory).where(
            ApplicationStatusHistory.application_id == application_id
        )
    )
    entries = [
        {
            "kind": "status",
            "id": h.id,
            "at": h.changed_at,
            "from_status": h.from_status.value if h.from_status is not None else None,
            "to_status": h.to_status.value,
            "notes": h.notes,
            "body": None,
        }
        for h in history
    ]
    log = session.scalars(
        select(ApplicationNote).where(ApplicationNote.application_id == application_id)
    )
    entries += [
        {
            "kind": "note",
            "id": n.id,
            "at": n.created_at,
            "from_status": None,
            "to_status": None,
            "notes": None,
            "body": n.body,
        }
        for n in log
    ]
    entries.sort(key=lambda e: (e["at"], e["kind"] != "status", e["id"]))
    return entries
