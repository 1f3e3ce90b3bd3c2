"""Membership rules: owners stay, organizations stay apart, staff read and never write."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager
from database.domain import organizations as orgs
from database.models import Invitation, Membership, Organization, OrganizationRole
from database.utilities import DatabaseUtils
from tests.integration.organizations.conftest import Team
from tests.support.checks import existing
from utils.errors import ValidationError


def test_the_last_owner_cannot_leave_or_step_down(db: DatabaseManager, team: Team) -> None:
    with db.session_scope() as session:
        assert orgs.leave(session, team["owner2"], team.org) is True
    for attempt in (
        lambda s: orgs.leave(s, team["owner"], team.org),
        lambda s: orgs.change_role(s, team["owner"], team.org, team["owner"], "admin"),
        lambda s: orgs.remove_member(s, team["owner"], team.org, team["owner"]),
    ):
        with pytest.raises(ValidationError) as caught, db.session_scope() as session:
            attempt(session)
        assert caught.value.field == "role"
    with db.session_scope() as session:
        assert existing(orgs.get_organization(session, team["owner"], team.org)).id == team.org


def test_an_owner_can_leave_once_another_member_is_owner(db: DatabaseManager, team: Team) -> None:
    with db.session_scope() as session:
        orgs.leave(session, team["owner2"], team.org)
        orgs.change_role(session, team["owner"], team.org, team["admin"], "owner")
        assert orgs.leave(session, team["owner"], team.org) is True
        assert orgs.get_organization(session, team["owner"], team.org) is None


def test_two_organizations_never_see_each_other(db: DatabaseManager, team: Team) -> None:
    with db.session_scope() as session:
        outsider, owner = team["outsider"], team["owner"]
        assert orgs.get_organization(session, owner, team.other_org) is None
        assert orgs.list_members(session, owner, team.other_org) is None
        assert orgs.invite(session, owner, team.other_org, "x@x.org", "member") is None
        assert orgs.change_role(session, owner, team.other_org, outsider, "member") is None
        assert orgs.remove_member(session, owner, team.other_org, outsider) is None
        # An owner of the other organization names a member of this one: not found either.
        assert orgs.change_role(session, outsider, team.other_org, team["target"], "coach") is None
        assert orgs.remove_member(session, outsider, team.other_org, team["target"]) is None
        assert orgs.visible_user_ids(session, outsider) == {outsider}
        assert not orgs.can_read_member_data(session, outsider, team["target"])
        assert not orgs.can_read_member_data(session, owner, outsider)
        assert [o.id for o, _ in orgs.list_my_organizations(session, outsider)] == [team.other_org]


def test_a_person_in_two_organizations_is_seen_by_the_staff_of_each(
    db: DatabaseManager, team: Team
) -> None:
    with db.session_scope() as session:
        session.add(
            Membership(
                organization_id=team.other_org, user_id=team["member"], role=OrganizationRole.MEMBER
            )
        )
        session.flush()
        mine = orgs.list_my_organizations(session, team["member"])
        assert {o.id for o, _ in mine} == {team.org, team.other_org}
        assert orgs.can_read_member_data(session, team["outsider"], team["member"])
        # ...but nobody else of this organization.
        assert orgs.visible_user_ids(session, team["outsider"]) == {
            team["outsider"],
            team["member"],
        }


@pytest.mark.parametrize(
    ("reader", "readable"),
    [("owner", True), ("admin", True), ("coach", True), ("member", False), ("outsider", False)],
)
def test_staff_read_a_members_data_and_only_the_member_writes_it(
    db: DatabaseManager, team: Team, reader: str, readable: bool
) -> None:
    with db.session_scope() as session:
        target, actor = team["target"], team[reader]
        assert orgs.can_read_member_data(session, actor, target) is readable
        assert orgs.can_write_member_data(session, actor, target) is False
        assert orgs.can_read_member_data(session, target, target)
        assert orgs.can_write_member_data(session, target, target)
        everyone = set(team.ids.values()) - {team["outsider"]}
        assert orgs.visible_user_ids(session, actor) == (everyone if readable else {actor})
        in_org = orgs.visible_user_ids(session, actor, team.org)
        assert in_org == (everyone if readable else ({actor} if reader == "member" else set()))


def test_deleting_a_user_removes_their_memberships_and_invitations(
    db: DatabaseManager, team: Team
) -> None:
    with db.session_scope() as session:
        existing(orgs.invite(session, team["admin"], team.org, "new@x.org", "member"))
    DatabaseUtils.delete_user(team["admin"])
    DatabaseUtils.delete_user(team["owner"])  # the founder: the organization stays
    with db.session_scope() as session:
        left = session.scalars(select(Membership.user_id)).all()
        assert team["admin"] not in left and team["owner"] not in left
        assert session.scalar(select(func.count()).select_from(Invitation)) == 0
        org = existing(session.get(Organization, team.org))
        assert org.created_by is None


def test_an_organization_gets_a_unique_slug_from_its_name(db: DatabaseManager, team: Team) -> None:
    with db.session_scope() as session:
        first = orgs.create_organization(session, team["member"], "Career Centre")
        second = orgs.create_organization(session, team["member"], "career centre")
        assert (first.slug, second.slug) == ("career-centre-2", "career-centre-3")
        assert existing(orgs.get_organization(session, team["member"], first.id)).name == (
            "Career Centre"
        )
        roles = {o.id: m.role for o, m in orgs.list_my_organizations(session, team["member"])}
        assert roles[first.id] is OrganizationRole.OWNER


@pytest.mark.parametrize(
    ("name", "slug", "field"),
    [("", None, "name"), ("   ", None, "name"), ("x" * 201, None, "name"),
     ("Fine", "Not Lower", "slug"), ("Fine", "career-centre", "slug")],
)  # fmt: skip
def test_an_organization_with_a_bad_name_or_slug_is_refused(
    db: DatabaseManager, team: Team, name: str, slug: str | None, field: str
) -> None:
    with pytest.raises(ValidationError) as caught, db.session_scope() as session:
        orgs.create_organization(session, team["member"], name, slug)
    assert caught.value.field == field
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Organization)) == 2
