"""PostgreSQL behind PgBouncer in transaction-pooling mode, as a hosted deployment runs it.

Consecutive transactions of one client connection may run on different server
sessions there: nothing may outlive a transaction. These tests reach the run's
database both ways, whatever ``AUTO_APPLYER_TEST_POSTGRES_VIA`` says.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import make_url, text

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig
from database.core.engine import behind_pooler
from database.core.tenant import ACTOR_SETTING, bind_actor
from database.services.realtime import EventListener
from database.services.realtime.listener import APPLICATION_NAME
from tests.support.pg_server import server

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)


@pytest.fixture
def bouncer_url(db: DatabaseManager, postgres_database: str) -> str:
    """This run's (migrated) database through PgBouncer."""
    url = make_url(server("pgbouncer")).set(database=postgres_database)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def direct_url(db: DatabaseManager, postgres_direct_url: str) -> str:
    """This run's (migrated) database on the server itself."""
    return postgres_direct_url


@pytest.fixture
def managers() -> Iterator[list[DatabaseManager]]:
    made: list[DatabaseManager] = []
    yield made
    for manager in made:
        manager.close()


def manager_at(
    url: str,
    monkeypatch: pytest.MonkeyPatch,
    managers: list[DatabaseManager],
    pooler: str | None = None,
) -> DatabaseManager:
    """A production manager of ``url``; ``pooler`` is ``DATABASE_POOLER`` (unset: ``auto``)."""
    monkeypatch.setenv("DATABASE_URL", url)
    if pooler is None:
        monkeypatch.delenv("DATABASE_POOLER", raising=False)
    else:
        monkeypatch.setenv("DATABASE_POOLER", pooler)
    manager = DatabaseManager(DatabaseConfig.for_environment("production"))
    managers.append(manager)
    return manager


def prepare_threshold(manager: DatabaseManager) -> int | None:
    with manager.engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        return driver.prepare_threshold


def test_a_connection_through_pgbouncer_is_found_pooled_and_prepares_no_statements(
    bouncer_url: str, monkeypatch: pytest.MonkeyPatch, managers: list[DatabaseManager]
) -> None:
    manager = manager_at(bouncer_url, monkeypatch, managers)
    assert behind_pooler(manager.engine)
    assert prepare_threshold(manager) is None


def test_a_direct_connection_keeps_psycopgs_prepared_statements(
    direct_url: str, monkeypatch: pytest.MonkeyPatch, managers: list[DatabaseManager]
) -> None:
    manager = manager_at(direct_url, monkeypatch, managers)
    assert not behind_pooler(manager.engine)
    assert prepare_threshold(manager) == 5


def test_database_pooler_overrides_what_the_first_connection_finds(
    bouncer_url: str,
    direct_url: str,
    monkeypatch: pytest.MonkeyPatch,
    managers: list[DatabaseManager],
) -> None:
    said_pooled = manager_at(direct_url, monkeypatch, managers, pooler="transaction")
    assert behind_pooler(said_pooled.engine)
    assert prepare_threshold(said_pooled) is None
    said_direct = manager_at(bouncer_url, monkeypatch, managers, pooler="none")
    assert not behind_pooler(said_direct.engine)


def test_the_same_statement_from_many_threads_through_pgbouncer_never_fails(
    bouncer_url: str, monkeypatch: pytest.MonkeyPatch, managers: list[DatabaseManager]
) -> None:
    manager = manager_at(bouncer_url, monkeypatch, managers)
    failures: list[BaseException] = []
    answers: list[int] = []

    def run() -> None:
        try:
            for n in range(40):  # far past psycopg's threshold of 5 for preparing one
                with manager.session_scope() as session:
                    found = session.execute(text("SELECT :n + count(*) FROM users"), {"n": n})
                    answers.append(int(found.scalar_one()))
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    assert sorted(answers) == sorted(list(range(40)) * 8)


def test_an_actor_bound_in_one_transaction_is_unknown_to_every_later_one_through_pgbouncer(
    bouncer_url: str, monkeypatch: pytest.MonkeyPatch, managers: list[DatabaseManager]
) -> None:
    manager = manager_at(bouncer_url, monkeypatch, managers)
    with manager.session_scope() as session:
        bind_actor(session, 42)
        bound = session.execute(text("SELECT current_setting(:s, true)"), {"s": ACTOR_SETTING})
        assert bound.scalar_one() == "42"
    seen = set()
    for _ in range(30):  # on whichever server session PgBouncer hands out next
        with manager.session_scope() as session:
            later = session.execute(text("SELECT current_setting(:s, true)"), {"s": ACTOR_SETTING})
            seen.add(later.scalar_one())
    assert seen <= {None, ""}


def listener_sessions(manager: DatabaseManager) -> int:
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE application_name = :name AND datname = current_database()"
    )
    with manager.engine.connect() as conn:
        return int(conn.execute(query, {"name": APPLICATION_NAME}).scalar_one())


def started(listener: EventListener, heard: list[int | None]) -> None:
    listener.start()
    deadline = time.monotonic() + 10
    while not heard:
        assert time.monotonic() < deadline, "the listener never started"
        time.sleep(0.01)


@pytest.mark.parametrize("direct", [True, False], ids=["with_direct_url", "without_direct_url"])
def test_behind_pgbouncer_the_listener_listens_on_the_direct_url_else_polls(
    bouncer_url: str,
    direct_url: str,
    monkeypatch: pytest.MonkeyPatch,
    managers: list[DatabaseManager],
    direct: bool,
) -> None:
    if direct:
        monkeypatch.setenv("DATABASE_DIRECT_URL", direct_url)
    else:
        monkeypatch.delenv("DATABASE_DIRECT_URL", raising=False)
    manager = manager_at(bouncer_url, monkeypatch, managers)
    heard: list[int | None] = []
    listener = EventListener(manager, heard.append, poll_interval=0.05)
    started(listener, heard)
    try:
        assert listener_sessions(manager) == (1 if direct else 0)
    finally:
        listener.stop()
