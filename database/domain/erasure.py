"""Erasing a person: every row of theirs, with their organizations' ownership settled first.

The one rule behind ``DatabaseUtils.erase_user`` and closing an account
through the API or the dashboard. The rows go in the caller's one
transaction: the organizations first (see :func:`settle_organizations`),
then the invitations addressed to the person and the sign-in throttle of
their email, then the ``users`` row, whose ``ON DELETE`` actions remove
everything else that carries their ``user_id`` (preferences, resumes,
applications with their history and notes, searches, notifications, events,
tokens, calendar feeds, webhooks with their deliveries, memberships,
invitations they sent, idempotency keys) and unlink what others keep
(``organizations.created_by``, ``invitations.accepted_by``). The resume
files are the caller's to remove once the transaction has committed
(:mod:`database.io.personal_erasure`): this module touches no file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from database.core.tokens import digest
from database.domain.organizations.access import lock_organization, record_change
from database.domain.schemas import require_id
from database.models import (
    CoverLetter,
    Invitation,
    Membership,
    Organization,
    OrganizationRole,
    Resume,
    SignInThrottle,
    ThrottleScope,
    User,
)
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

#: The field a refused erasure names (the organizations' own rule uses it too).
ROLE = "role"


@dataclass
class Settlement:
    """What erasing a person does to their organizations."""

    #: Organizations whose only member they are: removed with them.
    removed: list[int] = field(default_factory=list)
    #: (organization id, user id of the admin who becomes its owner).
    handed_over: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Erased:
    """A finished erasure: the stored resume paths to remove after commit, and the settlement."""

    user_id: int
    resume_paths: list[str]
    settlement: Settlement
    #: The stored files of the removed cover letters, to remove after commit too.
    cover_letter_paths: list[str] = field(default_factory=list)


def _others(session: Session, organization_id: int, user_id: int) -> list[Membership]:
    query = (
        select(Membership)
        .where(Membership.organization_id == organization_id, Membership.user_id != user_id)
        .order_by(Membership.created_at, Membership.id)
    )
    return list(session.scalars(query))


def _refusal(organization: Organization) -> ValidationError:
    return ValidationError(
        ROLE,
        f"the organization {organization.name!r} would be left without an owner: it has other"
        " members but no admin to take it over; make one of them an owner or admin first",
        organization.id,
    )


def settle_organizations(session: Session, user_id: int) -> Settlement:
    """Decide, then apply, what becomes of each organization ``user_id`` belongs to.

    An organization with no other member is removed. Where they are the last
    owner and others remain, the longest-standing admin becomes owner; with
    no admin the whole erasure is refused (:class:`ValidationError` on
    ``role``) before anything is changed. Elsewhere their membership simply
    goes with them.
    """
    query = (
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.user_id == user_id)
        .order_by(Membership.organization_id)
    )
    plan = Settlement()
    heirs: list[Membership] = []
    for mine, organization in session.execute(query).all():
        lock_organization(session, organization.id)
        others = _others(session, organization.id, user_id)
        if not others:
            plan.removed.append(organization.id)
            continue
        if mine.role is not OrganizationRole.OWNER:
            continue
        if any(m.role is OrganizationRole.OWNER for m in others):
            continue
        admins = [m for m in others if m.role is OrganizationRole.ADMIN]
        if not admins:
            raise _refusal(organization)
        heirs.append(admins[0])
        plan.handed_over.append((organization.id, admins[0].user_id))
    for heir in heirs:
        heir.role = OrganizationRole.OWNER
        session.flush()
        record_change(session, heir, "role_changed")
    if plan.removed:
        session.execute(delete(Organization).where(Organization.id.in_(plan.removed)))
    return plan


def _forget_address(session: Session, user: User) -> None:
    """Remove what others keep that names the person: invitations to them, their throttle."""
    if user.email_key is None:
        return
    session.execute(
        delete(Invitation).where(
            or_(Invitation.email_key == user.email_key, Invitation.accepted_by == user.id)
        )
    )
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.scope == ThrottleScope.ACCOUNT,
            SignInThrottle.key == digest(user.email_key),
        )
    )


def erase(session: Session, user_id: int) -> Erased | None:
    """Remove every row of ``user_id`` in the caller's transaction; ``None`` if there is none.

    Raises :class:`ValidationError` on ``role`` (and changes nothing) when an
    organization they own alone cannot be handed over. The returned
    ``resume_paths`` are the files the removed resume rows named.
    """
    require_id(user_id, "user_id")
    user = session.get(User, user_id)
    if user is None:
        return None
    settlement = settle_organizations(session, user_id)
    paths = list(session.scalars(select(Resume.file_path).where(Resume.user_id == user_id)))
    letters = select(CoverLetter.file_path).where(
        CoverLetter.user_id == user_id, CoverLetter.file_path.is_not(None)
    )
    letter_paths = [path for path in session.scalars(letters) if path is not None]
    _forget_address(session, user)
    session.execute(delete(User).where(User.id == user_id))
    session.expire_all()
    logger.info(
        "erased user %d (%d resume files, %d organizations removed, %d handed over)",
        user_id, len(paths), len(settlement.removed), len(settlement.handed_over),
    )  # fmt: skip
    return Erased(user_id, paths, settlement, letter_paths)
