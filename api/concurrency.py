"""Optimistic concurrency over HTTP: ``ETag`` on a resource, ``If-Match`` on a write.

A resource's entity tag is its version (see
:mod:`database.services.tenancy.versions`) as a strong tag, ``"<32 hex>"``. A
write sent with ``If-Match`` goes ahead only if one of the listed tags is the
current one (``*``: any); otherwise it is a 409 problem and nothing changes.
RFC 9110 answers 412 here; the issue asks for 409 for a conflicting write,
and one status for "your copy is stale" keeps clients simple. The check runs
in the service, inside the write's transaction and under a lock of the row,
so two writers holding one tag cannot both win. A write without ``If-Match``
proceeds unconditionally. Weak tags (``W/"..."``) never match: ``If-Match``
compares strongly.

A route adopts it with :data:`IfMatch` (the parsed header, passed down to the
service) and :func:`tag` (the ``ETag`` of what it answers).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Response

from database.core.base import Base
from database.services.tenancy.versions import ANY_VERSION, version_of
from utils.errors import ValidationError

ETAG = "ETag"
IF_MATCH = "If-Match"


def entity_tag(version: str) -> str:
    """The strong entity tag of ``version``."""
    return f'"{version}"'


def tag(response: Response, row: Base) -> None:
    """Give ``response`` the ``ETag`` of ``row``'s current version."""
    response.headers[ETAG] = entity_tag(version_of(row))


def accepted_versions(header: str | None) -> frozenset[str] | None:
    """The versions an ``If-Match`` value accepts; ``None`` when there is no header.

    ``*`` is :data:`~database.services.tenancy.versions.ANY_VERSION`; weak
    tags are dropped (they never match), so a header of weak tags only
    accepts nothing. Anything else that is not a quoted tag is a 422.
    """
    if header is None:
        return None
    if header.strip() == ANY_VERSION:
        return frozenset({ANY_VERSION})
    versions = set()
    for part in (p.strip() for p in header.split(",")):
        weak = part.startswith("W/")
        opaque = part[2:] if weak else part
        if len(opaque) < 2 or not opaque.startswith('"') or not opaque.endswith('"'):
            raise ValidationError(IF_MATCH, 'must be "*" or a list of quoted entity tags')
        if not weak:
            versions.add(opaque[1:-1])
    return frozenset(versions)


def _if_match(
    if_match: Annotated[
        str | None,
        Header(
            alias=IF_MATCH,
            description="Write only if the resource's ETag is one of these (else 409).",
        ),
    ] = None,
) -> frozenset[str] | None:
    return accepted_versions(if_match)


#: The parsed ``If-Match`` of a request: what a conditional write passes to its service.
IfMatch = Annotated[frozenset[str] | None, Depends(_if_match)]
