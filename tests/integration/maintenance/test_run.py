"""A maintenance run: its lock, its record, a second copy at once, a failure, a dry run."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain import maintenance
from database.models import TABLES, MaintenanceLock, MaintenanceRun, MaintenanceRunState
from database.services.maintenance import MaintenanceSummary, run_maintenance
from database.services.maintenance import run as run_module
from tests.support.maintenance_data import NOW, seed
from tests.support.snapshot import snapshot
from utils.errors import DatabaseError, ValidationError

BOOKKEEPING = {"maintenance_runs", "maintenance_locks"}
WAIT = 60  # seconds a thread waits for the other at most (a hang fails, it never sleeps)


def runs(db: DatabaseManager) -> list[MaintenanceRun]:
    with db.session_scope() as session:
        return list(session.scalars(select(MaintenanceRun).order_by(MaintenanceRun.id)))


def locks(db: DatabaseManager) -> list[MaintenanceLock]:
    with db.session_scope() as session:
        return list(session.scalars(select(MaintenanceLock)))


def test_a_run_is_recorded_with_its_summary_and_releases_the_lock(
    db: DatabaseManager, tmp_path: Path
) -> None:
    seed(db)
    summary = run_maintenance(dry_run=False, trigger="cli", now=NOW, backup_dir=tmp_path)
    [record] = runs(db)
    assert summary.status == "succeeded" and summary.run_id == record.id
    assert record.state is MaintenanceRunState.SUCCEEDED
    assert (record.trigger, record.dry_run, record.error) == ("cli", False, None)
    assert record.started_at == NOW and record.finished_at is not None
    assert record.summary is not None
    assert record.summary["retention"] == summary.retention
    assert record.summary["archived"] == 1
    assert summary.optimised  # something was optimised on every engine
    assert locks(db) == []


def test_a_dry_run_changes_nothing_but_its_own_record(db: DatabaseManager, tmp_path: Path) -> None:
    seed(db)
    data = [t for t in TABLES if t.name not in BOOKKEEPING]
    before = snapshot(data)
    summary = run_maintenance(dry_run=True, trigger="cli", now=NOW, backup_dir=tmp_path)
    assert summary.removed > 0 and summary.archived == 1 and summary.optimised == []
    assert snapshot(data) == before
    [record] = runs(db)
    assert record.dry_run and record.state is MaintenanceRunState.SUCCEEDED


def test_a_second_run_while_one_runs_reports_already_running_and_changes_nothing(
    db: DatabaseManager, tmp_path: Path
) -> None:
    seed(db)
    inside, second_done = threading.Event(), threading.Event()
    results: list[MaintenanceSummary | BaseException] = []

    def hold(step: str) -> None:
        if step == "retention":
            inside.set()
            assert second_done.wait(WAIT)

    def first() -> None:
        try:
            results.append(
                run_maintenance(
                    dry_run=False, trigger="cli", now=NOW, backup_dir=tmp_path, progress=hold
                )
            )
        except BaseException as exc:  # reported below, on the test's thread
            results.append(exc)
            inside.set()

    worker = threading.Thread(target=first)
    worker.start()
    assert inside.wait(WAIT)
    try:
        second = run_maintenance(dry_run=False, trigger="api", now=NOW, backup_dir=tmp_path)
    finally:
        second_done.set()
        worker.join(WAIT)
    [outcome] = results
    assert isinstance(outcome, MaintenanceSummary), outcome
    assert outcome.status == "succeeded" and outcome.archived == 1
    assert second.status == "already_running" and second.run_id is None
    assert second.holder is not None and second.archived == 0 and second.retention == {}
    assert [r.trigger for r in runs(db)] == ["cli"]
    assert locks(db) == []


def test_runs_started_at_once_never_conflict(db: DatabaseManager, tmp_path: Path) -> None:
    seed(db)
    start = threading.Barrier(3)
    results: list[MaintenanceSummary | BaseException] = []

    def one() -> None:
        start.wait(WAIT)
        try:
            results.append(
                run_maintenance(dry_run=False, trigger="cli", now=NOW, backup_dir=tmp_path)
            )
        except BaseException as exc:  # reported below, on the test's thread
            results.append(exc)

    workers = [threading.Thread(target=one) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    assert all(isinstance(r, MaintenanceSummary) for r in results), results
    statuses = sorted(r.status for r in results if isinstance(r, MaintenanceSummary))
    assert len(statuses) == 3 and set(statuses) <= {"succeeded", "already_running"}
    succeeded = [r for r in results if isinstance(r, MaintenanceSummary) and r.ran]
    assert len(runs(db)) == len(succeeded) >= 1
    assert sum(r.archived for r in succeeded) == 1  # archived once, whoever ran first
    assert locks(db) == []


def test_a_failed_step_is_recorded_raised_and_releases_the_lock(
    db: DatabaseManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)

    def broken(*_args: object) -> list[str]:
        raise DatabaseError("the disk is on fire")

    monkeypatch.setattr(run_module, "optimise", broken)
    with pytest.raises(DatabaseError, match="on fire"):
        run_maintenance(dry_run=False, trigger="schedule", now=NOW, backup_dir=tmp_path)
    [record] = runs(db)
    assert record.state is MaintenanceRunState.FAILED
    assert record.error == "DatabaseError: the disk is on fire"
    assert record.summary is not None
    assert record.summary["archived"] == 1  # the steps before it are in the summary
    assert locks(db) == []
    monkeypatch.undo()
    assert run_maintenance(dry_run=False, trigger="cli", now=NOW, backup_dir=tmp_path).ran


def test_an_expired_lock_is_taken_over_and_the_dead_run_marked_failed(
    db: DatabaseManager, tmp_path: Path
) -> None:
    past = utcnow() - timedelta(hours=2)
    with db.session_scope() as session:
        assert maintenance.take_lock(
            session, "maintenance", "dead-host:1", now=past, ttl=timedelta(hours=1)
        )
        maintenance.start_run(session, now=past, dry_run=False, trigger="cli")
    summary = run_maintenance(dry_run=False, trigger="cli", backup_dir=tmp_path)
    assert summary.ran
    dead, new = runs(db)
    assert dead.state is MaintenanceRunState.FAILED and "interrupted" in (dead.error or "")
    assert new.state is MaintenanceRunState.SUCCEEDED


def test_a_live_lock_of_another_holder_is_not_taken(db: DatabaseManager, tmp_path: Path) -> None:
    with db.session_scope() as session:
        assert maintenance.take_lock(
            session, "maintenance", "other-host:7", now=utcnow(), ttl=timedelta(hours=1)
        )
    summary = run_maintenance(dry_run=True, trigger="cli", backup_dir=tmp_path)
    assert (summary.status, summary.holder) == ("already_running", "other-host:7")
    assert runs(db) == []
    with db.session_scope() as session:
        assert not maintenance.release_lock(session, "maintenance", "someone-else")
        assert maintenance.release_lock(session, "maintenance", "other-host:7")


def test_an_unknown_trigger_or_a_naive_time_is_refused(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError, match="trigger"):
        run_maintenance(dry_run=True, trigger="cron")
    with pytest.raises(ValidationError, match="now"):
        run_maintenance(dry_run=True, trigger="cli", now=NOW.replace(tzinfo=None))
    assert runs(db) == []
