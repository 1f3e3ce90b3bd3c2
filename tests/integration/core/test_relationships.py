"""Model relationships: loaded by the getters, usable detached, never SQL from a detached object.

Also ``to_dict()`` on every model: JSON-ready, columns only unless asked, no secrets.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import DetachedInstanceError

from database.connection import DatabaseManager, db_session_scope, get_database_manager
from database.domain import accounts, idempotency, organizations
from database.domain.notifications import calendar
from database.models import (
    AlertState,
    ApplicationNote,
    ApplicationStatusHistory,
    Base,
    JobApplication,
    MaintenanceLock,
    MaintenanceRun,
    MaintenanceRunState,
    MetricSample,
    Resume,
    SearchHistory,
    User,
)
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.notification_objects import reminder_of
from tests.support.tracker_objects import tracker_rows
from tests.support.webhook_objects import WEBHOOK_MAKERS
from utils.errors import AuthenticationError, ValidationError


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements the engine runs inside the block."""
    seen: list[str] = []
    engine = get_database_manager().engine

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def server_bookkeeping() -> list[Base]:
    """One row of each table the server keeps for itself (maintenance, monitoring)."""
    now = datetime.now(UTC)
    return [
        MaintenanceRun(state=MaintenanceRunState.SUCCEEDED, trigger="cli", summary={"archived": 1}),
        MaintenanceLock(name="maintenance", holder="host:1", expires_at=now),
        MetricSample(name="pool.checked_out", value=1.0),
        AlertState(rule="slow_query_p95", firing=True, since=now, value=250.0, episodes=1),
    ]


@pytest.fixture
def data(db: DatabaseManager) -> dict[str, Any]:
    user = DatabaseUtils.create_user(email="ann@example.com", password="correct horse battery")
    old = DatabaseUtils.add_resume(user.id, "old.pdf", "/r/old.pdf")
    resume = DatabaseUtils.add_resume(user.id, "cv.pdf", "/r/cv.pdf")
    application = DatabaseUtils.add_job_application(
        user.id, "Dev", "Co", resume_id=resume.id, notes="own notes"
    )
    DatabaseUtils.update_application_status(application.id, "screening", notes="screen")
    note = DatabaseUtils.add_application_note(application.id, "called")
    DatabaseUtils.add_job_application(user.id, "Ops", "Co")
    DatabaseUtils.add_search_history(user.id, job_title="Dev", sources_searched=["linkedin"])
    DatabaseUtils.cache_ai_analysis("job:1", "match", {"score": 0.8, "tags": ["a"]})
    DatabaseUtils.set_setting("theme", "dark")
    with db.session_scope() as session:
        accounts.create_api_key(session, user.id, "laptop")
        centre = organizations.create_organization(session, user.id, "Career Centre")
        organizations.invite(session, user.id, centre.id, "bob@example.com", "member")
        request = idempotency.IdempotentRequest("retry-1", "POST", "/x", "0" * 64)
        assert idempotency.claim(session, user.id, request) is None
        idempotency.record(session, user.id, request, idempotency.StoredResponse(201, "{}", "a/b"))
        reminder_of(session, user.id, application.id)
        calendar.rotate_secret(session, user.id)
        for make in WEBHOOK_MAKERS.values():
            make(session, user.id)
        session.add_all(server_bookkeeping())
        tracker_rows(session, user.id, application.id)
    with pytest.raises(AuthenticationError):
        accounts.sign_in_recorded(db.session_scope, "ann@example.com", "wrong", "192.0.2.1")
    return {"user": user, "resumes": [resume, old], "application": application, "note": note}


def test_a_user_comes_with_preferences_and_resumes_loaded(data: dict[str, Any]) -> None:
    for user in (
        existing(DatabaseUtils.get_user_by_id(data["user"].id)),
        existing(DatabaseUtils.get_user_by_email("ANN@example.com")),
    ):
        with statements() as seen:
            assert existing(user.preferences).user is user
            assert [r.id for r in user.resumes] == [r.id for r in data["resumes"]]
            assert all(r.user is user for r in user.resumes)
        assert seen == []


def test_an_application_comes_with_user_resume_history_and_notes_log(data: dict[str, Any]) -> None:
    application = existing(DatabaseUtils.get_application(data["application"].id))
    with statements() as seen:
        assert application.user.email == "ann@example.com"
        assert existing(application.resume).id == data["resumes"][0].id
        assert [h.to_status.value for h in application.history] == ["applied", "screening"]
        assert [n.body for n in application.notes_log] == ["called"]
        assert application.history[0].application is application
        assert application.notes_log[0].application is application
        assert application.notes == "own notes"
    assert seen == []


def test_resumes_come_with_their_user(data: dict[str, Any]) -> None:
    resume = existing(DatabaseUtils.get_resume(data["resumes"][0].id))
    listed = DatabaseUtils.get_user_resumes(data["user"].id, active_only=False)
    with statements() as seen:
        assert resume.user.email == "ann@example.com"
        assert {r.user.id for r in listed} == {data["user"].id}
    assert seen == []


