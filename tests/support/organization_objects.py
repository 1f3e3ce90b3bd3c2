"""The organization objects of the authorization matrix (see ``tests/support/api_world.py``).

Each maker takes the session and the data owner's id (the caller's for the
``own_*`` ones) and makes a fresh object, so that a case which removes a
member, revokes an invitation or leaves an organization changes nothing the
next case relies on. Org A is the first organization the data owner joined.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.domain import users
from database.domain.organizations import create_organization, invite
from database.models import Membership, Organization, OrganizationRole

_serial = count(1)


def _fresh_person(session: Session) -> int:
    """A new account without a password (it never signs in)."""
    return users.create(session, f"made-{next(_serial)}@example.com", {}).id


def _org_a(session: Session, owner_id: int) -> Organization:
    query = (
        select(Organization)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == owner_id)
        .order_by(Membership.id)
        .limit(1)
    )
    return session.scalars(query).one()


def _join(session: Session, organization_id: int, user_id: int) -> None:
    session.add(
        Membership(organization_id=organization_id, user_id=user_id, role=OrganizationRole.MEMBER)
    )
    session.flush()


def _data_owner(_: Session, owner_id: int) -> int:
    """The data owner's own id (a member of org A, whose applications staff read)."""
    return owner_id


def _org_member(session: Session, owner_id: int) -> int:
    """A new plain member of org A, for a role change or a removal."""
    person = _fresh_person(session)
    _join(session, _org_a(session, owner_id).id, person)
    return person


def _invitation(session: Session, owner_id: int) -> int:
    """A pending invitation of org A, made by its founder."""
    organization = _org_a(session, owner_id)
    assert organization.created_by is not None
    made = invite(
        session, organization.created_by, organization.id, f"x{next(_serial)}@example.com", "member"
    )
    assert made is not None
    return made[0].id


def _own_organization(session: Session, caller_id: int) -> int:
    """A new organization (of a new founder) the caller is a plain member of, to leave."""
    organization = create_organization(session, _fresh_person(session), f"Lab {next(_serial)}")
    _join(session, organization.id, caller_id)
    return organization.id


def _own_invitation_token(session: Session, caller_id: int) -> str:
    """The token of an invitation of the caller into a new organization."""
    founder = _fresh_person(session)
    organization = create_organization(session, founder, f"Lab {next(_serial)}")
    caller = users.require(session, caller_id)
    made = invite(session, founder, organization.id, caller.email, "member")
    assert made is not None
    return made[1]


#: Object name -> maker, merged into ``api_world.OBJECT_MAKERS``.
ORGANIZATION_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "data_owner": _data_owner,
    "org_member": _org_member,
    "invitation": _invitation,
    "own_organization": _own_organization,
    "own_invitation_token": _own_invitation_token,
}
