"""The bodies of the contact routes: what a client sends apart from what it reads.

Write models name only the fields a person sets on their own contact, so
``id``, ``user_id`` and the timestamps are a 422; the values are checked by
the domain (:mod:`database.domain.contacts`), whose
:class:`~utils.errors.ValidationError` names the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from api.schemas import ReadModel, WriteModel


class ContactChange(WriteModel):
    """The fields of a contact a PATCH may change (only those given are; ``null`` clears one)."""

    name: str | None = None
    company: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    linkedin_url: str | None = None
    notes: str | None = None
    last_contacted_at: datetime | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, to be written."""
        return self.model_dump(exclude_unset=True)


class ContactNew(ContactChange):
    """A new contact: a name at least."""

    name: str

    def fields(self) -> dict[str, Any]:
        """The fields the client gave."""
        return self.model_dump(exclude_none=True)


class Contacted(WriteModel):
    """When the person was contacted (left out: now)."""

    at: datetime | None = None


class ContactRead(ReadModel):
    """A contact as its owner sees it."""

    id: int
    name: str
    company: str | None
    role: str | None
    email: str | None
    phone: str | None
    linkedin_url: str | None
    notes: str | None
    last_contacted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ContactLink(BaseModel):
    """The link of a contact to an application; ``created``: whether this call made it."""

    application_id: int
    contact_id: int
    created: bool
