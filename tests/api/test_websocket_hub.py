"""The hub behind ``/api/v1/ws``: bounded queues, slow clients dropped alone, a clean stop.

Streams run here against stand-in sockets (a client that reads everything,
one that stops reading), so a full queue is reached in a fraction of a second;
the events come from the ``db`` fixture's database, on every engine.
"""

from __future__ import annotations

import json
from typing import Any, cast

import anyio
import pytest
from fastapi import WebSocket

from api.realtime import Hub, RealtimeSettings, SendQueue, Stream
from database.connection import DatabaseManager
from database.domain.accounts import authenticate, create_api_key, sign_up
from tests.support.api import PASSWORD
from tests.support.websocket import add_applications
from utils.errors import ConfigurationError

FAST = RealtimeSettings(heartbeat=0.3, queue_size=5, poll_interval=0.05)


class Client:
    """A stand-in WebSocket: keeps what it is sent; ``stalled`` ones never take a message."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.stalled = stalled
        self.received: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await anyio.sleep_forever()
        self.received.append(json.loads(text))

    async def receive(self) -> dict[str, Any]:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)

    def events(self) -> list[dict[str, Any]]:
        return [message for message in self.received if message["type"] == "event"]


def _stream(db: DatabaseManager, hub: Hub, client: Client, email: str, since: int) -> Stream:
    with db.session_scope() as session:
        user = sign_up(session, email, PASSWORD)
        token = create_api_key(session, user.id, "stream", {"read"}).token
    with db.session_scope() as session:
        actor = authenticate(session, token)
    assert actor is not None
    return Stream(cast(WebSocket, client), hub, token, actor, since)


def test_a_send_queue_holds_its_capacity_and_refuses_more() -> None:
    async def exercise() -> None:
        queue = SendQueue(2)
        assert queue.offer({"n": 1}) and queue.offer({"n": 2})
        assert not queue.offer({"n": 3})
        assert queue.room == 0
        assert not await queue.wait_for_room(0.05)
        assert await queue.take() == {"n": 1}
        assert queue.room == 1 and await queue.wait_for_room(0.05)

    anyio.run(exercise)


def test_a_client_that_stops_reading_is_dropped_without_slowing_the_others(
    db: DatabaseManager,
) -> None:
    hub = Hub(FAST)
    stalled, reading = Client(stalled=True), Client()
    slow = _stream(db, hub, stalled, "slow@example.com", since=0)
    fast = _stream(db, hub, reading, "fast@example.com", since=0)
    written = add_applications(db, slow.actor.user_id, 30)
    mine = add_applications(db, fast.actor.user_id, 30)

    async def exercise() -> None:
        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                group.start_soon(slow.run)
                group.start_soon(fast.run)
                while stalled.closed is None or len(reading.events()) < len(mine):
                    await anyio.sleep(0.01)
                await hub.stop()

    anyio.run(exercise)
    assert len(written) == 30
    assert stalled.closed is not None and stalled.closed[0] == 1013
    assert "too slow" in stalled.closed[1]
    assert [event["entity_id"] for event in reading.events()] == mine


def test_stopping_the_hub_ends_every_stream_with_going_away(db: DatabaseManager) -> None:
    hub = Hub(FAST)
    client = Client()
    stream = _stream(db, hub, client, "ada@example.com", since=0)

    async def exercise() -> None:
        with anyio.fail_after(10):
            async with anyio.create_task_group() as group:
                group.start_soon(stream.run)
                while not client.received:  # the first heartbeat: the stream is live
                    await anyio.sleep(0.01)
                await hub.stop()

    anyio.run(exercise)
    assert client.closed is not None and client.closed[0] == 1001


def test_settings_come_from_the_environment() -> None:
    settings = RealtimeSettings.from_environment(
        {"API_WS_HEARTBEAT": "5", "API_WS_QUEUE_SIZE": "10", "API_WS_POLL_INTERVAL": "0.5"}
    )
    assert (settings.heartbeat, settings.queue_size, settings.poll_interval) == (5, 10, 0.5)
    assert RealtimeSettings.from_environment({}) == RealtimeSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("API_WS_HEARTBEAT", "0"), ("API_WS_HEARTBEAT", "soon"), ("API_WS_QUEUE_SIZE", "1.5")],
)
def test_a_bad_setting_is_a_configuration_error_naming_it(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        RealtimeSettings.from_environment({name: value})
