"""``/tags``, an application's ``/tags`` and ``/statistics/tags``: the actor's own vocabulary.

Who may do what is decided in :mod:`database.services.tenancy.tags`: whoever
reads an application (its owner, their coach or admin) reads its tags; only
the owner changes them. The vocabulary is the actor's own: another person's
tag is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.schemas_tags import (
    ApplicationTags,
    ApplicationTagsRead,
    TagRead,
    TagRename,
    TagStatistics,
)
from database.models import Tag
from database.services.tenancy import tags as tenancy

router = APIRouter(tags=["tags"])

NO_APPLICATION = "no such application"
NO_TAG = "no such tag"
APPLICATION_TAGS = "/applications/{application_id}/tags"


def _not_found(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, detail)


def _answer(application_id: int, found: list[Tag] | None) -> ApplicationTagsRead:
    if found is None:
        raise _not_found(NO_APPLICATION)
    return ApplicationTagsRead(application_id=application_id, tags=[t.name for t in found])


@router.get("/tags", response_model=list[TagRead])
def list_tags(actor: CurrentActor, session: Session) -> list[TagRead]:
    """The actor's tags by name, each with how many of their applications carry it."""
    return [TagRead.model_validate(row) for row in tenancy.vocabulary(session, actor)]


@router.patch("/tags/{tag_id}", response_model=TagRead)
def rename_tag(tag_id: int, body: TagRename, actor: CurrentActor, session: Session) -> TagRead:
    """Rename the actor's tag; into the name of another of theirs, the two become one.

    The answer is the tag that now carries the name (the other one's id after a merge).
    """
    renamed = tenancy.rename_tag(session, actor, tag_id, body.name)
    if renamed is None:
        raise _not_found(NO_TAG)
    rows = {row["id"]: row for row in tenancy.vocabulary(session, actor)}
    return TagRead.model_validate(rows[renamed.id])


@router.delete("/tags/{tag_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_tag(tag_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete the actor's tag from their vocabulary and from every application."""
    if not tenancy.delete_tag(session, actor, tag_id):
        raise _not_found(NO_TAG)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(APPLICATION_TAGS, response_model=ApplicationTagsRead)
def read_application_tags(
    application_id: int, actor: CurrentActor, session: Session
) -> ApplicationTagsRead:
    """The application's tags, by name."""
    return _answer(application_id, tenancy.application_tags(session, actor, application_id))


@router.put(APPLICATION_TAGS, response_model=ApplicationTagsRead)
def replace_application_tags(
    application_id: int, body: ApplicationTags, actor: CurrentActor, session: Session
) -> ApplicationTagsRead:
    """Make ``tags`` the whole set of the actor's own application (new names become tags).

    Tags taken off stay in the vocabulary until deleted (``DELETE /tags/{tag_id}``).
    """
    found = tenancy.set_application_tags(session, actor, application_id, body.tags)
    return _answer(application_id, found)


@router.delete(f"{APPLICATION_TAGS}/{{name}}", status_code=status.HTTP_204_NO_CONTENT)
def remove_application_tag(
    application_id: int, name: str, actor: CurrentActor, session: Session
) -> Response:
    """Take the tag ``name`` off the actor's own application (done when it was not on it)."""
    if not tenancy.remove_application_tag(session, actor, application_id, name):
        raise _not_found(NO_APPLICATION)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/statistics/tags", response_model=list[TagStatistics])
def read_tag_statistics(
    actor: CurrentActor, session: Session, days: int | None = None, include_archived: bool = True
) -> list[TagStatistics]:
    """Per tag of the actor's: applications, responses, interviews, offers and their rates.

    ``days`` keeps the applications made in the last ``days`` days; archived
    applications count unless ``include_archived`` is false.
    """
    rows = tenancy.statistics(session, actor, days, include_archived)
    return [TagStatistics.model_validate(row) for row in rows]
