"""Notifications of a firing database alert, one for every server administrator.

Each is a row of ``notifications`` keyed ``alert:<rule>:<episode>`` (unique
per person, written with ``INSERT ... ON CONFLICT DO NOTHING``, so an episode
is announced to each administrator at most once whoever writes it), e-mailed
by the usual delivery step when the administrator's e-mail notifications are
on, and carried to their webhooks by its ``reminder.due`` event, written last
in the caller's transaction. Its kind is ``alert`` and its event payload
names the rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.core.upsert import conflict_insert
from database.domain import events
from database.models import (
    EmailState,
    EventKind,
    Notification,
    NotificationKind,
    User,
    UserPreferences,
)

#: The kind of an alert's notification.
ALERT_KIND = NotificationKind.ALERT
MAX_TITLE_CHARS = 300


@dataclass(frozen=True)
class AlertNotice:
    """What one episode of a firing alert tells the administrators."""

    rule: str
    episode: int
    title: str
    body: str


def alert_key(rule: str, episode: int) -> str:
    """The once-per-person key of an alert episode's notification."""
    return f"alert:{rule}:{episode}"


def server_admins(session: Session) -> list[tuple[int, bool]]:
    """Every active server administrator's id and whether they take e-mail, by id."""
    query = (
        select(User.id, func.coalesce(UserPreferences.email_notifications, True))
        .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
        .where(User.is_server_admin.is_(True), User.is_active.is_(True))
        .order_by(User.id)
    )
    return [(int(user_id), bool(email)) for user_id, email in session.execute(query)]


def notify_server_admins(session: Session, notice: AlertNotice, now: datetime) -> list[int]:
    """Store the notice for every active server administrator; the ids of those this call made."""
    created = []
    for user_id, email in server_admins(session):
        notification_id = _insert(session, user_id, email, notice, now)
        if notification_id is not None:
            created.append((user_id, notification_id))
    for user_id, notification_id in created:
        events.record(
            session, EventKind.REMINDER_DUE, "notification", notification_id,
            user_id=user_id,
            payload={"kind": ALERT_KIND.value, "application_id": None, "alert": notice.rule},
        )  # fmt: skip
    return [notification_id for _, notification_id in created]


def _insert(
    session: Session, user_id: int, email: bool, notice: AlertNotice, now: datetime
) -> int | None:
    statement = (
        conflict_insert(session, Notification)
        .values(
            user_id=user_id,
            application_id=None,
            kind=ALERT_KIND,
            reminder_key=alert_key(notice.rule, notice.episode),
            title=notice.title[:MAX_TITLE_CHARS],
            body=notice.body,
            created_at=now,
            email_state=EmailState.PENDING if email else EmailState.SKIPPED,
            email_attempts=0,
            next_attempt_at=now if email else None,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "reminder_key"])
        .returning(Notification.id)
    )
    created = session.execute(statement).scalar()
    return None if created is None else int(created)
