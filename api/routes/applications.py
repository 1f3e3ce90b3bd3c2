"""``/applications``, ``/statistics`` and ``/search/applications``: the actor's pipeline.

Who may read or change what is decided in :mod:`database.services.tenancy`:
an application the actor may not read is a 404 (its existence is not
revealed), one they may read but not change (a coach's view, or a read-only
API key) a 403.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response, status
from starlette.exceptions import HTTPException

from api.concurrency import IfMatch, tag
from api.deps import CurrentActor, Session
from api.idempotency import Created, Idempotency, respond
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.responses import json_answer, location_of, rows_answer
from api.schemas_applications import (
    ApplicationChange,
    ApplicationRead,
    HistoryEntryRead,
    SearchHit,
    Statistics,
    StatusChange,
    TaggedApplicationNew,
)
from database.models import JobApplication
from database.services.tenancy import applications as tenancy
from database.services.tenancy import tags as tag_calls
from utils.errors import ValidationError

router = APIRouter(tags=["applications"])

NOT_FOUND = "no such application"

_T = TypeVar("_T")
_QUERY_NAMES = {"statuses": "status", "text": "q", "tags": "tag"}


def _found(value: _T | None) -> _T:
    """``value``, or a 404 when the service found nothing the actor may see."""
    if value is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return value


@router.get("/applications", response_model=list[ApplicationRead])
def list_applications(
    actor: CurrentActor,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    status_filter: Annotated[list[str] | None, Query(alias="status")] = None,
    q: str = "",
    include_archived: bool = False,
    archived_only: bool = False,
    tag_filter: Annotated[list[str] | None, Query(alias="tag")] = None,
) -> Response:
    """The actor's own applications, newest first; how many match in ``X-Total-Count``.

    ``status`` (repeatable) keeps those of these statuses, ``q`` those whose
    title, company or location contains it (letter case ignored), ``tag``
    (repeatable) those carrying all of these tags. Archived applications are
    left out unless ``include_archived``; ``archived_only`` lists only them.
    """
    filters: dict[str, Any] = {
        "text": q,
        "statuses": tuple(status_filter or ()),
        "include_archived": include_archived,
        "archived_only": archived_only,
        "tags": tuple(tag_filter or ()),
    }
    try:
        found, total = tenancy.list_application_rows(session, actor, filters, limit, offset)
    except ValidationError as exc:
        # The domain names its filter fields; the client knows the query's names.
        field = _QUERY_NAMES.get(exc.field, exc.field)
        raise ValidationError(field, exc.rule, exc.value) from exc
    return rows_answer(ApplicationRead, found, headers={TOTAL_HEADER: str(total)})


@router.post("/applications", response_model=ApplicationRead, status_code=status.HTTP_201_CREATED)
def create_application(
    body: TaggedApplicationNew,
    actor: CurrentActor,
    session: Session,
    request: Request,
    idempotency: Idempotency,
) -> Response:
    """Record a new application of the actor's own; its address in ``Location``.

    With an ``Idempotency-Key``, a retry gets the first answer and adds nothing.
    """

    def create() -> Created:
        application = tenancy.create_application(session, actor, body.fields())
        if body.tags:
            # The same transaction: a bad tag name leaves no application behind.
            tag_calls.set_application_tags(session, actor, application.id, body.tags)
            application = _found(tenancy.get_application(session, actor, application.id))
        location = location_of(request, "read_application", application_id=str(application.id))
        return Created(ApplicationRead.model_validate(application), location=location)

    return respond(session, actor, idempotency, create)


@router.get("/applications/{application_id}", response_model=ApplicationRead)
def read_application(
    application_id: int, actor: CurrentActor, session: Session, response: Response
) -> ApplicationRead:
    """The application, if the actor may read it (theirs, or a member's they coach).

    Its ``ETag`` is the version a conditional write names in ``If-Match``.
    """
    application = _found(tenancy.get_application(session, actor, application_id))
    return _tagged(response, application)


@router.patch("/applications/{application_id}", response_model=ApplicationRead)
def change_application(
    application_id: int,
    body: ApplicationChange,
    actor: CurrentActor,
    session: Session,
    response: Response,
    if_match: IfMatch,
) -> ApplicationRead:
    """Change the given details of the actor's own application (a stale ``If-Match``: 409)."""
    application = tenancy.update_application(
        session, actor, application_id, body.changes(), if_match
    )
    return _tagged(response, _found(application))


@router.delete("/applications/{application_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_application(
    application_id: int, actor: CurrentActor, session: Session, if_match: IfMatch
) -> Response:
    """Delete the actor's own application and its history (a stale ``If-Match``: 409)."""
    if not tenancy.delete_application(session, actor, application_id, if_match):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/applications/{application_id}/status", response_model=ApplicationRead)
def change_status(
    application_id: int,
    body: StatusChange,
    actor: CurrentActor,
    session: Session,
    response: Response,
    if_match: IfMatch,
) -> ApplicationRead:
    """Move the actor's own application to ``status``, recorded in its history.

    A stale ``If-Match`` is a 409.
    """
    application = tenancy.change_status(
        session,
        actor,
        application_id,
        body.status,
        body.notes,
        body.interview_date,
        body.interview_type,
        if_match,
    )
    return _tagged(response, _found(application))


def _tagged(response: Response, application: JobApplication) -> ApplicationRead:
    """The application's read model, its version in the response's ``ETag``."""
    read = ApplicationRead.model_validate(application)
    tag(response, application)
    return read


@router.get("/applications/{application_id}/history", response_model=list[HistoryEntryRead])
def read_history(
    application_id: int, actor: CurrentActor, session: Session
) -> list[HistoryEntryRead]:
    """Every status the application entered, oldest first."""
    entries = _found(tenancy.application_history(session, actor, application_id))
    return [HistoryEntryRead.model_validate(entry) for entry in entries]


@router.get("/statistics", response_model=Statistics)
def read_statistics(
    actor: CurrentActor, session: Session, days: int = 30, include_archived: bool = True
) -> Response:
    """The actor's own figures: all-time totals, and the last ``days`` days' activity.

    Archived applications count unless ``include_archived`` is false (the active figures).
    """
    figures = Statistics.model_validate(tenancy.statistics(session, actor, days, include_archived))
    return json_answer(Statistics, figures)


@router.get("/search/applications", response_model=list[SearchHit])
def search_applications(
    actor: CurrentActor,
    session: Session,
    q: str,
    status_filter: Annotated[str | None, Query(alias="status")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    include_archived: bool = True,
) -> Response:
    """The actor's own applications matching the words of ``q``, best first.

    Archived applications are found too (``archived`` is true) unless
    ``include_archived`` is false.
    """
    hits = tenancy.search_applications(
        session, actor, q, status_filter, limit, offset, include_archived
    )
    return rows_answer(SearchHit, hits)
