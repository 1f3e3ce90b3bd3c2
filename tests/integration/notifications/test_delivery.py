"""Reminder e-mails: sent through SMTP once, retried with a backoff, never lost, never forced."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from database.connection import DatabaseManager
from database.domain.accounts import SmtpMailSender
from database.domain.notifications import delivery
from database.models import EmailState, JobApplication, Notification
from database.services.reminders import (
    DeliveryReport,
    create_reminders,
    deliver_due,
    run_scheduler_once,
)
from database.utilities import DatabaseUtils
from tests.support.notification_objects import NOW, RecordingSender
from tests.support.smtp import free_port, smtp_server

EMAIL = "ann@example.com"


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(EMAIL, first_name="Ann").id


def waiting_application(db: DatabaseManager, user_id: int, company: str = "Globex") -> int:
    """An application in ``applied`` for 20 days: its follow-up reminder is due at NOW."""
    app_id = DatabaseUtils.add_job_application(user_id, "Engineer", company).id
    with db.session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == app_id)
            .values(status_changed_at=NOW - timedelta(days=20))
        )
    return app_id


def the_notification(db: DatabaseManager) -> Notification:
    with db.session_scope() as session:
        return session.scalars(select(Notification)).one()


def test_a_due_reminder_is_mailed_to_its_person_once(db: DatabaseManager, user_id: int) -> None:
    waiting_application(db, user_id)
    with smtp_server() as inbox:
        sender = SmtpMailSender(inbox.host, inbox.port, "reminders@auto-applyer.test")
        report = run_scheduler_once(db, sender, now=NOW)
        [message] = inbox.wait_for(1)
        assert run_scheduler_once(db, sender, now=NOW + timedelta(hours=1)).delivery.sent == 0
    assert (report.created, report.delivery) == (1, DeliveryReport(sent=1))
    assert message["To"] == EMAIL and message["From"] == "reminders@auto-applyer.test"
    assert message["Subject"] == "Time to follow up: Globex — Engineer"
    text = message.get_content()
    assert "Engineer at Globex has been applied for 20 days" in text
    assert "e-mail notifications are on" in text
    stored = the_notification(db)
    assert (stored.email_state, stored.email_attempts, stored.next_attempt_at) == (
        EmailState.SENT,
        1,
        None,
    )
    assert len(inbox.messages) == 1


def test_a_failing_mail_server_is_retried_with_backoff_until_it_is_back(
    db: DatabaseManager, user_id: int
) -> None:
    waiting_application(db, user_id)
    assert create_reminders(db, NOW) == 1
    down = SmtpMailSender("127.0.0.1", free_port())
    assert deliver_due(db, down, now=NOW) == DeliveryReport(retried=1)
    first = the_notification(db)
    assert (first.email_state, first.email_attempts) == (EmailState.PENDING, 1)
    assert first.next_attempt_at == NOW + delivery.BASE_BACKOFF
    assert first.last_error and "Connection" in first.last_error
    # Not due again before its backoff: nothing is even tried.
    assert deliver_due(db, down, now=NOW + timedelta(seconds=30)) == DeliveryReport()
    retry_at = NOW + timedelta(seconds=61)
    assert deliver_due(db, down, now=retry_at) == DeliveryReport(retried=1)
    second = the_notification(db)
    assert second.email_attempts == 2
    assert second.next_attempt_at == retry_at + 2 * delivery.BASE_BACKOFF
    with smtp_server() as inbox:
        back = SmtpMailSender(inbox.host, inbox.port)
        assert deliver_due(db, back, now=retry_at + timedelta(minutes=1)) == DeliveryReport()
        assert deliver_due(db, back, now=retry_at + timedelta(minutes=3)) == DeliveryReport(sent=1)
        [message] = inbox.wait_for(1)
    assert message["To"] == EMAIL
    done = the_notification(db)
    assert (done.email_state, done.email_attempts, done.last_error) == (EmailState.SENT, 3, None)


def test_after_the_last_attempt_the_email_fails_and_the_notification_stays(
    db: DatabaseManager, user_id: int
) -> None:
    waiting_application(db, user_id)
    down = SmtpMailSender("127.0.0.1", free_port())
    run_scheduler_once(db, down, now=NOW)
    moment = NOW
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        moment += delivery.MAX_BACKOFF
        deliver_due(db, down, now=moment)
    gone = the_notification(db)
    assert (gone.email_state, gone.email_attempts) == (EmailState.FAILED, delivery.MAX_ATTEMPTS)
    assert deliver_due(db, down, now=moment + timedelta(days=1)) == DeliveryReport()
    assert [n.id for n in DatabaseUtils.get_notifications(user_id)] == [gone.id]


def test_with_email_notifications_off_no_mail_is_sent_but_the_notification_exists(
    db: DatabaseManager, user_id: int
) -> None:
    DatabaseUtils.update_user_preferences(user_id, email_notifications=False)
    waiting_application(db, user_id)
    sender = RecordingSender()
    report = run_scheduler_once(db, sender, now=NOW)
    assert (report.created, report.delivery, sender.sent) == (1, DeliveryReport(), [])
    [notification] = DatabaseUtils.get_notifications(user_id)
    assert notification.email_state is EmailState.SKIPPED and notification.read_at is None


def test_concurrent_deliveries_send_each_email_once(db: DatabaseManager, user_id: int) -> None:
    for number in range(12):
        waiting_application(db, user_id, f"Company {number}")
    assert create_reminders(db, NOW) == 12
    sender = RecordingSender()
    barrier = threading.Barrier(3)

    def work() -> None:
        barrier.wait(30)
        deliver_due(db, sender, now=NOW, limit=5)
        deliver_due(db, sender, now=NOW, limit=5)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    subjects = sorted(subject for _, subject, _ in sender.sent)
    assert len(subjects) == len(set(subjects)) == 12
    with db.session_scope() as session:
        states = set(session.scalars(select(Notification.email_state)))
    assert states == {EmailState.SENT}
