"""The served API's scheduler thread creates and mails reminders in the background."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta

import pytest
from fastapi import FastAPI

from api.scheduler import scheduled
from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.utilities import DatabaseUtils
from tests.support.notification_objects import RecordingSender
from tests.support.webhooks import add_endpoint, webhook_receiver


def app_with(sender: RecordingSender) -> FastAPI:
    app = FastAPI()
    app.state.mailer = sender
    return app


def scheduler_threads(name: str = "reminder-scheduler") -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_the_scheduler_thread_creates_and_mails_due_reminders(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_SCHEDULER_INTERVAL", "0.05")
    monkeypatch.setenv("API_WEBHOOK_INTERVAL", "0")
    user_id = DatabaseUtils.create_user("ann@example.com").id
    soon = utcnow() + timedelta(hours=1)
    DatabaseUtils.add_job_application(user_id, "Engineer", "Initech", interview_date=soon)
    sender = RecordingSender()

    async def serve() -> None:
        async with scheduled(app_with(sender)):
            deadline = time.monotonic() + 20
            while not sender.sent and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert len(scheduler_threads()) == 1

    asyncio.run(serve())
    assert scheduler_threads() == []  # stopped with the app
    assert [(to, subject) for to, subject, _ in sender.sent] == [
        ("ann@example.com", "Interview soon: Initech — Engineer")
    ]
    assert DatabaseUtils.count_unread_notifications(user_id) == 1


def test_an_interval_of_zero_turns_the_scheduler_off(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_SCHEDULER_INTERVAL", "0")
    monkeypatch.setenv("API_WEBHOOK_INTERVAL", "0")
    user_id = DatabaseUtils.create_user("ann@example.com").id
    DatabaseUtils.add_job_application(
        user_id, "Engineer", "Initech", interview_date=utcnow() + timedelta(hours=1)
    )

    async def serve() -> None:
        async with scheduled(app_with(RecordingSender())):
            assert scheduler_threads() == []
            await asyncio.sleep(0.2)

    asyncio.run(serve())
    assert DatabaseUtils.count_unread_notifications(user_id) == 0


def test_the_webhook_thread_delivers_a_change_in_the_background(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_SCHEDULER_INTERVAL", "0")
    monkeypatch.setenv("API_WEBHOOK_INTERVAL", "0.05")
    user_id = DatabaseUtils.create_user("ann@example.com").id
    with webhook_receiver() as receiver:
        add_endpoint(db, user_id, receiver.url, ["application.created"])
        DatabaseUtils.add_job_application(user_id, "Engineer", "Initech")

        async def serve() -> None:
            async with scheduled(app_with(RecordingSender())):
                deadline = time.monotonic() + 20
                while not receiver.received and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
                assert len(scheduler_threads("webhook-delivery")) == 1
                assert scheduler_threads() == []

        asyncio.run(serve())
    assert scheduler_threads("webhook-delivery") == []
    assert [r.headers["X-AutoApplyer-Event"] for r in receiver.received] == ["application.created"]
