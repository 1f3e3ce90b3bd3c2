"""The roles matrix: every role (and an outsider) against every action on an organization.

``ok``: allowed; ``denied``: :class:`PermissionDeniedError` (the actor sees the
organization but may not do this); ``none``: not found (the actor is not a
member, so the organization's existence is not revealed).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.domain import organizations as orgs
from database.models import Membership, OrganizationRole
from tests.integration.organizations.conftest import Team
from utils.errors import PermissionDeniedError

ACTORS = ("owner", "admin", "coach", "member", "outsider")
Action = Callable[[Session, int, Team], Any]


def _revoke(session: Session, actor: int, team: Team, role: str) -> Any:
    created = orgs.invite(session, team["owner"], team.org, "new@x.org", role)
    assert created is not None
    return orgs.revoke_invitation(session, actor, created[0].id)


ACTIONS: dict[str, tuple[Action, tuple[str, ...]]] = {
    # action: (call, outcome for owner, admin, coach, member, outsider)
    "get_organization": (
        lambda s, a, t: orgs.get_organization(s, a, t.org),
        ("ok", "ok", "ok", "ok", "none"),
    ),
    "list_members": (
        lambda s, a, t: orgs.list_members(s, a, t.org),
        ("ok", "ok", "ok", "ok", "none"),
    ),
    "invite_member": (
        lambda s, a, t: orgs.invite(s, a, t.org, "new@x.org", "member"),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "invite_coach": (
        lambda s, a, t: orgs.invite(s, a, t.org, "new@x.org", "coach"),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "invite_admin": (
        lambda s, a, t: orgs.invite(s, a, t.org, "new@x.org", "admin"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "invite_owner": (
        lambda s, a, t: orgs.invite(s, a, t.org, "new@x.org", "owner"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "list_invitations": (
        lambda s, a, t: orgs.list_invitations(s, a, t.org),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "revoke_member_invitation": (
        lambda s, a, t: _revoke(s, a, t, "member"),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "revoke_owner_invitation": (
        lambda s, a, t: _revoke(s, a, t, "owner"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "member_to_coach": (
        lambda s, a, t: orgs.change_role(s, a, t.org, t["target"], "coach"),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "member_to_admin": (
        lambda s, a, t: orgs.change_role(s, a, t.org, t["target"], "admin"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "member_to_owner": (
        lambda s, a, t: orgs.change_role(s, a, t.org, t["target"], "owner"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "admin_to_member": (
        lambda s, a, t: orgs.change_role(s, a, t.org, t["admin2"], "member"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "owner_to_member": (
        lambda s, a, t: orgs.change_role(s, a, t.org, t["owner2"], "member"),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "remove_member": (
        lambda s, a, t: orgs.remove_member(s, a, t.org, t["target"]),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "remove_admin": (
        lambda s, a, t: orgs.remove_member(s, a, t.org, t["admin2"]),
        ("ok", "ok", "denied", "denied", "none"),
    ),
    "remove_owner": (
        lambda s, a, t: orgs.remove_member(s, a, t.org, t["owner2"]),
        ("ok", "denied", "denied", "denied", "none"),
    ),
    "leave": (
        lambda s, a, t: orgs.leave(s, a, t.org),
        ("ok", "ok", "ok", "ok", "none"),
    ),
}
CASES = [
    pytest.param(action, actor, outcomes[i], id=f"{action}-{actor}")
    for action, (_, outcomes) in ACTIONS.items()
    for i, actor in enumerate(ACTORS)
]


def _memberships(db: DatabaseManager, org: int) -> list[tuple[int, OrganizationRole]]:
    with db.session_scope() as session:
        rows = session.query(Membership).filter_by(organization_id=org).order_by(Membership.id)
        return [(m.user_id, m.role) for m in rows]


@pytest.mark.parametrize(("action", "actor", "outcome"), CASES)
def test_each_role_may_do_exactly_what_its_row_of_the_matrix_says(
    db: DatabaseManager, team: Team, action: str, actor: str, outcome: str
) -> None:
    call = ACTIONS[action][0]
    before = _memberships(db, team.org)
    if outcome == "denied":
        with pytest.raises(PermissionDeniedError), db.session_scope() as session:
            call(session, team[actor], team)
        assert _memberships(db, team.org) == before
        return
    with db.session_scope() as session:
        result = call(session, team[actor], team)
    if outcome == "none":
        assert result is None
        assert _memberships(db, team.org) == before
    else:
        assert result is not None and result is not False
