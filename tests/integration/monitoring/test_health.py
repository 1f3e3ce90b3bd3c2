"""The health report: pool figures that move, the engine's own figures, disk, backups, runs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from database.connection import DatabaseManager
from database.core import monitoring
from database.core.monitoring import MonitoringSettings
from database.io.backup.manager import BackupManager
from database.models import MaintenanceRun, MaintenanceRunState
from database.utilities import DatabaseUtils
from tests.support.monitoring import fresh_figures
from tests.support.records import private_data_dir

__all__ = ["fresh_figures"]

#: The keys the alerts and the "Database health" page read.
TOP_LEVEL = {
    "engine", "statements", "slow_queries", "slow_query_ms", "pool", "routes", "database",
    "disk", "backups", "maintenance",
}  # fmt: skip
POOL_KEYS = {"size", "checked_out", "overflow", "waits", "wait_ms_total", "wait_ms_max"}


@pytest.fixture
def one_connection_pool(db: DatabaseManager) -> Iterator[Engine]:
    """A monitored engine whose pool lends one connection at a time (the db's, in memory)."""
    if db.config.is_memory:
        yield db.engine
        return
    engine = create_engine(db.config.url, pool_size=1, max_overflow=0)
    monitoring.install(engine, MonitoringSettings())
    try:
        yield engine
    finally:
        engine.dispose()


def test_pool_figures_move_with_checkouts_and_waits(one_connection_pool: Engine) -> None:
    engine = one_connection_pool
    before = monitoring.pool_figures(engine)
    assert before.keys() >= POOL_KEYS and before["size"] >= 1
    got_it = threading.Event()

    def second_borrower() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        got_it.set()

    with engine.connect() as held:
        held.execute(text("SELECT 1"))
        assert monitoring.pool_figures(engine)["checked_out"] == before["checked_out"] + 1
        waiter = threading.Thread(target=second_borrower)
        waiter.start()
        # The other thread is refused the connection while this one holds it.
        assert not got_it.wait(0.05)
    waiter.join(10)
    after = monitoring.pool_figures(engine)
    assert got_it.is_set()
    assert after["checked_out"] == before["checked_out"]
    assert after["waits"] == before["waits"] + 1
    assert after["wait_ms_max"] >= 40 and after["wait_ms_total"] >= after["wait_ms_max"]


def test_the_report_has_every_key_and_is_json(
    db: DatabaseManager, tmp_path: Path, fresh_figures: None
) -> None:
    report = DatabaseUtils.get_database_health(tmp_path / "no-backups-yet")
    assert report.keys() >= TOP_LEVEL
    assert report["engine"] == db.config.database_type
    assert report["pool"].keys() >= POOL_KEYS
    assert report["backups"] == {"count": 0, "newest_verified_at": None}
    assert report["maintenance"] == {"last_run_at": None, "last_run_state": None}
    assert 0 < report["disk"]["free_ratio"] <= 1
    assert 0 < report["disk"]["free_bytes"] <= report["disk"]["total_bytes"]
    assert "replication_lag_seconds" in report["database"]
    assert json.loads(json.dumps(report)) == report


def test_backups_and_the_last_maintenance_run_are_reported(
    db: DatabaseManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    private_data_dir(monkeypatch, tmp_path)
    folder = tmp_path / "backups"
    BackupManager(folder, db).create_backup("first")
    (folder / "broken.json").write_text('{"not": "a backup"}')
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with db.session_scope() as session:
        session.add(
            MaintenanceRun(started_at=started, state=MaintenanceRunState.FAILED, trigger="cli")
        )
    report = DatabaseUtils.get_database_health(folder)
    assert report["backups"]["count"] == 2
    assert report["backups"]["newest_verified_at"] is not None
    assert report["maintenance"] == {
        "last_run_at": started.isoformat(),
        "last_run_state": "failed",
    }


def test_the_engine_reports_its_own_figures(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.config.database_type == "sqlite":
        _sqlite_reports_its_file_wal_and_free_pages(db)
    else:
        _postgresql_reports_pg_stat_statements_and_the_server(db, monkeypatch)


def _sqlite_reports_its_file_wal_and_free_pages(db: DatabaseManager) -> None:
    with db.connection_scope() as conn:
        conn.execute(text("CREATE TABLE scratch (body BLOB)"))
        conn.execute(
            text(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)"
                " INSERT INTO scratch SELECT randomblob(4000) FROM n"
            )
        )
    with db.connection_scope() as conn:
        conn.execute(text("DROP TABLE scratch"))
    figures = DatabaseUtils.get_database_health()["database"]
    assert figures["free_pages"] > 0
    assert figures["free_bytes"] == figures["free_pages"] * figures["page_size"]
    assert figures["replication_lag_seconds"] is None
    if db.config.is_memory:
        assert figures["file_bytes"] is None and figures["wal_bytes"] is None
    else:
        assert figures["journal_mode"] == "wal"
        assert figures["file_bytes"] > 0 and figures["wal_bytes"] > 0


def _postgresql_reports_pg_stat_statements_and_the_server(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_LONG_TRANSACTION_SECONDS", "0")
    user = DatabaseUtils.create_user("ann@example.com")
    DatabaseUtils.add_job_application(user.id, job_title="Engineer", company="Acme")
    with db.engine.connect() as other, other.begin():
        other.execute(text("SELECT 1"))
        time.sleep(0.01)
        figures = DatabaseUtils.get_database_health()["database"]
    statements = figures["pg_stat_statements"]
    assert statements["available"], (
        "pg_stat_statements is not loaded: restart the test server "
        "(scripts/pg-test-server.sh stop, then start) so that it preloads it"
    )
    assert statements["top"]
    assert {"query", "calls", "total_ms", "mean_ms"} <= statements["top"][0].keys()
    assert 0 <= figures["cache_hit_ratio"] <= 1
    assert "job_applications" in {t["table"] for t in figures["tables"]}
    assert figures["connections"]["total"] >= 1
    assert any(t["seconds"] > 0 for t in figures["long_transactions"])
    with db.engine.connect() as conn:  # the test server has a standby while a replica test runs
        standbys = conn.execute(text("SELECT count(*) FROM pg_stat_replication")).scalar_one()
    if standbys:
        assert figures["replication_lag_seconds"] >= 0
    else:
        assert figures["replication_lag_seconds"] is None
