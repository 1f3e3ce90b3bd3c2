"""The scheduler of reminders: create the due ones, then e-mail them, outside any request.

:func:`run_scheduler_once` is one pass; the API runs it every
``API_SCHEDULER_INTERVAL`` seconds in a thread, and any number of processes may
run it at once: each reminder is still created once (see
:mod:`database.domain.notifications.reminders`) and each e-mail claimed by one
worker (see :mod:`database.domain.notifications.delivery`). A failed send is
counted and retried later; it never loses the notification, and no request
ever waits for the mail server.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from database.core.column_types import utcnow
from database.core.session import DatabaseManager
from database.domain.accounts.mail import MailSender, SmtpMailSender
from database.domain.notifications import delivery, reminders
from database.models import EmailState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryReport:
    """What one delivery pass did: e-mails sent, failed and to be retried, given up."""

    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class SchedulerReport:
    """What one pass of the scheduler did."""

    created: int
    delivery: DeliveryReport


def create_reminders(manager: DatabaseManager, now: datetime | None = None) -> int:
    """Create every reminder due at ``now`` in one transaction; how many this call created."""
    with manager.session_scope() as session:
        return len(reminders.create_due_reminders(session, now))


def deliver_due(
    manager: DatabaseManager,
    sender: MailSender,
    *,
    now: datetime | None = None,
    limit: int = delivery.DEFAULT_BATCH,
) -> DeliveryReport:
    """Send up to ``limit`` due e-mails through ``sender`` and record each outcome.

    ``now`` (default: the current time) decides which messages are due and
    when a failed one is retried.
    """
    moment = now or utcnow()
    with manager.session_scope() as session:
        claimed = delivery.claim_due(session, moment, limit)
    sent = retried = failed = 0
    for message in claimed:
        try:
            sender.send(message.to, message.subject, message.body)
        except Exception as exc:  # any failure of the sender is retried, whatever its kind
            error = f"{type(exc).__name__}: {exc}"
            log.warning("E-mail of notification %s failed: %s", message.notification_id, error)
            with manager.session_scope() as session:
                state = delivery.record_failure(
                    session, message.notification_id, error, now or utcnow()
                )
            failed += state is EmailState.FAILED
            retried += state is EmailState.PENDING
        else:
            with manager.session_scope() as session:
                delivery.record_sent(session, message.notification_id)
            sent += 1
    return DeliveryReport(sent=sent, retried=retried, failed=failed)


def run_scheduler_once(
    manager: DatabaseManager,
    sender: MailSender | None = None,
    *,
    now: datetime | None = None,
) -> SchedulerReport:
    """One pass: create the due reminders, then send the due e-mails.

    ``sender`` defaults to an :class:`SmtpMailSender` configured by the
    environment. ``manager`` must see every person's rows (the tables' owner
    on PostgreSQL: see :func:`database.core.tenant.trusted_manager`).
    """
    created = create_reminders(manager, now)
    mailer = sender if sender is not None else SmtpMailSender.from_environment()
    report = SchedulerReport(created, deliver_due(manager, mailer, now=now))
    if report.created or report.delivery.sent or report.delivery.retried:
        log.info("Scheduler: %s reminders created, e-mails: %s", report.created, report.delivery)
    return report
