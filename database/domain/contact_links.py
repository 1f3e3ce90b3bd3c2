"""Contacts linked to applications: both of one person, each pair once.

A link's ``user_id`` is the application's owner, who must also own the
contact. Linking or unlinking is a change of the application: it records an
``application.updated`` event (payload ``{"contact": "linked" | "unlinked",
"contact_id": ...}``) in the same transaction. Functions take a session; the
caller owns the transaction.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from database.core.upsert import conflict_insert
from database.domain import applications, contacts, listing
from database.models import ApplicationContact, Contact, JobApplication
from utils.errors import ValidationError


def _pair(session: Session, application_id: int, contact_id: int) -> tuple[JobApplication, Contact]:
    """The application and the contact, which must be of the same person."""
    application = applications.require(session, application_id)
    contact = contacts.require(session, contact_id)
    if contact.user_id != application.user_id:
        raise ValidationError(
            "contact_id", "must be a contact of the application's owner", contact_id
        )
    return application, contact


def link(session: Session, application_id: int, contact_id: int) -> bool:
    """Link the contact to the application; whether it was not linked yet.

    Linking a linked pair again changes nothing and records no event (also
    when two transactions link the same pair at once: the unique pair decides).
    """
    application, contact = _pair(session, application_id, contact_id)
    statement = (
        conflict_insert(session, ApplicationContact)
        .values(application_id=application.id, contact_id=contact.id, user_id=application.user_id)
        .on_conflict_do_nothing(index_elements=["application_id", "contact_id"])
        .returning(ApplicationContact.id)
    )
    added = session.execute(statement).scalar() is not None
    if added:
        contacts.changed(session, application.id, application.user_id, contact.id, "linked")
    return added


def unlink(session: Session, application_id: int, contact_id: int) -> bool:
    """Remove the link; whether there was one."""
    application, contact = _pair(session, application_id, contact_id)
    link_ = ApplicationContact
    result = session.execute(
        delete(link_)
        .where(link_.application_id == application.id, link_.contact_id == contact.id)
        .returning(link_.id)
    )
    removed = result.scalar() is not None
    if removed:
        contacts.changed(session, application.id, application.user_id, contact.id, "unlinked")
    return removed


def contacts_of(session: Session, application_id: int) -> list[Contact]:
    """The contacts linked to the application, by name (then id)."""
    applications.require(session, application_id)
    query = (
        select(Contact)
        .join(ApplicationContact, ApplicationContact.contact_id == Contact.id)
        .where(ApplicationContact.application_id == application_id)
    )
    found = list(session.scalars(query))
    return sorted(found, key=lambda c: contacts.order_key(c.name, c.id))


def applications_of(session: Session, contact_id: int) -> list[JobApplication]:
    """The applications the contact is linked to, newest first."""
    contacts.require(session, contact_id)
    query = (
        select(JobApplication)
        .join(ApplicationContact, ApplicationContact.application_id == JobApplication.id)
        .where(ApplicationContact.contact_id == contact_id)
    )
    return list(session.scalars(listing.newest_first(query)))


def contact_names(session: Session, application_ids: list[int]) -> dict[int, list[str]]:
    """The names of each application's contacts, by name (for exports); unknown ids: none."""
    if not application_ids:
        return {}
    query = (
        select(ApplicationContact.application_id, Contact.name)
        .join(Contact, Contact.id == ApplicationContact.contact_id)
        .where(ApplicationContact.application_id.in_(application_ids))
    )
    names: dict[int, list[str]] = {}
    for application_id, name in session.execute(query):
        names.setdefault(application_id, []).append(name)
    return {k: sorted(v, key=lambda n: contacts.order_key(n, 0)) for k, v in names.items()}
