"""Maintenance on the API's schedule: hosted mode only, once per interval across all workers."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from api.scheduler import scheduled
from database.connection import DatabaseManager
from database.models import MaintenanceRun, MaintenanceRunState
from database.services.maintenance import (
    MaintenanceSummary,
    run_maintenance,
    run_scheduled_maintenance,
)
from tests.support.maintenance_data import NOW, seed
from tests.support.notification_objects import RecordingSender

DAY = 86400.0
WAIT = 60


@pytest.fixture(autouse=True)
def _backups_elsewhere(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(tmp_path / "backups"))


def runs(db: DatabaseManager) -> list[MaintenanceRun]:
    with db.session_scope() as session:
        return list(session.scalars(select(MaintenanceRun).order_by(MaintenanceRun.id)))


def test_two_schedulers_ticking_at_once_make_one_run(db: DatabaseManager) -> None:
    seed(db)
    start = threading.Barrier(2)
    results: list[MaintenanceSummary | BaseException] = []

    def tick() -> None:
        start.wait(WAIT)
        try:
            results.append(run_scheduled_maintenance(DAY, now=NOW))
        except BaseException as exc:  # reported below, on the test's thread
            results.append(exc)

    workers = [threading.Thread(target=tick) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    statuses = sorted(r.status if isinstance(r, MaintenanceSummary) else repr(r) for r in results)
    assert statuses[1] == "succeeded" and statuses[0] in ("already_running", "not_due")
    [record] = runs(db)
    assert record.trigger == "schedule" and record.state is MaintenanceRunState.SUCCEEDED


def test_a_tick_within_the_interval_does_nothing_and_one_after_it_runs(
    db: DatabaseManager,
) -> None:
    assert run_scheduled_maintenance(DAY, now=NOW).ran
    later = run_scheduled_maintenance(DAY, now=NOW + timedelta(hours=23))
    assert later.status == "not_due" and later.run_id is None
    assert run_scheduled_maintenance(DAY, now=NOW + timedelta(hours=25)).ran
    assert len(runs(db)) == 2


def test_a_dry_run_does_not_count_as_the_intervals_run(db: DatabaseManager) -> None:
    assert run_maintenance(dry_run=True, trigger="cli", now=NOW).ran
    assert run_scheduled_maintenance(DAY, now=NOW + timedelta(minutes=1)).ran


def served(monkeypatch: pytest.MonkeyPatch, mode: str, maintenance: str) -> list[str]:
    """Thread names of ``scheduled()`` in ``mode``, once it ran for a moment."""
    monkeypatch.setenv("AUTO_APPLYER_MODE", mode)
    monkeypatch.setenv("API_MAINTENANCE_INTERVAL", maintenance)
    for variable in ("API_SCHEDULER_INTERVAL", "API_WEBHOOK_INTERVAL", "API_HEALTH_INTERVAL"):
        monkeypatch.setenv(variable, "0")
    app = FastAPI()
    app.state.mailer = RecordingSender()
    names: list[str] = []

    async def serve() -> None:
        async with scheduled(app):
            names.extend(t.name for t in threading.enumerate() if t.name == "maintenance")

    asyncio.run(serve())
    return names


def test_the_hosted_api_runs_maintenance_in_the_background(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    monkeypatch.setenv("API_MAINTENANCE_INTERVAL", str(DAY))
    for variable in ("API_SCHEDULER_INTERVAL", "API_WEBHOOK_INTERVAL", "API_HEALTH_INTERVAL"):
        monkeypatch.setenv(variable, "0")
    app = FastAPI()
    app.state.mailer = RecordingSender()

    async def serve() -> None:
        async with scheduled(app):
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                finished = [r for r in runs(db) if r.state is not MaintenanceRunState.RUNNING]
                if finished:
                    break
                await asyncio.sleep(0.05)

    asyncio.run(serve())
    [record] = runs(db)
    assert record.trigger == "schedule" and record.state is MaintenanceRunState.SUCCEEDED


@pytest.mark.parametrize(("mode", "interval"), [("local", "86400"), ("hosted", "0")])
def test_no_maintenance_thread_in_local_mode_or_at_interval_zero(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, mode: str, interval: str
) -> None:
    assert served(monkeypatch, mode, interval) == []
    assert runs(db) == []
