"""A reader that remembers the last event id it saw misses none; notifications; the revision.

PostgreSQL hands out sequence ids that can commit out of order; the outbox
takes a transaction-scoped lock so that event ids become visible in id order
(see :mod:`database.domain.events`). SQLite has one writer at a time.
"""

from __future__ import annotations

import threading

import psycopg
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from database.connection import DatabaseManager
from database.core.config import direct_url
from database.domain import events
from database.migrations import MigrationManager
from database.models import EventKind
from database.utilities import DatabaseUtils

on_postgresql = pytest.mark.parametrize("engine_name", ["postgresql"])

RAW_INSERT = text(
    "INSERT INTO events (user_id, kind, entity, payload, created_at)"
    " VALUES (:user_id, 'reminder.due', 'reminder', '{}', now()) RETURNING id"
)


def visible_ids(db: DatabaseManager, since: int = 0) -> list[int]:
    with db.engine.connect() as conn:
        query = text("SELECT id FROM events WHERE id > :since ORDER BY id")
        return list(conn.scalars(query, {"since": since}))


def record_one(conn: Connection, user_id: int) -> int:
    return events.record(conn, EventKind.REMINDER_DUE, "reminder", None, user_id=user_id)


@on_postgresql
def test_plain_sequence_ids_can_commit_out_of_order_which_would_lose_an_event(
    db: DatabaseManager,
) -> None:
    """The hazard itself: without the outbox's lock, a reader's last id skips an event."""
    user_id = DatabaseUtils.create_user("ann@example.com").id
    with db.engine.connect() as first, db.engine.connect() as second:
        with first.begin():
            earlier = first.scalar(RAW_INSERT, {"user_id": user_id})
            with second.begin():
                later = second.scalar(RAW_INSERT, {"user_id": user_id})
            assert earlier is not None and later is not None and later > earlier
            assert visible_ids(db) == [later]  # a reader now remembers `later`...
        assert visible_ids(db, since=later) == []  # ...and never sees `earlier`


@on_postgresql
def test_event_ids_commit_in_id_order_so_a_reader_misses_none(db: DatabaseManager) -> None:
    user_id = DatabaseUtils.create_user("ann@example.com").id
    second_id: list[int] = []
    second_done = threading.Event()

    def second_writer() -> None:
        with db.engine.begin() as conn:
            second_id.append(record_one(conn, user_id))
        second_done.set()

    with db.engine.connect() as first:
        transaction = first.begin()
        first_id = record_one(first, user_id)
        writer = threading.Thread(target=second_writer)
        writer.start()
        # The second transaction would take the next id and commit first; it waits instead.
        assert not second_done.wait(0.5)
        assert visible_ids(db) == []
        transaction.commit()
    writer.join(10)
    assert second_done.is_set() and second_id[0] > first_id
    seen = visible_ids(db)
    assert seen == [first_id, second_id[0]]


@on_postgresql
def test_a_reader_polling_during_concurrent_writers_sees_every_event_once(
    db: DatabaseManager,
) -> None:
    user_id = DatabaseUtils.create_user("ann@example.com").id
    written: list[int] = []
    lock = threading.Lock()

    def writer() -> None:
        for _ in range(15):
            with db.engine.begin() as conn:
                new_id = record_one(conn, user_id)
            with lock:
                written.append(new_id)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for thread in threads:
        thread.start()
    seen: list[int] = []
    while any(t.is_alive() for t in threads):
        seen += visible_ids(db, since=seen[-1] if seen else 0)
    for thread in threads:
        thread.join()
    seen += visible_ids(db, since=seen[-1] if seen else 0)
    assert seen == sorted(written) and len(seen) == 45


@on_postgresql
def test_a_committed_event_notifies_its_id_and_a_rolled_back_one_nothing(
    db: DatabaseManager,
) -> None:
    user_id = DatabaseUtils.create_user("ann@example.com").id
    server = direct_url() or db.config.url  # LISTEN needs the server itself, not PgBouncer
    url = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {events.CHANNEL}")
        with db.engine.connect() as conn:
            with conn.begin() as transaction:
                record_one(conn, user_id)
                transaction.rollback()
            with conn.begin():
                committed = record_one(conn, user_id)
        received = [n.payload for n in listener.notifies(timeout=2, stop_after=2)]
    assert received == [str(committed)]


def test_the_events_revision_rolls_back_and_reapplies_cleanly(db: DatabaseManager) -> None:
    DatabaseUtils.add_job_application(DatabaseUtils.create_user("a@example.com").id, "T", "C")
    manager = MigrationManager(db)
    assert manager.migrate_to_version("003.5")[-1] == "003.6"
    assert "events" not in inspect(db.engine).get_table_names()
    assert manager.migrate_to_latest()[0] == "003.6"
    assert "events" in inspect(db.engine).get_table_names()
    if db.config.database_type == "postgresql":
        with db.engine.connect() as conn:
            secured = conn.scalar(
                text(
                    "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class"
                    " WHERE relname = 'events' AND relnamespace = current_schema()::regnamespace"
                )
            )
        assert secured is True
    user_id = DatabaseUtils.create_user("b@example.com").id
    DatabaseUtils.add_job_application(user_id, "T", "C")
    assert [e.kind for e in DatabaseUtils.get_events(user_id)] == [EventKind.APPLICATION_CREATED]
