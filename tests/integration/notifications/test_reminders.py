"""Reminders fall due once each: interviews, follow-ups and waiting offers, on every engine."""

from __future__ import annotations

from datetime import datetime, timedelta
from multiprocessing.queues import Queue
from typing import Any

import pytest
from sqlalchemy import select, update

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig
from database.domain.notifications import reminders
from database.models import (
    EmailState,
    Event,
    EventKind,
    JobApplication,
    Notification,
    NotificationKind,
)
from database.services.reminders import create_reminders
from database.utilities import DatabaseUtils
from tests.support.notification_objects import NOW
from tests.support.processes import FORK, open_manager
from tests.support.threads import at_once
from utils.errors import ValidationError

WORKERS = 3


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def application(
    db: DatabaseManager,
    user_id: int,
    company: str,
    status: str = "applied",
    moved_days_ago: float = 0,
    interview_in: timedelta | None = None,
) -> int:
    """An application whose last status move was ``moved_days_ago`` days before :data:`NOW`."""
    interview = NOW + interview_in if interview_in is not None else None
    app_id = DatabaseUtils.add_job_application(
        user_id, "Engineer", company, status=status, interview_date=interview
    ).id
    with db.session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == app_id)
            .values(status_changed_at=NOW - timedelta(days=moved_days_ago))
        )
    return app_id


def due_now(db: DatabaseManager, now: datetime = NOW) -> list[Notification]:
    with db.session_scope() as session:
        return reminders.create_due_reminders(session, now)


def stored(db: DatabaseManager) -> list[Notification]:
    with db.session_scope() as session:
        return list(session.scalars(select(Notification).order_by(Notification.id)))


def reminder_events(db: DatabaseManager) -> list[Event]:
    with db.session_scope() as session:
        query = select(Event).where(Event.kind == EventKind.REMINDER_DUE).order_by(Event.id)
        return list(session.scalars(query))


def test_each_kind_of_reminder_is_created_once_when_it_falls_due(
    db: DatabaseManager, user_id: int
) -> None:
    interview = application(db, user_id, "Initech", interview_in=timedelta(hours=2))
    waiting = application(db, user_id, "Globex", moved_days_ago=15)
    offer = application(db, user_id, "Hooli", "offer_received", moved_days_ago=8)
    application(db, user_id, "Not yet", moved_days_ago=3)
    application(db, user_id, "Too far", interview_in=timedelta(hours=30))
    application(db, user_id, "Past", interview_in=timedelta(hours=-1))
    application(db, user_id, "Fresh offer", "offer_received", moved_days_ago=2)
    application(db, user_id, "Rejected", "rejected", moved_days_ago=40)

    created = due_now(db)
    assert {(n.kind, n.application_id) for n in created} == {
        (NotificationKind.INTERVIEW, interview),
        (NotificationKind.FOLLOW_UP, waiting),
        (NotificationKind.STALE_OFFER, offer),
    }
    assert due_now(db) == [] and due_now(db, NOW + timedelta(minutes=5)) == []
    assert len(stored(db)) == 3
    by_kind = {n.kind: n for n in created}
    assert by_kind[NotificationKind.INTERVIEW].title == "Interview soon: Initech — Engineer"
    assert "14:00 UTC" in by_kind[NotificationKind.INTERVIEW].body
    assert "15 days" in by_kind[NotificationKind.FOLLOW_UP].body
    assert all(n.read_at is None and n.user_id == user_id for n in created)
    events = reminder_events(db)
    assert sorted(e.entity_id or 0 for e in events) == sorted(n.id for n in created)
    assert {(e.entity, e.user_id) for e in events} == {("notification", user_id)}


def test_the_follow_up_waits_for_the_persons_chosen_number_of_days(
    db: DatabaseManager, user_id: int
) -> None:
    for bad in (0, 366, 2.5, "soon"):
        with pytest.raises(ValidationError, match="follow_up_days"):
            DatabaseUtils.update_user_preferences(user_id, follow_up_days=bad)
    assert DatabaseUtils.update_user_preferences(user_id, follow_up_days=30).follow_up_days == 30
    waiting = application(db, user_id, "Globex", "screening", moved_days_ago=15)
    assert due_now(db) == []
    [reminder] = due_now(db, NOW + timedelta(days=16))
    assert (reminder.kind, reminder.application_id) == (NotificationKind.FOLLOW_UP, waiting)


