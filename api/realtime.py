"""The WebSocket hub: the process's listener wakes every stream, each stream reads its own events.

One :class:`Hub` per app (``app.state.realtime``), started by the app's
lifespan: it runs the process's one
:class:`~database.services.realtime.EventListener` and, when that hears of a
commit, wakes every open :class:`Stream` on its event loop. A woken stream
reads, on the hub's few worker threads, the events after the last one it
delivered that its actor may see, in pages, and queues them for its client;
so a wake-up that is missed or merged with another loses nothing, and a
slow client delays only itself. Its queue is bounded
(:attr:`RealtimeSettings.queue_size` messages): a client that leaves it full
for a heartbeat interval is dropped ("too slow", close code 1013), and a
replay waits for room rather than reading ahead, so a connection's memory
is bounded whatever it has missed. Every heartbeat interval the stream
rechecks its credential (a revoked or expired one ends it, code 1008) and
sends ``{"type": "heartbeat", "last_id": ...}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from database.core.session import get_database_manager
from database.domain.accounts import Actor
from database.services.realtime import (
    EventListener,
    authenticated_actor,
    events_after,
    newest_event_id,
)
from utils.errors import AutoApplyerError, ConfigurationError, NotInitializedError

log = logging.getLogger(__name__)

Result = TypeVar("Result")
#: The events one read returns at most.
PAGE_SIZE = 100


@dataclass(frozen=True)
class RealtimeSettings:
    """How streams behave: heartbeat interval, queue bound, SQLite polling interval (seconds)."""

    heartbeat: float = 20.0
    queue_size: int = 1000
    poll_interval: float = 0.25
    workers: int = 4

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> RealtimeSettings:
        """The settings of ``API_WS_HEARTBEAT``, ``API_WS_QUEUE_SIZE``, ``API_WS_POLL_INTERVAL``."""
        env = os.environ if environ is None else environ
        return cls(
            heartbeat=_number(env, "API_WS_HEARTBEAT", cls.heartbeat, float),
            queue_size=int(_number(env, "API_WS_QUEUE_SIZE", cls.queue_size, int)),
            poll_interval=_number(env, "API_WS_POLL_INTERVAL", cls.poll_interval, float),
        )


def _number(
    env: Mapping[str, str], name: str, default: float, kind: Callable[[str], float]
) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if not 0 < value < 10**6:
        raise ConfigurationError(f"{name} must be a positive number (got {raw!r})")
    return value


@dataclass(frozen=True)
class Closing:
    """Why the server ends a stream: a WebSocket close code and its reason."""

    code: int
    reason: str


TOO_SLOW = Closing(1013, "too slow: the client left its queue of messages full")
REVOKED = Closing(1008, "missing, invalid, expired or revoked credentials")
SHUTTING_DOWN = Closing(1001, "the server is shutting down; reconnect with ?since")
UNAVAILABLE = Closing(1011, "the database is unavailable; reconnect with ?since")


class SendQueue:
    """A stream's bounded queue of messages for its client; only the stream's reader adds to it."""

    def __init__(self, capacity: int) -> None:
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(capacity)
        self._capacity = capacity
        self._taken = asyncio.Event()

    @property
    def room(self) -> int:
        """How many messages fit now."""
        return self._capacity - self._queue.qsize()

    def offer(self, message: dict[str, Any]) -> bool:
        """Queue ``message``; False (nothing queued) when the queue is full."""
        try:
            self._queue.put_nowait(message)
        except asyncio.QueueFull:
            return False
        return True

    async def wait_for_room(self, timeout: float) -> bool:
        """Whether the queue has room within ``timeout`` seconds."""
        with anyio.move_on_after(timeout):
            while self.room == 0:
                self._taken.clear()
                await self._taken.wait()
        return self.room > 0

    async def take(self) -> dict[str, Any]:
        """The oldest message, once there is one."""
        message = await self._queue.get()
        self._taken.set()
        return message


class Hub:
    """The streams of one app and the listener that wakes them (see the module's documentation)."""

    def __init__(self, settings: RealtimeSettings) -> None:
        self.settings = settings
        self.closed = False
        self._lock = threading.Lock()
        self._waiting: dict[asyncio.AbstractEventLoop, set[asyncio.Event]] = {}
        self._scheduled: set[asyncio.AbstractEventLoop] = set()
        self._listener: EventListener | None = None
        self._workers = ThreadPoolExecutor(settings.workers, thread_name_prefix="auto-applyer-ws")

    def start(self) -> None:
        """Start the listener on the global database, once; later if it is not initialised yet."""
        with self._lock:
            if self._listener is not None or self.closed:
                return
            try:
                manager = get_database_manager()
            except NotInitializedError:
                return
            listener = EventListener(manager, self.heard, poll_interval=self.settings.poll_interval)
            listener.start()
            self._listener = listener

    async def stop(self) -> None:
        """End every stream (code 1001) and stop the listener and the workers."""
        with self._lock:
            self.closed = True
            listener, self._listener = self._listener, None
        self.heard(None)
        loop = asyncio.get_running_loop()
        if listener is not None:
            await loop.run_in_executor(None, listener.stop)
        self._workers.shutdown(wait=False)

    async def run(self, work: Callable[..., Result], *args: Any) -> Result:
        """``work(*args)`` on one of the hub's worker threads, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._workers, work, *args)

    @contextmanager
    def subscribed(self) -> Iterator[asyncio.Event]:
        """An event set whenever new events may have been committed, while the block runs."""
        self.start()
        loop = asyncio.get_running_loop()
        wake = asyncio.Event()
        with self._lock:
            self._waiting.setdefault(loop, set()).add(wake)
        try:
            yield wake
        finally:
            with self._lock:
                waiting = self._waiting.get(loop, set())
                waiting.discard(wake)
                if not waiting:
                    self._waiting.pop(loop, None)

    def heard(self, _event_id: int | None) -> None:
        """Wake every stream (thread-safe; one call per event loop however many events arrive)."""
        with self._lock:
            loops = [loop for loop in self._waiting if loop not in self._scheduled]
            self._scheduled.update(loops)
        for loop in loops:
            try:
                loop.call_soon_threadsafe(self._wake, loop)
            except RuntimeError:  # the loop has closed: its streams are gone
                with self._lock:
                    self._scheduled.discard(loop)
                    self._waiting.pop(loop, None)

    def _wake(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            self._scheduled.discard(loop)
            waiting = list(self._waiting.get(loop, ()))
        for wake in waiting:
            wake.set()


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan part: the hub is started with the app and stopped with it."""
    hub = hub_of(app)
    hub.start()
    try:
        yield
    finally:
        await hub.stop()


def hub_of(app: Any) -> Hub:
    """The hub of ``app`` (made by :func:`api.app.create_app`)."""
    hub: Hub = app.state.realtime
    return hub


@dataclass
class Stream:
    """One client's stream of the events its actor may see, after event id ``cursor``."""

    websocket: WebSocket
    hub: Hub
    token: str
    actor: Actor
    cursor: int

    async def run(self) -> None:
        """Stream until the client leaves or the server ends it (then closed with its reason)."""
        queue = SendQueue(self.hub.settings.queue_size)
        endings: list[Closing] = []
        with self.hub.subscribed() as wake:
            async with anyio.create_task_group() as group:

                async def first_to_end(work: Awaitable[Closing | None]) -> None:
                    ending = await work
                    if ending is not None:
                        endings.append(ending)
                    group.cancel_scope.cancel()

                group.start_soon(first_to_end, self._read(wake, queue))
                group.start_soon(first_to_end, self._send(queue))
                group.start_soon(first_to_end, self._receive())
        if endings:
            with suppress(WebSocketDisconnect, OSError, RuntimeError):  # the client may be leaving
                await self.websocket.close(endings[0].code, endings[0].reason)

    async def _read(self, wake: asyncio.Event, queue: SendQueue) -> Closing:
        heartbeat = self.hub.settings.heartbeat
        next_beat = time.monotonic() + heartbeat
        try:
            while True:
                wake.clear()
                if self.hub.closed:
                    return SHUTTING_DOWN
                if not await self._deliver(queue):
                    return TOO_SLOW
                with anyio.move_on_after(next_beat - time.monotonic()):
                    await wake.wait()
                if time.monotonic() < next_beat:
                    continue  # woken: deliver; a busy stream still beats on time
                next_beat = time.monotonic() + heartbeat
                if await self.hub.run(authenticated_actor, self.token) is None:
                    return REVOKED
                if not queue.offer({"type": "heartbeat", "last_id": self.cursor}):
                    return TOO_SLOW
        except AutoApplyerError as exc:
            log.warning("stream of user %s ended: %s", self.actor.user_id, type(exc).__name__)
            return UNAVAILABLE

    async def _deliver(self, queue: SendQueue) -> bool:
        """Queue every new event, a page at a time as room allows; False if the client is slow."""
        while True:
            if not await queue.wait_for_room(self.hub.settings.heartbeat):
                return False
            limit = min(PAGE_SIZE, queue.room)
            page = await self.hub.run(events_after, self.actor, self.cursor, limit)
            for message in page:
                queue.offer({"type": "event", **message})
            if page:
                self.cursor = int(page[-1]["id"])
            if len(page) < limit:
                return True

    async def _send(self, queue: SendQueue) -> None:
        with suppress(WebSocketDisconnect, OSError):  # the client left
            while True:
                message = await queue.take()
                await self.websocket.send_text(json.dumps(message, separators=(",", ":")))

    async def _receive(self) -> None:
        while (await self.websocket.receive())["type"] != "websocket.disconnect":
            pass  # what a client sends is not read: the stream goes one way


async def open_stream(websocket: WebSocket, token: str, actor: Actor, since: int | None) -> Stream:
    """The stream of ``actor`` after event ``since`` (``None``: from now on)."""
    hub = hub_of(websocket.app)
    cursor = since if since is not None else await hub.run(newest_event_id, actor)
    return Stream(websocket, hub, token, actor, cursor)
