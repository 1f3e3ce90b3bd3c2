"""An application's notes and timeline; bulk creation, the duplicates check and the sources.

Who may do what is decided in :mod:`database.services.tenancy.application_details`:
whoever reads an application reads its notes and timeline (its owner, their
coach or admin); only the owner writes notes. The fixed paths
(``/applications/bulk``, ``/applications/duplicates``, ``/applications/sources``)
are mounted before ``/applications/{application_id}``, which would otherwise
take them for an id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.idempotency import Created, Idempotency, respond
from api.responses import location_of
from api.schemas_applications import (
    ApplicationRead,
    BulkCreate,
    BulkReport,
    NoteRead,
    NoteWrite,
    TimelineEntryRead,
)
from database.services.tenancy import application_details as tenancy

router = APIRouter(tags=["applications"])

NOT_FOUND = "no such application or note"
NOTES = "/applications/{application_id}/notes"
NOTE = "/applications/{application_id}/notes/{note_id}"
#: Bounds of the duplicates check's inputs (those of the application's columns).
Text200 = Annotated[str | None, Query(max_length=200)]
Url = Annotated[str | None, Query(max_length=2048)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)


@router.post("/applications/bulk", response_model=BulkReport, status_code=status.HTTP_201_CREATED)
def bulk_create(
    body: BulkCreate, actor: CurrentActor, session: Session, idempotency: Idempotency
) -> Response:
    """Add many applications of the actor's own, all or nothing; what was done.

    One bad row refuses the batch (422 naming ``rows[i].field``) and adds
    nothing. ``on_duplicate`` decides what a posting already tracked does.
    """

    def create() -> Created:
        result = tenancy.bulk_create(session, actor, body.row_fields(), body.on_duplicate)
        report = BulkReport(
            ids=result.ids, added=result.added, skipped=result.skipped, updated=result.updated
        )
        return Created(report)

    return respond(session, actor, idempotency, create)


@router.get("/applications/duplicates", response_model=list[ApplicationRead])
def find_duplicates(
    actor: CurrentActor,
    session: Session,
    job_url: Url = None,
    company: Text200 = None,
    job_title: Text200 = None,
    location: Text200 = None,
) -> list[ApplicationRead]:
    """The actor's applications to the same posting, oldest first (none: an empty list).

    The same posting: the same address (normalised), or the same company,
    title and location (letter case and spacing ignored).
    """
    posting = {"job_url": job_url, "company": company, "job_title": job_title, "location": location}
    found = tenancy.find_duplicates(session, actor, posting)
    return [ApplicationRead.model_validate(application) for application in found]


@router.get("/applications/sources", response_model=list[str])
def list_sources(actor: CurrentActor, session: Session) -> list[str]:
    """The distinct sources of the actor's own applications, sorted (for a filter)."""
    return tenancy.sources(session, actor)


@router.get(NOTES, response_model=list[NoteRead])
def list_notes(application_id: int, actor: CurrentActor, session: Session) -> list[NoteRead]:
    """The application's notes, oldest first."""
    found = tenancy.list_notes(session, actor, application_id)
    if found is None:
        raise _not_found()
    return [NoteRead.model_validate(note) for note in found]


@router.post(NOTES, response_model=NoteRead, status_code=status.HTTP_201_CREATED)
def add_note(
    application_id: int,
    body: NoteWrite,
    actor: CurrentActor,
    session: Session,
    request: Request,
    idempotency: Idempotency,
) -> Response:
    """Add a dated note at the end of the actor's own application's log."""

    def create() -> Created:
        note = tenancy.add_note(session, actor, application_id, body.body)
        if note is None:
            raise _not_found()
        location = location_of(
            request, "change_note", application_id=application_id, note_id=note.id
        )
        return Created(NoteRead.model_validate(note), location=location)

    return respond(session, actor, idempotency, create)


@router.patch(NOTE, response_model=NoteRead)
def change_note(
    application_id: int, note_id: int, body: NoteWrite, actor: CurrentActor, session: Session
) -> NoteRead:
    """Replace the text of a note; it keeps its place in the log."""
    note = tenancy.update_note(session, actor, application_id, note_id, body.body)
    if note is None:
        raise _not_found()
    return NoteRead.model_validate(note)


@router.delete(NOTE, status_code=status.HTTP_204_NO_CONTENT)
def delete_note(
    application_id: int, note_id: int, actor: CurrentActor, session: Session
) -> Response:
    """Delete one note of the actor's own application's log."""
    if not tenancy.delete_note(session, actor, application_id, note_id):
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/applications/{application_id}/timeline", response_model=list[TimelineEntryRead])
def read_timeline(
    application_id: int, actor: CurrentActor, session: Session
) -> list[TimelineEntryRead]:
    """The application's status moves and notes in time order (a move first at a tie)."""
    entries = tenancy.timeline(session, actor, application_id)
    if entries is None:
        raise _not_found()
    return [TimelineEntryRead.model_validate(entry) for entry in entries]
