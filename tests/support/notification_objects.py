"""Notifications and calendar feeds for tests: the matrix's objects, a fixed now, a mail sender.

``notification`` (an object of ``tests/support/api_world.py``) is an unread
reminder of the data owner's, written as the scheduler writes one;
``calendar_secret`` is a fresh secret of the owner's calendar feed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.domain import applications
from database.domain.notifications import calendar, reminders
from database.models import Notification

#: A fixed "now" of the reminder tests, well after any real clock of theirs.
NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


class RecordingSender:
    """A mail sender that keeps what it was asked to send (thread-safe)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()

    def send(self, to: str, subject: str, body: str) -> None:
        with self._lock:
            self.sent.append((to, subject, body))


def interview_reminder(session: Session, user_id: int, company: str = "Acme") -> Notification:
    """An application of ``user_id`` with an interview in two hours, and its new reminder."""
    interview = utcnow() + timedelta(hours=2)
    application = applications.add(
        session, user_id, {"job_title": "Engineer", "company": company, "interview_date": interview}
    )
    due = reminders.find_due(session, utcnow())
    [mine] = [r for r in due if r.application_id == application.id]
    session.add(
        Notification(
            user_id=user_id, application_id=application.id, kind=mine.kind,
            reminder_key=mine.key, title=mine.title, body=mine.body,
            email_state="skipped",
        )
    )  # fmt: skip
    session.flush()
    return session.query(Notification).filter_by(reminder_key=mine.key).one()


def reminder_of(session: Session, user_id: int, application_id: int) -> Notification:
    """A follow-up reminder (not to be mailed) of ``user_id`` about ``application_id``."""
    notification = Notification(
        user_id=user_id, application_id=application_id, kind="follow_up",
        reminder_key=f"follow_up:{application_id}:test", title="Follow up", body="Time to.",
        email_state="skipped",
    )  # fmt: skip
    session.add(notification)
    session.flush()
    return notification


def _notification(session: Session, user_id: int) -> int:
    return interview_reminder(session, user_id).id


def _calendar_secret(session: Session, user_id: int) -> str:
    return calendar.rotate_secret(session, user_id)


#: Object name -> a function of (session, owner's id) making one (see ``api_world``).
NOTIFICATION_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "notification": _notification,
    "calendar_secret": _calendar_secret,
}
