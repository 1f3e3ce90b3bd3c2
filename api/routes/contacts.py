"""``/contacts``, ``/applications/{id}/contacts`` and ``/search/contacts``: one's own contacts.

Contacts are owner-only (:mod:`database.services.tenancy.contacts`): another
person's contact, or the contacts of another person's application, is a 404
to everyone, coaches included; a change with a read-only API key is a 403.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import APIRouter, Query, Request, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.idempotency import Created, Idempotency, respond
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.responses import json_answer, location_of
from api.schemas_applications import ApplicationRead
from api.schemas_contacts import ContactChange, Contacted, ContactLink, ContactNew, ContactRead
from database.domain.contacts import MAX_QUERY_LENGTH, ContactFilter
from database.models import Contact
from database.services.tenancy import contacts as tenancy

router = APIRouter(tags=["contacts"])

NOT_FOUND = "no such contact"
NO_PAIR = "no such application or contact"
CONTACT = "/contacts/{contact_id}"
LINK = "/applications/{application_id}/contacts/{contact_id}"
QueryText = Annotated[str | None, Query(max_length=MAX_QUERY_LENGTH)]

_T = TypeVar("_T")


def _found(value: _T | None, detail: str = NOT_FOUND) -> _T:
    """``value``, or a 404 when the service found nothing the actor may see."""
    if value is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail)
    return value


def _read(contacts: Sequence[Contact]) -> list[ContactRead]:
    return [ContactRead.model_validate(contact) for contact in contacts]


@router.get("/contacts", response_model=list[ContactRead])
def list_contacts(
    actor: CurrentActor,
    session: Session,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    q: QueryText = None,
    company: QueryText = None,
) -> Response:
    """One's own contacts by name; how many match in ``X-Total-Count``.

    ``q`` keeps those whose name, company, role or email contains it,
    ``company`` those of that company (letter case ignored, in any script).
    """
    criteria = ContactFilter(q=q, company=company)
    found, total = tenancy.list_contacts(session, actor, criteria, limit, offset)
    return json_answer(list[ContactRead], _read(found), headers={TOTAL_HEADER: str(total)})


@router.post("/contacts", response_model=ContactRead, status_code=status.HTTP_201_CREATED)
def create_contact(
    body: ContactNew,
    actor: CurrentActor,
    session: Session,
    request: Request,
    idempotency: Idempotency,
) -> Response:
    """Add a contact of one's own; its address in ``Location``."""

    def create() -> Created:
        contact = tenancy.create_contact(session, actor, body.fields())
        location = location_of(request, "read_contact", contact_id=str(contact.id))
        return Created(ContactRead.model_validate(contact), location=location)

    return respond(session, actor, idempotency, create)


@router.get(
    "/exports/contacts.csv",
    response_class=Response,
    responses={200: {"description": "The contacts as CSV.", "content": {"text/csv": {}}}},
)
def export_contacts(actor: CurrentActor, session: Session) -> Response:
    """All of one's own contacts as a CSV file (UTF-8, a header row, times in UTC)."""
    disposition = 'attachment; filename="contacts.csv"'
    return Response(
        tenancy.export_csv(session, actor),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )


@router.get(CONTACT, response_model=ContactRead)
def read_contact(contact_id: int, actor: CurrentActor, session: Session) -> ContactRead:
    """One's own contact."""
    return ContactRead.model_validate(_found(tenancy.get_contact(session, actor, contact_id)))


@router.patch(CONTACT, response_model=ContactRead)
def change_contact(
    contact_id: int, body: ContactChange, actor: CurrentActor, session: Session
) -> ContactRead:
    """Change the given fields of one's own contact (``null`` clears an optional one)."""
    contact = tenancy.update_contact(session, actor, contact_id, body.changes())
    return ContactRead.model_validate(_found(contact))


@router.delete(CONTACT, status_code=status.HTTP_204_NO_CONTENT)
def delete_contact(contact_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete one's own contact; it leaves every application it was linked to."""
    if not tenancy.delete_contact(session, actor, contact_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{CONTACT}/contacted", response_model=ContactRead)
def mark_contacted(
    contact_id: int, actor: CurrentActor, session: Session, body: Contacted | None = None
) -> ContactRead:
    """Record that one reached the contact ``at`` (left out: now; never in the future)."""
    at = body.at if body is not None else None
    return ContactRead.model_validate(
        _found(tenancy.mark_contacted(session, actor, contact_id, at))
    )


@router.get(f"{CONTACT}/applications", response_model=list[ApplicationRead])
def contact_applications(
    contact_id: int, actor: CurrentActor, session: Session
) -> list[ApplicationRead]:
    """The applications one's own contact is linked to, newest first."""
    found = _found(tenancy.contact_applications(session, actor, contact_id))
    return [ApplicationRead.model_validate(application) for application in found]


@router.get("/applications/{application_id}/contacts", response_model=list[ContactRead])
def application_contacts(
    application_id: int, actor: CurrentActor, session: Session
) -> list[ContactRead]:
    """The contacts linked to one's own application, by name."""
    return _read(_found(tenancy.application_contacts(session, actor, application_id), NO_PAIR))


@router.put(LINK, response_model=ContactLink)
def link_contact(
    application_id: int, contact_id: int, actor: CurrentActor, session: Session
) -> ContactLink:
    """Link one's own contact to one's own application; linking again changes nothing."""
    created = _found(tenancy.link_contact(session, actor, application_id, contact_id), NO_PAIR)
    return ContactLink(application_id=application_id, contact_id=contact_id, created=created)


@router.delete(LINK, status_code=status.HTTP_204_NO_CONTENT)
def unlink_contact(
    application_id: int, contact_id: int, actor: CurrentActor, session: Session
) -> Response:
    """Remove the contact from the application (also when it was not linked: nothing to do)."""
    _found(tenancy.unlink_contact(session, actor, application_id, contact_id), NO_PAIR)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/search/contacts", response_model=list[ContactRead])
def search_contacts(
    actor: CurrentActor,
    session: Session,
    q: Annotated[str, Query(max_length=MAX_QUERY_LENGTH)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> list[ContactRead]:
    """One's own contacts with every word of ``q`` in their details or notes, best first."""
    return _read(tenancy.search_contacts(session, actor, q, limit, offset))