@pytest.mark.parametrize(
    ("get", "name", "hint"),
    [
        (lambda d: DatabaseUtils.get_user_by_id(d["user"].id), "applications",
         "DatabaseUtils.get_user_applications(user_id)"),
        (lambda d: DatabaseUtils.get_user_by_id(d["user"].id), "search_history",
         "DatabaseUtils.get_search_history(user_id)"),
        (lambda d: DatabaseUtils.get_resume(d["resumes"][0].id), "applications",
         "selectinload(Resume.applications)"),
        (lambda d: DatabaseUtils.get_user_applications(d["user"].id)[0], "history",
         "DatabaseUtils.get_application(application_id)"),
        (lambda d: DatabaseUtils.get_application_history(d["application"].id)[0],
         "application", "DatabaseUtils.get_application(application_id)"),
        (lambda d: DatabaseUtils.get_application_note(d["note"].id), "application",
         "selectinload(ApplicationNote.application)"),
    ],
)  # fmt: skip
def test_an_unloaded_relationship_of_a_detached_object_says_how_to_load_it(
    data: dict[str, Any], get: Callable[[dict[str, Any]], Any], name: str, hint: str
) -> None:
    detached = get(data)
    with statements() as seen, pytest.raises(DetachedInstanceError) as info:
        getattr(detached, name)
    assert seen == []
    owner = type(detached).__name__
    assert f"{owner}.{name} was not loaded" in str(info.value)
    assert hint in str(info.value)


def test_inside_a_session_relationships_load_lazily(data: dict[str, Any]) -> None:
    with db_session_scope() as session:
        user = existing(session.get(User, data["user"].id))
        assert sorted(a.job_title for a in user.applications) == ["Dev", "Ops"]
        assert [s.job_title for s in user.search_history] == ["Dev"]
        resume = existing(session.get(Resume, data["resumes"][0].id))
        assert [a.id for a in resume.applications] == [data["application"].id]
        note = existing(session.get(ApplicationNote, data["note"].id))
        assert note.application.user is user


def test_eager_loading_inside_a_session_with_options(data: dict[str, Any]) -> None:
    with db_session_scope() as session:
        user = session.scalars(
            select(User).options(
                selectinload(User.applications).selectinload(JobApplication.history)
            )
        ).one()
    with statements() as seen:
        assert {a.job_title: len(a.history) for a in user.applications} == {"Dev": 2, "Ops": 1}
    assert seen == []


def test_deleting_through_the_orm_leaves_the_cascade_to_the_database(data: dict[str, Any]) -> None:
    application_id = data["application"].id
    with db_session_scope() as session, statements() as seen:
        session.delete(session.get(JobApplication, application_id))
    assert not [s for s in seen if "application_status_history" in s or "application_notes" in s]
    with db_session_scope() as session:
        for model in (ApplicationStatusHistory, ApplicationNote):
            rows = session.scalars(select(model).where(model.application_id == application_id))
            assert list(rows) == []


def _one_of_each(data: dict[str, Any]) -> dict[type[Base], Any]:
    with db_session_scope() as session:
        return {
            mapper.class_: session.scalars(
                select(mapper.class_).order_by(*mapper.primary_key).limit(1)
            ).one()
            for mapper in Base.registry.mappers
        }


def test_to_dict_of_every_model_is_json_ready_and_keeps_secrets(data: dict[str, Any]) -> None:
    rows = _one_of_each(data)
    assert len(rows) == len(Base.registry.mappers) >= 10
    for model, row in rows.items():
        as_dict = row.to_dict()
        decoded = json.loads(json.dumps(as_dict))
        assert decoded == as_dict, model
        internal = {
            "password_hash", "email_key", "url_key", "posting_key", "search_vector", "token_hash",
            "secret", "name_key",
        }  # fmt: skip
        assert not internal & set(as_dict), model
        keys = {column.key for column in model.__mapper__.primary_key}
        relationships = set(model.__mapper__.relationships.keys())
        assert keys <= set(as_dict) and not set(as_dict) & relationships
    user = rows[User].to_dict()
    assert user["email"] == "ann@example.com" and user["skills"] == []
    assert datetime.fromisoformat(user["created_at"]).tzinfo == UTC
    assert user["created_at"].endswith("+00:00")
    application = rows[JobApplication].to_dict()
    assert application["status"] == "screening" and application["notes"] == "own notes"
    assert rows[SearchHistory].to_dict()["sources_searched"] == ["linkedin"]


def test_to_dict_includes_loaded_relationships_when_asked(data: dict[str, Any]) -> None:
    application = existing(DatabaseUtils.get_application(data["application"].id))
    as_dict = application.to_dict(include=("history", "notes_log", "user", "resume"))
    json.dumps(as_dict)
    assert [h["to_status"] for h in as_dict["history"]] == ["applied", "screening"]
    assert [n["body"] for n in as_dict["notes_log"]] == ["called"]
    assert as_dict["user"]["email"] == "ann@example.com"
    assert "password_hash" not in as_dict["user"]
    assert as_dict["resume"]["filename"] == "cv.pdf"
    ops = next(
        a for a in DatabaseUtils.get_user_applications(data["user"].id) if a.job_title == "Ops"
    )
    assert (
        existing(DatabaseUtils.get_application(ops.id)).to_dict(include="resume")["resume"] is None
    )
    with pytest.raises(ValidationError) as info:
        application.to_dict(include=("password_hash",))
    assert info.value.field == "include"
    with pytest.raises(DetachedInstanceError):
        application.user.to_dict(include=("applications",))
