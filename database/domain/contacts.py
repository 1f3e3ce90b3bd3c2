"""A person's contacts: people at a company they deal with, and the listings of them.

A contact belongs to one person (``user_id``) and may be linked to any of
that person's applications (:mod:`database.domain.contact_links`). Functions
take a session; the caller owns the transaction.

Text matching (the ``q`` filter, the company filter, search) folds letter case
with Unicode's full case folding after NFKC normalisation, in Python:
SQLite's ``lower()`` folds ASCII letters only and PostgreSQL's follows the
database's locale, so neither would give the same answer on both engines for
"ÉMILE" and "émile" or "STRASSE" and "Straße". A person's contacts are few
(hundreds), so a listing reads the few columns it matches on for all of them,
keeps and orders the matching ids, then loads only the page's rows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.paging import Page, PageBounds
from database.domain import events, users
from database.domain.records import apply_changes
from database.domain.schemas import (
    Email,
    InputModel,
    LinkedInUrl,
    LongText,
    Name,
    Phone,
    RequiredName,
    UTCTime,
    check_text,
    field_path,
    require_id,
    validate,
)
from database.models import ApplicationContact, Contact, EventKind
from utils.errors import ValidationError

#: How far ahead of the server's clock ``last_contacted_at`` may be (another device's clock).
CLOCK_SKEW = timedelta(minutes=1)
#: The longest text a filter or search takes (longer than any column it is matched against).
MAX_QUERY_LENGTH = 200
#: A search page: a limit is required and bounded, like the applications' search.
SEARCH_PAGES = PageBounds(limit_required=True, max_limit=100, max_offset=10_000)


def _blank_as_none(value: Any) -> Any:
    """An empty or all-space text of an optional field means "none" (a form's empty box)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _not_ahead(value: datetime) -> datetime:
    if value > utcnow() + CLOCK_SKEW:
        raise ValueError("must not be in the future")
    return value


Optional = BeforeValidator(_blank_as_none)
ContactTime = Annotated[UTCTime, AfterValidator(_not_ahead)]


class ContactFields(InputModel):
    """The fields of a contact its owner may set; the id and the owner are never among them."""

    name: RequiredName | None = None
    company: Annotated[Name | None, Optional] = None
    role: Annotated[Name | None, Optional] = None
    email: Annotated[Email | None, Optional, BeforeValidator(_stripped)] = None
    phone: Annotated[Phone | None, Optional] = None
    linkedin_url: Annotated[LinkedInUrl | None, Optional] = None
    notes: Annotated[LongText | None, Optional] = None
    last_contacted_at: ContactTime | None = None


class ContactCreate(ContactFields):
    """A new contact: a name at least."""

    name: RequiredName


def field_errors(fields: Mapping[str, Any], new: bool = True) -> dict[str, str]:
    """Every problem of ``fields`` at once, field -> rule (empty when they are all fine).

    What a form shows under each box; the writing functions raise the first
    of them as a :class:`ValidationError`.
    """
    model = ContactCreate if new else ContactFields
    try:
        model.model_validate(dict(fields))
    except PydanticValidationError as exc:
        found: dict[str, str] = {}
        for error in exc.errors(include_url=False):
            name = field_path(error["loc"]) or "value"
            message = str(error["msg"]).removeprefix("Value error, ")
            found.setdefault(name, message[:1].lower() + message[1:])
        return found
    return {}


def create(session: Session, user_id: int, fields: Mapping[str, Any]) -> Contact:
    """A new contact of the user's."""
    data = validate(ContactCreate, fields)
    users.ensure_exists(session, user_id)
    contact = Contact(user_id=user_id, **data.model_dump(exclude_none=True))
    session.add(contact)
    session.flush()
    return contact


def get(session: Session, contact_id: int) -> Contact | None:
    """The contact with ``contact_id``, or ``None``."""
    return session.get(Contact, require_id(contact_id, "contact_id"))


def require(session: Session, contact_id: int) -> Contact:
    """The contact, or :class:`ValidationError` on ``contact_id``."""
    contact = get(session, contact_id)
    if contact is None:
        raise ValidationError("contact_id", f"no contact with id {contact_id}", contact_id)
    return contact


def check_changes(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` checked as changes of a contact: the values to write."""
    changes = validate(ContactFields, fields).model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise ValidationError("name", "must not be empty")
    return changes


def update(session: Session, contact_id: int, fields: Mapping[str, Any]) -> Contact:
    """Apply the given ``fields`` (``None`` clears an optional one; the name stays required)."""
    changes = check_changes(fields)
    contact = require(session, contact_id)
    apply_changes(contact, changes)
    session.flush()
    return contact


def mark_contacted(session: Session, contact_id: int, at: datetime | None = None) -> Contact:
    """Record that the person was contacted ``at`` (default: now)."""
    moment = utcnow() if at is None else at
    return update(session, contact_id, {"last_contacted_at": moment})


def remove(session: Session, contact_id: int) -> list[int]:
    """Delete the contact (its links go by cascade); the ids of the applications it was on.

    Each of those applications records the unlinking in the outbox.
    """
    contact = require(session, contact_id)
    linked = application_ids(session, contact.id)
    session.delete(contact)
    session.flush()
    for application_id in linked:
        changed(session, application_id, contact.user_id, contact.id, "unlinked")
    return linked


def application_ids(session: Session, contact_id: int) -> list[int]:
    """The ids of the applications the contact is linked to, in id order."""
    link = ApplicationContact
    query = select(link.application_id).where(link.contact_id == contact_id)
    return list(session.scalars(query.order_by(link.application_id)))


def changed(
    session: Session, application_id: int, user_id: int, contact_id: int, change: str
) -> None:
    """A contact linked to or unlinked from an application is a change of the application."""
    events.record(
        session, EventKind.APPLICATION_UPDATED, "application", application_id,
        user_id=user_id, payload={"contact": change, "contact_id": contact_id},
    )  # fmt: skip


# -- listing and search --------------------------------------------------------


def fold(text: str | None) -> str:
    """``text`` as it is matched: NFKC-normalised and case-folded (``None``: empty)."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", text).casefold()


def _query_text(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(field, "must be text", value)
    if len(value) > MAX_QUERY_LENGTH:
        raise ValidationError(field, f"must be at most {MAX_QUERY_LENGTH} characters")
    return check_text(value, field).strip()


@dataclass(frozen=True)
class ContactFilter:
    """Which of a person's contacts to list; empty criteria match everything.

    ``q``: text found in the name, company, role or email; ``company``: that
    company (letter case and Unicode form ignored); ``application_id``: only
    those linked to that application.
    """

    q: str | None = None
    company: str | None = None
    application_id: int | None = None


_LISTED = (Contact.id, Contact.name, Contact.company, Contact.role, Contact.email)


def _candidates(session: Session, user_id: int, application_id: int | None, notes: bool) -> Any:
    columns = (*_LISTED, Contact.notes) if notes else _LISTED
    query = select(*columns).where(Contact.user_id == user_id)
    if application_id is not None:
        link = ApplicationContact
        query = query.join(link, link.contact_id == Contact.id).where(
            link.application_id == application_id
        )
    return session.execute(query).all()


def order_key(name: str, contact_id: int) -> tuple[str, str, str, int]:
    """Where a contact comes in a listing: by name, accents and case aside first, then by id."""
    folded = fold(name)
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
    )
    return plain, folded, name, contact_id


def _in_order(rows: Sequence[Any]) -> list[Any]:
    """``rows`` in the listing's order (:func:`order_key`): stable across engines."""
    return sorted(rows, key=lambda r: order_key(r.name, r.id))


def _load(session: Session, user_id: int, ids: Sequence[int]) -> list[Contact]:
    # By the owner too: the ids are theirs, and the read stays on their rows.
    if not ids:
        return []
    query = select(Contact).where(Contact.user_id == user_id, Contact.id.in_(ids))
    found = {c.id: c for c in session.scalars(query)}
    return [found[i] for i in ids]


def listing(
    session: Session,
    user_id: int,
    criteria: ContactFilter | None = None,
    limit: int | None = None,
    offset: int = 0,
    known_user: bool = False,
) -> tuple[list[Contact], int]:
    """One page of the user's contacts matching ``criteria``, by name; and how many match.

    ``known_user`` skips checking that the user exists (the API's actor does).
    """
    page = Page.of(limit, offset)
    wanted = criteria or ContactFilter()
    require_id(user_id, "user_id")
    needle = fold(_query_text(wanted.q, "q"))
    company = fold(_query_text(wanted.company, "company"))
    application_id = wanted.application_id
    if application_id is not None:
        require_id(application_id, "application_id")
    if not known_user:
        users.ensure_exists(session, user_id)
    kept = [
        row
        for row in _candidates(session, user_id, application_id, notes=False)
        if (not company or fold(row.company) == company)
        and (not needle or any(needle in fold(value) for value in row[1:]))
    ]
    ids = [row.id for row in _in_order(kept)]
    end = None if page.limit is None else page.offset + page.limit
    return _load(session, user_id, ids[page.offset : end]), len(ids)


def search(
    session: Session, user_id: int, query: Any, limit: int = 20, offset: int = 0
) -> list[Contact]:
    """The user's contacts where every word of ``query`` occurs, best first.

    A word counts in the name, company, role, email or notes (letter case
    ignored, see the module's documentation). Contacts whose name holds every
    word come first, then those where each word is in the name, company, role
    or email, then those found through their notes; by name within each.
    """
    page = Page.of(limit, offset, SEARCH_PAGES)
    if query is None:
        raise ValidationError("query", "must be text", query)
    words = fold(_query_text(query, "query")).split()
    if not words:
        raise ValidationError("query", "must contain a word to search for", query)
    users.ensure_exists(session, user_id)
    ranked: list[tuple[int, Any]] = []
    for row in _candidates(session, user_id, None, notes=True):
        name, details, notes = fold(row.name), " ".join(map(fold, row[2:5])), fold(row.notes)
        if all(w in name for w in words):
            ranked.append((0, row))
        elif all(w in name or w in details for w in words):
            ranked.append((1, row))
        elif all(w in name or w in details or w in notes for w in words):
            ranked.append((2, row))
    ranked.sort(key=lambda item: (item[0], *order_key(item[1].name, item[1].id)))
    window = ranked[page.offset : page.offset + (page.limit or 0)]
    return _load(session, user_id, [row.id for _, row in window])
