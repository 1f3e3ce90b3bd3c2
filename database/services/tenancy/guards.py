"""Checks shared by every actor-scoped service: the credential's scope, the server administrator."""

from __future__ import annotations

from database.domain.accounts import Actor
from utils.errors import PermissionDeniedError

READ_ONLY_CREDENTIAL = "this credential is read-only; a write-scoped one is needed"
ADMINS_ONLY = "only a server administrator may do this"


def require_write_scope(actor: Actor) -> None:
    """:class:`PermissionDeniedError` unless the actor's credential may change data."""
    if not actor.can_write:
        raise PermissionDeniedError(READ_ONLY_CREDENTIAL)


def require_server_admin(actor: Actor) -> None:
    """:class:`PermissionDeniedError` unless the actor administers the whole server."""
    if not actor.is_server_admin:
        raise PermissionDeniedError(ADMINS_ONLY)
