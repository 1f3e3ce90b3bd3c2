"""``/organizations`` and ``/invitations/accept``: organizations, their members and invitations.

Who may do what is decided in :mod:`database.services.tenancy.organizations`:
an organization the actor is not a member of is a 404 (its existence is not
revealed); a member without the role for a change (or with a read-only API
key) gets a 403. The last owner can neither leave nor be demoted: a 422 on
``role`` (the request is well-formed, but the organization must keep an
owner; a conflict of state, not of versions, so not a 409). An unknown, used,
revoked or expired invitation token is a 422 on ``token``.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import APIRouter, Request, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.idempotency import Created, Idempotency, respond
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.responses import location_of
from api.schemas_applications import ApplicationRead
from api.schemas_organizations import (
    InvitationAccept,
    InvitationCreated,
    InvitationNew,
    InvitationRead,
    MemberRead,
    MembershipRead,
    OrganizationNew,
    OrganizationRead,
    RoleChange,
)
from database.services.tenancy import organizations as tenancy

router = APIRouter(tags=["organizations"])

NOT_FOUND = "no such organization, member or invitation"
BASE = "/organizations/{organization_id}"
_T = TypeVar("_T")


def found(value: _T | None) -> _T:
    """``value``, or a 404 when the service found nothing the actor may see."""
    if value is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return value


def _no_content(done: bool) -> Response:
    """A 204 when the change was made, a 404 when its target was not visible."""
    if not done:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/organizations", response_model=list[OrganizationRead])
def list_organizations(actor: CurrentActor, session: Session) -> list[OrganizationRead]:
    """Every organization the actor belongs to, with their role, by name."""
    return [
        OrganizationRead.of(organization, mine)
        for organization, mine in tenancy.my_organizations(session, actor)
    ]


@router.post("/organizations", response_model=OrganizationRead, status_code=status.HTTP_201_CREATED)
def create_organization(
    body: OrganizationNew,
    actor: CurrentActor,
    session: Session,
    request: Request,
    idempotency: Idempotency,
) -> Response:
    """Found an organization; the actor becomes its owner. Its address in ``Location``.

    With an ``Idempotency-Key``, a retry gets the first answer and founds nothing.
    """

    def create() -> Created:
        organization, mine = tenancy.create_organization(session, actor, body.name, body.slug)
        location = location_of(request, "read_organization", organization_id=str(organization.id))
        return Created(OrganizationRead.of(organization, mine), location=location)

    return respond(session, actor, idempotency, create)


@router.get(BASE, response_model=OrganizationRead)
def read_organization(
    organization_id: int, actor: CurrentActor, session: Session
) -> OrganizationRead:
    """The organization, for its members only."""
    organization, mine = found(tenancy.get_organization(session, actor, organization_id))
    return OrganizationRead.of(organization, mine)


@router.get(f"{BASE}/members", response_model=list[MemberRead])
def list_members(organization_id: int, actor: CurrentActor, session: Session) -> list[MemberRead]:
    """The organization's members by join date (any member; addresses for staff only)."""
    members = found(tenancy.list_members(session, actor, organization_id))
    return [MemberRead.of(member, profile) for member, profile in members]


@router.patch(f"{BASE}/members/{{user_id}}", response_model=MemberRead)
def change_role(
    organization_id: int, user_id: int, body: RoleChange, actor: CurrentActor, session: Session
) -> MemberRead:
    """Give a member another role (owners any; admins between coach and member)."""
    changed = tenancy.change_role(session, actor, organization_id, user_id, body.role.value)
    # Only owners and admins change roles: they see every member's profile.
    member = found(changed)
    return MemberRead.of(member, member.user)


@router.delete(f"{BASE}/members/{{user_id}}", status_code=status.HTTP_204_NO_CONTENT)
def remove_member(
    organization_id: int, user_id: int, actor: CurrentActor, session: Session
) -> Response:
    """Remove a member (owners anyone, admins anyone but owners; oneself is leaving)."""
    return _no_content(tenancy.remove_member(session, actor, organization_id, user_id))


@router.post(f"{BASE}/leave", status_code=status.HTTP_204_NO_CONTENT)
def leave(organization_id: int, actor: CurrentActor, session: Session) -> Response:
    """The actor leaves the organization (not its last owner: a 422 on ``role``)."""
    return _no_content(tenancy.leave(session, actor, organization_id))


@router.get(f"{BASE}/members/{{user_id}}/applications", response_model=list[ApplicationRead])
def list_member_applications(
    organization_id: int,
    user_id: int,
    actor: CurrentActor,
    session: Session,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[ApplicationRead]:
    """A member's applications, newest first, for the organization's coaches, admins and owners.

    How many there are in ``X-Total-Count``. A plain member asking about
    another member gets a 404, as for anyone they may not read.
    """
    page = tenancy.member_applications(
        session, actor, organization_id, user_id, limit=limit, offset=offset
    )
    applications, total = found(page)
    response.headers[TOTAL_HEADER] = str(total)
    return [ApplicationRead.model_validate(application) for application in applications]


@router.get(f"{BASE}/invitations", response_model=list[InvitationRead])
def list_invitations(
    organization_id: int, actor: CurrentActor, session: Session
) -> list[InvitationRead]:
    """The organization's invitations, newest first (owners and admins)."""
    invitations = found(tenancy.list_invitations(session, actor, organization_id))
    return [InvitationRead.of(invitation) for invitation in invitations]


@router.post(
    f"{BASE}/invitations", response_model=InvitationCreated, status_code=status.HTTP_201_CREATED
)
def invite(
    organization_id: int, body: InvitationNew, actor: CurrentActor, session: Session
) -> InvitationCreated:
    """Invite an address with a role; the single-use token is in this response only."""
    made = tenancy.invite(
        session, actor, organization_id, body.email, body.role.value, body.lifetime()
    )
    invitation, token = found(made)
    return InvitationCreated.created(invitation, token)


@router.delete(f"{BASE}/invitations/{{invitation_id}}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(
    organization_id: int, invitation_id: int, actor: CurrentActor, session: Session
) -> Response:
    """Revoke a pending invitation: its token no longer works (an accepted one: a 422)."""
    revoked = tenancy.revoke_invitation(session, actor, organization_id, invitation_id)
    return _no_content(revoked is not None)


@router.post("/invitations/accept", response_model=MembershipRead)
def accept_invitation(
    body: InvitationAccept, actor: CurrentActor, session: Session
) -> MembershipRead:
    """Join the organization of an invitation sent to the actor's address."""
    return MembershipRead.model_validate(tenancy.accept_invitation(session, actor, body.token))
