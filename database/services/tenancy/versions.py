"""Optimistic concurrency: a row's version, and the check a conditional write makes.

A version is a digest of every stored column of the row (the derived keys
included), not its ``updated_at``: a timestamp moves only when a write goes
through the ORM and is only as monotonic as the clock (a step back, or two
writes within its resolution, would give two states one version), while the
digest changes whenever anything stored changes, whoever wrote it. Identical
contents give the same version, which is what a client's precondition is
about: the state it read.

A conditional write (:func:`lock_and_check`) locks the row first (``SELECT ...
FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already lets one
writer in at a time), so of two writers holding the same version one wins and
the other finds the new version and gets :class:`~utils.errors.ConflictError`,
before anything of it is written.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from database.core.base import Base
from database.core.column_types import as_utc
from utils.errors import ConflictError

#: A precondition that any current version satisfies (``If-Match: *``).
ANY_VERSION = "*"
STALE = "the resource changed since it was read (its version no longer matches); read it again"


def version_of(row: Base) -> str:
    """The version of ``row``'s stored state: 32 hex digits."""
    mapper = inspect(type(row))
    state = {attr.key: _plain(getattr(row, attr.key)) for attr in mapper.column_attrs}
    encoded = json.dumps(state, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()[:32]


def check_version(row: Base, accepted: Collection[str] | None) -> None:
    """:class:`ConflictError` unless ``row``'s version is one of ``accepted``.

    ``None`` is no precondition (the write proceeds); :data:`ANY_VERSION`
    accepts whatever version the row has.
    """
    if accepted is None or ANY_VERSION in accepted:
        return
    if version_of(row) not in accepted:
        raise ConflictError(STALE)


def lock_and_check(session: Session, row: Base, accepted: Collection[str] | None) -> None:
    """Re-read ``row`` under a write lock, then :func:`check_version` it.

    Without a precondition nothing is locked: the write proceeds as it would
    have anyway.
    """
    if accepted is None:
        return
    session.flush()
    session.refresh(row, with_for_update=True)
    check_version(row, accepted)


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    return value
