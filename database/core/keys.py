"""Derived lookup keys: the one place where a stored value becomes the key it is found by.

Every function here is pure (a value in, its key out), so the models, the
domain code, the dashboard and backup restores all derive a key the same way.
Migrations never import this module: a revision keeps a frozen copy of the
rule it applied, so re-running it writes what it wrote the first time.

*Email identity.* Two addresses are the same account when they are equal after
Unicode NFKC normalisation and full case folding (``"Émile@X.org"``,
``"émile@x.org"`` and ``"E\\u0301mile@x.org"`` are one person), on SQLite and
PostgreSQL alike. The key is stored in ``users.email_key`` with a unique index
and used for every lookup; the address itself is kept as the person typed it.

*Posting keys.* Two applications of one user are the same job posting when
their normalised ``job_url`` is equal, or when company, job title and location
are equal once letter case, accents, punctuation and spacing are ignored. Each
key is a short digest stored in its own indexed column (``url_key``,
``posting_key``), so finding a duplicate is one index lookup.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

#: Query parameters that track where a click came from, not which job it is.
TRACKING_PARAMETERS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "ref", "refid", "referrer", "src", "source", "trk"}
)
#: Hex characters of a posting key (the width of its column).
KEY_LENGTH = 32


def email_key(email: str) -> str:
    """The case-folded, NFKC-normalised identity of ``email`` (surrounding spaces removed)."""
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    # Case folding can leave text that NFKC would compose differently ("ß" -> "ss" is
    # fine, but some folds produce decomposed sequences): normalise once more.
    return unicodedata.normalize("NFKC", folded)


def version_key(version: str) -> tuple[tuple[int, ...], str]:
    """Sort key: dotted numeric versions in number order ("003" < "003.1" < "004"), others last.

    The built-in revisions after the specification's three are numbered
    ``003.1``, ``003.2``, ... so that a project's own custom migration ``004``
    (the specification's example) still comes after all of them.
    """
    parts = version.split(".")
    if all(part.isdigit() for part in parts):
        return tuple(int(part) for part in parts), version
    return (10**9,), version


def tag_key(name: str) -> str:
    """The identity of a tag's name: case-folded, NFKC-normalised, inner spaces collapsed."""
    return " ".join(email_key(name).split())


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


#: Characters of an organization's slug (the width of its column).
SLUG_LENGTH = 100


def organization_slug(name: str) -> str:
    """The lower-case ASCII slug of an organization's name (``"École 42"`` -> ``"ecole-42"``).

    Accents are dropped and every run of other characters becomes one hyphen;
    a name with no ASCII letter or digit gives ``"organization"``.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    kept = "".join(
        c if c.isascii() and c.isalnum() else " "
        for c in decomposed
        if not unicodedata.combining(c)
    )
    slug = "-".join(kept.split())[:SLUG_LENGTH].strip("-")
    return slug or "organization"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:KEY_LENGTH]


def _fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(kept.split())
