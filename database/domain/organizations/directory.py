"""Organizations themselves: founding one, and the ones a person belongs to."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Annotated

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.errors import translated
from database.core.keys import SLUG_LENGTH, organization_slug
from database.domain.organizations.access import membership, record_change
from database.domain.schemas import InputModel, RequiredName, require_id, validate
from database.domain.users import ensure_exists
from database.models import Membership, Organization, OrganizationRole
from utils.errors import ValidationError

Slug = Annotated[str, Field(max_length=SLUG_LENGTH, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


class OrganizationCreate(InputModel):
    """A new organization: a name, and optionally its slug (else derived from the name)."""

    name: RequiredName
    slug: Slug | None = None


def create_organization(
    session: Session, actor_id: int, name: str, slug: str | None = None
) -> Organization:
    """Found an organization named ``name``; the actor becomes its first owner.

    Without ``slug`` one is derived from the name (a number is added when it is
    taken); a given slug that is taken is a :class:`ValidationError` on ``slug``.
    """
    require_id(actor_id, "actor_id")
    fields = validate(OrganizationCreate, {"name": name, "slug": slug})
    ensure_exists(session, actor_id, "actor_id")
    if fields.slug is not None:
        return _found(session, actor_id, fields.name, fields.slug)
    base = organization_slug(fields.name)
    # Row-level security may hide other people's organizations from the query
    # that picks a free slug: the unique index, which sees them all, decides.
    for candidate in _candidates(session, base):
        try:
            with session.begin_nested():
                return _found(session, actor_id, fields.name, candidate)
        except ValidationError as exc:
            if exc.field != "slug":
                raise
    raise ValidationError("slug", "could not find a free one; give a slug", base)


def _candidates(session: Session, base: str) -> Iterator[str]:
    """The first free-looking slug, then numbered ones, then random tails."""
    yield _free_slug(session, base)
    for number in range(2, _NUMBERED_ATTEMPTS + 2):
        yield _with_suffix(base, f"-{number}")
    for _ in range(_RANDOM_ATTEMPTS):
        yield _with_suffix(base, f"-{secrets.token_hex(3)}")


def _found(session: Session, actor_id: int, name: str, slug: str) -> Organization:
    if _slug_taken(session, slug):
        raise ValidationError("slug", "must be unique", slug)
    organization = Organization(name=name, slug=slug, created_by=actor_id)
    organization.memberships.append(Membership(user_id=actor_id, role=OrganizationRole.OWNER))
    session.add(organization)
    with translated():
        session.flush()
    record_change(session, organization.memberships[0], "joined")
    return organization


def list_my_organizations(session: Session, actor_id: int) -> list[tuple[Organization, Membership]]:
    """Every organization the actor belongs to, with their membership, by name then id."""
    require_id(actor_id, "actor_id")
    query = (
        select(Organization, Membership)
        .join(Membership, Membership.organization_id == Organization.id)
        .where(Membership.user_id == actor_id)
        .order_by(Organization.name, Organization.id)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def get_organization(session: Session, actor_id: int, organization_id: int) -> Organization | None:
    """The organization, or ``None`` when it does not exist or the actor is not a member."""
    if membership(session, actor_id, organization_id) is None:
        return None
    return session.get(Organization, organization_id)


_NUMBERED_ATTEMPTS = 20
_RANDOM_ATTEMPTS = 5


def _with_suffix(base: str, suffix: str) -> str:
    return f"{base[: SLUG_LENGTH - len(suffix)].rstrip('-')}{suffix}"


def _slug_taken(session: Session, slug: str) -> bool:
    return session.scalar(select(Organization.id).where(Organization.slug == slug)) is not None


def _free_slug(session: Session, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first one no organization has."""
    taken = set(
        session.scalars(
            select(Organization.slug).where(
                (Organization.slug == base)
                | Organization.slug.startswith(f"{base}-", autoescape=True)
            )
        )
    )
    number = 1
    candidate = base
    while candidate in taken:
        number += 1
        candidate = _with_suffix(base, f"-{number}")
    return candidate
