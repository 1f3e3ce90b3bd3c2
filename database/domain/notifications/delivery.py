"""The e-mail of notifications: claiming the due ones, recording each send's outcome.

Delivery runs outside any request (see :mod:`database.services.reminders`), in
three short transactions per batch, never holding one open while it talks to
the mail server: :func:`claim_due` leases due messages (their attempt counted,
``next_attempt_at`` pushed :data:`LEASE` ahead, so no other worker takes them;
on PostgreSQL ``FOR UPDATE SKIP LOCKED``, so concurrent workers claim disjoint
rows without waiting), the sender sends them, and :func:`record_sent` or
:func:`record_failure` stores the outcome. A failure is retried after an
exponential backoff (:func:`backoff`) until :data:`MAX_ATTEMPTS`, then the
e-mail is ``failed``; the notification itself always stays. A worker that
dies between claim and outcome leaves the lease to expire, and the message is
sent by a later run (at least once, not exactly once: mail cannot be unsent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.models import EmailState, Notification, User

MAX_ATTEMPTS = 5
BASE_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
#: How long a claimed message is reserved for the worker that claimed it.
LEASE = timedelta(minutes=15)
#: Messages claimed at once: a batch sends within the lease even if each send times out.
DEFAULT_BATCH = 20
MAX_ERROR_CHARS = 500
FOOTER = (
    "\n\n-- \nAuto Applyer sends this because e-mail notifications are on in your"
    " preferences; turn them off there to stop these messages."
)


@dataclass(frozen=True)
class Outgoing:
    """One claimed e-mail: the notification it is for, where it goes and what it says."""

    notification_id: int
    to: str
    subject: str
    body: str


def claim_due(session: Session, now: datetime, limit: int = DEFAULT_BATCH) -> list[Outgoing]:
    """Lease up to ``limit`` e-mails due at ``now``, oldest first; what to send."""
    query = (
        select(Notification, User.email)
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.email_state == EmailState.PENDING,
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Notification)
    claimed: list[Outgoing] = []
    for notification, email in session.execute(query):
        notification.email_attempts += 1
        notification.next_attempt_at = now + LEASE
        claimed.append(
            Outgoing(notification.id, email, notification.title, notification.body + FOOTER)
        )
    session.flush()
    return claimed


def record_sent(session: Session, notification_id: int) -> None:
    """The e-mail of ``notification_id`` was accepted by the mail server."""
    notification = session.get(Notification, notification_id)
    if notification is None:  # deleted with its person or application meanwhile
        return
    notification.email_state = EmailState.SENT
    notification.next_attempt_at = None
    notification.last_error = None
    session.flush()


def record_failure(
    session: Session, notification_id: int, error: str, now: datetime
) -> EmailState | None:
    """The send of ``notification_id`` failed with ``error``: retry later, or give up.

    The new state (``pending`` with a later ``next_attempt_at``, or ``failed``
    after :data:`MAX_ATTEMPTS`); ``None`` if the notification is gone.
    """
    notification = session.get(Notification, notification_id)
    if notification is None:
        return None
    notification.last_error = error[:MAX_ERROR_CHARS]
    if notification.email_attempts >= MAX_ATTEMPTS:
        notification.email_state = EmailState.FAILED
        notification.next_attempt_at = None
    else:
        notification.next_attempt_at = now + backoff(notification.email_attempts)
    session.flush()
    return notification.email_state


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed send: 1, 2, 4, 8 ... minutes, at most an hour."""
    wait: timedelta = BASE_BACKOFF * (2 ** max(attempts - 1, 0))
    return min(wait, MAX_BACKOFF)
