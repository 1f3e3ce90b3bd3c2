"""The contact calls of the pages, as the person using the dashboard may make them.

Local mode calls ``DatabaseUtils``; hosted mode the actor-scoped services
(:mod:`database.services.tenancy.contacts`) for the signed-in person, whatever
``user_id`` the page holds: another person's contact is "not found".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dashboard import auth, mode, state
from database.domain.accounts import Actor
from database.domain.contacts import ContactFilter
from database.models import Contact
from database.services.tenancy import contacts as tenancy
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

T = TypeVar("T")


def _as_actor(work: Callable[[Session, Actor], T]) -> T:
    actor = auth.require_actor()
    with state.ensure_database().session_scope() as session:
        return work(session, actor)


def _missing(contact_id: int) -> ValidationError:
    return ValidationError("contact_id", f"no contact with id {contact_id}", contact_id)


def contacts(user_id: int, q: str | None = None) -> list[Contact]:
    """The person's contacts by name, those matching ``q`` when given."""
    if not mode.is_hosted():
        return DatabaseUtils.list_contacts(user_id, q=q)
    return _as_actor(lambda s, a: tenancy.list_contacts(s, a, ContactFilter(q=q))[0])


def add(user_id: int, fields: Mapping[str, Any]) -> Contact:
    """A new contact of the person's."""
    if not mode.is_hosted():
        return DatabaseUtils.add_contact(user_id, **fields)
    return _as_actor(lambda s, a: tenancy.create_contact(s, a, fields))


def update(contact_id: int, fields: Mapping[str, Any]) -> Contact:
    """Change the contact (an empty text clears a field)."""
    if not mode.is_hosted():
        found = DatabaseUtils.update_contact(contact_id, **fields)
    else:
        found = _as_actor(lambda s, a: tenancy.update_contact(s, a, contact_id, fields))
    if found is None:
        raise _missing(contact_id)
    return found


def delete(contact_id: int) -> None:
    """Delete the contact and its links."""
    if not mode.is_hosted():
        done = DatabaseUtils.delete_contact(contact_id)
    else:
        done = _as_actor(lambda s, a: tenancy.delete_contact(s, a, contact_id))
    if not done:
        raise _missing(contact_id)


def mark_contacted(contact_id: int) -> None:
    """Record that the person was reached now."""
    if not mode.is_hosted():
        found = DatabaseUtils.mark_contacted(contact_id)
    else:
        found = _as_actor(lambda s, a: tenancy.mark_contacted(s, a, contact_id))
    if found is None:
        raise _missing(contact_id)


def of_application(application_id: int) -> list[Contact]:
    """The contacts linked to the application (none when it is not the person's)."""
    if not mode.is_hosted():
        return DatabaseUtils.get_application_contacts(application_id)
    return _as_actor(lambda s, a: tenancy.application_contacts(s, a, application_id)) or []


def link(application_id: int, contact_id: int, linked: bool = True) -> None:
    """Link (or, with ``linked`` false, unlink) the contact and the application."""
    if not mode.is_hosted():
        call = DatabaseUtils.link_contact if linked else DatabaseUtils.unlink_contact
        call(application_id, contact_id)
        return
    change = tenancy.link_contact if linked else tenancy.unlink_contact
    if _as_actor(lambda s, a: change(s, a, application_id, contact_id)) is None:
        raise _missing(contact_id)
