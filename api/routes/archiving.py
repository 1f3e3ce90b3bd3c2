"""``/applications/.../archive``: archiving the actor's own applications, and restoring them.

An archived application leaves ``GET /applications`` (unless
``include_archived``) but stays readable, searchable (flagged) and exported.
Who may archive what is decided in :mod:`database.services.tenancy.archiving`:
as for any change, another person's application is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.exceptions import HTTPException

from api.concurrency import IfMatch, tag
from api.deps import CurrentActor, Session
from api.schemas_applications import ApplicationRead, ArchiveByStatus, ArchiveReport
from database.models import JobApplication
from database.services.tenancy import archiving

router = APIRouter(tags=["applications"])

NOT_FOUND = "no such application"


def _answer(response: Response, application: JobApplication | None) -> ApplicationRead:
    if application is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    tag(response, application)
    return ApplicationRead.model_validate(application)


@router.post("/applications/archive", response_model=ArchiveReport)
def archive_applications(
    actor: CurrentActor, session: Session, body: ArchiveByStatus | None = None
) -> ArchiveReport:
    """Archive every active application of one's own in ``statuses`` (no body: the rejected)."""
    statuses = (body or ArchiveByStatus()).statuses
    return ArchiveReport(archived=archiving.archive_applications(session, actor, statuses))


@router.post("/applications/{application_id}/archive", response_model=ApplicationRead)
def archive_application(
    application_id: int,
    actor: CurrentActor,
    session: Session,
    response: Response,
    if_match: IfMatch,
) -> ApplicationRead:
    """Archive one's own application (already archived: unchanged); a stale ``If-Match``: 409."""
    application = archiving.archive_application(session, actor, application_id, if_match)
    return _answer(response, application)


@router.post("/applications/{application_id}/unarchive", response_model=ApplicationRead)
def unarchive_application(
    application_id: int,
    actor: CurrentActor,
    session: Session,
    response: Response,
    if_match: IfMatch,
) -> ApplicationRead:
    """Restore one's own archived application to the active set."""
    application = archiving.unarchive_application(session, actor, application_id, if_match)
    return _answer(response, application)
