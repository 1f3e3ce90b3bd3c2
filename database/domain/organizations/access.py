"""Who may do what in an organization: the membership checks every other module starts with.

The rule of the whole family: a target the actor cannot see at all is "not
found" (``None``), so its existence is never revealed; a target the actor can
see but may not change raises :class:`~utils.errors.PermissionDeniedError`.
The same checks answer the later layers' question "whose data may this person
read or write?" (:func:`visible_user_ids`, :func:`can_read_member_data`,
:func:`can_write_member_data`).
"""

from __future__ import annotations

from sqlalchemy import CompoundSelect, Integer, Select, func, literal, select
from sqlalchemy.orm import Session, aliased

from database.domain import events
from database.domain.schemas import require_id
from database.models import EventKind, Membership, Organization, OrganizationRole
from utils.errors import PermissionDeniedError, ValidationError

#: Roles that read the data of the organization's members (coaches read only).
STAFF_ROLES = frozenset({OrganizationRole.OWNER, OrganizationRole.ADMIN, OrganizationRole.COACH})
#: Roles that manage members and invitations.
MANAGER_ROLES = frozenset({OrganizationRole.OWNER, OrganizationRole.ADMIN})
#: Roles an admin may give, take away or invite to; everything else is the owners'.
ADMIN_ASSIGNABLE = frozenset({OrganizationRole.COACH, OrganizationRole.MEMBER})
_ROLE_VALUES = frozenset(role.value for role in OrganizationRole)


def parse_role(value: str, field: str = "role") -> OrganizationRole:
    """``value`` as a role, or :class:`ValidationError` naming the roles there are."""
    if isinstance(value, str) and value in _ROLE_VALUES:
        return OrganizationRole(value)
    known = ", ".join(role.value for role in OrganizationRole)
    raise ValidationError(field, f"must be one of {known}", value)


def membership(session: Session, user_id: int, organization_id: int) -> Membership | None:
    """The membership of ``user_id`` in the organization, or ``None``."""
    require_id(user_id, "actor_id")
    require_id(organization_id, "organization_id")
    return session.scalar(
        select(Membership).where(
            Membership.organization_id == organization_id, Membership.user_id == user_id
        )
    )


def manager_membership(session: Session, actor_id: int, organization_id: int) -> Membership | None:
    """The actor's membership when they manage the organization.

    ``None`` when they are not a member (the organization is not theirs to see);
    :class:`PermissionDeniedError` when they are a member without a managing role.
    """
    mine = membership(session, actor_id, organization_id)
    if mine is not None and mine.role not in MANAGER_ROLES:
        raise PermissionDeniedError("only owners and admins manage an organization's members")
    return mine


def require_may_assign(actor: Membership, role: OrganizationRole) -> None:
    """:class:`PermissionDeniedError` unless ``actor`` may give (or take away) ``role``."""
    if actor.role is not OrganizationRole.OWNER and role not in ADMIN_ASSIGNABLE:
        raise PermissionDeniedError(f"only owners give or take away the role {role.value!r}")


def record_change(session: Session, member: Membership, change: str) -> None:
    """Record in the outbox that ``member``'s membership was ``change``d (joined, left, ...).

    The event is the member's, in the organization; the session must be flushed.
    """
    events.record(
        session, EventKind.MEMBERSHIP_CHANGED, "membership", member.id,
        user_id=member.user_id, organization_id=member.organization_id,
        payload={"change": change, "role": member.role},
    )  # fmt: skip


def lock_organization(session: Session, organization_id: int) -> None:
    """Serialise changes to the organization's owners until the transaction ends.

    PostgreSQL locks the row; SQLite writers are already serialised (BEGIN IMMEDIATE).
    """
    session.execute(
        select(Organization.id).where(Organization.id == organization_id).with_for_update()
    )


def owner_count(session: Session, organization_id: int) -> int:
    """How many owners the organization has."""
    query = select(func.count()).where(
        Membership.organization_id == organization_id,
        Membership.role == OrganizationRole.OWNER,
    )
    return session.scalar(query) or 0


def readable_user_ids(actor_id: int, organization_id: int | None = None) -> CompoundSelect[int]:
    """A query of the ids of the people whose data ``actor_id`` may read, the actor included.

    Those are the members of every organization where the actor is a coach,
    admin or owner (only ``organization_id`` when given; there the actor is
    included only when they are a member). Meant as a subquery for the later
    layers: ``JobApplication.user_id.in_(readable_user_ids(actor))``.
    """
    require_id(actor_id, "actor_id")
    staff, member = aliased(Membership), aliased(Membership)
    others = (
        select(member.user_id)
        .join(staff, staff.organization_id == member.organization_id)
        .where(staff.user_id == actor_id, staff.role.in_(STAFF_ROLES))
    )
    if organization_id is None:
        return others.union(select(literal(actor_id, Integer)))
    require_id(organization_id, "organization_id")
    own = select(Membership.user_id).where(
        Membership.user_id == actor_id, Membership.organization_id == organization_id
    )
    return others.where(member.organization_id == organization_id).union(own)


def staff_organization_ids(actor_id: int) -> Select[int]:
    """A query of the organizations where ``actor_id`` is an owner, admin or coach."""
    require_id(actor_id, "actor_id")
    return select(Membership.organization_id).where(
        Membership.user_id == actor_id, Membership.role.in_(STAFF_ROLES)
    )


def visible_user_ids(
    session: Session, actor_id: int, organization_id: int | None = None
) -> set[int]:
    """The ids of the people whose data ``actor_id`` may read (see :func:`readable_user_ids`)."""
    return set(session.scalars(readable_user_ids(actor_id, organization_id)))


def can_read_member_data(session: Session, actor_id: int, user_id: int) -> bool:
    """Whether ``actor_id`` may read ``user_id``'s applications, history and analytics.

    True for oneself, and for a coach, admin or owner of an organization that
    ``user_id`` is a member of.
    """
    require_id(actor_id, "actor_id")
    require_id(user_id, "user_id")
    if actor_id == user_id:
        return True
    staff, member = aliased(Membership), aliased(Membership)
    query = (
        select(staff.id)
        .join(member, member.organization_id == staff.organization_id)
        .where(staff.user_id == actor_id, staff.role.in_(STAFF_ROLES), member.user_id == user_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def can_write_member_data(session: Session, actor_id: int, user_id: int) -> bool:
    """Whether ``actor_id`` may change ``user_id``'s data: only their own (staff read only)."""
    require_id(actor_id, "actor_id")
    require_id(user_id, "user_id")
    return actor_id == user_id
