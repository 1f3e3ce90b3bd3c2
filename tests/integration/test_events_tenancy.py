"""``tenancy.events.events_since``: an actor reads only the events the REST API would show them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.domain.accounts import Actor
from database.domain.organizations import (
    accept_invitation,
    change_role,
    create_organization,
    invite,
    leave,
)
from database.io.backup import BackupManager
from database.models import Event, TokenKind
from database.services.tenancy.events import events_since
from database.utilities import DatabaseUtils


@dataclass(frozen=True)
class World:
    owner: int  # founded the Lab
    coach: int  # the Lab's coach
    member: int  # a member of the Lab and of Elsewhere
    founder: int  # founded Elsewhere (so is staff of the member there, not in the Lab)
    stranger: int  # in no organization
    lab: int
    elsewhere: int


def actor(user_id: int, scope: str = "read") -> Actor:
    return Actor(user_id, TokenKind.ACCESS, frozenset({scope}), False, 0)


def join(db: DatabaseManager, by: int, organization: int, user_id: int, email: str) -> None:
    with db.session_scope() as session:
        invited = invite(session, by, organization, email, "member")
        assert invited is not None
        accept_invitation(session, user_id, invited[1])


@pytest.fixture
def world(db: DatabaseManager) -> World:
    names = ("o", "c", "m", "f", "s")
    ids = {n: DatabaseUtils.create_user(f"{n}@example.com").id for n in names}
    with db.session_scope() as session:
        lab = create_organization(session, ids["o"], "Lab").id
        elsewhere = create_organization(session, ids["f"], "Elsewhere").id
    join(db, ids["o"], lab, ids["c"], "c@example.com")
    with db.session_scope() as session:
        change_role(session, ids["o"], lab, ids["c"], "coach")
    join(db, ids["o"], lab, ids["m"], "m@example.com")
    join(db, ids["f"], elsewhere, ids["m"], "m@example.com")
    for user_id in (ids["m"], ids["s"]):
        DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    return World(ids["o"], ids["c"], ids["m"], ids["f"], ids["s"], lab, elsewhere)


def seen(db: DatabaseManager, user_id: int, since: int = 0) -> list[Event]:
    with db.session_scope() as session:
        return events_since(session, actor(user_id), since, 100)


def owners(found: list[Event]) -> set[int | None]:
    return {e.user_id for e in found}


def test_a_person_reads_all_of_their_own_events_and_nobody_elses(
    db: DatabaseManager, world: World
) -> None:
    mine = seen(db, world.member)
    assert owners(mine) == {world.member}
    assert [e.kind.value for e in mine] == [
        "membership.changed", "membership.changed", "application.created",
    ]  # fmt: skip
    assert {e.organization_id for e in mine} == {world.lab, world.elsewhere, None}
    assert owners(seen(db, world.stranger)) == {world.stranger}


def test_the_staff_of_another_organization_see_only_its_membership_there(
    db: DatabaseManager, world: World
) -> None:
    member_events = [e for e in seen(db, world.founder) if e.user_id == world.member]
    assert {(e.kind.value, e.organization_id) for e in member_events} == {
        ("membership.changed", world.elsewhere),
        ("application.created", None),
    }


@pytest.mark.parametrize("staff", ["owner", "coach"])
def test_staff_read_their_members_personal_events_and_their_organizations(
    db: DatabaseManager, world: World, staff: str
) -> None:
    reader = getattr(world, staff)
    found = seen(db, reader)
    assert world.stranger not in owners(found)
    member_events = [e for e in found if e.user_id == world.member]
    assert {(e.kind.value, e.organization_id) for e in member_events} == {
        ("membership.changed", world.lab),
        ("application.created", None),
    }  # not the member's membership of Elsewhere
    assert all(e.organization_id in (None, world.lab) for e in found)


def test_a_member_reads_no_other_members_events(db: DatabaseManager, world: World) -> None:
    DatabaseUtils.add_job_application(world.coach, "Coach's own", "Acme")
    assert owners(seen(db, world.member)) == {world.member}


def test_staff_stop_reading_a_member_who_left_but_keep_the_leaving(
    db: DatabaseManager, world: World
) -> None:
    with db.session_scope() as session:
        leave(session, world.member, world.lab)
    after_leaving = seen(db, world.coach)[-1].id
    DatabaseUtils.add_job_application(world.member, "Later", "Acme")
    coach_view = seen(db, world.coach)
    assert ("membership.changed", world.member) in {(e.kind.value, e.user_id) for e in coach_view}
    assert seen(db, world.coach, since=after_leaving) == []


def test_system_events_reach_no_actor(db: DatabaseManager, world: World, tmp_path: Path) -> None:
    BackupManager(tmp_path).create_backup("nightly")
    for user_id in (world.owner, world.coach, world.member, world.founder, world.stranger):
        assert None not in owners(seen(db, user_id))
        assert "backup.finished" not in {e.kind.value for e in seen(db, user_id)}


def test_since_and_limit_page_through_what_the_actor_may_see(
    db: DatabaseManager, world: World
) -> None:
    everything = seen(db, world.owner)
    with db.session_scope() as session:
        first = events_since(session, actor(world.owner), 0, 1)
        rest = events_since(session, actor(world.owner), first[0].id, 100)
    assert [e.id for e in first + rest] == [e.id for e in everything]
