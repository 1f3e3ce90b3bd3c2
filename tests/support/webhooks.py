"""Helpers of the webhook tests: a receiver, a clock the test moves, settings, shortcuts.

The receiver is a tiny HTTP server on 127.0.0.1, in a thread. It keeps every
request it gets (headers and the raw body) and answers with the statuses it
is told, in order (the last one repeats), so that a test can make it fail and
then come back up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain.webhooks import WebhookSettings, register
from database.domain.webhooks.endpoints import NewEndpoint
from database.models import WebhookDelivery
from database.services.webhook_delivery import DeliveryReport, deliver_webhooks_once


@dataclass(frozen=True)
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """The running receiver: its URL, what it got, the statuses it answers."""

    url: str
    statuses: list[int] = field(default_factory=lambda: [204])
    received: list[Received] = field(default_factory=list)

    def answer(self) -> int:
        """The status of the next answer."""
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


@contextmanager
def webhook_receiver(*statuses: int) -> Iterator[Receiver]:
    """Run a receiver answering ``statuses`` (default 204) until the block ends."""
    lock = threading.Lock()
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            receiver = holder[0]
            with lock:
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.answer()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the tests read what was received instead."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    holder.append(Receiver(f"http://{host!s}:{port}/hook", list(statuses or (204,))))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Clock:
    """The time the delivery worker is told; it moves only when the test says."""

    now: datetime = field(default_factory=utcnow)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the time on."""
        self.now += timedelta(seconds=seconds)


def webhook_settings(**changes: object) -> WebhookSettings:
    """Delivery settings for a test: private addresses allowed, short timeouts and waits."""
    values: dict[str, object] = {
        "allow_private": True,
        "timeout": 2.0,
        "backoff_base": 10.0,
        "backoff_cap": 25.0,
        "max_attempts": 4,
    }
    return WebhookSettings.model_validate({**values, **changes})


def add_endpoint(
    db: DatabaseManager,
    user_id: int,
    url: str,
    kinds: list[str],
    organization_id: int | None = None,
) -> NewEndpoint:
    """Register ``url`` for ``user_id`` in a transaction of its own."""
    with db.session_scope() as session:
        new = register(session, user_id, url, kinds, organization_id, webhook_settings())
        assert new is not None
        session.expunge(new.endpoint)
        return new


def deliver(db: DatabaseManager, clock: Clock, **changes: object) -> DeliveryReport:
    """One pass of the worker at ``clock``'s time, with :func:`webhook_settings` and ``changes``."""
    return deliver_webhooks_once(db, settings=webhook_settings(**changes), clock=clock)


def deliveries_of(db: DatabaseManager, endpoint_id: int) -> list[WebhookDelivery]:
    """The endpoint's deliveries as stored, oldest first."""
    with db.session_scope() as session:
        query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        rows = list(session.scalars(query.order_by(WebhookDelivery.id)))
        session.expunge_all()
        return rows
