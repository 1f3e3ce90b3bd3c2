"""Archiving: one application, all of a status, the rule on its time boundaries, and listings."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.core.session import db_session_scope
from database.domain import archiving, events
from database.models import EventKind, JobApplication, UserPreferences
from database.utilities import DatabaseUtils
from tests.support.statements import statements_sent
from utils.errors import ValidationError

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def user(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(email="arch@example.com").id


def _application(user_id: int, company: str, status: str = "applied") -> int:
    return DatabaseUtils.add_job_application(user_id, "Engineer", company, status=status).id


def _moved_at(application_id: int, when: object) -> None:
    """Set the application's last move by hand (the rule reads ``status_changed_at``)."""
    with db_session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == application_id)
            .values(status_changed_at=when)
        )


def _archived_ids(user_id: int) -> set[int]:
    return {a.id for a in DatabaseUtils.find_applications(user_id, archived_only=True)}


def test_archiving_leaves_status_records_history_and_writes_an_event(user: int) -> None:
    app_id = _application(user, "Acme", "rejected")
    with db_session_scope() as session:
        since = events.last_id(session)
    archived = DatabaseUtils.archive_application(app_id)
    assert archived is not None and archived.archived_at is not None
    assert archived.status.value == "rejected"
    last = DatabaseUtils.get_application_history(app_id)[-1]
    assert (last.from_status, last.to_status, last.notes) == (
        archived.status,
        archived.status,
        archiving.ARCHIVED_NOTE,
    )
    with db_session_scope() as session:
        kinds = [e.kind for e in events.read(session, since, user_ids=[user])]
    assert kinds == [EventKind.APPLICATION_ARCHIVED]

    restored = DatabaseUtils.unarchive_application(app_id)
    assert restored is not None and restored.archived_at is None
    assert DatabaseUtils.get_application_history(app_id)[-1].notes == archiving.RESTORED_NOTE
    with db_session_scope() as session:
        kinds = [e.kind for e in events.read(session, since, user_ids=[user])]
    assert kinds == [EventKind.APPLICATION_ARCHIVED, EventKind.APPLICATION_UPDATED]


def test_archiving_twice_changes_nothing_the_second_time(user: int) -> None:
    app_id = _application(user, "Acme")
    first = DatabaseUtils.archive_application(app_id)
    second = DatabaseUtils.archive_application(app_id)
    assert first is not None and second is not None
    assert second.archived_at == first.archived_at
    assert len(DatabaseUtils.get_application_history(app_id)) == 2


def test_an_unknown_application_is_none(user: int) -> None:
    assert DatabaseUtils.archive_application(999_999) is None
    assert DatabaseUtils.unarchive_application(999_999) is None


def test_archived_applications_leave_listings_but_stay_in_search_and_statistics(
    user: int,
) -> None:
    kept = _application(user, "Initech")
    gone = _application(user, "Initrode", "rejected")
    DatabaseUtils.archive_application(gone)

    assert [a.id for a in DatabaseUtils.find_applications(user)] == [kept]
    assert [a.id for a in DatabaseUtils.get_user_applications(user)] == [kept]
    assert DatabaseUtils.count_applications(user) == 1
    everything = DatabaseUtils.find_applications(user, include_archived=True)
    assert {a.id for a in everything} == {kept, gone}
    assert DatabaseUtils.count_applications(user, {"include_archived": True}) == 2
    assert {a.id for a in DatabaseUtils.get_user_applications(user, include_archived=True)} == {
        kept,
        gone,
    }
    assert _archived_ids(user) == {gone}

    hits = {h["id"]: h["archived"] for h in DatabaseUtils.search_applications(user, "engineer")}
    assert hits == {kept: False, gone: True}
    active_hits = DatabaseUtils.search_applications(user, "engineer", include_archived=False)
    assert [h["id"] for h in active_hits] == [kept]

    all_time = DatabaseUtils.get_application_statistics(user)
    assert all_time["total_applications"] == 2
    assert all_time["status_breakdown"]["rejected"] == 1
    active = DatabaseUtils.get_application_statistics(user, include_archived=False)
    assert active["total_applications"] == 1
    assert active["status_breakdown"]["rejected"] == 0


def test_bulk_archive_takes_one_status_of_one_person_only(user: int) -> None:
    other = DatabaseUtils.create_user(email="other@example.com").id
    rejected = [_application(user, f"R{i}", "rejected") for i in range(3)]
    _application(user, "Open")
    withdrawn = _application(user, "W", "withdrawn")
    theirs = _application(other, "Theirs", "rejected")
    with db_session_scope() as session:
        since = events.last_id(session)

    assert DatabaseUtils.archive_applications(user) == 3
    assert _archived_ids(user) == set(rejected)
    with db_session_scope() as session:
        written = events.read(session, since, user_ids=[user, other])
    assert [(e.kind, e.entity_id, e.user_id) for e in written] == [
        (EventKind.APPLICATION_ARCHIVED, app_id, user) for app_id in rejected
    ]
    assert {e.payload for e in written} == {events.payload_json({"status": "rejected"})}
    assert _archived_ids(other) == set()
    assert DatabaseUtils.archive_applications(user) == 0
    assert DatabaseUtils.archive_applications(user, ["withdrawn", "rejected"]) == 1
    assert _archived_ids(user) == {*rejected, withdrawn}
    assert theirs not in _archived_ids(other)
    assert DatabaseUtils.get_application_history(rejected[0])[-1].notes == "Archived"


