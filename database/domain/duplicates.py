"""Recognising the same job posting twice.

Two applications of one user are the same posting when their normalised
``job_url`` is equal, or when company, job title and location are equal once
letter case, accents, punctuation and spacing are ignored. Each key is stored
as a short digest in its own indexed column (``url_key``, ``posting_key``), so
finding a duplicate is one index lookup, whatever the size of the table.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from database.models import JobApplication
from utils.errors import ValidationError

#: Query parameters that track where a click came from, not which job it is.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "refid", "referrer", "src", "source", "trk"}
)
KEY_LENGTH = 32


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


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())


def normalise_url(url: str | None) -> str | None:
    """The posting's address without scheme, ``www.``, fragment or tracking parameters.

    ``None`` when there is no usable address.
    """
    if not url or not url.strip():
        return None
    raw = url.strip()
    try:
        parts = urlsplit(raw if "://" in raw else f"//{raw}")
        host = (parts.hostname or "").removeprefix("www.")
        port_number = parts.port
    except ValueError:  # not an address ("[x", a port out of range): compare it as text
        return raw.casefold()
    if not host:
        return raw.casefold()
    port = f":{port_number}" if port_number and port_number not in (80, 443) else ""
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMETERS and not k.lower().startswith("utm_")
    )
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{host}{port}{path}{suffix}"


def url_key(url: str | None) -> str | None:
    """The stored key of a posting address, or ``None`` without one."""
    normal = normalise_url(url)
    return None if normal is None else _digest(normal)


def posting_key(company: str | None, job_title: str | None, location: str | None) -> str | None:
    """The stored key of company + title + location, or ``None`` without company and title."""
    if not company or not job_title:
        return None
    return _digest("\x1f".join(_fold(part or "") for part in (company, job_title, location)))


def keys_for(fields: Mapping[str, Any]) -> dict[str, str | None]:
    """``url_key`` and ``posting_key`` of an application's field values."""
    return {
        "url_key": url_key(fields.get("job_url")),
        "posting_key": posting_key(
            fields.get("company"), fields.get("job_title"), fields.get("location")
        ),
    }


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
