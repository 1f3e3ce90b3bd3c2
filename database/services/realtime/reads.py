"""The short transactions of a real-time stream: its credential, and its actor's new events.

Each runs on a worker thread of the caller's choosing (never the event loop)
and holds its transaction only for its few statements. The events are read
with :func:`~database.services.tenancy.events.events_since`, the REST API's
rules, in a read transaction bound to the actor (row-level security on
PostgreSQL; on SQLite a read that waits for no writer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from database.core.session import get_database_manager
from database.core.tenant import bind_actor
from database.domain import events
from database.domain.accounts import Actor, authenticate
from database.services.tenancy.events import events_since


def authenticated_actor(token: str) -> Actor | None:
    """The actor of the live access token or API key ``token`` (as a request checks it), or None."""
    with get_database_manager().session_scope() as session:
        return authenticate(session, token, bind=True)


def events_after(actor: Actor, since: int, limit: int) -> list[dict[str, Any]]:
    """The events after id ``since`` that ``actor`` may see, as messages, oldest first.

    At most ``limit`` of them (1 to 1000).
    """
    with _actor_reading(actor) as session:
        return [events.as_message(event) for event in events_since(session, actor, since, limit)]


def newest_event_id(actor: Actor) -> int:
    """The id after which every event ``actor`` may see is still to come (0: none yet)."""
    with _actor_reading(actor) as session:
        return events.last_id(session)


@contextmanager
def _actor_reading(actor: Actor) -> Iterator[Session]:
    with get_database_manager().connection_scope(read_only=True) as conn:
        session = Session(bind=conn)
        try:
            bind_actor(session, actor.user_id)
            yield session
        finally:
            session.close()