def test_bulk_archive_refuses_an_unknown_status(user: int) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.archive_applications(user, "lost")
    assert caught.value.field == "status"


def test_the_rule_archives_at_exactly_n_days_and_not_a_second_before(user: int) -> None:
    due = _application(user, "Due", "rejected")
    early = _application(user, "Early", "offer_accepted")
    still_open = _application(user, "Open", "interviewed")
    _moved_at(due, NOW - timedelta(days=90))
    _moved_at(early, NOW - timedelta(days=90) + timedelta(seconds=1))
    _moved_at(still_open, NOW - timedelta(days=400))

    with db_session_scope() as session:
        assert archiving.archive_due_applications(session, now=NOW, dry_run=True) == 1
    assert _archived_ids(user) == set()
    with db_session_scope() as session:
        assert archiving.archive_due_applications(session, now=NOW) == 1
    assert _archived_ids(user) == {due}
    with db_session_scope() as session:
        assert archiving.archive_due_applications(session, now=NOW) == 0
    with db_session_scope() as session:
        later = NOW + timedelta(seconds=1)
        assert archiving.archive_due_applications(session, now=later) == 1
    assert _archived_ids(user) == {due, early}


def test_the_rule_follows_each_persons_preference(user: int) -> None:
    short = DatabaseUtils.create_user(email="short@example.com").id
    off = DatabaseUtils.create_user(email="off@example.com").id
    bare = DatabaseUtils.create_user(email="bare@example.com").id
    DatabaseUtils.update_user_preferences(short, archive_after_days=7)
    DatabaseUtils.update_user_preferences(off, archive_after_days=None)
    with db_session_scope() as session:  # a person without a preferences row: the default
        session.execute(delete(UserPreferences).where(UserPreferences.user_id == bare))
    ids = {}
    for person, days in ((user, 30), (short, 7), (off, 3000), (bare, 90)):
        ids[person] = _application(person, "Acme", "withdrawn")
        _moved_at(ids[person], NOW - timedelta(days=days))

    with db_session_scope() as session:
        assert archiving.archive_due_applications(session, now=NOW) == 2
    archived = {p for p, a in ids.items() if a in _archived_ids(p)}
    assert archived == {short, bare}
    assert DatabaseUtils.get_user_preferences(off).archive_after_days is None  # type: ignore[union-attr]


@pytest.mark.parametrize("days", [0, 3651, -1])
def test_the_preference_is_one_to_3650_days(user: int, days: int) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.update_user_preferences(user, archive_after_days=days)
    assert caught.value.field == "archive_after_days"


def test_the_preference_defaults_to_90_days(user: int) -> None:
    preferences = DatabaseUtils.get_user_preferences(user)
    assert preferences is not None and preferences.archive_after_days == 90
    assert DatabaseUtils.update_user_preferences(user, archive_after_days=3650).archive_after_days
    with db_session_scope() as session:
        stored = session.scalar(
            select(UserPreferences.archive_after_days).where(UserPreferences.user_id == user)
        )
    assert stored == 3650


def test_the_rule_refuses_a_naive_time(db: DatabaseManager) -> None:
    with db_session_scope() as session, pytest.raises(ValidationError):
        archiving.archive_due_applications(session, now=NOW.replace(tzinfo=None))


def test_the_default_listing_and_board_counts_read_the_partial_indexes(
    db: DatabaseManager, user: int
) -> None:
    sqlite = db.engine.dialect.name == "sqlite"
    calls = (
        lambda: DatabaseUtils.find_applications(user, limit=25),
        lambda: DatabaseUtils.get_application_statistics(user, include_archived=False),
    )
    for call in calls:
        reads = [
            (sql, params)
            for sql, params in statements_sent(db.engine, call)
            if "FROM job_applications" in sql
        ]
        assert reads
        with db.engine.connect() as conn:
            if not sqlite:
                # PostgreSQL reads a table this small whole: ask what it would use otherwise.
                conn.exec_driver_sql("SET enable_seqscan = off")
            for sql, params in reads:
                explain = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
                plan = " ".join(
                    str(row[-1]) for row in conn.exec_driver_sql(f"{explain} {sql}", params)
                )
                assert "ix_job_applications_active_" in plan, (sql, plan)
