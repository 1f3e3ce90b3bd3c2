"""An application's notes and timeline, bulk creation, duplicates and sources, for one actor.

The rules of :mod:`database.services.tenancy.applications` hold here too:
whoever may read an application (its owner, a coach or admin of the owner's
organization) reads its notes and timeline; only its owner, with a write
credential, adds, changes or deletes notes. A note of an application the
actor may not read, or of another application than the one in the path, is
"not found". Bulk creation, the duplicates check and the sources cover the
actor's own applications only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from database.core.keys import keys_for
from database.domain import bulk, listing, notes, tags
from database.domain.accounts import Actor
from database.domain.bulk import BulkResult
from database.domain.schemas import require_id
from database.models import ApplicationNote, JobApplication
from database.services.tenancy.applications import readable, writable
from database.services.tenancy.guards import require_write_scope

#: The most applications a duplicates check answers.
MAX_DUPLICATES = 50


def list_notes(session: Session, actor: Actor, application_id: int) -> list[ApplicationNote] | None:
    """The application's notes, oldest first; ``None`` if the actor may not read it."""
    if readable(session, actor, application_id) is None:
        return None
    return notes.list_for_application(session, application_id)


def add_note(
    session: Session, actor: Actor, application_id: int, body: str
) -> ApplicationNote | None:
    """A new note at the end of the actor's own application's log; ``None`` if not readable."""
    if writable(session, actor, application_id) is None:
        return None
    return notes.add(session, application_id, body)


def update_note(
    session: Session,
    actor: Actor,
    application_id: int,
    note_id: int,
    body: str,
) -> ApplicationNote | None:
    """Replace a note's text; ``None`` when the actor may not read it (or it is not there)."""
    note = _writable_note(session, actor, application_id, note_id)
    if note is None:
        return None
    return notes.update(session, note.id, body)


def delete_note(session: Session, actor: Actor, application_id: int, note_id: int) -> bool:
    """Delete one note of the actor's own application; ``False`` when it is not visible."""
    note = _writable_note(session, actor, application_id, note_id)
    if note is None:
        return False
    notes.remove(session, note.id)
    return True


def get_note(
    session: Session, actor: Actor, application_id: int, note_id: int
) -> ApplicationNote | None:
    """The note, if it belongs to that application and the actor may read it."""
    if readable(session, actor, application_id) is None:
        return None
    note = notes.get(session, require_id(note_id, "note_id"))
    return note if note is not None and note.application_id == application_id else None


def timeline(session: Session, actor: Actor, application_id: int) -> list[dict[str, Any]] | None:
    """Status moves and notes in time order (see :func:`notes.timeline`); ``None`` if unreadable."""
    if readable(session, actor, application_id) is None:
        return None
    return notes.timeline(session, application_id)


def bulk_create(
    session: Session,
    actor: Actor,
    rows: Iterable[Mapping[str, Any]],
    on_duplicate: str = "allow",
) -> BulkResult:
    """Add every row as the actor's own application, all or nothing (see :mod:`bulk`)."""
    require_write_scope(actor)
    return bulk.bulk_add(session, actor.user_id, rows, on_duplicate)


def find_duplicates(
    session: Session, actor: Actor, posting: Mapping[str, str | None]
) -> list[JobApplication]:
    """The actor's applications to the same posting, oldest first.

    ``posting``: ``job_url``, ``company``, ``job_title``, ``location``; the
    same normalised address, or the same company, title and location, is
    the same posting (see :mod:`database.domain.duplicates`).
    """
    app = JobApplication
    keys = keys_for(posting)
    same = [
        column == keys[column.key]
        for column in (app.url_key, app.posting_key)
        if keys[column.key] is not None
    ]
    if not same:
        return []
    query = (
        select(app)
        .where(app.user_id == actor.user_id, or_(*same))
        .order_by(app.id)
        .limit(MAX_DUPLICATES)
        .options(tags.loaded(actor.user_id))
    )
    return list(session.scalars(query))


def sources(session: Session, actor: Actor) -> list[str]:
    """The distinct sources of the actor's own applications, sorted."""
    return listing.sources(session, actor.user_id)


def _writable_note(
    session: Session, actor: Actor, application_id: int, note_id: int
) -> ApplicationNote | None:
    note = get_note(session, actor, application_id, note_id)
    if note is None or writable(session, actor, application_id) is None:
        return None
    return note
