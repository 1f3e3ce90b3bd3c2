"""The outbox behind row-level security: as the application role, an actor reads only their events.

Queries are deliberately unfiltered (``SELECT ... FROM events``): what comes
back is what the policies of revision 003.6 let through.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.core.tenant import bind_actor
from database.domain import events
from database.domain.organizations import (
    accept_invitation,
    change_role,
    create_organization,
    invite,
)
from database.io.backup import BackupManager
from database.models import EventKind
from database.utilities import DatabaseUtils

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])


@dataclass(frozen=True)
class People:
    owner: int  # founded the Lab
    member: int  # a member of the Lab
    stranger: int  # in no organization
    lab: int


@pytest.fixture
def people(db: DatabaseManager, tmp_path: Path) -> People:
    owner, member, stranger = (
        DatabaseUtils.create_user(f"{name}@example.com").id for name in ("o", "m", "s")
    )
    with db.session_scope() as session:
        lab = create_organization(session, owner, "Lab").id
        invited = invite(session, owner, lab, "m@example.com", "member")
        assert invited is not None
        accept_invitation(session, member, invited[1])
    for user_id in (member, stranger):
        DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    BackupManager(tmp_path).create_backup("nightly")  # a system event
    return People(owner, member, stranger, lab)


def seen(conn: Connection) -> set[tuple[int | None, int | None]]:
    rows = conn.execute(text("SELECT user_id, organization_id FROM events"))
    return {(user_id, organization_id) for user_id, organization_id in rows}


def test_a_person_reads_only_their_own_events(people: People, app_engine: Engine) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.member)
        assert seen(conn) == {(people.member, people.lab), (people.member, None)}
    with app_engine.begin() as conn:
        bind_actor(conn, people.stranger)
        assert seen(conn) == {(people.stranger, None)}


def test_staff_read_their_members_events_but_not_a_strangers_nor_system_events(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.owner)
        assert seen(conn) == {
            (people.owner, people.lab),
            (people.member, people.lab),
            (people.member, None),
        }


def test_with_no_actor_bound_no_event_is_visible(people: People, app_engine: Engine) -> None:
    with app_engine.begin() as conn:
        assert conn.scalar(text("SELECT count(*) FROM events")) == 0


def test_an_event_about_someone_else_cannot_be_written(people: People, app_engine: Engine) -> None:
    with pytest.raises(DBAPIError, match="row-level security"), app_engine.begin() as conn:
        bind_actor(conn, people.member)
        events.record(conn, EventKind.REMINDER_DUE, "reminder", None, user_id=people.stranger)
    with pytest.raises(DBAPIError, match="row-level security"), app_engine.begin() as conn:
        bind_actor(conn, people.member)
        events.record(conn, EventKind.BACKUP_FINISHED, "backup", None, user_id=None)


def test_no_event_can_be_changed_or_deleted_by_the_app_role(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.member)
        assert conn.execute(text("UPDATE events SET entity = 'x'")).rowcount == 0
        assert conn.execute(text("DELETE FROM events")).rowcount == 0
    assert DatabaseUtils.get_events(people.member)[0].entity == "membership"


def test_changes_made_as_the_app_role_write_their_events(
    people: People, app_engine: Engine
) -> None:
    with Session(app_engine) as session, session.begin():
        bind_actor(session, people.member)
        created = events.record(
            session, EventKind.REMINDER_DUE, "reminder", None, user_id=people.member
        )
    with Session(app_engine) as session, session.begin():
        bind_actor(session, people.owner)  # a manager changes a member's membership
        change_role(session, people.owner, people.lab, people.member, "coach")
    member_events = DatabaseUtils.get_events(people.member)
    assert created in {e.id for e in member_events}
    assert member_events[-1].kind is EventKind.MEMBERSHIP_CHANGED
