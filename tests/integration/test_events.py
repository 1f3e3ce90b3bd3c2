"""The outbox: every change to a person's data writes one event, in the change's transaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.domain import events
from database.domain.organizations import (
    accept_invitation,
    change_role,
    create_organization,
    invite,
    leave,
    remove_member,
)
from database.io import personal_backup, personal_import
from database.io.backup import BackupManager
from database.models import MAX_EVENT_PAYLOAD_CHARS, Event, EventKind
from database.utilities import DatabaseUtils
from utils.errors import ValidationError


def kinds(user_id: int, since: int = 0) -> list[str]:
    return [e.kind.value for e in DatabaseUtils.get_events(user_id, since=since)]


def payload(event: Event) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(event.payload)
    return loaded


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def test_adding_an_application_writes_one_created_event(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    [event] = DatabaseUtils.get_events(user_id)
    assert (event.kind, event.entity, event.entity_id) == (
        EventKind.APPLICATION_CREATED,
        "application",
        application.id,
    )
    assert event.user_id == user_id and event.organization_id is None
    assert payload(event) == {"status": "applied"}
    assert event.created_at.tzinfo is not None


def test_each_change_of_an_application_writes_its_event(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    DatabaseUtils.update_application(application.id, company="Acme GmbH", salary_max=90000)
    DatabaseUtils.update_application_status(application.id, "screening", notes="call")
    note = DatabaseUtils.add_application_note(application.id, "a private thought")
    DatabaseUtils.update_application_note(note.id, "another thought")
    DatabaseUtils.delete_application_note(note.id)
    DatabaseUtils.delete_application(application.id)
    found = DatabaseUtils.get_events(user_id)
    assert [e.kind.value for e in found] == [
        "application.created",
        "application.updated",
        "application.status_changed",
        "application.updated",
        "application.updated",
        "application.updated",
        "application.deleted",
    ]
    assert {e.entity_id for e in found} == {application.id}
    assert payload(found[1]) == {"fields": ["company", "salary_max"]}
    assert payload(found[2]) == {"fields": [], "from": "applied", "to": "screening"}
    assert [payload(e)["note"] for e in found[3:6]] == ["added", "changed", "removed"]


def test_a_status_given_again_with_interview_details_is_an_update(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    DatabaseUtils.update_application_status(application.id, "applied", interview_type="phone")
    last = DatabaseUtils.get_events(user_id)[-1]
    assert last.kind is EventKind.APPLICATION_UPDATED
    assert payload(last) == {"fields": ["interview_type"]}


def test_a_resume_bulk_add_and_csv_import_write_their_events(user_id: int, tmp_path: Path) -> None:
    resume = DatabaseUtils.add_resume(user_id, "cv.pdf", "/tmp/cv.pdf")
    DatabaseUtils.bulk_add_job_applications(
        user_id, [{"job_title": "A", "company": "X"}, {"job_title": "B", "company": "Y"}]
    )
    csv = tmp_path / "jobs.csv"
    csv.write_text("job_title,company\nA,X\nC,Z\n,missing title\n", encoding="utf-8")
    DatabaseUtils.import_applications_csv(user_id, csv)
    found = DatabaseUtils.get_events(user_id)
    assert [e.kind.value for e in found] == ["resume.added", "import.finished", "import.finished"]
    assert found[0].entity_id == resume.id
    assert payload(found[1]) == {
        "added": 2, "rejected": 0, "skipped": 0, "source": "bulk", "updated": 0,
    }  # fmt: skip
    assert payload(found[2]) == {
        "added": 1, "rejected": 1, "skipped": 1, "source": "csv", "updated": 0,
    }  # fmt: skip


def test_a_personal_backup_import_writes_an_import_event(
    db: DatabaseManager, user_id: int, tmp_path: Path
) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    other = DatabaseUtils.create_user("bob@example.com").id
    with db.session_scope() as session:
        document = personal_backup.export_personal(session, user_id, tmp_path)
    with db.session_scope() as session:
        personal_import.import_personal(session, other, document, tmp_path / "resumes")
    [event] = DatabaseUtils.get_events(other)
    assert event.kind is EventKind.IMPORT_FINISHED
    assert payload(event)["source"] == "personal_backup"
    assert payload(event)["applications"] == 1


def test_membership_changes_write_events_of_the_member_in_the_organization(
    db: DatabaseManager,
) -> None:
    owner = DatabaseUtils.create_user("owner@example.com").id
    member = DatabaseUtils.create_user("member@example.com").id
    with db.session_scope() as session:
        organization = create_organization(session, owner, "Career Lab").id
        invited = invite(session, owner, organization, "member@example.com", "member")
        assert invited is not None
        accept_invitation(session, member, invited[1])
        change_role(session, owner, organization, member, "coach")
        remove_member(session, owner, organization, member)
    with db.session_scope() as session:
        invited = invite(session, owner, organization, "member@example.com", "member")
        assert invited is not None
        accept_invitation(session, member, invited[1])
        leave(session, member, organization)
    assert kinds(owner) == ["membership.changed"]
    member_events = DatabaseUtils.get_events(member)
    assert [payload(e)["change"] for e in member_events] == [
        "joined", "role_changed", "removed", "joined", "left",
    ]  # fmt: skip
    assert {e.organization_id for e in member_events} == {organization}
    assert payload(member_events[1])["role"] == "coach"


def test_a_backup_writes_a_system_event_once_its_file_is_complete(
    db: DatabaseManager, user_id: int, tmp_path: Path
) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    path = BackupManager(tmp_path).create_backup("nightly")
    with db.session_scope() as session:
        newest = session.scalars(select(Event).order_by(Event.id.desc())).first()
        assert newest is not None
        assert (newest.kind, newest.user_id, newest.organization_id) == (
            EventKind.BACKUP_FINISHED,
            None,
            None,
        )
        assert payload(newest) == {"name": Path(path).name}
    assert "events" not in json.loads(Path(path).read_bytes())["data"]
    assert kinds(user_id) == ["application.created"]  # a system event is nobody's


def test_event_ids_keep_increasing_after_a_restore(
    db: DatabaseManager, user_id: int, tmp_path: Path
) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    backups = BackupManager(tmp_path)
    path = backups.create_backup("before")
    with db.session_scope() as session:
        newest = events.last_id(session)
    backups.restore_backup(path, confirm=True, safety_backup=False)
    assert DatabaseUtils.get_events(user_id) == []  # the restored people come without events
    DatabaseUtils.add_job_application(user_id, "Tester", "Acme")
    [event] = DatabaseUtils.get_events(user_id)
    assert event.id > newest


def test_a_failed_change_leaves_no_event(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    with pytest.raises(ValidationError):
        DatabaseUtils.add_job_application(user_id, "Engineer", "Acme", resume_id=999_999)
    with pytest.raises(ValidationError):
        DatabaseUtils.update_application(application.id, salary_min=10, salary_max=5)
    with pytest.raises(ValidationError):
        DatabaseUtils.bulk_add_job_applications(user_id, [{"job_title": "A"}])
    assert kinds(user_id) == ["application.created"]


def test_an_event_rolls_back_with_its_transaction(db: DatabaseManager, user_id: int) -> None:
    with pytest.raises(RuntimeError), db.session_scope() as session:
        events.record(session, EventKind.REMINDER_DUE, "reminder", None, user_id=user_id)
        raise RuntimeError("the change failed after its event was written")
    assert DatabaseUtils.get_events(user_id) == []


def test_every_kind_of_the_vocabulary_is_storable_and_ids_increase(
    db: DatabaseManager, user_id: int
) -> None:
    with db.session_scope() as session:
        ids = [
            events.record(session, kind, "test", None, user_id=user_id, payload={"n": i})
            for i, kind in enumerate(EventKind)
        ]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert kinds(user_id) == [kind.value for kind in EventKind]
    assert {"application.archived", "reminder.due"} <= set(kinds(user_id))


def test_an_id_is_never_handed_out_again_after_the_newest_event_is_deleted(
    db: DatabaseManager, user_id: int
) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    DatabaseUtils.add_job_application(other, "Engineer", "Acme")
    with db.session_scope() as session:
        newest = events.last_id(session)
    DatabaseUtils.delete_user(other)  # its events go with it, the newest one among them
    DatabaseUtils.add_job_application(user_id, "Tester", "Acme")
    assert DatabaseUtils.get_events(user_id)[-1].id > newest


def test_payloads_are_small_and_hold_no_secret_or_data(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(
        user_id, "Engineer", "Acme", notes="my salary wish is secret", job_url="https://x.test/1"
    )
    DatabaseUtils.update_application(application.id, notes="still secret")
    DatabaseUtils.add_application_note(application.id, "the recruiter's phone number")
    for event in DatabaseUtils.get_events(user_id):
        assert len(event.payload) <= 200
        for word in ("secret", "phone", "x.test", "Engineer", "Acme"):
            assert word not in event.payload


def test_a_payload_too_large_or_not_json_is_refused(db: DatabaseManager, user_id: int) -> None:
    with db.session_scope() as session:
        with pytest.raises(ValidationError) as info:
            events.record(
                session, EventKind.REMINDER_DUE, "reminder", None, user_id=user_id,
                payload={"text": "x" * MAX_EVENT_PAYLOAD_CHARS},
            )  # fmt: skip
        assert info.value.field == "payload"
        with pytest.raises(ValidationError):
            events.record(
                session, EventKind.REMINDER_DUE, "reminder", None, user_id=user_id,
                payload={"when": object()},
            )  # fmt: skip


def test_reading_after_an_id_pages_in_id_order(user_id: int) -> None:
    for title in ("A", "B", "C", "D", "E"):
        DatabaseUtils.add_job_application(user_id, title, "Acme")
    first = DatabaseUtils.get_events(user_id, limit=2)
    rest = DatabaseUtils.get_events(user_id, since=first[-1].id, limit=10)
    ids = [e.id for e in first + rest]
    assert len(first) == 2 and len(ids) == 5 and ids == sorted(ids)
    assert DatabaseUtils.get_events(user_id, since=ids[-1]) == []


@pytest.mark.parametrize(("since", "limit"), [(-1, 10), (0, 0), (0, 1001), ("1", 10), (0, True)])
def test_a_bad_since_or_limit_is_refused(user_id: int, since: Any, limit: Any) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.get_events(user_id, since=since, limit=limit)
    assert info.value.field in {"since", "limit"}


def test_the_last_id_is_that_of_the_newest_event(db: DatabaseManager, user_id: int) -> None:
    with db.session_scope() as session:
        assert events.last_id(session) == 0
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    newest = DatabaseUtils.get_events(user_id)[-1].id
    with db.session_scope() as session:
        assert events.last_id(session) == newest


def test_as_message_carries_id_kind_entity_and_entity_id(user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    message = events.as_message(DatabaseUtils.get_events(user_id)[0])
    assert message["kind"] == "application.created" and message["entity"] == "application"
    assert message["entity_id"] == application.id and message["payload"] == {"status": "applied"}
    json.dumps(message)
