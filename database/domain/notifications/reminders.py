"""Reminders that fall due, each created exactly once, with its ``reminder.due`` event.

Three kinds (:class:`~database.models.NotificationKind`):

- ``interview``: an application's ``interview_date`` is within the next
  :data:`INTERVIEW_WINDOW`. Keyed by the interview's time, so a rescheduled
  interview is reminded of again.
- ``follow_up``: an application has stayed in applied or screening for the
  person's ``follow_up_days`` (default :data:`DEFAULT_FOLLOW_UP_DAYS`) since
  its last status move. Keyed by that move, so each wait is reminded of once.
- ``stale_offer``: an offer has waited :data:`STALE_OFFER_DAYS` for an answer
  since the status became ``offer_received``.

Exactly once: every reminder has a ``reminder_key`` unique per person, and is
written with ``INSERT ... ON CONFLICT DO NOTHING`` on that key, so any number
of schedulers running at once (threads, processes, servers) create it once; a
loser's insert changes nothing. Inserts go in key order (two PostgreSQL
transactions that want the same keys wait for each other in one order, never
in a cycle), and the events last, in the same transaction (the outbox's rule:
see :mod:`database.domain.events`). Only active accounts get reminders.
A reminder's text (and so its e-mail) gives times in the person's time zone
(``UserPreferences.time_zone``) with its abbreviation: "Tue 3 Mar 14:00 CET".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.time_zones import DEFAULT_ZONE, format_moment
from database.core.upsert import conflict_insert
from database.domain import events
from database.models import (
    ApplicationStatus,
    EmailState,
    EventKind,
    JobApplication,
    Notification,
    NotificationKind,
    User,
    UserPreferences,
)

INTERVIEW_WINDOW = timedelta(hours=24)
DEFAULT_FOLLOW_UP_DAYS = 14
STALE_OFFER_DAYS = 7
#: The shortest follow-up wait a person may choose (the CHECK on ``follow_up_days``).
MIN_FOLLOW_UP_DAYS = 1
FOLLOW_UP_STATUSES = (ApplicationStatus.APPLIED, ApplicationStatus.SCREENING)
MAX_TITLE_CHARS = 300
#: Keys looked up in one statement (well below every engine's bound-parameter limit).
_KEY_BATCH = 500


@dataclass(frozen=True)
class DueReminder:
    """A reminder that is due now, before it is stored."""

    user_id: int
    application_id: int
    kind: NotificationKind
    key: str
    title: str
    body: str
    email: bool


def create_due_reminders(session: Session, now: datetime | None = None) -> list[Notification]:
    """Store every reminder due at ``now`` (default: the current time) that is not stored yet.

    The notifications this call created (not those another call created
    first), each with its ``reminder.due`` event, in the caller's transaction.
    """
    moment = now or utcnow()
    due = sorted(_not_stored(session, find_due(session, moment)), key=lambda r: (r.user_id, r.key))
    created = [nid for reminder in due if (nid := _insert(session, reminder, moment)) is not None]
    stored = _load(session, created)
    for notification in stored:
        events.record(
            session, EventKind.REMINDER_DUE, "notification", notification.id,
            user_id=notification.user_id,
            payload={"kind": notification.kind.value,
                     "application_id": notification.application_id},
        )  # fmt: skip
    return stored


def find_due(session: Session, now: datetime) -> list[DueReminder]:
    """Every reminder due at ``now``, stored or not."""
    follow_up_days = func.coalesce(UserPreferences.follow_up_days, DEFAULT_FOLLOW_UP_DAYS)
    emails = func.coalesce(UserPreferences.email_notifications, True)
    zone = func.coalesce(UserPreferences.time_zone, DEFAULT_ZONE)
    query = (
        select(JobApplication, follow_up_days, emails, zone)
        .join(User, User.id == JobApplication.user_id)
        .outerjoin(UserPreferences, UserPreferences.user_id == JobApplication.user_id)
        # An archived application is put away: nothing about it is due any more.
        .where(User.is_active.is_(True), JobApplication.archived_at.is_(None), _candidate(now))
        .order_by(JobApplication.id)
    )
    due: list[DueReminder] = []
    for application, days, email, time_zone in session.execute(query):
        due.extend(_reminders_of(application, int(days), bool(email), now, str(time_zone)))
    return due


def _candidate(now: datetime) -> Any:
    shortest_wait = now - timedelta(days=MIN_FOLLOW_UP_DAYS)
    return or_(
        and_(
            JobApplication.interview_date > now,
            JobApplication.interview_date <= now + INTERVIEW_WINDOW,
        ),
        and_(
            JobApplication.status.in_(FOLLOW_UP_STATUSES),
            JobApplication.status_changed_at <= shortest_wait,
        ),
        and_(
            JobApplication.status == ApplicationStatus.OFFER_RECEIVED,
            JobApplication.status_changed_at <= now - timedelta(days=STALE_OFFER_DAYS),
        ),
    )


def _reminders_of(
    application: JobApplication,
    follow_up_days: int,
    email: bool,
    now: datetime,
    time_zone: str = DEFAULT_ZONE,
) -> Iterable[DueReminder]:
    position = f"{application.company} — {application.job_title}"
    interview = application.interview_date
    if interview is not None and now < interview <= now + INTERVIEW_WINDOW:
        yield _reminder(
            application, NotificationKind.INTERVIEW, interview, email,
            f"Interview soon: {position}",
            f"Your interview for {application.job_title} at {application.company}"
            f" is on {format_moment(interview, time_zone)}.",
        )  # fmt: skip
    waited = (now - application.status_changed_at).days
    if application.status in FOLLOW_UP_STATUSES and waited >= follow_up_days:
        yield _reminder(
            application, NotificationKind.FOLLOW_UP, application.status_changed_at, email,
            f"Time to follow up: {position}",
            f"Your application for {application.job_title} at {application.company} has been"
            f" {application.status.value} for {waited} days. A short follow-up may help.",
        )  # fmt: skip
    if application.status == ApplicationStatus.OFFER_RECEIVED and waited >= STALE_OFFER_DAYS:
        yield _reminder(
            application, NotificationKind.STALE_OFFER, application.status_changed_at, email,
            f"Offer waiting for an answer: {position}",
            f"The offer for {application.job_title} at {application.company} has waited"
            f" {waited} days for your answer.",
        )  # fmt: skip


def _reminder(
    application: JobApplication,
    kind: NotificationKind,
    moment: datetime,
    email: bool,
    title: str,
    body: str,
) -> DueReminder:
    return DueReminder(
        user_id=application.user_id,
        application_id=application.id,
        kind=kind,
        key=reminder_key(kind, application.id, moment),
        title=title[:MAX_TITLE_CHARS],
        body=body,
        email=email,
    )


def reminder_key(kind: NotificationKind, application_id: int, moment: datetime) -> str:
    """The exactly-once key of a reminder: its kind, application and the moment it is about."""
    return f"{kind.value}:{application_id}:{moment.isoformat()}"


def _not_stored(session: Session, due: Sequence[DueReminder]) -> list[DueReminder]:
    # Most due reminders were stored by an earlier run: skip them without a write.
    stored: set[tuple[int, str]] = set()
    for start in range(0, len(due), _KEY_BATCH):
        batch = due[start : start + _KEY_BATCH]
        query = select(Notification.user_id, Notification.reminder_key).where(
            Notification.user_id.in_({r.user_id for r in batch}),
            Notification.reminder_key.in_({r.key for r in batch}),
        )
        stored.update(session.execute(query))
    return [r for r in due if (r.user_id, r.key) not in stored]


def _insert(session: Session, reminder: DueReminder, now: datetime) -> int | None:
    statement = (
        conflict_insert(session, Notification)
        .values(
            user_id=reminder.user_id,
            application_id=reminder.application_id,
            kind=reminder.kind,
            reminder_key=reminder.key,
            title=reminder.title,
            body=reminder.body,
            created_at=now,
            email_state=EmailState.PENDING if reminder.email else EmailState.SKIPPED,
            email_attempts=0,
            next_attempt_at=now if reminder.email else None,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "reminder_key"])
        .returning(Notification.id)
    )
    created = session.execute(statement).scalar()
    return None if created is None else int(created)


def _load(session: Session, ids: Sequence[int]) -> list[Notification]:
    if not ids:
        return []
    query = select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
    return list(session.scalars(query))
