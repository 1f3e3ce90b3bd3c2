"""Archiving as one acting person may do it: their own applications only.

The same rules as any change to an application
(:func:`~database.services.tenancy.applications.writable`): one the actor may
not read is "not found" (``None``), one they may read but not change (a
coach's view, a read-only key) is :class:`~utils.errors.PermissionDeniedError`.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy.orm import Session

from database.domain import archiving
from database.domain.accounts import Actor
from database.models import ApplicationStatus, JobApplication
from database.services.tenancy.applications import Versions, writable
from database.services.tenancy.guards import require_write_scope


def archive_application(
    session: Session, actor: Actor, application_id: int, if_match: Versions = None
) -> JobApplication | None:
    """Archive the actor's own application; ``None`` when they may not read it."""
    if writable(session, actor, application_id, if_match) is None:
        return None
    return archiving.archive(session, application_id)


def unarchive_application(
    session: Session, actor: Actor, application_id: int, if_match: Versions = None
) -> JobApplication | None:
    """Restore the actor's own archived application; ``None`` when they may not read it."""
    if writable(session, actor, application_id, if_match) is None:
        return None
    return archiving.unarchive(session, application_id)


def archive_applications(
    session: Session, actor: Actor, statuses: Collection[ApplicationStatus | str]
) -> int:
    """Archive every active application of the actor's own in ``statuses``; how many."""
    require_write_scope(actor)
    return archiving.archive_by_status(session, actor.user_id, statuses)
