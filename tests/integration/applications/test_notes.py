"""An application's own notes, status-change notes, the notes log and the timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager, db_session_scope
from database.models import (
    ApplicationNote,
    ApplicationStatus,
    ApplicationStatusHistory,
    JobApplication,
    User,
)
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.snapshot import snapshot
from utils.errors import ValidationError

OWN_NOTES = "referral from Tom, contact Anna at anna@example.com"


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com")


@pytest.fixture
def application(user: User) -> JobApplication:
    return DatabaseUtils.add_job_application(user.id, "Dev", "Co", notes=OWN_NOTES)


def test_a_status_change_with_notes_keeps_the_applications_own_notes(
    application: JobApplication,
) -> None:
    DatabaseUtils.update_application_status(
        application.id, ApplicationStatus.SCREENING, notes="Phone screen booked"
    )
    returned = DatabaseUtils.update_application_status(
        application.id, ApplicationStatus.INTERVIEWED, notes="Moved on the board"
    )
    assert returned.notes == OWN_NOTES
    assert existing(DatabaseUtils.get_application(application.id)).notes == OWN_NOTES
    history = DatabaseUtils.get_application_history(application.id)
    assert [h.notes for h in history] == [None, "Phone screen booked", "Moved on the board"]


def test_interview_details_still_update_the_application(application: JobApplication) -> None:
    when = datetime(2026, 3, 4, 10, tzinfo=UTC)
    DatabaseUtils.update_application_status(
        application.id, "interview_scheduled", notes="Panel", interview_date=when,
        interview_type="video",
    )  # fmt: skip
    stored = existing(DatabaseUtils.get_application(application.id))
    assert (stored.interview_date, stored.interview_type, stored.notes) == (
        when,
        "video",
        OWN_NOTES,
    )


def test_notes_with_an_unchanged_status_go_to_the_log_not_the_application(
    application: JobApplication,
) -> None:
    DatabaseUtils.update_application_status(application.id, "applied", notes="Followed up")
    DatabaseUtils.update_application_status(application.id, "applied", notes="   ")
    assert existing(DatabaseUtils.get_application(application.id)).notes == OWN_NOTES
    assert len(DatabaseUtils.get_application_history(application.id)) == 1
    assert [n.body for n in DatabaseUtils.get_application_notes(application.id)] == ["Followed up"]


def test_notes_log_add_list_update_delete_in_order(user: User, application: JobApplication) -> None:
    first = DatabaseUtils.add_application_note(application.id, "Called Anna")
    second = DatabaseUtils.add_application_note(application.id, "  Sent portfolio\n")
    assert (first.user_id, first.application_id) == (user.id, application.id)
    assert first.created_at.tzinfo is UTC
    log = DatabaseUtils.get_application_notes(application.id)
    expected = [(first.id, "Called Anna"), (second.id, "  Sent portfolio\n")]
    assert [(n.id, n.body) for n in log] == expected

    changed = DatabaseUtils.update_application_note(first.id, "Called Anna: call back Friday")
    assert changed.body == "Called Anna: call back Friday"
    assert changed.created_at == first.created_at
    assert changed.updated_at >= first.updated_at
    assert [n.id for n in DatabaseUtils.get_application_notes(application.id)] == [
        first.id,
        second.id,
    ]
    assert existing(DatabaseUtils.get_application_note(first.id)).body == changed.body

    assert DatabaseUtils.delete_application_note(first.id) is True
    assert DatabaseUtils.get_application_note(first.id) is None
    assert [n.id for n in DatabaseUtils.get_application_notes(application.id)] == [second.id]
    assert existing(DatabaseUtils.get_application(application.id)).notes == OWN_NOTES


@pytest.mark.parametrize("body", ["", "   \n\t", "a\x00b", 5, None, ["x"], b"bytes"])
def test_a_bad_note_body_is_refused_on_body_and_changes_nothing(
    application: JobApplication, body: Any
) -> None:
    note = DatabaseUtils.add_application_note(application.id, "kept")
    before = snapshot()
    call: Callable[[], object]
    for call in (
        lambda: DatabaseUtils.add_application_note(application.id, body),
        lambda: DatabaseUtils.update_application_note(note.id, body),
    ):
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field == "body"
    assert snapshot() == before


def test_unknown_ids_are_validation_errors_on_the_id_field(application: JobApplication) -> None:
    cases = {
        "application_id": (
            lambda: DatabaseUtils.add_application_note(987654, "x"),
            lambda: DatabaseUtils.get_application_notes(987654),
            lambda: DatabaseUtils.get_application_timeline(987654),
            lambda: DatabaseUtils.get_application_notes("1"),  # type: ignore[arg-type]
        ),
        "note_id": (
            lambda: DatabaseUtils.update_application_note(987654, "x"),
            lambda: DatabaseUtils.delete_application_note(987654),
            lambda: DatabaseUtils.get_application_note(0),
        ),
    }
    for field, calls in cases.items():
        for call in calls:
            with pytest.raises(ValidationError) as info:
                call()
            assert info.value.field == field
    assert DatabaseUtils.get_application_note(987654) is None


def test_deleting_the_application_or_the_user_deletes_its_notes(
    user: User, application: JobApplication
) -> None:
    DatabaseUtils.add_application_note(application.id, "one")
    other = DatabaseUtils.add_job_application(user.id, "Ops", "Co")
    DatabaseUtils.add_application_note(other.id, "two")
    DatabaseUtils.delete_application(application.id)
    with db_session_scope() as session:
        assert list(session.scalars(select(ApplicationNote.body))) == ["two"]
    DatabaseUtils.delete_user(user.id)
    with db_session_scope() as session:
        assert list(session.scalars(select(ApplicationNote.body))) == []


def test_timeline_merges_moves_and_notes_in_time_order(application: JobApplication) -> None:
    DatabaseUtils.add_application_note(application.id, "Called Anna")
    DatabaseUtils.update_application_status(application.id, "screening", notes="Screen booked")
    DatabaseUtils.add_application_note(application.id, "Sent portfolio")
    DatabaseUtils.update_application_status(application.id, "interviewed")
    timeline = DatabaseUtils.get_application_timeline(application.id)
    keys = ("kind", "from_status", "to_status", "notes", "body")
    assert [tuple(e[k] for k in keys) for e in timeline] == [
        ("status", None, "applied", None, None),
        ("note", None, None, None, "Called Anna"),
        ("status", "applied", "screening", "Screen booked", None),
        ("note", None, None, None, "Sent portfolio"),
        ("status", "screening", "interviewed", None, None),
    ]  # fmt: skip
    times = [e["at"] for e in timeline]
    assert times == sorted(times) and all(t.tzinfo is UTC for t in times)


def test_a_move_and_a_note_at_the_same_instant_list_the_move_first(
    application: JobApplication,
) -> None:
    note = DatabaseUtils.add_application_note(application.id, "same time")
    with db_session_scope() as session:
        first = session.scalars(
            select(ApplicationStatusHistory).where(
                ApplicationStatusHistory.application_id == application.id
            )
        ).one()
        existing(session.get(ApplicationNote, note.id)).created_at = first.changed_at
    assert [e["kind"] for e in DatabaseUtils.get_application_timeline(application.id)] == [
        "status",
        "note",
    ]
