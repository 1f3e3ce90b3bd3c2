"""Idempotency keys as one acting person uses them: the person's own keys, for writes only.

A key is claimed for the actor's own user id, so keys never cross people; a
read-only credential cannot replay (or claim) one, as it could not have made
the creating request either. See :mod:`database.domain.idempotency`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from database.domain import idempotency
from database.domain.accounts import Actor
from database.domain.idempotency import IdempotentRequest, StoredResponse
from database.services.tenancy.guards import require_write_scope


def claim(session: Session, actor: Actor, request: IdempotentRequest) -> StoredResponse | None:
    """The response to replay for ``request``'s key, or ``None``: go ahead and create."""
    require_write_scope(actor)
    return idempotency.claim(session, actor.user_id, request)


def record(
    session: Session, actor: Actor, request: IdempotentRequest, response: StoredResponse
) -> None:
    """Keep ``response`` for retries of ``request``, in the creating transaction."""
    idempotency.record(session, actor.user_id, request, response)
