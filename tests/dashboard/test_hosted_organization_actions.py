"""The Organizations page's changes in hosted mode: found, invite, join, roles, remove, leave.

Each goes through the actor-scoped organization services; what they refuse
shows as an error and changes nothing.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.domain.organizations.members import LAST_OWNER
from database.models import Invitation, Membership, Organization, OrganizationRole
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.dashboard.hosted import ORGANIZATION, account, organization, role_of, signed_in

PAGE = "Organizations"


@pytest.fixture(autouse=True)
def _hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")


def _submit(at: AppTest, form: str, label: str) -> AppTest:
    return at.button(key=f"FormSubmitter:{form}-{label}").click().run()


def _invite(at: AppTest, organization_id: int, email: str, role: str) -> AppTest:
    form = f"org.{organization_id}.invite"
    at.text_input(key=f"{form}.email").set_value(email)
    at.selectbox(key=f"{form}.role").set_value(role)
    return _submit(at, form, "Invite")


def _change_role(at: AppTest, organization_id: int, member: int, role: str) -> AppTest:
    form = f"org.{organization_id}.role"
    at.selectbox(key=f"{form}.member").set_value(member)
    at.selectbox(key=f"{form}.role").set_value(role)
    return _submit(at, form, "Change role")


def _leave(at: AppTest, organization_id: int) -> AppTest:
    at.checkbox(key=f"org.{organization_id}.leave.confirm").check().run()
    return at.button(key=f"org.{organization_id}.leave.button").click().run()


def _subheaders(at: AppTest) -> list[str]:
    return [s.value for s in at.subheader]


def test_founding_an_organization_makes_the_founder_its_owner(db: DatabaseManager) -> None:
    ann = account(db, "ann@example.com")
    at = signed_in("ann@example.com", PAGE)
    at.text_input(key="organization_create.name").set_value("Night School")
    at = _submit(at, "organization_create", "Create organization")
    no_exceptions(at)
    assert successes(at) == ["Organization Night School created."]
    assert _subheaders(at) == ["Night School · owner"]
    with db.session_scope() as session:
        (founded,) = session.query(Organization).all()
    assert role_of(db, founded.id, ann) is OrganizationRole.OWNER


def test_an_invitation_token_is_shown_once_and_joins_with_its_role(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    cora = account(db, "cora@example.com")
    organization_id = organization(db, owner)
    at = _invite(signed_in("owner@example.com", PAGE), organization_id, "cora@example.com", "coach")
    no_exceptions(at)
    (token,) = [c.value for c in at.code]
    (shown,) = [w.value for w in at.warning]
    assert "cora@example" in shown and "(role: coach)" in shown and token not in shown
    with db.session_scope() as session:
        (stored,) = session.query(Invitation).all()
        assert token not in (stored.token_hash, repr(stored))
    assert not at.run().code  # gone on the next run
    joining = signed_in("cora@example.com", PAGE)
    joining.text_input(key="invitation_accept.token").set_value(token)
    joining = _submit(joining, "invitation_accept", "Join")
    no_exceptions(joining)
    assert successes(joining) == ["You joined the organization."]
    assert _subheaders(joining) == [f"{ORGANIZATION} · coach"]
    assert role_of(db, organization_id, cora) is OrganizationRole.COACH


def test_a_used_invitation_token_is_refused_next_to_the_field(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    account(db, "cora@example.com")
    organization_id = organization(db, owner)
    at = signed_in("owner@example.com", PAGE)
    at = _invite(at, organization_id, "cora@example.com", "member")
    (token,) = [c.value for c in at.code]
    joining = signed_in("cora@example.com", PAGE)
    for _ in range(2):
        joining.text_input(key="invitation_accept.token").set_value(token)
        joining = _submit(joining, "invitation_accept", "Join")
    no_exceptions(joining)
    assert len(errors(joining)) == 1 and errors(joining)[0].startswith("Token ")
    assert _subheaders(joining) == [f"{ORGANIZATION} · member"]


def test_an_owner_changes_a_members_role(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    mia = account(db, "mia@example.com")
    organization_id = organization(db, owner, {mia: OrganizationRole.MEMBER})
    at = _change_role(signed_in("owner@example.com", PAGE), organization_id, mia, "admin")
    no_exceptions(at)
    assert successes(at) == ["Role changed to admin."]
    assert role_of(db, organization_id, mia) is OrganizationRole.ADMIN


def test_an_admin_may_not_make_an_owner_and_is_told_so(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    admin = account(db, "admin@example.com")
    mia = account(db, "mia@example.com")
    members = {admin: OrganizationRole.ADMIN, mia: OrganizationRole.MEMBER}
    organization_id = organization(db, owner, members)
    at = _change_role(signed_in("admin@example.com", PAGE), organization_id, mia, "owner")
    no_exceptions(at)
    assert len(errors(at)) == 1 and "owner" in errors(at)[0]
    assert role_of(db, organization_id, mia) is OrganizationRole.MEMBER


@pytest.mark.parametrize("role", [OrganizationRole.MEMBER, OrganizationRole.COACH])
def test_a_member_or_coach_has_no_invite_role_or_remove_controls(
    db: DatabaseManager, role: OrganizationRole
) -> None:
    owner = account(db, "owner@example.com")
    mia = account(db, "mia@example.com")
    organization_id = organization(db, owner, {mia: role})
    at = signed_in("mia@example.com", PAGE)
    no_exceptions(at)
    assert _subheaders(at) == [f"{ORGANIZATION} · {role.value}"]
    prefix = f"org.{organization_id}."
    managing = [w.key for w in (*at.text_input, *at.selectbox) if (w.key or "").startswith(prefix)]
    assert not [k for k in managing if k.split(".")[2] in ("invite", "role", "remove")]
    labels = [e.label for e in at.expander]
    assert "Invite someone" not in labels and "Change a member's role" not in labels
    assert role_of(db, organization_id, owner) is OrganizationRole.OWNER


def test_an_owner_removes_a_member_once_confirmed(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    mia = account(db, "mia@example.com")
    organization_id = organization(db, owner, {mia: OrganizationRole.MEMBER})
    form = f"org.{organization_id}.remove"
    at = signed_in("owner@example.com", PAGE)
    at.selectbox(key=f"{form}.member").set_value(mia)
    at = _submit(at, form, "Remove member")
    assert errors(at) == ["Tick “Confirm removal” first."]
    assert role_of(db, organization_id, mia) is OrganizationRole.MEMBER
    at.selectbox(key=f"{form}.member").set_value(mia)
    at.checkbox(key=f"{form}.confirm").check()
    at = _submit(at, form, "Remove member")
    no_exceptions(at)
    assert successes(at) == ["Member removed."]
    assert role_of(db, organization_id, mia) is None


def test_the_last_owner_cannot_leave_and_sees_why(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    mia = account(db, "mia@example.com")
    organization_id = organization(db, owner, {mia: OrganizationRole.MEMBER})
    at = _leave(signed_in("owner@example.com", PAGE), organization_id)
    no_exceptions(at)
    assert errors(at) == [f"Role {LAST_OWNER}"]
    assert role_of(db, organization_id, owner) is OrganizationRole.OWNER


def test_a_member_leaves_the_organization(db: DatabaseManager) -> None:
    owner = account(db, "owner@example.com")
    mia = account(db, "mia@example.com")
    organization_id = organization(db, owner, {mia: OrganizationRole.MEMBER})
    at = _leave(signed_in("mia@example.com", PAGE), organization_id)
    no_exceptions(at)
    assert successes(at) == [f"You left {ORGANIZATION}."]
    assert _subheaders(at) == []
    assert role_of(db, organization_id, mia) is None
    with db.session_scope() as session:
        assert session.query(Membership).count() == 1  # the owner's
