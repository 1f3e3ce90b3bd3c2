"""Invitations: single-use, expiring tokens that make the invited person a member.

Only the token's SHA-256 is stored; :func:`invite` returns the token once, for
the caller to deliver. Whoever accepts must be signed in with the invited
address (the same :func:`database.core.keys.email_key`).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import as_utc, utcnow
from database.core.keys import email_key
from database.core.tokens import digest, is_candidate, mint
from database.domain.organizations.access import (
    manager_membership,
    membership,
    parse_role,
    record_change,
    require_may_assign,
)
from database.domain.schemas import Email, InputModel, require_id, validate
from database.models import Invitation, Membership, User
from utils.errors import ValidationError

#: How long an invitation is valid unless the inviter says otherwise.
DEFAULT_LIFETIME = timedelta(days=7)
#: Longer input is no invitation token; it is refused before hashing.
#: The tag of invitation tokens (see :mod:`database.core.tokens`).
TAG = "aai"
#: The longest an invitation may stay valid.
MAX_LIFETIME = timedelta(days=90)
# One message for an unknown token and for someone else's: a token never tells
# a stranger which address it was meant for.
_NOT_YOURS = "is not a valid invitation for this account"


class InvitationCreate(InputModel):
    """The address an invitation is sent to."""

    email: Email


def invite(
    session: Session,
    actor_id: int,
    organization_id: int,
    email: str,
    role: str,
    expires_in: timedelta = DEFAULT_LIFETIME,
) -> tuple[Invitation, str] | None:
    """Invite ``email`` to join with ``role``: the invitation and its token, shown only here.

    Owners and admins invite (admins as coach or member only). ``None`` when
    the actor is not a member of the organization.
    """
    new_role = parse_role(role)
    address = validate(InvitationCreate, {"email": email}).email
    if not isinstance(expires_in, timedelta) or not timedelta(0) < expires_in <= MAX_LIFETIME:
        raise ValidationError(
            "expires_in", f"must be positive and at most {MAX_LIFETIME.days} days"
        )
    actor = manager_membership(session, actor_id, organization_id)
    if actor is None:
        return None
    require_may_assign(actor, new_role)
    token = mint(TAG)
    invitation = Invitation(
        organization_id=organization_id,
        user_id=actor_id,
        email=address,
        email_key=email_key(address),
        role=new_role,
        token_hash=token.digest,
        prefix=token.prefix,
        expires_at=utcnow() + expires_in,
    )
    session.add(invitation)
    session.flush()
    return invitation, token.raw


def list_invitations(
    session: Session, actor_id: int, organization_id: int
) -> list[Invitation] | None:
    """The organization's invitations, newest first (owners and admins only).

    ``None`` when the actor is not a member.
    """
    if manager_membership(session, actor_id, organization_id) is None:
        return None
    query = (
        select(Invitation)
        .where(Invitation.organization_id == organization_id)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    )
    return list(session.scalars(query))


def accept_invitation(session: Session, actor_id: int, token: str) -> Membership:
    """Join the organization of the invitation ``token``; the actor's membership.

    The token is single-use and expires; it must have been sent to the actor's
    own address. A person who is already a member keeps their membership
    unchanged (the invitation is used up all the same).
    """
    require_id(actor_id, "actor_id")
    if not is_candidate(token, TAG):
        raise ValidationError("token", _NOT_YOURS)
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == digest(token)).with_for_update()
    )
    actor = session.get(User, actor_id)
    if invitation is None or actor is None or actor.email_key != invitation.email_key:
        raise ValidationError("token", _NOT_YOURS)
    _require_usable(invitation)
    now = utcnow()
    invitation.accepted_at = now
    invitation.accepted_by = actor_id
    existing = membership(session, actor_id, invitation.organization_id)
    if existing is None:
        existing = Membership(
            organization_id=invitation.organization_id, user_id=actor_id, role=invitation.role
        )
        session.add(existing)
        session.flush()
        record_change(session, existing, "joined")
    else:
        session.flush()
    return existing


def revoke_invitation(session: Session, actor_id: int, invitation_id: int) -> Invitation | None:
    """Revoke a pending invitation so that its token no longer works; the invitation.

    Owners and admins revoke (admins not an invitation to become owner or admin).
    ``None`` when the invitation does not exist or the actor is not a member of
    its organization; an accepted invitation cannot be revoked.
    """
    require_id(invitation_id, "invitation_id")
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        return None
    actor = manager_membership(session, actor_id, invitation.organization_id)
    if actor is None:
        return None
    require_may_assign(actor, invitation.role)
    if invitation.accepted_at is not None:
        raise ValidationError("invitation_id", "has already been accepted", invitation_id)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        session.flush()
    return invitation


def _require_usable(invitation: Invitation) -> None:
    if invitation.revoked_at is not None:
        raise ValidationError("token", "has been revoked")
    if invitation.accepted_at is not None:
        raise ValidationError("token", "has already been used")
    if as_utc(invitation.expires_at) <= utcnow():
        raise ValidationError("token", "has expired")
