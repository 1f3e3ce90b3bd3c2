"""Applications as one acting person may see and change them: the API's one authorization point.

Every function takes the caller's session and the :class:`Actor` and checks
before it reads or writes; the routes above never decide who may do what.

- An application is readable by its owner and by a coach, admin or owner of
  an organization the owner belongs to (:func:`can_read_member_data`).
- It is writable only by its owner (:func:`can_write_member_data`), and only
  with a credential of scope ``write`` (a read-only API key is refused).
- An application the actor may not read is "not found" (``None`` / ``False``),
  never :class:`PermissionDeniedError`, so that its existence is not revealed;
  one they may read but not change raises :class:`PermissionDeniedError`.

Listings, statistics and search cover the actor's own applications only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from database.domain import applications, listing, search
from database.domain.accounts import Actor
from database.domain.organizations.access import can_read_member_data, can_write_member_data
from database.domain.schemas import require_id
from database.domain.stats import summary
from database.models import ApplicationStatusHistory, JobApplication
from database.services.tenancy.guards import require_write_scope
from database.services.tenancy.versions import lock_and_check
from utils.errors import PermissionDeniedError

NOT_YOURS = "only its owner changes an application"
#: The versions a conditional write accepts (``If-Match``); ``None``: unconditional.
Versions = Collection[str] | None


def readable(session: Session, actor: Actor, application_id: int) -> JobApplication | None:
    """The application if the actor may read it, else ``None`` (also when there is none).

    The actor's own application is found by ``(user_id, id)``, on their rows
    alone; only when it is not theirs is it found by its id, the owner known
    only then (a coach reading a member's application).
    """
    require_id(application_id, "application_id")
    own = applications.get_owned(session, actor.user_id, application_id)
    if own is not None:
        return own
    application = applications.get(session, application_id)
    if application is None or not can_read_member_data(session, actor.user_id, application.user_id):
        return None
    return application


def writable(
    session: Session, actor: Actor, application_id: int, if_match: Versions = None
) -> JobApplication | None:
    """The application if the actor may change it; ``None`` when they may not even read it.

    :class:`PermissionDeniedError` when they may read it but not change it, or
    when their credential is read-only; :class:`~utils.errors.ConflictError`
    when ``if_match`` is given and holds none of its current version (checked
    under a lock of the row, see :mod:`~database.services.tenancy.versions`).
    """
    application = readable(session, actor, application_id)
    if application is None:
        return None
    require_write_scope(actor)
    if not can_write_member_data(session, actor.user_id, application.user_id):
        raise PermissionDeniedError(NOT_YOURS)
    lock_and_check(session, application, if_match)
    return application


def create_application(session: Session, actor: Actor, fields: Mapping[str, Any]) -> JobApplication:
    """A new application of the actor's own (``fields`` as ``add_job_application`` takes)."""
    require_write_scope(actor)
    return applications.add(session, actor.user_id, fields)


def list_applications(
    session: Session,
    actor: Actor,
    filters: Mapping[str, Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[JobApplication], int]:
    """One page of the actor's own applications (newest first) and how many match in all.

    ``filters`` are those of :class:`~database.domain.listing.ApplicationFilter`.
    The authenticated actor exists, so no query checks that they do.
    """
    criteria = listing.as_filter(filters)
    found = listing.page(session, actor.user_id, criteria, limit, offset, known_user=True)
    return found, listing.count(session, actor.user_id, criteria, known_user=True)


def list_application_rows(
    session: Session,
    actor: Actor,
    filters: Mapping[str, Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """:func:`list_applications` as plain rows (each application's columns by name), to show.

    Archived applications are left out unless ``filters`` has ``include_archived``
    (or ``archived_only``). Each row has its ``tags`` (names).
    """
    criteria = listing.as_filter(filters)
    return listing.shown_page(session, actor.user_id, criteria, limit, offset, known_user=True)


def get_application(session: Session, actor: Actor, application_id: int) -> JobApplication | None:
    """The application if the actor may read it, else ``None``."""
    return readable(session, actor, application_id)


def update_application(
    session: Session,
    actor: Actor,
    application_id: int,
    fields: Mapping[str, Any],
    if_match: Versions = None,
) -> JobApplication | None:
    """Change the application's details; ``None`` when the actor may not read it."""
    if writable(session, actor, application_id, if_match) is None:
        return None
    return applications.update(session, application_id, fields)


def change_status(
    session: Session,
    actor: Actor,
    application_id: int,
    status: str,
    notes: str | None = None,
    interview_date: datetime | None = None,
    interview_type: str | None = None,
    if_match: Versions = None,
) -> JobApplication | None:
    """Move the application to ``status``, recorded; ``None`` if the actor may not read it."""
    if writable(session, actor, application_id, if_match) is None:
        return None
    return applications.change_status(
        session, application_id, status, notes, interview_date, interview_type
    )


def delete_application(
    session: Session, actor: Actor, application_id: int, if_match: Versions = None
) -> bool:
    """Delete the application and its history; ``False`` when the actor may not read it."""
    if writable(session, actor, application_id, if_match) is None:
        return False
    applications.remove(session, application_id)
    return True


def application_history(
    session: Session, actor: Actor, application_id: int
) -> list[ApplicationStatusHistory] | None:
    """Every status the application entered, oldest first; ``None`` if the actor may not read it."""
    application = readable(session, actor, application_id)
    if application is None:
        return None
    return applications.history_of(session, application)


def statistics(
    session: Session, actor: Actor, days: int = 30, include_archived: bool = True
) -> dict[str, Any]:
    """The actor's own application figures over the last ``days`` days (archived: see summary)."""
    return summary.application_statistics(
        session.connection(), actor.user_id, days, include_archived
    )


def search_applications(
    session: Session,
    actor: Actor,
    query: str,
    status: str | None = None,
    limit: int = 20,
    offset: int = 0,
    include_archived: bool = True,
) -> list[dict[str, Any]]:
    """The actor's own applications matching ``query``, best first (see ``search_applications``)."""
    return search.search_applications(
        session, actor.user_id, query, status, limit, offset, include_archived
    )
