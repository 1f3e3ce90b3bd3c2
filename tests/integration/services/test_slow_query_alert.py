"""A slow statement injected into the database shows in the slow log and fires its alert once."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select, text

from database.connection import DatabaseManager
from database.core.monitoring import STATEMENTS
from database.models import Notification, User
from database.services.alerts import monitor, run_health_tick
from database.services.health import get_database_health
from database.utilities import DatabaseUtils

#: Longer than the default slow-statement threshold (200 ms) and the alert's, set below.
SLOW_SECONDS = 0.25
SLOW_FUNCTION = "aa_sleep"


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return 0


def run_slow_statement(db: DatabaseManager) -> str:
    """Run one statement that takes :data:`SLOW_SECONDS` on the engine; its SQL."""
    with db.engine.connect() as conn:
        if db.config.database_type == "postgresql":
            sql = f"SELECT pg_sleep({SLOW_SECONDS})"
        else:
            # SQLite cannot wait by itself: the test gives it a function that does.
            raw = conn.connection.driver_connection
            assert raw is not None
            raw.create_function(SLOW_FUNCTION, 1, _sleep)
            sql = f"SELECT {SLOW_FUNCTION}({SLOW_SECONDS})"
        conn.execute(text(sql))
    return sql


def test_a_slow_query_appears_in_the_slow_log_and_fires_its_alert_exactly_once(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ALERT_SLOW_QUERY_P95_MS", "150")
    admin = DatabaseUtils.create_user("root@example.com").id
    with db.session_scope() as session:
        user = session.get(User, admin)
        assert user is not None
        user.is_server_admin = True
    STATEMENTS.reset()
    caplog.set_level(logging.INFO)

    run_slow_statement(db)
    slow = get_database_health()["slow_queries"]
    assert [s["fingerprint"] for s in slow if "sleep" in s["fingerprint"]], slow
    assert any(s["duration_ms"] >= SLOW_SECONDS * 1000 for s in slow)
    assert [r for r in caplog.records if r.name == "database.slow_query"]

    for _ in range(2):
        run_health_tick(db)
    with db.session_scope() as session:
        keys = list(
            session.scalars(
                select(Notification.reminder_key).where(
                    Notification.reminder_key.like("alert:slow_query_p95:%")
                )
            )
        )
    assert keys == ["alert:slow_query_p95:1"]
    fired = [
        r
        for r in caplog.records
        if r.name == monitor.__name__ and r.getMessage().startswith("Alert slow_query_p95 firing")
    ]
    assert len(fired) == 1 and fired[0].levelno == logging.WARNING
    (state,) = [a for a in DatabaseUtils.get_alerts() if a["rule"] == "slow_query_p95"]
    assert state["firing"] and state["episodes"] == 1 and state["value"] >= 250
