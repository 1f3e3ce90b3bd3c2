"""Alerts on every engine: once per episode, to administrators only, cleared, never doubled."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain import alert_states
from database.models import AlertState, EmailState, Event, EventKind, Notification, User
from database.services.alerts import TickReport, monitor, run_health_tick
from database.utilities import DatabaseUtils
from tests.support.health_reports import CASES, NOW, healthy, slow, with_
from tests.support.threads import at_once

WORKERS = 3
LOGGER = monitor.__name__


@pytest.fixture
def admin(db: DatabaseManager) -> int:
    """A server administrator."""
    user_id = DatabaseUtils.create_user("root@example.com").id
    with db.session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_server_admin = True
    return user_id


@pytest.fixture
def person(db: DatabaseManager) -> int:
    """Someone who administers nothing."""
    return DatabaseUtils.create_user("ann@example.com").id


def tick(db: DatabaseManager, report: dict[str, Any], minutes: float = 0) -> TickReport:
    return run_health_tick(db, health=report, now=NOW + timedelta(minutes=minutes))


def notifications(db: DatabaseManager) -> list[tuple[int, str]]:
    with db.session_scope() as session:
        rows = session.execute(
            select(Notification.user_id, Notification.reminder_key).order_by(Notification.id)
        )
        return [(int(user_id), str(key)) for user_id, key in rows]


def state(db: DatabaseManager, rule: str) -> AlertState:
    with db.session_scope() as session:
        found = session.get(AlertState, rule)
        assert found is not None
        session.expunge(found)
        return found


def alert_lines(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOGGER]


def test_a_breach_notifies_administrators_once_per_episode(
    db: DatabaseManager, admin: int, person: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    first = tick(db, slow(800))
    second = tick(db, slow(900), minutes=1)
    assert [(t.rule, t.started, t.episode) for t in first.transitions] == [
        ("slow_query_p95", True, 1)
    ]
    assert second.transitions == []
    assert notifications(db) == [(admin, "alert:slow_query_p95:1")]
    assert DatabaseUtils.count_unread_notifications(person) == 0
    assert alert_lines(caplog) == [
        (
            logging.WARNING,
            "Alert slow_query_p95 firing (episode 1): "
            "The slowest statement's p95 is 800 ms (threshold 500 ms)",
        )
    ]
    stored = state(db, "slow_query_p95")
    assert (stored.firing, stored.episodes, stored.since) == (True, 1, NOW)
    assert (stored.value, stored.evaluated_at) == (900.0, NOW + timedelta(minutes=1))


def test_a_cleared_alert_fires_again_as_a_new_episode(
    db: DatabaseManager, admin: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    tick(db, slow(800))
    cleared = tick(db, healthy(), minutes=1)
    assert [(t.rule, t.started) for t in cleared.transitions] == [("slow_query_p95", False)]
    stored = state(db, "slow_query_p95")
    assert (stored.firing, stored.episodes, stored.since) == (False, 1, NOW + timedelta(minutes=1))
    tick(db, healthy(), minutes=2)
    tick(db, slow(700), minutes=3)
    assert notifications(db) == [
        (admin, "alert:slow_query_p95:1"),
        (admin, "alert:slow_query_p95:2"),
    ]
    levels = [(level, message.split(":")[0]) for level, message in alert_lines(caplog)]
    assert levels == [
        (logging.WARNING, "Alert slow_query_p95 firing (episode 1)"),
        (logging.INFO, "Alert slow_query_p95 cleared"),
        (logging.WARNING, "Alert slow_query_p95 firing (episode 2)"),
    ]
    assert state(db, "slow_query_p95").episodes == 2


@pytest.mark.parametrize("rule", list(CASES))
def test_each_rule_fires_above_its_threshold_and_clears_below(
    db: DatabaseManager, admin: int, rule: str
) -> None:
    above, below = CASES[rule]
    tick(db, below)
    assert not state(db, rule).firing and notifications(db) == []
    tick(db, above, minutes=1)
    assert state(db, rule).firing and notifications(db) == [(admin, f"alert:{rule}:1")]
    tick(db, below, minutes=2)
    assert not state(db, rule).firing and state(db, rule).episodes == 1


def test_the_notification_is_mailed_and_carries_its_event(db: DatabaseManager, admin: int) -> None:
    tick(db, slow(800))
    (notification,) = DatabaseUtils.get_notifications(admin)
    assert notification.title == "Database alert: Slow statements"
    assert "800 ms" in notification.body and notification.application_id is None
    assert (notification.email_state, notification.next_attempt_at) == (EmailState.PENDING, NOW)
    with db.session_scope() as session:
        (event,) = session.scalars(select(Event).where(Event.kind == EventKind.REMINDER_DUE))
        assert (event.user_id, event.entity_id) == (admin, notification.id)
        assert json.loads(event.payload)["alert"] == "slow_query_p95"


def _ticks_at_once(db: DatabaseManager) -> list[TickReport]:
    return at_once(lambda: tick(db, slow(800)), WORKERS)


def test_evaluations_at_once_notify_once(
    db: DatabaseManager, admin: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, LOGGER)
    reports = _ticks_at_once(db)
    assert len(reports) == WORKERS
    assert sum(len(r.transitions) for r in reports) == 1
    assert notifications(db) == [(admin, "alert:slow_query_p95:1")]
    assert len(alert_lines(caplog)) == 1
    assert state(db, "slow_query_p95").episodes == 1


def test_an_episode_is_started_by_one_transaction_only(db: DatabaseManager) -> None:
    reading: dict[str, Any] = {"value": 1.0, "threshold": 0.5, "message": "high", "now": NOW}
    with db.session_scope() as session:
        alert_states.ensure(session, ["demo"])
    with db.session_scope() as session:
        assert alert_states.start_episode(session, "demo", **reading) == 1
    with db.session_scope() as session:
        assert alert_states.start_episode(session, "demo", **reading) is None
        assert alert_states.end_episode(session, "demo", **reading) is True
    with db.session_scope() as session:
        assert alert_states.end_episode(session, "demo", **reading) is False
        assert alert_states.start_episode(session, "demo", **reading) == 2


def test_samples_are_stored_and_read_back_in_time_order(db: DatabaseManager) -> None:
    for minutes, p95 in ((0, 300.0), (-120, 100.0), (-60, 200.0)):
        tick(db, slow(p95), minutes=minutes)
    series = DatabaseUtils.get_metric_series("statements.worst_p95_ms", hours=24 * 365 * 10)
    assert [value for _, value in series] == [100.0, 200.0, 300.0]
    assert [taken_at for taken_at, _ in series] == [
        NOW - timedelta(hours=2),
        NOW - timedelta(hours=1),
        NOW,
    ]
    assert DatabaseUtils.get_metric_series("no.such.figure") == []


def test_a_sample_younger_than_the_interval_is_not_repeated(db: DatabaseManager) -> None:
    assert run_health_tick(db, health=healthy(), now=NOW, sample_every=60).sampled > 0
    later = NOW + timedelta(seconds=30)
    assert run_health_tick(db, health=healthy(), now=later, sample_every=60).sampled == 0
    much_later = NOW + timedelta(seconds=61)
    assert run_health_tick(db, health=healthy(), now=much_later, sample_every=60).sampled > 0


def test_get_alerts_lists_every_rule_and_evaluate_alerts_reads_the_health(
    db: DatabaseManager, admin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = DatabaseUtils.get_alerts()
    assert [a["rule"] for a in before] == sorted(CASES)
    assert all(not a["firing"] and a["evaluated_at"] is None for a in before)
    report = with_(slow(800), "backups", newest_verified_at=utcnow().isoformat())
    monkeypatch.setattr(monitor, "read_health", lambda: report)
    after = {a["rule"]: a for a in DatabaseUtils.evaluate_alerts()}
    assert after["slow_query_p95"]["transition"] == "fired"
    assert after["slow_query_p95"]["firing"] and after["slow_query_p95"]["episodes"] == 1
    assert {a["transition"] for r, a in after.items() if r != "slow_query_p95"} == {None}
    throttled = DatabaseUtils.evaluate_alerts(min_interval_seconds=3600)
    assert {a["transition"] for a in throttled} == {None}
    assert DatabaseUtils.get_alerts() == [
        {k: v for k, v in a.items() if k != "transition"} for a in throttled
    ]


def test_one_worker_at_a_time_holds_the_monitor_lease(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(monitor, "read_health", lambda: healthy())
    first = monitor.run_leased_health_tick(db, 60, holder="worker-1", now=NOW)
    assert first is not None
    assert monitor.run_leased_health_tick(db, 60, holder="worker-2", now=NOW) is None
    renewed = NOW + timedelta(seconds=150)
    assert monitor.run_leased_health_tick(db, 60, holder="worker-1", now=renewed) is not None
    # Three intervals after worker 1's last tick, another worker takes over.
    orphaned = renewed + timedelta(seconds=181)
    assert monitor.run_leased_health_tick(db, 60, holder="worker-2", now=orphaned) is not None
    assert monitor.run_leased_health_tick(db, 60, holder="worker-1", now=orphaned) is None
