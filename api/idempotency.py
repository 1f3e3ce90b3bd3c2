"""``Idempotency-Key`` on creating requests: a retried POST creates one object.

Following the IETF draft (draft-ietf-httpapi-idempotency-key-header): a POST
that creates something takes an optional ``Idempotency-Key`` header (1 to 255
printable ASCII characters, e.g. a UUID). The first request with a key is
carried out and its response kept for 24 hours; a retry with the same key,
method, path and body bytes gets that response again -- same status, body and
``Location``, plus ``Idempotent-Replayed: true`` -- and creates nothing. The
key sent with another body (or to another route) is a 422, as the draft says;
a duplicate sent while the first is still running waits for it and then gets
its response. Keys are per person: one person's key never answers another's.

The response is stored in the transaction that creates the object, so both
are kept or neither (see :mod:`database.domain.idempotency`).

A route adopts it by taking :data:`Idempotency` and answering through
:func:`respond`, which also shapes a request without a key, so the first
answer and its replay are the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from database.domain.accounts import Actor
from database.domain.idempotency import (
    FIELD,
    IdempotentRequest,
    StoredResponse,
    body_digest,
    checked_key,
)
from database.services.tenancy import idempotency as tenancy

REPLAYED = "Idempotent-Replayed"
JSON = "application/json"


@dataclass(frozen=True)
class Created:
    """What a creating route answers: a body, its status and the new object's address."""

    body: BaseModel
    status_code: int = status.HTTP_201_CREATED
    location: str | None = None


_KeyHeader = Annotated[
    str | None,
    Header(
        alias=FIELD,
        description="A unique key per creating request: a retry with it creates nothing "
        "new and gets the first response (kept 24 hours).",
    ),
]


async def idempotent_request(request: Request, key: _KeyHeader = None) -> IdempotentRequest | None:
    """The request's key and fingerprint, or ``None`` when it was sent without a key."""
    if key is None:
        return None
    body = await request.body()
    return IdempotentRequest(checked_key(key), request.method, request.url.path, body_digest(body))


class UploadKey:
    """The key of a multipart upload, fingerprinted by the route from the parts it read.

    The body of a form is consumed by its parsing before dependencies run, so
    the route passes what it received (:meth:`request`).
    """

    def __init__(self, request: Request, key: _KeyHeader = None) -> None:
        self.key = None if key is None else checked_key(key)
        self.method = request.method
        self.path = request.url.path

    def request(self, *parts: bytes) -> IdempotentRequest | None:
        """The fingerprinted request, or ``None`` when it was sent without a key."""
        if self.key is None:
            return None
        digest = body_digest(b"\0".join(body_digest(part).encode() for part in parts))
        return IdempotentRequest(self.key, self.method, self.path, digest)


#: The ``Idempotency-Key`` of a creating request, checked and fingerprinted.
Idempotency = Annotated[IdempotentRequest | None, Depends(idempotent_request)]
#: The ``Idempotency-Key`` of a multipart upload (see :class:`UploadKey`).
UploadIdempotency = Annotated[UploadKey, Depends(UploadKey)]


def respond(
    session: Session,
    actor: Actor,
    idempotency: IdempotentRequest | None,
    create: Callable[[], Created],
) -> Response:
    """``create()``'s answer, or the answer kept for the key when this is a retry."""
    if idempotency is not None:
        kept = tenancy.claim(session, actor, idempotency)
        if kept is not None:
            return _response(kept, replayed=True)
    created = create()
    answer = StoredResponse(
        created.status_code, created.body.model_dump_json(), JSON, created.location
    )
    if idempotency is not None:
        tenancy.record(session, actor, idempotency, answer)
    return _response(answer, replayed=False)


def _response(answer: StoredResponse, *, replayed: bool) -> Response:
    headers = {"Location": answer.location} if answer.location else {}
    if replayed:
        headers[REPLAYED] = "true"
    return Response(
        answer.body, status_code=answer.status_code, media_type=answer.media_type, headers=headers
    )
