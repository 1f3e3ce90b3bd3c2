"""Helpers of the WebSocket tests: connecting to ``/api/v1/ws``, reading messages with a deadline.

The tests run the server with a short heartbeat (:data:`TEST_HEARTBEAT`), so
a read never waits longer than that for some message; the helpers skip
heartbeats and give up at a deadline instead of hanging.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from starlette.testclient import WebSocketTestSession

from database.connection import DatabaseManager
from database.domain import applications
from tests.support.engines import ROOT

WS_PATH = "/api/v1/ws"
#: The heartbeat interval of the test servers (seconds).
TEST_HEARTBEAT = "0.2"
#: How long a test waits for a message it expects (seconds).
PATIENCE = 10.0


def quick_heartbeat(monkeypatch: pytest.MonkeyPatch, poll: str = "0.05") -> None:
    """Make apps created from now on beat (and recheck credentials) every :data:`TEST_HEARTBEAT`."""
    monkeypatch.setenv("API_WS_HEARTBEAT", TEST_HEARTBEAT)
    monkeypatch.setenv("API_WS_POLL_INTERVAL", poll)


def next_event(session: WebSocketTestSession, patience: float = PATIENCE) -> dict[str, Any]:
    """The next event message, skipping heartbeats; fails after ``patience`` seconds."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        message: dict[str, Any] = session.receive_json()
        if message["type"] == "event":
            return message
        assert message["type"] == "heartbeat", message
    raise AssertionError(f"no event within {patience} s")


def events_until(
    session: WebSocketTestSession, last_id: int, patience: float = PATIENCE
) -> list[dict[str, Any]]:
    """Every event message up to and including the one of id ``last_id``."""
    received: list[dict[str, Any]] = []
    while not received or received[-1]["id"] < last_id:
        received.append(next_event(session, patience))
    return received


def quiet_for(session: WebSocketTestSession, beats: int = 3) -> list[dict[str, Any]]:
    """The events that arrive within ``beats`` heartbeats (none, for a stream with nothing new)."""
    received: list[dict[str, Any]] = []
    for _ in range(beats):
        message: dict[str, Any] = session.receive_json()
        if message["type"] == "event":
            received.append(message)
    return received


def add_applications(manager: DatabaseManager, user_id: int, count: int) -> list[int]:
    """``count`` applications of ``user_id``, in one transaction (one event each); their ids."""
    with manager.session_scope() as session:
        return [
            applications.add(session, user_id, {"job_title": f"Role {n}", "company": "Acme"}).id
            for n in range(count)
        ]


#: A separate program adding one application through ``DatabaseUtils``, as a script would.
_WRITER = """
import sys
from database.core.config import DatabaseConfig
from database.core.session import DatabaseManager, install_manager
install_manager(DatabaseManager(DatabaseConfig.for_environment()))
from database.utilities import DatabaseUtils
print(DatabaseUtils().add_job_application(int(sys.argv[1]), "Engineer", "Elsewhere Ltd").id)
"""


def add_application_in_another_process(manager: DatabaseManager, user_id: int) -> int:
    """Add an application of ``user_id`` from a new process on ``manager``'s database; its id."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env["DATABASE_URL"] = manager.config.url.render_as_string(hide_password=False)
    env["ENVIRONMENT"] = manager.config.environment
    result = subprocess.run(
        [sys.executable, "-c", _WRITER, str(user_id)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return int(result.stdout.split()[-1])
