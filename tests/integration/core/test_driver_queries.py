"""Reads on the driver's cursor give what the engine gives, whatever the values bound."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, func, select, text

from database.connection import DatabaseManager
from database.core import statements
from database.core.statements import fetch_dicts, session_dicts
from database.models import JobApplication, User
from database.utilities import DatabaseUtils


def _engine_rows(session: object, statement: object) -> list[dict[str, object]]:
    return [dict(row) for row in session.execute(statement).mappings()]  # type: ignore[attr-defined]


def _applications_of(user_id: int) -> object:
    app = JobApplication
    return (
        select(app.id, app.status, app.is_remote, app.match_score, app.application_date,
               app.interview_date, app.archived_at)
        .where(app.user_id == user_id)
        .order_by(app.id)
    )  # fmt: skip


def test_rows_are_converted_as_the_engine_converts_them(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="driver@example.com")
    DatabaseUtils.add_job_application(
        user.id, "Engineer", "Acme", is_remote=True, match_score=0.75,
        application_date=datetime(2024, 5, 1, 9, 30, tzinfo=UTC),
    )  # fmt: skip
    DatabaseUtils.add_job_application(user.id, "Analyst", "Beta")
    with db.session_scope() as session:
        rows = session_dicts(session, _applications_of(user.id))  # type: ignore[arg-type]
        assert rows == _engine_rows(session, _applications_of(user.id))
    assert [type(row["is_remote"]) for row in rows] == [bool, bool]
    assert rows[0]["application_date"] == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert rows[0]["application_date"].utcoffset().total_seconds() == 0
    assert rows[1]["interview_date"] is None


def test_one_compiled_shape_serves_each_statement_its_own_values(db: DatabaseManager) -> None:
    first = DatabaseUtils.create_user(email="first@example.com")
    second = DatabaseUtils.create_user(email="second@example.com")
    for title in ("One", "Two"):
        DatabaseUtils.add_job_application(first.id, title, "Acme")
    DatabaseUtils.add_job_application(second.id, "Three", "Beta")
    with db.session_scope() as session:
        conn = session.connection()
        before = len(statements._queries)
        mine = fetch_dicts(conn, select(JobApplication.job_title).where(
            JobApplication.user_id == first.id).order_by(JobApplication.id))  # fmt: skip
        theirs = fetch_dicts(conn, select(JobApplication.job_title).where(
            JobApplication.user_id == second.id).order_by(JobApplication.id))  # fmt: skip
        assert len(statements._queries) <= before + 1
    assert [row["job_title"] for row in mine] == ["One", "Two"]
    assert [row["job_title"] for row in theirs] == ["Three"]


def test_a_statement_whose_sql_depends_on_its_values_runs_through_the_engine(
    db: DatabaseManager,
) -> None:
    user = DatabaseUtils.create_user(email="in-list@example.com")
    ids = [DatabaseUtils.add_job_application(user.id, f"Role {i}", "Acme").id for i in range(3)]
    with db.session_scope() as session:
        for wanted in (ids[:1], ids):
            listed = select(JobApplication.id).where(JobApplication.id.in_(wanted))
            rows = session_dicts(session, listed.order_by(JobApplication.id))
            assert [row["id"] for row in rows] == wanted


def test_pending_changes_are_flushed_before_the_read(db: DatabaseManager) -> None:
    with db.session_scope() as session:
        session.add(User(email="pending@example.com"))
        counted = select(func.count().label("users")).select_from(User)
        assert session_dicts(session, counted) == [{"users": 1}]


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_postgresql_sessions_are_in_utc(db: DatabaseManager) -> None:
    with db.session_scope() as session:
        assert session.execute(text("SHOW TIME ZONE")).scalar() == "UTC"


def test_values_given_by_params_are_the_ones_bound(db: DatabaseManager) -> None:
    first = DatabaseUtils.create_user(email="named-first@example.com")
    second = DatabaseUtils.create_user(email="named-second@example.com")
    DatabaseUtils.add_job_application(second.id, "Only", "Beta")
    app = JobApplication
    named = select(app.job_title).where(app.user_id == bindparam("owner", required=False))
    with db.session_scope() as session:
        assert session_dicts(session, named.params(owner=first.id)) == []
        assert session_dicts(session, named.params(owner=second.id)) == [{"job_title": "Only"}]
