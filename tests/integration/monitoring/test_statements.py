"""Every statement is timed under its fingerprint, never with its parameters; slow ones logged."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY, generate_latest

from database.connection import DatabaseManager
from database.core import monitoring
from database.core.config import DatabaseConfig
from database.core.engine import build_engine
from database.core.monitoring import STATEMENTS
from database.utilities import DatabaseUtils
from tests.support.monitoring import SLEEP_FINGERPRINT, fresh_figures, sleep_statement

__all__ = ["fresh_figures"]

SECRET = "Zq9-secret-company-4471"


def _entry(part: str) -> dict[str, Any]:
    found = [s for s in STATEMENTS.statements() if part in s["fingerprint"]]
    assert len(found) == 1, [s["fingerprint"] for s in STATEMENTS.statements()]
    return found[0]


def test_a_statement_is_counted_under_its_fingerprint_without_its_parameters(
    db: DatabaseManager,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fresh_figures: None,
) -> None:
    user = DatabaseUtils.create_user("ann@example.com")
    # Every statement counts as slow, so the slow log sees the secret's statement too.
    monkeypatch.setattr(STATEMENTS, "slow_seconds", 0.0)
    caplog.set_level(logging.WARNING, logger="database.slow_query")
    for n in range(3):
        DatabaseUtils.add_job_application(user.id, job_title=f"Engineer {n}", company=SECRET)

    insert = _entry("INSERT INTO job_applications (")
    assert insert["count"] == 3
    assert 0 < insert["p50_ms"] <= insert["p95_ms"] <= insert["p99_ms"] <= insert["max_ms"]
    assert insert["total_ms"] >= insert["max_ms"]
    assert "?" in str(insert["fingerprint"]) or "(...)" in str(insert["fingerprint"])
    totals = [s["total_ms"] for s in STATEMENTS.statements()]
    assert totals == sorted(totals, reverse=True)

    report = json.dumps(DatabaseUtils.get_database_health(db.config.sqlite_file))
    assert "INSERT INTO job_applications" in report
    assert any("INSERT INTO job_applications" in r.getMessage() for r in caplog.records)
    assert SECRET not in report
    assert SECRET not in caplog.text
    STATEMENTS.flush()
    exposition = generate_latest(REGISTRY).decode()
    assert "INSERT INTO job_applications" in exposition
    assert SECRET not in exposition


def test_a_slow_statement_appears_in_the_slow_log_exactly_once(
    db: DatabaseManager,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fresh_figures: None,
) -> None:
    monkeypatch.setattr(STATEMENTS, "slow_seconds", 0.03)
    caplog.set_level(logging.WARNING, logger="database.slow_query")
    with db.connection_scope() as conn:
        sleep_statement(conn, 0.05)
    expected = SLEEP_FINGERPRINT[db.config.database_type]

    slow = [s for s in STATEMENTS.slow_statements() if s["fingerprint"] == expected]
    assert len(slow) == 1
    assert slow[0]["duration_ms"] >= 50 and slow[0]["at"]
    logged = [r for r in caplog.records if expected in r.getMessage()]
    assert len(logged) == 1 and logged[0].levelno == logging.WARNING
    health = DatabaseUtils.get_database_health()
    assert health["slow_query_ms"] == pytest.approx(30)
    assert [s for s in health["slow_queries"] if s["fingerprint"] == expected] == slow
    assert _entry(expected)["max_ms"] >= 50


def test_monitoring_off_installs_nothing(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, fresh_figures: None
) -> None:
    monkeypatch.setenv("DATABASE_MONITORING", "0")
    engine = build_engine(DatabaseConfig.for_environment("testing"))
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 12345 AS unmonitored_marker")
        assert not monitoring.is_monitored(engine)
        assert not any("unmonitored_marker" in s["fingerprint"] for s in STATEMENTS.statements())
        assert monitoring.is_monitored(db.engine)
    finally:
        engine.dispose()
