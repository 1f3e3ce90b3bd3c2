"""Steps shared by the hosted-mode dashboard tests: accounts, signing in, moving between pages."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.domain.accounts import sign_up
from database.domain.organizations import create_organization
from database.models import Membership, OrganizationRole
from tests.dashboard.conftest import APP
from tests.support.api import PASSWORD

#: Where the hosted session keeps its access token (``dashboard.auth.CREDENTIAL_KEY``).
TOKEN_KEY = "_signed_in"
ORGANIZATION = "Career Centre"


def account(db: DatabaseManager, email: str, **profile: str) -> int:
    """A new account's id (signed up with :data:`PASSWORD`)."""
    with db.session_scope() as session:
        return sign_up(session, email, PASSWORD, **profile).id


def sign_in(at: AppTest, email: str) -> AppTest:
    """Sign in on the sign-in page of ``at``."""
    at.text_input(key="sign_in.email").set_value(email)
    at.text_input(key="sign_in.password").set_value(PASSWORD)
    return at.button(key="FormSubmitter:sign_in-Sign in").click().run()


def signed_in(email: str, page: str | None = None) -> AppTest:
    """A fresh browser session of the app, signed in as ``email``, on ``page``."""
    at = sign_in(AppTest.from_file(str(APP), default_timeout=60).run(), email)
    return at if page is None else go(at, page)


def go(at: AppTest, page: str) -> AppTest:
    """Open ``page`` from the sidebar."""
    return at.sidebar.radio(key="page").set_value(page).run()


def run_as(at: AppTest, script: Callable[..., None], *args: Any) -> AppTest:
    """Run ``script(*args)`` in the browser session of ``at`` (same signed-in person)."""
    other = AppTest.from_function(script, args=args, default_timeout=60)
    other.session_state[TOKEN_KEY] = at.session_state[TOKEN_KEY]
    return other.run()


def organization(
    db: DatabaseManager, owner: int, members: Mapping[int, OrganizationRole] | None = None
) -> int:
    """The id of :data:`ORGANIZATION`, founded by ``owner``, with ``members`` (id: role) in it."""
    with db.session_scope() as session:
        found = create_organization(session, owner, ORGANIZATION)
        for user_id, role in (members or {}).items():
            session.add(Membership(organization=found, user_id=user_id, role=role))
        session.flush()
        return found.id


def role_of(db: DatabaseManager, organization_id: int, user_id: int) -> OrganizationRole | None:
    """``user_id``'s role in the organization, ``None`` when they are not a member."""
    with db.session_scope() as session:
        role: OrganizationRole | None = session.scalar(
            select(Membership.role).where(
                Membership.organization_id == organization_id, Membership.user_id == user_id
            )
        )
        return role
