"""Archiving: closed applications leave the active set, and come back on request.

An archived application has ``archived_at`` set. It leaves the default
listings, the board and the active counts (see
:func:`database.domain.listing.archive_condition`), but stays in search (with
a flag), the all-time statistics and the exports. Archiving or restoring
keeps the status and writes a row of the status history with the same status
before and after (notes :data:`ARCHIVED_NOTE` or :data:`RESTORED_NOTE`), and
an event, in the caller's transaction.

The rule (:func:`archive_due_applications`) archives every closed application
(:data:`CLOSED_STATUSES`) whose last move (``status_changed_at``) is at least
its owner's ``archive_after_days`` before ``now``: a person without a
preferences row gets :data:`DEFAULT_ARCHIVE_AFTER_DAYS`, one whose preference
is ``NULL`` has the rule turned off.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, case, insert, literal, select, update
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.domain import applications, events, users
from database.domain.schemas import parse_status, require_id
from database.models import (
    ApplicationStatus,
    ApplicationStatusHistory,
    EventKind,
    JobApplication,
    User,
    UserPreferences,
)
from utils.errors import ValidationError

log = logging.getLogger(__name__)

#: The statuses of a finished application, which the rule archives.
CLOSED_STATUSES = frozenset(
    {
        ApplicationStatus.REJECTED,
        ApplicationStatus.WITHDRAWN,
        ApplicationStatus.OFFER_REJECTED,
        ApplicationStatus.OFFER_ACCEPTED,
    }
)
#: Days after its last move that a closed application is archived, for a person who chose none.
DEFAULT_ARCHIVE_AFTER_DAYS = 90
#: The notes of the history rows that archiving and restoring write.
ARCHIVED_NOTE = "Archived"
RESTORED_NOTE = "Restored"
#: How many applications one statement archives.
CHUNK = 500


#: The query of applications to archive: id, owner, status.
_Candidates = Select[int, int, ApplicationStatus]


@dataclass(frozen=True)
class _Row:
    id: int
    user_id: int
    status: ApplicationStatus


def archive(
    session: Session, application_id: int, *, now: datetime | None = None
) -> JobApplication:
    """Archive the application (:class:`ValidationError` if there is none); it is returned.

    An application already archived is returned unchanged, with no new history row.
    """
    application = applications.require(session, application_id)
    if application.archived_at is None:
        moment = now or utcnow()
        application.archived_at = moment
        _history(session, application, ARCHIVED_NOTE, moment)
        session.flush()
        _event(session, _Row(application.id, application.user_id, application.status), True)
    return application


def unarchive(session: Session, application_id: int) -> JobApplication:
    """Restore an archived application to the active set; it is returned.

    An application that is not archived is returned unchanged.
    """
    application = applications.require(session, application_id)
    if application.archived_at is not None:
        application.archived_at = None
        _history(session, application, RESTORED_NOTE, utcnow())
        session.flush()
        _event(session, _Row(application.id, application.user_id, application.status), False)
    return application


def archive_by_status(
    session: Session,
    user_id: int,
    statuses: Collection[ApplicationStatus | str] = (ApplicationStatus.REJECTED,),
    *,
    now: datetime | None = None,
) -> int:
    """Archive every active application of the user in ``statuses``; how many were archived."""
    require_id(user_id, "user_id")
    if isinstance(statuses, str | ApplicationStatus):
        statuses = (statuses,)
    if not isinstance(statuses, list | tuple | set | frozenset):
        raise ValidationError("status", "must be a status or a list of statuses", statuses)
    wanted = {parse_status(s, "status") for s in statuses}
    if not wanted:
        raise ValidationError("status", "must name at least one status")
    users.ensure_exists(session, user_id)
    query = _active_rows().where(
        JobApplication.user_id == user_id, JobApplication.status.in_(sorted(wanted))
    )
    return _archive_rows(session, _rows(session, query), now or utcnow())


def archive_due_applications(session: Session, *, now: datetime, dry_run: bool = False) -> int:
    """Archive every closed application due at ``now``; how many (would be) archived.

    Due: closed (:data:`CLOSED_STATUSES`), not archived, its last move at least
    its owner's ``archive_after_days`` days before ``now`` (exactly that many
    days counts). ``dry_run`` counts them and changes nothing.
    """
    if not isinstance(now, datetime) or now.tzinfo is None:
        raise ValidationError("now", "must be a timezone-aware date and time", now)
    if type(dry_run) is not bool:
        raise ValidationError("dry_run", "must be true or false", dry_run)
    total = 0
    for days in _chosen_periods(session):
        query = _active_rows().where(
            JobApplication.status.in_(sorted(CLOSED_STATUSES)),
            JobApplication.status_changed_at <= now - timedelta(days=days),
            _period() == days,
        )
        query = query.outerjoin(UserPreferences, UserPreferences.user_id == JobApplication.user_id)
        rows = _rows(session, query)
        total += len(rows) if dry_run else _archive_rows(session, rows, now)
    if total:
        verb = "would archive" if dry_run else "archived"
        log.info("archiving: %s %d closed application(s)", verb, total)
    return total


def _period() -> ColumnElement[int | None]:
    """A person's archiving period: their preference, the default without a preferences row."""
    return case(
        (UserPreferences.id.is_(None), DEFAULT_ARCHIVE_AFTER_DAYS),
        else_=UserPreferences.archive_after_days,
    )


