"""Invitations: single-use, expiring, for one address, revocable, and their token never stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update

from database.connection import DatabaseManager
from database.domain import organizations as orgs
from database.models import Invitation, Membership, OrganizationRole, User
from tests.integration.organizations.conftest import Team
from tests.support.checks import existing
from utils.errors import ValidationError


def _invite(db: DatabaseManager, team: Team, email: str, role: str = "coach") -> tuple[int, str]:
    with db.session_scope() as session:
        invitation, token = existing(orgs.invite(session, team["owner"], team.org, email, role))
        return invitation.id, token


def _new_user(db: DatabaseManager, email: str) -> int:
    with db.session_scope() as session:
        user = User(email=email)
        session.add(user)
        session.flush()
        return user.id


def _accept(db: DatabaseManager, actor: int, token: str) -> tuple[int, OrganizationRole]:
    with db.session_scope() as session:
        joined = orgs.accept_invitation(session, actor, token)
        return joined.organization_id, joined.role


def _token_error(db: DatabaseManager, actor: int, token: str) -> str:
    with pytest.raises(ValidationError) as caught, db.session_scope() as session:
        orgs.accept_invitation(session, actor, token)
    assert caught.value.field == "token"
    return caught.value.rule


def test_an_invited_person_joins_with_the_role_of_the_invitation(
    db: DatabaseManager, team: Team
) -> None:
    _, token = _invite(db, team, "Zoë@New.org")
    newcomer = _new_user(db, "zoë@new.org")  # another spelling of the same address
    assert _accept(db, newcomer, token) == (team.org, OrganizationRole.COACH)
    with db.session_scope() as session:
        members = existing(orgs.list_members(session, newcomer, team.org))
        assert newcomer in {m.user_id for m in members}


def test_an_invitation_works_once(db: DatabaseManager, team: Team) -> None:
    _, token = _invite(db, team, "new@x.org")
    newcomer = _new_user(db, "new@x.org")
    _accept(db, newcomer, token)
    with db.session_scope() as session:
        orgs.leave(session, newcomer, team.org)
    assert _token_error(db, newcomer, token) == "has already been used"
    with db.session_scope() as session:
        assert orgs.get_organization(session, newcomer, team.org) is None


def test_an_expired_invitation_is_refused(db: DatabaseManager, team: Team) -> None:
    invitation_id, token = _invite(db, team, "new@x.org")
    newcomer = _new_user(db, "new@x.org")
    with db.session_scope() as session:
        expires = session.get(Invitation, invitation_id)
        assert expires is not None
        created = expires.created_at
        assert timedelta(days=7) - timedelta(minutes=1) < expires.expires_at - created
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id)
            .values(expires_at=created - timedelta(seconds=1))
        )
    assert _token_error(db, newcomer, token) == "has expired"


def test_an_invitation_for_another_address_is_refused_like_an_unknown_token(
    db: DatabaseManager, team: Team
) -> None:
    _, token = _invite(db, team, "new@x.org")
    stranger = _new_user(db, "stranger@x.org")
    assert _token_error(db, stranger, token) == _token_error(db, stranger, "not-a-token")
    assert _token_error(db, stranger, "x" * 100_000) == _token_error(db, stranger, token)
    # The member of the organization's staff may not use it either.
    _token_error(db, team["coach"], token)
    newcomer = _new_user(db, "new@x.org")
    assert _accept(db, newcomer, token)[0] == team.org


def test_a_revoked_invitation_is_refused(db: DatabaseManager, team: Team) -> None:
    invitation_id, token = _invite(db, team, "new@x.org")
    newcomer = _new_user(db, "new@x.org")
    with db.session_scope() as session:
        revoked = existing(orgs.revoke_invitation(session, team["admin"], invitation_id))
        assert revoked.revoked_at is not None
    assert _token_error(db, newcomer, token) == "has been revoked"


def test_an_accepted_invitation_cannot_be_revoked(db: DatabaseManager, team: Team) -> None:
    invitation_id, token = _invite(db, team, "new@x.org")
    _accept(db, _new_user(db, "new@x.org"), token)
    with pytest.raises(ValidationError) as caught, db.session_scope() as session:
        orgs.revoke_invitation(session, team["owner"], invitation_id)
    assert caught.value.field == "invitation_id"


def test_accepting_as_an_existing_member_keeps_the_membership_unchanged(
    db: DatabaseManager, team: Team
) -> None:
    with db.session_scope() as session:
        _, token = existing(
            orgs.invite(session, team["owner"], team.org, "coach@team.org", "admin")
        )
    assert _accept(db, team["coach"], token) == (team.org, OrganizationRole.COACH)


def test_the_token_is_stored_only_as_its_sha256(db: DatabaseManager, team: Team) -> None:
    invitation_id, token = _invite(db, team, "new@x.org")
    with db.session_scope() as session:
        row = (
            session.execute(text("SELECT * FROM invitations WHERE id = :id"), {"id": invitation_id})
            .mappings()
            .one()
        )
        invitation = existing(session.get(Invitation, invitation_id))
        shown = f"{invitation!r} {invitation.to_dict()}"
    assert len(token) >= 43  # 256 bits, URL-safe base64
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())
    assert token.startswith(f"aai_{row['prefix']}_") and len(row["prefix"]) < len(token) // 4
    assert token not in shown and row["token_hash"] not in shown
    assert "token_hash" not in invitation.to_dict()


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not-an-address", "member", "email"), ("a@x.org", "boss", "role"), ("a@x.org", "", "role")],
)
def test_an_invitation_with_bad_input_writes_nothing(
    db: DatabaseManager, team: Team, email: str, role: str, field: str
) -> None:
    with pytest.raises(ValidationError) as caught, db.session_scope() as session:
        orgs.invite(session, team["owner"], team.org, email, role)
    assert caught.value.field == field
    with db.session_scope() as session:
        assert session.scalars(select(Invitation)).all() == []


def test_accepting_adds_exactly_one_membership(db: DatabaseManager, team: Team) -> None:
    _, token = _invite(db, team, "new@x.org", "member")
    newcomer = _new_user(db, "new@x.org")
    _accept(db, newcomer, token)
    with db.session_scope() as session:
        mine = session.scalars(select(Membership).where(Membership.user_id == newcomer)).all()
        assert [(m.organization_id, m.role) for m in mine] == [(team.org, OrganizationRole.MEMBER)]
