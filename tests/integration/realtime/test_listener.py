"""The process's one event listener: a commit, here or in another process, wakes it.

PostgreSQL's listener hears each event's id from ``NOTIFY``; SQLite's polls
the newest id. Either way a wake-up carries an id at least that of the
newest commit (or ``None``: "read, something may have changed").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from database.connection import DatabaseManager
from database.domain.accounts import sign_up
from database.services.realtime import EventListener
from database.services.realtime.listener import APPLICATION_NAME
from tests.support.api import PASSWORD
from tests.support.websocket import add_application_in_another_process, add_applications

PATIENCE = 10.0


class Wakes:
    """What a listener calls: every wake-up it made, in order."""

    def __init__(self) -> None:
        self.heard: list[int | None] = []
        self._changed = threading.Condition()

    def __call__(self, event_id: int | None) -> None:
        with self._changed:
            self.heard.append(event_id)
            self._changed.notify_all()

    def wait_for(self, wanted: int | None, after: int = 0) -> None:
        """Until a wake-up numbered above ``after`` says ``wanted`` (an id at least it, or None)."""
        deadline = time.monotonic() + PATIENCE
        with self._changed:
            while not any(_says(heard, wanted) for heard in self.heard[after:]):
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no wake-up for {wanted} in {self.heard[after:]}"
                self._changed.wait(remaining)


def _says(heard: int | None, wanted: int | None) -> bool:
    if wanted is None:
        return heard is None
    return heard is not None and heard >= wanted


@pytest.fixture
def listening(db: DatabaseManager) -> Iterator[tuple[EventListener, Wakes]]:
    wakes = Wakes()
    listener = EventListener(db, wakes, poll_interval=0.05)
    listener.start()
    deadline = time.monotonic() + PATIENCE
    while not wakes.heard:  # connected (PostgreSQL) or polled once (SQLite)
        assert time.monotonic() < deadline, "the listener never started"
        time.sleep(0.01)
    yield listener, wakes
    listener.stop()
    assert not listener.running


def _user(db: DatabaseManager) -> int:
    with db.session_scope() as session:
        return sign_up(session, "ada@example.com", PASSWORD).id


def _event_of(db: DatabaseManager, application_id: int) -> int:
    """The id of the event that created application ``application_id``."""
    with db.session_scope() as session:
        query = text("SELECT id FROM events WHERE entity_id = :id AND kind = 'application.created'")
        return int(session.execute(query, {"id": application_id}).scalar_one())


def test_a_commit_wakes_the_listener_with_its_event(
    db: DatabaseManager, listening: tuple[EventListener, Wakes]
) -> None:
    _, wakes = listening
    seen = len(wakes.heard)
    (application,) = add_applications(db, _user(db), 1)
    wakes.wait_for(_event_of(db, application), after=seen)


@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_a_commit_of_another_process_wakes_the_listener(
    db: DatabaseManager, listening: tuple[EventListener, Wakes]
) -> None:
    _, wakes = listening
    user = _user(db)
    seen = len(wakes.heard)
    application = add_application_in_another_process(db, user)
    wakes.wait_for(_event_of(db, application), after=seen)


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_the_listener_reconnects_when_its_connection_is_killed(
    db: DatabaseManager, listening: tuple[EventListener, Wakes]
) -> None:
    listener, wakes = listening
    user = _user(db)
    with db.engine.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        ).scalar_one()
    assert killed == 1
    seen = len(wakes.heard)
    wakes.wait_for(None, after=seen)  # reconnected: everyone reads once
    (application,) = add_applications(db, user, 1)
    wakes.wait_for(_event_of(db, application), after=seen)
    assert listener.running
