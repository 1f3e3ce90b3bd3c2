"""The contacts of a personal backup, read back: checked with the rest, then written.

A contact's ``id`` in the file only links it to the applications of the same
file that list it in their ``contact_ids``; on import every contact is new and
the importing person's, and each link's owner is the application's (the same
person). See :mod:`database.io.personal_backup` for the format.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from database.domain.contacts import ContactCreate
from database.domain.schemas import validate
from database.io.personal_backup import CONTACT_LINKS, CONTACTS
from database.models import ApplicationContact, Contact
from utils.errors import ValidationError

#: Reads one record of a section: (section, raw, where, extra keys) -> its values.
Reader = Callable[..., dict[str, Any]]


@dataclass
class ContactEntry:
    """One contact of the file: its id there and its values."""

    ref: int
    values: dict[str, Any]


def check_contacts(raw: Any, where: str, read: Reader) -> list[ContactEntry]:
    """The contacts of the file (``raw``: its ``contacts`` list), checked as new contacts are."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError(where, "must be a list")
    found: list[ContactEntry] = []
    for index, item in enumerate(raw):
        at = f"{where}[{index}]"
        values = read(CONTACTS, item, at)
        ref = item.get("id")
        if type(ref) is not int or ref < 1:
            raise ValidationError(f"{at}.id", "must be a positive integer")
        if any(entry.ref == ref for entry in found):
            raise ValidationError(f"{at}.id", "is the id of an earlier contact of the file")
        _check_fields(values, at)
        found.append(ContactEntry(ref, values))
    return found


def _check_fields(values: dict[str, Any], where: str) -> None:
    """The rules of a new contact (email, phone, LinkedIn...), named where they fail."""
    fields = {k: v for k, v in values.items() if k in ContactCreate.model_fields}
    try:
        validate(ContactCreate, fields)
    except ValidationError as exc:
        raise ValidationError(f"{where}.{exc.field}", exc.rule) from None


def check_links(item: dict[str, Any], where: str, refs: set[int]) -> list[int]:
    """The contact ids an application of the file lists, each a contact of the file, once."""
    raw = item.get(CONTACT_LINKS)
    if raw is None:
        return []
    at = f"{where}.{CONTACT_LINKS}"
    if not isinstance(raw, list):
        raise ValidationError(at, "must be a list")
    for index, ref in enumerate(raw):
        if type(ref) is not int or ref not in refs:
            raise ValidationError(f"{at}[{index}]", "must be the id of a contact in this file")
    return list(dict.fromkeys(raw))


def add_contacts(session: Session, user_id: int, entries: Sequence[ContactEntry]) -> dict[int, int]:
    """Add the file's contacts as the user's; the new id of each id of the file."""
    rows = [Contact(**entry.values, user_id=user_id) for entry in entries]
    session.add_all(rows)
    session.flush()
    return {entry.ref: row.id for entry, row in zip(entries, rows, strict=True)}


def links(
    application_id: int, user_id: int, refs: Iterable[int], ids: dict[int, int]
) -> list[ApplicationContact]:
    """The link rows of one imported application to its imported contacts."""
    return [
        ApplicationContact(application_id=application_id, contact_id=ids[ref], user_id=user_id)
        for ref in refs
    ]
