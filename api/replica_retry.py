"""A read that the replica failed under way is served again by the primary.

A ``GET`` routed to the read replica (:mod:`database.services.reads`) that
meets a replica failure after its first statement has already run part of
the route; being a read, it can simply run again. This middleware gives each
read request a :class:`~database.core.replica.ReadAttempt`; when the replica
failed the attempt and the response is a server error, that response is
dropped unsent and the request runs once more with every read on the
primary, so stopping the replica under load fails no request.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import READ_METHODS
from database.connection import get_database_manager
from database.core.replica import READ_ATTEMPT, RETRIED, ReadAttempt
from database.services.reads import routes_reads


class ReplicaRetryMiddleware:
    """Run a read request again on the primary when the replica failed it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in READ_METHODS or not _routed():
            await self.app(scope, receive, send)
            return
        attempt = ReadAttempt()
        token = READ_ATTEMPT.set(attempt)
        try:
            held: list[Message] = []

            async def hold(message: Message) -> None:
                held.append(message)

            await self.app(scope, receive, hold)
            if attempt.replica_failed and _status(held) >= 500:
                manager = get_database_manager()
                if manager.replica is not None:
                    manager.replica.count(RETRIED)
                READ_ATTEMPT.set(ReadAttempt(primary_only=True))
                await self.app(scope, _empty_body(receive), send)
                return
            for message in held:
                await send(message)
        finally:
            READ_ATTEMPT.reset(token)


def _routed() -> bool:
    try:
        return routes_reads(get_database_manager())
    except Exception:
        return False


def _status(messages: list[Message]) -> int:
    for message in messages:
        if message["type"] == "http.response.start":
            return int(message["status"])
    return 0


def _empty_body(receive: Receive) -> Receive:
    """The request's (empty) body once more, then whatever the client sends next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return await receive()

    return replay
