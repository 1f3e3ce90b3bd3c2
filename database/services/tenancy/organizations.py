"""Organizations as one acting person may see and change them: memberships, roles, invitations.

The roles themselves are checked by :mod:`database.domain.organizations`; this
module adds what the API's credentials bring and keeps every call inside one
organization:

- An organization is visible to its members only; to anyone else it is "not
  found" (``None``), so that its existence is not revealed.
- Changing anything (founding, inviting, revoking, roles, removing, leaving,
  accepting) needs a credential of scope ``write``; a read-only API key of a
  member gets :class:`PermissionDeniedError`, like a member without the role.
- A member's applications are readable through an organization only by its
  coaches, admins and owners (and by the member themself): a membership
  elsewhere never opens a door here.
- The last owner can neither leave nor be demoted: a
  :class:`~utils.errors.ValidationError` on ``role`` (the API's 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from database.core.tenant import bind_credential
from database.domain import listing
from database.domain import organizations as domain
from database.domain.accounts import Actor
from database.domain.organizations.access import STAFF_ROLES, manager_membership, membership
from database.domain.schemas import require_id
from database.models import Invitation, JobApplication, Membership, Organization, User
from database.services.tenancy.guards import require_write_scope


def _member_may_write(session: Session, actor: Actor, organization_id: int) -> bool:
    """Whether the actor is a member (else ``False``); a read-only credential is refused.

    Visibility comes first, so that a stranger's read-only key still gets "not found".
    """
    if membership(session, actor.user_id, organization_id) is None:
        return False
    require_write_scope(actor)
    return True


def create_organization(
    session: Session, actor: Actor, name: str, slug: str | None = None
) -> tuple[Organization, Membership]:
    """Found an organization; the actor is its first owner. The organization and that membership."""
    require_write_scope(actor)
    organization = domain.create_organization(session, actor.user_id, name, slug)
    return organization, organization.memberships[0]


def my_organizations(session: Session, actor: Actor) -> list[tuple[Organization, Membership]]:
    """Every organization the actor belongs to, with their membership, by name."""
    return domain.list_my_organizations(session, actor.user_id)


def get_organization(
    session: Session, actor: Actor, organization_id: int
) -> tuple[Organization, Membership] | None:
    """The organization and the actor's membership; ``None`` unless the actor is a member."""
    mine = membership(session, actor.user_id, organization_id)
    if mine is None:
        return None
    return mine.organization, mine


def list_members(
    session: Session, actor: Actor, organization_id: int
) -> list[tuple[Membership, User | None]] | None:
    """The organization's memberships by join date, each with the profile the actor may see.

    Any member lists the memberships; the people's accounts (address, names)
    are shown to the organization's coaches, admins and owners, and to each
    person about themself, as row-level security shows them. ``None`` unless
    the actor is a member.
    """
    mine = membership(session, actor.user_id, organization_id)
    members = domain.list_members(session, actor.user_id, organization_id)
    if mine is None or members is None:
        return None
    staff = mine.role in STAFF_ROLES
    return [
        (member, member.user if staff or member.user_id == actor.user_id else None)
        for member in members
    ]


def change_role(
    session: Session, actor: Actor, organization_id: int, user_id: int, role: str
) -> Membership | None:
    """Give the member ``user_id`` the role ``role``; ``None`` if either is not a member."""
    if not _member_may_write(session, actor, organization_id):
        return None
    return domain.change_role(session, actor.user_id, organization_id, user_id, role)


def remove_member(session: Session, actor: Actor, organization_id: int, user_id: int) -> bool:
    """Remove ``user_id`` from the organization; ``False`` if either is not a member."""
    if not _member_may_write(session, actor, organization_id):
        return False
    return bool(domain.remove_member(session, actor.user_id, organization_id, user_id))


def leave(session: Session, actor: Actor, organization_id: int) -> bool:
    """The actor leaves the organization; ``False`` if they are not a member."""
    if not _member_may_write(session, actor, organization_id):
        return False
    return bool(domain.leave(session, actor.user_id, organization_id))


def list_invitations(
    session: Session, actor: Actor, organization_id: int
) -> list[Invitation] | None:
    """The organization's invitations, newest first (owners and admins); ``None`` if unseen."""
    return domain.list_invitations(session, actor.user_id, organization_id)


def invite(
    session: Session,
    actor: Actor,
    organization_id: int,
    email: str,
    role: str,
    expires_in: timedelta = domain.DEFAULT_LIFETIME,
) -> tuple[Invitation, str] | None:
    """Invite ``email`` with ``role``: the invitation and its token (shown only here).

    ``None`` when the actor is not a member.
    """
    if manager_membership(session, actor.user_id, organization_id) is None:
        return None
    require_write_scope(actor)
    return domain.invite(session, actor.user_id, organization_id, email, role, expires_in)


def revoke_invitation(
    session: Session, actor: Actor, organization_id: int, invitation_id: int
) -> Invitation | None:
    """Revoke a pending invitation of the organization; ``None`` if it is not one of its own.

    A plain member is refused (:class:`PermissionDeniedError`) whatever the id,
    so that they learn nothing about which invitations exist.
    """
    if manager_membership(session, actor.user_id, organization_id) is None:
        return None
    invitation = session.get(Invitation, require_id(invitation_id, "invitation_id"))
    if invitation is None or invitation.organization_id != organization_id:
        return None
    require_write_scope(actor)
    return domain.revoke_invitation(session, actor.user_id, invitation_id)


def accept_invitation(session: Session, actor: Actor, token: str) -> Membership:
    """Join the organization of the invitation ``token``; the actor's membership.

    An unknown, someone else's, used, revoked or expired token is a
    :class:`~utils.errors.ValidationError` on ``token``. The transaction
    claims the token first: row-level security shows an invitation to its
    managers and to the holder of its token only.
    """
    require_write_scope(actor)
    if isinstance(token, str):
        bind_credential(session, token)
    return domain.accept_invitation(session, actor.user_id, token)


def reads_member(session: Session, actor: Actor, organization_id: int, user_id: int) -> bool:
    """Whether the actor reads ``user_id``'s data through this organization.

    True for a coach, admin or owner of it and a member of it, or for a member
    about themself; a role in another organization counts for nothing here.
    """
    require_id(user_id, "user_id")
    return user_id in domain.visible_user_ids(session, actor.user_id, organization_id)


def member_applications(
    session: Session,
    actor: Actor,
    organization_id: int,
    user_id: int,
    filters: Mapping[str, Any] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[JobApplication], int] | None:
    """One page of a member's applications (newest first) and how many match in all.

    ``None`` unless the actor reads that member through this organization
    (:func:`reads_member`): a plain member asking about another is "not found".
    """
    if not reads_member(session, actor, organization_id, user_id):
        return None
    criteria = listing.as_filter(filters)
    found = listing.page(session, user_id, criteria, limit, offset)
    return found, listing.count(session, user_id, criteria)
