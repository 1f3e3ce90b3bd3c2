"""The ``DatabaseUtils`` calls about contacts: people at a company, linked to applications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy.orm import Session

from database.domain import contact_links, contacts
from database.domain.contacts import ContactFilter
from database.models import Contact, JobApplication
from database.services.calls import given, run


class ContactCalls:
    """The ``DatabaseUtils`` calls about contacts: people at a company, linked to applications."""

    @staticmethod
    def add_contact(
        user_id: int,
        name: str,
        *,
        company: str | None = None,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        linkedin_url: str | None = None,
        notes: str | None = None,
        last_contacted_at: datetime | None = None,
    ) -> Contact:
        """A new contact of the user's: a name, and what else is known of them.

        ``email``, ``phone`` and ``linkedin_url`` are checked as a profile's are;
        ``last_contacted_at`` is UTC (a naive value is taken as UTC), never in
        the future. An empty text is the same as leaving the field out.
        """
        fields = given(
            name=name, company=company, role=role, email=email, phone=phone,
            linkedin_url=linkedin_url, notes=notes, last_contacted_at=last_contacted_at,
        )  # fmt: skip
        return run(lambda s: contacts.create(s, user_id, fields))

    @staticmethod
    def get_contact(contact_id: int) -> Contact | None:
        """The contact, or ``None``."""
        return run(lambda s: contacts.get(s, contact_id))

    @staticmethod
    def update_contact(
        contact_id: int,
        *,
        name: str | None = None,
        company: str | None = None,
        role: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        linkedin_url: str | None = None,
        notes: str | None = None,
        last_contacted_at: datetime | None = None,
    ) -> Contact | None:
        """Change the given fields of the contact; ``None`` when there is no such contact.

        A field left out (``None``) keeps its value; an empty text clears an
        optional one (the name is required).
        """
        fields = given(
            name=name, company=company, role=role, email=email, phone=phone,
            linkedin_url=linkedin_url, notes=notes, last_contacted_at=last_contacted_at,
        )  # fmt: skip
        contacts.check_changes(fields)  # bad input is an error even for a missing contact
        return run(
            lambda s: _if_found(s, contact_id, lambda: contacts.update(s, contact_id, fields))
        )

    @staticmethod
    def delete_contact(contact_id: int) -> bool:
        """Delete the contact and its links; ``False`` when there is no such contact."""
        return run(
            lambda s: _if_found(s, contact_id, lambda: contacts.remove(s, contact_id)) is not None
        )

    @staticmethod
    def list_contacts(
        user_id: int,
        q: str | None = None,
        company: str | None = None,
        application_id: int | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Contact]:
        """The user's contacts by name, optionally filtered; ``limit`` ``None``: all of them.

        ``q``: text in the name, company, role or email; ``company``: that
        company; ``application_id``: those linked to that application. Letter
        case is ignored, in any script.
        """
        criteria = ContactFilter(q=q, company=company, application_id=application_id)
        return run(lambda s: contacts.listing(s, user_id, criteria, limit, offset)[0])

    @staticmethod
    def link_contact(application_id: int, contact_id: int) -> bool:
        """Link the contact to the application (both the same person's); whether it is new.

        Linking again changes nothing. A contact of someone else is a
        :class:`~utils.errors.ValidationError` on ``contact_id``.
        """
        return run(lambda s: contact_links.link(s, application_id, contact_id))

    @staticmethod
    def unlink_contact(application_id: int, contact_id: int) -> bool:
        """Remove the contact from the application; whether it was linked."""
        return run(lambda s: contact_links.unlink(s, application_id, contact_id))

    @staticmethod
    def get_application_contacts(application_id: int) -> list[Contact]:
        """The contacts linked to the application, by name."""
        return run(lambda s: contact_links.contacts_of(s, application_id))

    @staticmethod
    def get_contact_applications(contact_id: int) -> list[JobApplication]:
        """The applications the contact is linked to, newest first."""
        return run(lambda s: contact_links.applications_of(s, contact_id))

    @staticmethod
    def mark_contacted(contact_id: int, at: datetime | None = None) -> Contact | None:
        """Record that the contact was reached ``at`` (default: now); ``None`` if there is none."""
        if at is not None:
            contacts.check_changes({"last_contacted_at": at})
        return run(
            lambda s: _if_found(s, contact_id, lambda: contacts.mark_contacted(s, contact_id, at))
        )

    @staticmethod
    def search_contacts(
        user_id: int, query: str, limit: int = 20, offset: int = 0
    ) -> list[Contact]:
        """The user's contacts with every word of ``query`` in their details or notes, best first.

        Name matches first, then company, role or email, then notes; letter
        case ignored in any script. ``limit`` from 1 to 100.
        """
        return run(lambda s: contacts.search(s, user_id, query, limit, offset))


T = TypeVar("T")


def _if_found(session: Session, contact_id: int, change: Callable[[], T]) -> T | None:
    """``change()``, or ``None`` when there is no such contact."""
    if contacts.get(session, contact_id) is None:
        return None
    return change()
