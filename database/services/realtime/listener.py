"""The one listener of a process: news of committed events becomes a wake-up call.

On PostgreSQL a dedicated connection (outside the pool, autocommit) runs
``LISTEN auto_applyer_events``; every committed event notifies its id there
(:mod:`database.domain.events`), from whichever process wrote it. A dropped
connection is reopened with backoff, and every (re)connection wakes the
subscribers once, so an event committed while nobody listened is still read.
On SQLite, which has no notifications, the newest event id is polled every
``poll_interval`` seconds (one indexed ``max(id)`` in a read transaction,
which waits for no writer): another process's commit shows up within one
interval, as does this process's own on an in-memory database.

Behind a transaction-pooling proxy (PgBouncer), whose server sessions change
hands between transactions, ``LISTEN`` would hear nothing: the listener then
connects to ``$DATABASE_DIRECT_URL`` (the server itself) when that is set,
and polls through the proxy otherwise.

A wake-up only says "there may be new events": each subscriber then reads
what follows the last event it delivered, so a missed or merged wake-up
loses nothing. The listener runs on a daemon thread of its own and never
touches the caller's event loop; ``wake`` must be cheap and thread-safe.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from database.core.config import direct_url
from database.core.engine import behind_pooler
from database.core.session import DatabaseManager
from database.domain import events
from utils.errors import AutoApplyerError

log = logging.getLogger(__name__)

#: Called with the id of a committed event, or ``None`` when it is unknown what may have changed.
Wake = Callable[[int | None], None]
#: How often the PostgreSQL listener looks up from its socket to see whether it should stop.
TICK = 0.25
#: The longest wait between two attempts to reopen a dropped PostgreSQL connection.
MAX_BACKOFF = 5.0
#: How the listener's PostgreSQL session is named in ``pg_stat_activity``.
APPLICATION_NAME = "auto_applyer_events"


class EventListener:
    """Wakes ``wake`` whenever an event may have been committed (see the module's documentation)."""

    def __init__(
        self, manager: DatabaseManager, wake: Wake, *, poll_interval: float = 0.25
    ) -> None:
        self._manager = manager
        self._wake = wake
        self._poll_interval = poll_interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return f"EventListener({self._manager!r}, running={self.running})"

    @property
    def running(self) -> bool:
        """Whether the listener's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start listening on a daemon thread (once)."""
        if self._thread is not None:
            return
        target = self._listen if self._listen_url() is not None else self._poll
        self._thread = threading.Thread(target=target, name="auto-applyer-events", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and wait (up to ``timeout`` seconds) for the thread to end."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _listen(self) -> None:
        delay = 0.0
        while not self._stopping.wait(delay):
            try:
                self._listen_once()
                delay = 0.0
            except psycopg.Error as exc:
                delay = min(MAX_BACKOFF, max(0.1, delay * 2))
                log.warning(
                    "event listener lost its PostgreSQL connection (%s, sqlstate %s); "
                    "reconnecting in %.1f s",
                    type(exc).__name__, getattr(exc, "sqlstate", None), delay,
                )  # fmt: skip

    def _listen_url(self) -> URL | None:
        """Where ``LISTEN`` can hear every commit; ``None``: nowhere, poll instead."""
        engine = self._manager.engine
        if engine.dialect.name != "postgresql":
            return None
        try:
            pooled = behind_pooler(engine)
        except DBAPIError:
            pooled = False  # unreachable now: the listener's backoff deals with it
        return direct_url() if pooled else engine.url

    def _listen_once(self) -> None:
        engine = self._manager.engine
        url = self._listen_url() or engine.url
        args, options = engine.dialect.create_connect_args(url)
        options = {
            **options,
            "autocommit": True,
            "application_name": APPLICATION_NAME,
            "connect_timeout": self._manager.config.timeout,
        }
        with psycopg.connect(*args, **options) as conn:
            conn.execute(f"LISTEN {events.CHANNEL}")
            log.info("listening for events on %s", self._manager.config.safe_url)
            self._wake(None)
            while not self._stopping.is_set():
                for note in conn.notifies(timeout=TICK):
                    self._wake(_event_id(note.payload))

    def _poll(self) -> None:
        newest: int | None = None
        while not self._stopping.wait(self._poll_interval):
            try:
                with (
                    self._manager.connection_scope(read_only=True) as conn,
                    Session(bind=conn) as session,
                ):
                    current = events.last_id(session)
            except AutoApplyerError as exc:
                log.warning("event poll failed (%s); trying again", type(exc).__name__)
                continue
            if current != newest:
                newest = current
                self._wake(current)


def _event_id(payload: str) -> int | None:
    return int(payload) if payload.isdigit() else None
