"""Helpers of the profile API tests: people with credentials, coaches, read-only keys."""

from __future__ import annotations

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain.accounts import create_api_key
from database.domain.organizations import accept_invitation, create_organization, invite
from tests.support.api import bearer, register, sign_in

Headers = dict[str, str]


def signed_in(client: TestClient, email: str) -> tuple[int, Headers]:
    """Register ``email``; its id and the headers of a fresh access token."""
    user_id = register(client, email)
    return user_id, bearer(sign_in(client, email))


def read_only_key(db: DatabaseManager, user_id: int) -> Headers:
    """The headers of a new API key of scope ``read`` of ``user_id``."""
    with db.session_scope() as session:
        return bearer(create_api_key(session, user_id, "reader", {"read"}).token)


def coach_of(client: TestClient, db: DatabaseManager, member_id: int, member_email: str) -> Headers:
    """The headers of a coach of an organization that ``member_id`` joined as a member."""
    owner_id, _ = signed_in(client, "founder@example.com")
    coach_id, coach = signed_in(client, "coach@example.com")
    with db.session_scope() as session:
        organization = create_organization(session, owner_id, "Career Lab")
        for user_id, email, role in (
            (coach_id, "coach@example.com", "coach"),
            (member_id, member_email, "member"),
        ):
            invited = invite(session, owner_id, organization.id, email, role)
            assert invited is not None
            accept_invitation(session, user_id, invited[1])
    return coach
