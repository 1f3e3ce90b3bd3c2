"""Finding an application's earlier copy of the same job posting, and what to do then.

Which applications are the same posting is decided by their keys
(:func:`database.core.keys.keys_for`: normalised ``job_url``, folded company,
title and location), each stored in its own indexed column, so finding a
duplicate is one index lookup, whatever the size of the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from database.models import JobApplication
from utils.errors import ValidationError


class OnDuplicate(StrEnum):
    """What to do when a new application is a posting the user already has.

    ``allow`` stores it anyway (the behaviour of the spec), ``fail`` raises
    :class:`ValidationError` on ``job_url`` or ``job_title``, ``skip`` keeps
    the existing application unchanged, ``update`` writes the new values into it.
    """

    ALLOW = "allow"
    FAIL = "fail"
    SKIP = "skip"
    UPDATE = "update"


def parse_on_duplicate(value: Any) -> OnDuplicate:
    """An :class:`OnDuplicate` from the enum or its value."""
    if isinstance(value, OnDuplicate):
        return value
    if isinstance(value, str) and value.strip().lower() in OnDuplicate.__members__.values():
        return OnDuplicate(value.strip().lower())
    allowed = ", ".join(o.value for o in OnDuplicate)
    raise ValidationError("on_duplicate", f"must be one of: {allowed}", value)


def find_existing(session: Session, user_id: int, keys: Mapping[str, str | None]) -> int | None:
    """The id of the user's oldest application with either key, or ``None``."""
    app = JobApplication
    conditions = []
    if keys.get("url_key"):
        conditions.append(app.url_key == keys["url_key"])
    if keys.get("posting_key"):
        conditions.append(app.posting_key == keys["posting_key"])
    if not conditions:
        return None
    query = select(app.id).where(app.user_id == user_id, or_(*conditions))
    return session.scalar(query.order_by(app.id).limit(1))


def existing_keys(session: Session, user_id: int) -> dict[str, int]:
    """Every key of the user's applications, mapped to the oldest application having it."""
    app = JobApplication
    found: dict[str, int] = {}
    rows = session.execute(
        select(app.id, app.url_key, app.posting_key).where(app.user_id == user_id).order_by(app.id)
    )
    for app_id, key_a, key_b in rows:
        for key in (key_a, key_b):
            if key:
                found.setdefault(key, app_id)
    return found


def first_match(keys: Mapping[str, str | None], known: Mapping[str, int]) -> int | None:
    """The application id that ``known`` holds for either of ``keys``."""
    for key in _present(keys.values()):
        if key in known:
            return known[key]
    return None


def _present(keys: Iterable[str | None]) -> list[str]:
    return [k for k in keys if k]
