"""The served API samples the health figures and evaluates the alerts in the background (hosted)."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from fastapi import FastAPI

from api.scheduler import scheduled
from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.support.notification_objects import RecordingSender

THREAD = "health-monitor"


def _threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD]


def _serve_until_evaluated() -> int:
    """Run the scheduler until every alert has been evaluated; how many health threads ran."""
    app = FastAPI()
    app.state.mailer = RecordingSender()
    seen: list[int] = []

    async def serve() -> None:
        async with scheduled(app):
            seen.append(len(_threads()))
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if all(a["evaluated_at"] for a in DatabaseUtils.get_alerts()):
                    return
                await asyncio.sleep(0.05)

    asyncio.run(serve())
    return seen[0]


@pytest.fixture
def quiet_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the health thread runs, often."""
    for variable in ("API_SCHEDULER_INTERVAL", "API_WEBHOOK_INTERVAL", "API_MAINTENANCE_INTERVAL"):
        monkeypatch.setenv(variable, "0")
    monkeypatch.setenv("API_HEALTH_INTERVAL", "0.05")


@pytest.mark.usefixtures("quiet_scheduler")
def test_the_health_thread_evaluates_every_alert_and_samples_when_hosted(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    assert _serve_until_evaluated() == 1
    assert _threads() == []  # stopped with the app
    assert all(a["evaluated_at"] is not None for a in DatabaseUtils.get_alerts())
    assert DatabaseUtils.get_metric_series("pool.checked_out")


@pytest.mark.usefixtures("quiet_scheduler")
def test_there_is_no_health_thread_in_local_mode(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "local")
    app = FastAPI()
    app.state.mailer = RecordingSender()

    async def serve() -> None:
        async with scheduled(app):
            assert _threads() == []

    asyncio.run(serve())
    assert all(a["evaluated_at"] is None for a in DatabaseUtils.get_alerts())