def _chosen_periods(session: Session) -> list[int]:
    """The distinct periods people chose (the rule off, ``NULL``, left out), shortest first."""
    period = _period()
    query = (
        select(period)
        .select_from(User)
        .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
        .where(period.is_not(None))
        .distinct()
    )
    return sorted(int(days) for days in session.scalars(query) if days is not None)


def _active_rows() -> _Candidates:
    return select(JobApplication.id, JobApplication.user_id, JobApplication.status).where(
        JobApplication.archived_at.is_(None)
    )


def _rows(session: Session, query: _Candidates) -> list[_Row]:
    ordered = query.order_by(JobApplication.id)
    return [_Row(id_, owner, status) for id_, owner, status in session.execute(ordered)]


def _archive_rows(session: Session, rows: Sequence[_Row], now: datetime) -> int:
    """Archive ``rows`` a chunk at a time: the column, the history rows, then the events."""
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        session.execute(
            update(JobApplication)
            .where(JobApplication.id.in_([row.id for row in chunk]))
            .values(archived_at=now),
            execution_options={"synchronize_session": False},
        )
        session.execute(insert(ApplicationStatusHistory), list(_history_values(chunk, now)))
    # The events come last (see database.domain.events), one statement per chunk.
    for start in range(0, len(rows), CHUNK):
        ids = [row.id for row in rows[start : start + CHUNK]]
        events.record_rows(session, EventKind.APPLICATION_ARCHIVED, "application", _payloads(ids))
    # The session may hold some of these applications: they read the new column again.
    session.expire_all()
    return len(rows)


def _payloads(ids: Sequence[int]) -> Select[int, int, str]:
    """The archived event of each application of ``ids``: its id, owner and status as JSON."""
    # The text payload_json({"status": status}) gives, built by the database.
    payload = literal('{"status":"') + JobApplication.status + literal('"}')
    return (
        select(
            JobApplication.id.label("entity_id"),
            JobApplication.user_id.label("user_id"),
            payload.label("payload"),
        )
        .where(JobApplication.id.in_(ids))
        .order_by(JobApplication.id)
    )


def _history_values(rows: Iterable[_Row], now: datetime) -> Iterable[dict[str, object]]:
    for row in rows:
        yield {
            "application_id": row.id,
            "user_id": row.user_id,
            "from_status": row.status,
            "to_status": row.status,
            "changed_at": now,
            "notes": ARCHIVED_NOTE,
        }


def _history(session: Session, application: JobApplication, note: str, at: datetime) -> None:
    session.add(
        ApplicationStatusHistory(
            application_id=application.id,
            user_id=application.user_id,
            from_status=application.status,
            to_status=application.status,
            changed_at=at,
            notes=note,
        )
    )


def _event(session: Session, row: _Row, archived: bool) -> None:
    kind = EventKind.APPLICATION_ARCHIVED if archived else EventKind.APPLICATION_UPDATED
    payload = {"status": row.status.value} if archived else {"fields": ["archived_at"]}
    events.record(session, kind, "application", row.id, user_id=row.user_id, payload=payload)
