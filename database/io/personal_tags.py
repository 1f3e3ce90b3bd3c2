"""The tags of a personal backup: the vocabulary, and each application's tag names.

The document (see :mod:`database.io.personal_backup`) carries ``"tags"``: the
names of the person's vocabulary (unused tags included), and on each
application ``"tags"``: the names it carries. Names are checked like any tag
(:func:`database.domain.tags.check_name`); importing them reuses a tag of the
same name the account already has (letter case and spacing ignored).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.domain import tags
from database.models import ApplicationTag, Tag
from utils.errors import ValidationError

#: The top-level key of the vocabulary, and the key of an application's tag names.
KEY = "tags"


def vocabulary(session: Session, user_id: int) -> list[str]:
    """The names of the user's tags, by name."""
    query = select(Tag.name).where(Tag.user_id == user_id).order_by(Tag.name_key, Tag.id)
    return list(session.scalars(query))


def by_application(session: Session, user_id: int) -> dict[int, list[str]]:
    """The tag names of each of the user's tagged applications, by name."""
    query = (
        select(ApplicationTag.application_id, Tag.name)
        .join(Tag, Tag.id == ApplicationTag.tag_id)
        .where(ApplicationTag.user_id == user_id)
        .order_by(ApplicationTag.application_id, Tag.name_key)
    )
    names: dict[int, list[str]] = defaultdict(list)
    for application_id, name in session.execute(query):
        names[application_id].append(name)
    return names


def check_vocabulary(raw: Any, where: str) -> list[str]:
    """The names of the file's vocabulary (absent: none), each checked."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError(where, "must be a list of tag names")
    return [tags.check_name(name, f"{where}[{i}]") for i, name in enumerate(raw)]


def check_application(item: dict[str, Any], where: str) -> list[str]:
    """The tag names of one application of the file (absent: none), as one application holds."""
    raw = item.get(KEY)
    return [] if raw is None else tags.check_names(raw, f"{where}.{KEY}")


def add_vocabulary(session: Session, user_id: int, names: list[str]) -> int:
    """Make every name a tag of the user's (reusing those they have); how many names."""
    for name in names:
        tags.get_or_create(session, user_id, name)
    return len(names)


def tag_application(session: Session, application_id: int, names: list[str]) -> None:
    """Put ``names`` on the newly imported application."""
    if names:
        tags.add_tags(session, application_id, names)
