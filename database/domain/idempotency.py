"""Idempotency keys: a creating request retried with the same key creates one object.

Follows the IETF draft *The Idempotency-Key HTTP Header Field*
(draft-ietf-httpapi-idempotency-key-header): a client sends a unique key with
a request that is not idempotent by itself (a POST that creates something);
the server keeps the first response for the key and answers every retry with
it. The request's fingerprint is its method, path and the SHA-256 of its body:
the key sent again with another request is refused
(:class:`~utils.errors.ValidationError`, 422, as the draft says), never
silently replayed.

Keys are per person and live :data:`LIFETIME` (24 hours); an expired key is
forgotten and may be used again.

How a duplicate sent at the same time is kept from creating a second object:
:func:`claim` inserts the key's row *first*, in the transaction that then
creates the object and :func:`record`\\ s the response. A concurrent duplicate
inserting the same key waits for that transaction (PostgreSQL blocks on the
unique index; SQLite's ``BEGIN IMMEDIATE`` lets one writer in at a time) and
then finds the recorded response. If the first transaction rolls back,
nothing of it remains, its key included, and the duplicate goes ahead. The
insert runs in a savepoint, so that losing the race leaves the rest of the
transaction usable.

A response holding a secret (an API key shown once) must not be stored here.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.models import IdempotencyKey
from utils.errors import ConflictError, ValidationError

log = logging.getLogger(__name__)

#: How long a key's response is replayed.
LIFETIME = timedelta(hours=24)
#: The longest key accepted (characters).
MAX_KEY_LENGTH = 255
#: The longest response body stored (characters); the schema has the same bound.
MAX_RESPONSE_CHARS = 1_048_576
#: The field a key's errors name: the request header.
FIELD = "Idempotency-Key"


@dataclass(frozen=True)
class IdempotentRequest:
    """A creating request sent with an ``Idempotency-Key``: the key and its fingerprint."""

    key: str
    method: str
    path: str
    digest: str


@dataclass(frozen=True)
class StoredResponse:
    """What the first request with a key was answered: replayed on its retries."""

    status_code: int
    body: str
    media_type: str
    location: str | None = None


def body_digest(body: bytes) -> str:
    """The SHA-256 (hex) of a request body: the part of the fingerprint the client chose."""
    return hashlib.sha256(body).hexdigest()


def checked_key(key: str) -> str:
    """``key`` if it is a usable idempotency key, else :class:`ValidationError`.

    1 to :data:`MAX_KEY_LENGTH` printable ASCII characters (the draft makes the
    header a structured-field string, which holds nothing else).
    """
    if not key:
        raise ValidationError(FIELD, "must not be empty")
    if len(key) > MAX_KEY_LENGTH:
        raise ValidationError(FIELD, f"must be at most {MAX_KEY_LENGTH} characters")
    if not all(" " <= char <= "~" for char in key):
        raise ValidationError(FIELD, "must be printable ASCII")
    return key


def claim(session: Session, user_id: int, request: IdempotentRequest) -> StoredResponse | None:
    """The stored response of ``request``'s key, or ``None`` once the key is claimed for it.

    ``None`` means: go ahead, create the object, then :func:`record` the
    response in the same transaction. :class:`ValidationError` when the key
    was used for another request (another body, method or path).
    """
    now = utcnow()
    _forget_expired(session, user_id, now)
    existing = _find(session, user_id, request.key)
    if existing is None:
        claimed = IdempotencyKey(
            user_id=user_id,
            key=request.key,
            method=request.method,
            path=request.path,
            request_digest=request.digest,
            created_at=now,
            updated_at=now,
            expires_at=now + LIFETIME,
        )
        try:
            with session.begin_nested():
                session.add(claimed)
        except IntegrityError:
            # A concurrent duplicate claimed the key and has committed by now.
            log.info("idempotency key of user %s claimed concurrently", user_id)
            existing = _find(session, user_id, request.key)
            if existing is None:
                raise
        else:
            return None
    return _replay(existing, request)


def record(
    session: Session, user_id: int, request: IdempotentRequest, response: StoredResponse
) -> None:
    """Store ``response`` as the answer to the key :func:`claim` gave ``request``."""
    if len(response.body) > MAX_RESPONSE_CHARS:
        raise ValidationError(FIELD, "the response is too large to be replayed")
    row = _find(session, user_id, request.key)
    if row is None or row.status_code is not None:
        raise LookupError("record() needs a key claimed in this transaction")
    row.status_code = response.status_code
    row.response_body = response.body
    row.media_type = response.media_type
    row.location = response.location
    session.flush()


def purge_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every person's expired keys; how many went."""
    result = session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.expires_at <= (now or utcnow()))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _find(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.scalars(
        select(IdempotencyKey)
        .where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
        .execution_options(populate_existing=True)
    ).one_or_none()


def _forget_expired(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id, IdempotencyKey.expires_at <= now
        )
    )


def _replay(row: IdempotencyKey, request: IdempotentRequest) -> StoredResponse:
    same = (row.method, row.path, row.request_digest) == (
        request.method,
        request.path,
        request.digest,
    )
    if not same:
        raise ValidationError(FIELD, "was already used for another request")
    if row.status_code is None or row.response_body is None or row.media_type is None:
        # Only the claiming transaction sees an unanswered key: it was claimed twice in it.
        raise ConflictError(f"{FIELD} is in use by a request still in progress")
    return StoredResponse(row.status_code, row.response_body, row.media_type, row.location)