def test_a_new_status_move_or_a_new_interview_time_is_reminded_of_again(
    db: DatabaseManager, user_id: int
) -> None:
    app_id = application(db, user_id, "Globex", moved_days_ago=15)
    assert [n.kind for n in due_now(db)] == [NotificationKind.FOLLOW_UP]
    later = NOW + timedelta(days=20)
    DatabaseUtils.update_application_status(app_id, "screening")
    with db.session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == app_id)
            .values(status_changed_at=NOW + timedelta(days=1), interview_date=later)
        )
    assert due_now(db, NOW + timedelta(days=10)) == []
    kinds = [n.kind for n in due_now(db, later - timedelta(hours=3))]
    assert sorted(kinds) == [NotificationKind.FOLLOW_UP, NotificationKind.INTERVIEW]
    with db.session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == app_id)
            .values(interview_date=later + timedelta(hours=1))
        )
    assert [n.kind for n in due_now(db, later - timedelta(hours=3))] == [NotificationKind.INTERVIEW]
    assert len(stored(db)) == 4


def test_email_state_follows_the_email_preference_and_inactive_accounts_get_none(
    db: DatabaseManager, user_id: int
) -> None:
    quiet = DatabaseUtils.create_user("quiet@example.com").id
    DatabaseUtils.update_user_preferences(quiet, email_notifications=False)
    gone = DatabaseUtils.create_user("gone@example.com").id
    DatabaseUtils.update_user(gone, is_active=False)
    for person in (user_id, quiet, gone):
        application(db, person, "Globex", moved_days_ago=15)
    states = {n.user_id: (n.email_state, n.next_attempt_at) for n in due_now(db)}
    assert states == {user_id: (EmailState.PENDING, NOW), quiet: (EmailState.SKIPPED, None)}


def test_a_deleted_application_takes_its_reminders_with_it(
    db: DatabaseManager, user_id: int
) -> None:
    app_id = application(db, user_id, "Globex", moved_days_ago=15)
    assert len(due_now(db)) == 1
    DatabaseUtils.delete_application(app_id)
    assert stored(db) == []


def _scheduler_process(
    config: DatabaseConfig, barrier: Any, now: datetime, results: Queue[Any]
) -> None:
    manager = open_manager(config)
    try:
        barrier.wait(30)
        results.put(("ok", create_reminders(manager, now)))
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        manager.close()


def _run_in_processes(db: DatabaseManager, now: datetime) -> list[int]:
    db.engine.dispose()  # a forked child must not share the parent's connections
    results = FORK.Queue()
    barrier = FORK.Barrier(WORKERS)
    children = [
        FORK.Process(target=_scheduler_process, args=(db.config, barrier, now, results))
        for _ in range(WORKERS)
    ]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(30)
    assert [kind for kind, _ in outcomes] == ["ok"] * WORKERS, outcomes
    return [int(count) for _, count in outcomes]


def _run_in_threads(db: DatabaseManager, now: datetime) -> list[int]:
    return at_once(lambda: create_reminders(db, now), WORKERS)


def test_schedulers_running_at_once_create_each_reminder_exactly_once(
    db: DatabaseManager, user_id: int, engine_name: str
) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    for person in (user_id, other):
        application(db, person, "Initech", interview_in=timedelta(hours=5))
        application(db, person, "Globex", moved_days_ago=20)
        application(db, person, "Hooli", "offer_received", moved_days_ago=9)
    # In-memory SQLite lives in this process: its schedulers are threads; the others' processes.
    run = _run_in_threads if engine_name == "sqlite_memory" else _run_in_processes
    counts = run(db, NOW)
    assert sum(counts) == 6 and len(counts) == WORKERS
    keys = [(n.user_id, n.reminder_key) for n in stored(db)]
    assert len(keys) == len(set(keys)) == 6
    assert len(reminder_events(db)) == 6


def test_an_archived_application_is_reminded_of_no_more(db: DatabaseManager, user_id: int) -> None:
    put_away = application(db, user_id, "Initech", "screening", moved_days_ago=20)
    kept = application(db, user_id, "Globex", "screening", moved_days_ago=20)
    assert DatabaseUtils.archive_application(put_away) is not None
    assert [r.application_id for r in due_now(db)] == [kept]
