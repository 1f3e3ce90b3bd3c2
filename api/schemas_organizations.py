"""The bodies of the organization routes: what a client sends apart from what it reads.

A client names an organization, a role or an address, never an id, an owner
or a timestamp: those are a 422. The founder's role, a member's join date and
an invitation's token hash are set by the domain alone; an invitation's token
is in the one response that creates it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from api.schemas import ReadModel, WriteModel
from database.domain.organizations import DEFAULT_LIFETIME
from database.models import Invitation, Membership, Organization, OrganizationRole, User

_DEFAULT_DAYS = DEFAULT_LIFETIME.days


class OrganizationNew(WriteModel):
    """A new organization; without ``slug`` one is derived from the name."""

    name: str
    slug: str | None = None


class OrganizationRead(BaseModel):
    """An organization as a member sees it, with the reader's own role in it."""

    id: int
    name: str
    slug: str
    role: OrganizationRole
    created_at: datetime

    @classmethod
    def of(cls, organization: Organization, mine: Membership) -> OrganizationRead:
        """The organization as the member of ``mine`` sees it."""
        return cls(
            id=organization.id,
            name=organization.name,
            slug=organization.slug,
            role=mine.role,
            created_at=organization.created_at,
        )


class MemberRead(BaseModel):
    """One member of an organization and their role.

    ``email`` and the names are shown to the organization's staff (and to each
    person about themself); to a plain member about another they are ``null``.
    """

    user_id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    role: OrganizationRole
    joined_at: datetime

    @classmethod
    def of(cls, member: Membership, profile: User | None) -> MemberRead:
        """The member of the membership ``member``, with ``profile`` if the reader may see it."""
        return cls(
            user_id=member.user_id,
            email=profile.email if profile else None,
            first_name=profile.first_name if profile else None,
            last_name=profile.last_name if profile else None,
            role=member.role,
            joined_at=member.created_at,
        )


class MembershipRead(ReadModel):
    """The reader's own membership of an organization (after accepting an invitation)."""

    organization_id: int
    user_id: int
    role: OrganizationRole
    created_at: datetime


class RoleChange(WriteModel):
    """A member's new role."""

    role: OrganizationRole


class InvitationNew(WriteModel):
    """An invitation to ``email`` with ``role``, valid for ``expires_in_days`` days."""

    email: str
    role: OrganizationRole = OrganizationRole.MEMBER
    expires_in_days: int = Field(default=_DEFAULT_DAYS, ge=1, le=90)

    def lifetime(self) -> timedelta:
        """How long the invitation stays valid."""
        return timedelta(days=self.expires_in_days)


class InvitationRead(BaseModel):
    """An invitation as its organization's managers see it (never its token)."""

    id: int
    organization_id: int
    invited_by: int
    email: str
    role: OrganizationRole
    prefix: str
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationRead:
        """The invitation ``invitation`` as the API shows it."""
        return cls.model_validate(_invitation_fields(invitation))


class InvitationCreated(InvitationRead):
    """A new invitation with its single-use token: shown in this response only."""

    token: str

    @classmethod
    def created(cls, invitation: Invitation, token: str) -> InvitationCreated:
        """The invitation just made and its token."""
        return cls.model_validate({**_invitation_fields(invitation), "token": token})


class InvitationAccept(WriteModel):
    """The token of an invitation sent to the signed-in person's address."""

    token: str


def _invitation_fields(invitation: Invitation) -> dict[str, object]:
    return {
        "id": invitation.id,
        "organization_id": invitation.organization_id,
        "invited_by": invitation.user_id,
        "email": invitation.email,
        "role": invitation.role,
        "prefix": invitation.prefix,
        "expires_at": invitation.expires_at,
        "accepted_at": invitation.accepted_at,
        "revoked_at": invitation.revoked_at,
        "created_at": invitation.created_at,
    }
