"""The maintenance command line, on a SQLite file and PostgreSQL (what a user points it at)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cli import maintenance as maintenance_cli
from database.connection import DatabaseManager, cleanup_database, init_database
from database.core.column_types import utcnow
from database.domain import maintenance
from database.models import TABLES, MaintenanceRun, MaintenanceRunState
from tests.support.engines import ENGINES, ROOT, open_database
from tests.support.maintenance_data import seed
from tests.support.snapshot import snapshot

CLI_ENGINES = [e for e in ("sqlite_file", "postgresql") if e in ENGINES]
DATA_TABLES = [t for t in TABLES if t.name not in ("maintenance_runs", "maintenance_locks")]


@pytest.fixture(params=CLI_ENGINES)
def cli_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DatabaseManager]:
    """A seeded database, closed again so that the command line opens its own."""
    manager = open_database(request.param, request, tmp_path, monkeypatch)
    seed(manager)
    cleanup_database()
    environment = "production" if request.param == "postgresql" else "development"
    monkeypatch.setenv("ENVIRONMENT", environment)
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(tmp_path / "backups"))
    yield manager
    manager.close()


def run_records(manager: DatabaseManager) -> list[MaintenanceRun]:
    with manager.session_scope() as session:
        return list(session.scalars(select(MaintenanceRun).order_by(MaintenanceRun.id)))


def data_now() -> dict[str, list[tuple[object, ...]]]:
    init_database()
    try:
        return snapshot(DATA_TABLES)
    finally:
        cleanup_database()


def test_run_prints_a_summary_and_exits_zero(
    cli_db: DatabaseManager, capsys: pytest.CaptureFixture[str]
) -> None:
    assert maintenance_cli.main(["run"]) == 0
    out = capsys.readouterr().out
    assert "archived applications" in out and "retention: search_history" in out
    assert "removed" in out and "Optimised:" in out
    [record] = run_records(cli_db)
    assert (record.state, record.trigger, record.dry_run) == (
        MaintenanceRunState.SUCCEEDED, "cli", False,
    )  # fmt: skip


def test_a_dry_run_changes_no_data(
    cli_db: DatabaseManager, capsys: pytest.CaptureFixture[str]
) -> None:
    before = data_now()
    assert maintenance_cli.main(["run", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run: nothing was changed" in out and "would remove" in out
    assert data_now() == before
    [record] = run_records(cli_db)
    assert record.dry_run


def test_another_run_holding_the_lock_exits_three(
    cli_db: DatabaseManager, capsys: pytest.CaptureFixture[str]
) -> None:
    with cli_db.session_scope() as session:
        maintenance.take_lock(
            session, "maintenance", "cron:42", now=utcnow(), ttl=timedelta(hours=1)
        )
    assert maintenance_cli.main(["run"]) == maintenance_cli.ALREADY_RUNNING
    err = capsys.readouterr().err.strip()
    assert err == (
        "auto-applyer-maintenance: maintenance is already running (held by cron:42); "
        "nothing was done"
    )
    assert run_records(cli_db) == []


def test_a_failure_is_one_line_exit_one_and_a_failed_record(
    cli_db: DatabaseManager, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETENTION_EVENTS_DAYS", "minus one")
    assert maintenance_cli.main(["run"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("auto-applyer-maintenance: error: ")
    assert "RETENTION_EVENTS_DAYS" in err[0] and "Traceback" not in err[0]
    [record] = run_records(cli_db)
    assert record.state is MaintenanceRunState.FAILED and "RETENTION_EVENTS_DAYS" in (
        record.error or ""
    )


# The module path is the same on every engine: one process is enough.
@pytest.mark.parametrize("cli_db", ["sqlite_file"], indirect=True)
def test_python_dash_m_runs_the_same_command(cli_db: DatabaseManager) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        [sys.executable, "-m", "cli.maintenance", "run", "--dry-run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Maintenance (dry run" in result.stdout
    assert len(run_records(cli_db)) == 1


def test_a_subcommand_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        maintenance_cli.main([])
    assert exit_info.value.code == 2
    assert "run" in capsys.readouterr().err
