"""The members of an organization: listing them, changing their roles, removing them, leaving."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from database.domain.organizations.access import (
    lock_organization,
    manager_membership,
    membership,
    owner_count,
    parse_role,
    record_change,
    require_may_assign,
)
from database.domain.schemas import require_id
from database.models import Membership, OrganizationRole
from utils.errors import PermissionDeniedError, ValidationError

LAST_OWNER = "an organization keeps at least one owner: make another member owner first"


def list_members(session: Session, actor_id: int, organization_id: int) -> list[Membership] | None:
    """The memberships of the organization (users loaded), by join date.

    Any member may list them; ``None`` when the actor is not a member.
    """
    if membership(session, actor_id, organization_id) is None:
        return None
    query = (
        select(Membership)
        .where(Membership.organization_id == organization_id)
        .options(selectinload(Membership.user))
        .order_by(Membership.created_at, Membership.id)
    )
    return list(session.scalars(query))


def change_role(
    session: Session, actor_id: int, organization_id: int, user_id: int, role: str
) -> Membership | None:
    """Give the member ``user_id`` the role ``role``; the changed membership.

    Owners change any role; admins move people between coach and member only.
    ``None`` when the actor or ``user_id`` is not a member. The last owner
    cannot give up the role (:class:`ValidationError` on ``role``).
    """
    new_role = parse_role(role)
    require_id(user_id, "user_id")
    pair = _manager_and_member(session, actor_id, organization_id, user_id)
    if pair is None:
        return None
    actor, target = pair
    require_may_assign(actor, target.role)
    require_may_assign(actor, new_role)
    if target.role is new_role:
        return target
    _keep_an_owner(session, target)
    target.role = new_role
    session.flush()
    record_change(session, target, "role_changed")
    return target


def remove_member(
    session: Session, actor_id: int, organization_id: int, user_id: int
) -> bool | None:
    """Remove ``user_id`` from the organization; ``True`` once removed.

    Owners remove anyone, admins anyone but owners; removing oneself is
    :func:`leave`. ``None`` when the actor or ``user_id`` is not a member.
    """
    require_id(user_id, "user_id")
    if user_id == actor_id:
        return leave(session, actor_id, organization_id)
    pair = _manager_and_member(session, actor_id, organization_id, user_id)
    if pair is None:
        return None
    actor, target = pair
    if target.role is OrganizationRole.OWNER and actor.role is not OrganizationRole.OWNER:
        raise PermissionDeniedError("only owners remove an owner")
    session.delete(target)
    session.flush()
    record_change(session, target, "removed")
    return True


def leave(session: Session, actor_id: int, organization_id: int) -> bool | None:
    """The actor leaves the organization; ``True`` once they have left.

    ``None`` when they are not a member; the last owner cannot leave
    (:class:`ValidationError` on ``role``).
    """
    require_id(actor_id, "actor_id")
    lock_organization(session, require_id(organization_id, "organization_id"))
    mine = membership(session, actor_id, organization_id)
    if mine is None:
        return None
    _keep_an_owner(session, mine)
    session.delete(mine)
    session.flush()
    record_change(session, mine, "left")
    return True


def _manager_and_member(
    session: Session, actor_id: int, organization_id: int, user_id: int
) -> tuple[Membership, Membership] | None:
    """The managing actor's membership and ``user_id``'s, the owners locked; ``None`` if unseen."""
    actor = manager_membership(session, actor_id, organization_id)
    if actor is None:
        return None
    lock_organization(session, organization_id)
    target = membership(session, user_id, organization_id)
    return None if target is None else (actor, target)


def _keep_an_owner(session: Session, leaving: Membership) -> None:
    """:class:`ValidationError` when ``leaving`` is the organization's only owner."""
    if (
        leaving.role is OrganizationRole.OWNER
        and owner_count(session, leaving.organization_id) <= 1
    ):
        raise ValidationError("role", LAST_OWNER)
