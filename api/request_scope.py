"""Each request holds the database connection it borrows as one unit of work.

A request's dependencies, route and dependency exits each run on a threadpool
thread, not necessarily the same one, and a thread may serve another request
between two of them. The in-memory SQLite engine lends its one connection to
one holder at a time (:class:`~database.core.engine.SerializedStaticPool`), so
the holder must be the request, not the thread: otherwise a second request
that lands on the first one's thread would be lent the connection in the
middle of the first one's transaction.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from database.core.engine import CONNECTION_HOLDER


class RequestHolderMiddleware:
    """Set a holder of its own for every request and WebSocket connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = CONNECTION_HOLDER.set(object())
        try:
            await self.app(scope, receive, send)
        finally:
            CONNECTION_HOLDER.reset(token)
