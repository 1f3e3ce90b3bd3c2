"""The ``DatabaseUtils`` calls about archiving: one application, all of a status, the rule."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.domain import applications, archiving
from database.domain.schemas import require_id
from database.models import ApplicationStatus, JobApplication
from database.services.calls import run

#: One status, or several.
Statuses = ApplicationStatus | str | Collection[ApplicationStatus | str]


class ArchiveCalls:
    """The ``DatabaseUtils`` calls about archiving applications."""

    @staticmethod
    def archive_application(application_id: int) -> JobApplication | None:
        """Archive the application (kept in search, statistics and exports); ``None`` if none.

        It leaves the default listings and the board; its history records it.
        Archiving an archived application changes nothing.
        """
        return run(lambda s: _if_found(s, application_id, archiving.archive))

    @staticmethod
    def unarchive_application(application_id: int) -> JobApplication | None:
        """Restore an archived application to the active set; ``None`` if there is none."""
        return run(lambda s: _if_found(s, application_id, archiving.unarchive))

    @staticmethod
    def archive_applications(user_id: int, status: Statuses = ApplicationStatus.REJECTED) -> int:
        """Archive every active application of the user in ``status`` (one or several); how many."""
        statuses = (status,) if isinstance(status, str) else status
        return run(lambda s: archiving.archive_by_status(s, user_id, statuses))

    @staticmethod
    def archive_due_applications(now: datetime | None = None, dry_run: bool = False) -> int:
        """Apply the archiving rule to everyone at ``now`` (default: now); how many archived."""
        moment = utcnow() if now is None else now
        return run(lambda s: archiving.archive_due_applications(s, now=moment, dry_run=dry_run))


def _if_found(
    session: Session, application_id: int, change: Callable[[Session, int], JobApplication]
) -> JobApplication | None:
    """``change(session, application_id)``, or ``None`` when there is no such application."""
    if applications.get(session, require_id(application_id, "application_id")) is None:
        return None
    return change(session, application_id)
