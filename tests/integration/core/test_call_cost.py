"""What one add and one statistics call send, and what they return (issue 8, point 10).

The per-call cost is mostly the statements a call sends and the transaction it
runs in; these tests pin both, and that the cheaper path returns the same
objects and errors as before.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import inspect, make_url
from sqlalchemy.dialects.sqlite import dialect as SQLiteDialect
from sqlalchemy.orm.exc import DetachedInstanceError

import database.core.engine
from database.connection import DatabaseManager, sqlite_time
from database.core.column_types import UTCDateTime
from database.models import ApplicationStatus, JobApplication, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.snapshot import snapshot
from tests.support.statements import statements_sent
from utils.errors import DatabaseError, ValidationError

sqlite_dialect = SQLiteDialect()


def sent(db: DatabaseManager, call: Callable[[], object]) -> list[str]:
    """Every statement ``call()`` sends through the engine."""
    return [statement for statement, _ in statements_sent(db.engine, call)]


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="cost@example.com")


def test_statistics_are_one_statement(db: DatabaseManager, user: User) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    first = DatabaseUtils.add_job_application(user.id, "A", "Co", match_score=80)
    DatabaseUtils.add_job_application(user.id, "B", "Co", match_score=91, status="rejected")
    DatabaseUtils.add_job_application(user.id, "Old", "Co", application_date=old, match_score=9)
    DatabaseUtils.update_application_status(first.id, "interviewed")
    DatabaseUtils.update_application_status(first.id, "rejected")
    result = {}
    statements = sent(
        db, lambda: result.update(DatabaseUtils.get_application_statistics(user.id, days=30))
    )
    assert len(statements) == 1, statements
    assert result["total_applications"] == 3
    assert result["recent_applications"] == 2
    assert result["status_breakdown"]["rejected"] == 2
    assert result["status_breakdown"]["applied"] == 1
    assert result["interview_count"] == 1
    assert result["interview_rate"] == 50.0
    assert result["average_match_score"] == 85.5


def test_statistics_period_boundary_counts_the_cutoff_day(db: DatabaseManager, user: User) -> None:
    inside = datetime.now(UTC) - timedelta(days=7) + timedelta(minutes=5)
    outside = datetime.now(UTC) - timedelta(days=7) - timedelta(minutes=5)
    DatabaseUtils.add_job_application(user.id, "In", "Co", application_date=inside)
    DatabaseUtils.add_job_application(user.id, "Out", "Co", application_date=outside)
    stats = DatabaseUtils.get_application_statistics(user.id, days=7)
    assert (stats["total_applications"], stats["recent_applications"]) == (2, 1)


def test_adding_sends_only_its_inserts(db: DatabaseManager, user: User) -> None:
    statements = sent(db, lambda: DatabaseUtils.add_job_application(user.id, "Dev", "Co"))
    # No probe of the user: the foreign key of the insert checks it.
    assert not [s for s in statements if re.search(r"\bFROM users\b", s)], statements
    # The application, its first history row and its event: one statement on PostgreSQL.
    expected = 1 if db.config.database_type == "postgresql" else 3
    assert len(statements) == expected, statements
    assert any("INSERT INTO events" in s for s in statements), statements


@pytest.mark.parametrize("policy", ["allow", "skip", "fail", "update"])
def test_unknown_user_is_named_alike_on_every_engine(
    db: DatabaseManager, user: User, policy: str
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.add_job_application(999, "Dev", "Co", on_duplicate=policy)
    assert (info.value.field, info.value.rule) == ("user_id", "no user with id 999")
    assert snapshot() == before


def test_unknown_user_with_a_resume_is_reported_on_the_user(
    db: DatabaseManager, user: User
) -> None:
    resume = DatabaseUtils.add_resume(user.id, "cv.pdf", "/x/cv.pdf")
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.add_job_application(999, "Dev", "Co", resume_id=resume.id)
    assert info.value.field == "user_id"
    assert snapshot() == before


def test_added_application_is_what_loading_it_gives(db: DatabaseManager, user: User) -> None:
    resume = DatabaseUtils.add_resume(user.id, "cv.pdf", "/x/cv.pdf")
    added = DatabaseUtils.add_job_application(
        user.id, "Data Engineer", "Acme", location="Berlin", job_description="Pipelines",
        job_url="https://acme.example/jobs/1?utm_source=x", status="screening",
        source="referral", salary_min=50_000, salary_max=70_000, job_type="full-time",
        is_remote=True, match_score=87.5, resume_id=resume.id, notes="Met them",
        application_date=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        interview_date=datetime(2024, 6, 1, 10, 0, tzinfo=UTC), interview_type="video",
        salary_currency="EUR",
    )  # fmt: skip
    loaded = DatabaseUtils.get_application(added.id)
    assert loaded is not None
    columns = [c.key for c in inspect(JobApplication).column_attrs]
    assert {c: getattr(added, c) for c in columns} == {c: getattr(loaded, c) for c in columns}
    assert added.status is ApplicationStatus.SCREENING
    assert added.created_at.tzinfo is not None and added.status_changed_at == added.created_at
    state = inspect(added)
    assert state.detached and state.identity == (added.id,) and not state.modified
    with pytest.raises(DetachedInstanceError, match=r"JobApplication\.history"):
        _ = added.history
    (first,) = DatabaseUtils.get_application_history(added.id)
    assert (first.from_status, first.to_status) == (None, ApplicationStatus.SCREENING)
    assert first.changed_at == added.status_changed_at and first.notes is None


def _writer(db: DatabaseManager) -> sqlite3.Connection | psycopg.Connection[Any]:
    """Another connection holding an uncommitted write, as a concurrent writer would."""
    url = db.engine.url
    if db.config.database_type == "sqlite":
        conn = sqlite3.connect(existing(url.database), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO users (email, email_key, skills) VALUES ('w@x.org', 'w', '[]')")
        return conn
    server = psycopg.connect(url.set(drivername="postgresql").render_as_string(False))
    server.execute("INSERT INTO users (email, email_key, skills) VALUES ('w@x.org', 'w', '[]')")
    return server


# In-memory SQLite has one shared connection: there is no concurrent writer to wait for.
@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_statistics_do_not_wait_for_a_writer(db: DatabaseManager, user: User) -> None:
    DatabaseUtils.add_job_application(user.id, "Dev", "Co")
    writer = _writer(db)
    results: list[dict[str, Any]] = []
    try:
        reader = threading.Thread(
            target=lambda: results.append(DatabaseUtils.get_application_statistics(user.id)),
            daemon=True,
        )
        reader.start()
        reader.join(timeout=5)
        assert results and results[0]["total_applications"] == 1, "statistics waited"
    finally:
        writer.rollback()
        writer.close()
        reader.join()


# Only a SQLite file has a write lock to wait for at BEGIN.
@pytest.mark.parametrize("engine_name", ["sqlite_file"])
def test_a_busy_database_at_begin_is_a_database_error(db: DatabaseManager, tmp_path: Path) -> None:
    manager = DatabaseManager(dataclasses.replace(db.config, timeout=1))
    writer = _writer(db)
    try:
        with (
            pytest.raises(DatabaseError, match=r"busy|locked") as info,
            manager.session_scope() as s,
        ):
            s.connection()
        assert info.value.__cause__ is not None
    finally:
        writer.rollback()
        writer.close()
        manager.close()


def test_a_connection_used_a_moment_ago_is_not_pinged(
    db: DatabaseManager, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = []
    dialect = db.engine.dialect
    real_ping = dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return real_ping(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counted)
    DatabaseUtils.get_application_statistics(user.id)
    DatabaseUtils.add_job_application(user.id, "Dev", "Co")
    DatabaseUtils.get_application_statistics(user.id)
    assert pings == []


# Only a server connection can be lost while idle.
@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_connection_lost_while_idle_is_replaced(
    db: DatabaseManager, user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    DatabaseUtils.get_application_statistics(user.id)  # a connection now sits in the pool
    monkeypatch.setattr(database.core.engine, "PING_AFTER_IDLE", 0.0)
    server = make_url(db.engine.url).set(drivername="postgresql")
    with psycopg.connect(server.render_as_string(False), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'auto_applyer'"
            " AND pid <> pg_backend_pid()"  # through PgBouncer, its server session may be one
        )
    assert DatabaseUtils.get_application_statistics(user.id)["total_applications"] == 0
    assert DatabaseUtils.add_job_application(user.id, "Dev", "Co").id > 0


@pytest.mark.parametrize(
    "moment",
    [datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 3, 4, 5, 6, 7, 89, tzinfo=UTC),
     datetime(2024, 3, 4, 7, 6, 7, tzinfo=timezone(timedelta(hours=2)))],
)  # fmt: skip
def test_statistics_cutoff_is_stored_time_text_on_sqlite(moment: datetime) -> None:
    engine_text = UTCDateTime().dialect_impl(sqlite_dialect).bind_processor(sqlite_dialect)
    assert engine_text is not None
    assert sqlite_time(moment) == engine_text(moment)
