"""Contacts as one acting person may see and change them: their own, and no one else's.

A person's contacts are theirs alone (like resumes): not even the coach or
admin who reads their applications sees them. So a contact, or the contacts
of an application, that is not the actor's own is "not found" (``None`` /
``False``); the actor's own with a read-only credential is
:class:`~utils.errors.PermissionDeniedError` for a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from database.domain import applications, contact_links, contacts
from database.domain.accounts import Actor
from database.domain.contacts import ContactFilter
from database.domain.schemas import require_id
from database.io import exports
from database.models import Contact, JobApplication
from database.services.tenancy.guards import require_write_scope


def _own_contact(session: Session, actor: Actor, contact_id: int) -> Contact | None:
    contact = contacts.get(session, require_id(contact_id, "contact_id"))
    return contact if contact is not None and contact.user_id == actor.user_id else None


def _own_application(session: Session, actor: Actor, application_id: int) -> JobApplication | None:
    application = applications.get(session, require_id(application_id, "application_id"))
    if application is None or application.user_id != actor.user_id:
        return None
    return application


def _writable_contact(session: Session, actor: Actor, contact_id: int) -> Contact | None:
    contact = _own_contact(session, actor, contact_id)
    if contact is not None:
        require_write_scope(actor)
    return contact


def list_contacts(
    session: Session,
    actor: Actor,
    criteria: ContactFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Contact], int]:
    """One page of the actor's contacts by name, and how many match in all.

    An ``application_id`` in ``criteria`` that is not the actor's own lists none.
    """
    wanted = criteria or ContactFilter()
    if wanted.application_id is not None and (
        _own_application(session, actor, wanted.application_id) is None
    ):
        return [], 0
    return contacts.listing(session, actor.user_id, wanted, limit, offset, known_user=True)


def create_contact(session: Session, actor: Actor, fields: Mapping[str, Any]) -> Contact:
    """A new contact of the actor's own."""
    require_write_scope(actor)
    return contacts.create(session, actor.user_id, fields)


def get_contact(session: Session, actor: Actor, contact_id: int) -> Contact | None:
    """The actor's own contact, else ``None``."""
    return _own_contact(session, actor, contact_id)


def update_contact(
    session: Session, actor: Actor, contact_id: int, fields: Mapping[str, Any]
) -> Contact | None:
    """Change the actor's own contact; ``None`` when it is not theirs (or not there)."""
    if _writable_contact(session, actor, contact_id) is None:
        return None
    return contacts.update(session, contact_id, fields)


def delete_contact(session: Session, actor: Actor, contact_id: int) -> bool:
    """Delete the actor's own contact and its links; ``False`` when it is not theirs."""
    if _writable_contact(session, actor, contact_id) is None:
        return False
    contacts.remove(session, contact_id)
    return True


def mark_contacted(
    session: Session, actor: Actor, contact_id: int, at: datetime | None = None
) -> Contact | None:
    """Record that the actor reached their contact ``at`` (default: now); ``None`` if not theirs."""
    if _writable_contact(session, actor, contact_id) is None:
        return None
    return contacts.mark_contacted(session, contact_id, at)


def application_contacts(
    session: Session, actor: Actor, application_id: int
) -> list[Contact] | None:
    """The contacts of the actor's own application; ``None`` when it is not theirs."""
    if _own_application(session, actor, application_id) is None:
        return None
    return contact_links.contacts_of(session, application_id)


def contact_applications(
    session: Session, actor: Actor, contact_id: int
) -> list[JobApplication] | None:
    """The applications the actor's own contact is linked to; ``None`` when it is not theirs."""
    if _own_contact(session, actor, contact_id) is None:
        return None
    return contact_links.applications_of(session, contact_id)


def _writable_pair(session: Session, actor: Actor, application_id: int, contact_id: int) -> bool:
    application = _own_application(session, actor, application_id)
    contact = _own_contact(session, actor, contact_id)
    if application is None or contact is None:
        return False
    require_write_scope(actor)
    return True


def link_contact(
    session: Session, actor: Actor, application_id: int, contact_id: int
) -> bool | None:
    """Link the actor's contact to their application: whether it is new; ``None`` if not theirs."""
    if not _writable_pair(session, actor, application_id, contact_id):
        return None
    return contact_links.link(session, application_id, contact_id)


def unlink_contact(
    session: Session, actor: Actor, application_id: int, contact_id: int
) -> bool | None:
    """Unlink the actor's contact from their application: whether it was linked.

    ``None`` when either is not theirs.
    """
    if not _writable_pair(session, actor, application_id, contact_id):
        return None
    return contact_links.unlink(session, application_id, contact_id)


def search_contacts(
    session: Session, actor: Actor, query: str, limit: int = 20, offset: int = 0
) -> list[Contact]:
    """The actor's own contacts matching every word of ``query``, best first."""
    return contacts.search(session, actor.user_id, query, limit, offset)


def export_csv(session: Session, actor: Actor) -> bytes:
    """All of the actor's contacts as a CSV file, by name."""
    found, _ = contacts.listing(session, actor.user_id, known_user=True)
    return exports.contacts_csv(found)
