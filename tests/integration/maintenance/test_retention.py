"""Retention: each policy removes exactly what its dry run reports, and nothing it must keep."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.domain import retention
from database.models import DeliveryState, Event, WebhookDelivery, WebhookEndpoint
from database.services.maintenance import run_maintenance
from tests.support.maintenance_data import DAY, EXPECTED, KEPT, NOW, row_counts, seed
from utils.errors import ConfigurationError


def counts_by_policy(db: DatabaseManager, *, dry_run: bool) -> dict[str, int]:
    settings = retention.load_settings()
    found = {}
    for policy in retention.POLICIES:
        with db.session_scope() as session:
            found[policy.name] = retention.apply(session, policy, settings, NOW, dry_run=dry_run)
    return found


def test_the_dry_run_reports_exactly_what_the_real_run_removes(db: DatabaseManager) -> None:
    seed(db)
    before = row_counts(db)
    assert counts_by_policy(db, dry_run=True) == EXPECTED
    assert row_counts(db) == before
    assert counts_by_policy(db, dry_run=False) == EXPECTED
    assert row_counts(db) == KEPT
    assert counts_by_policy(db, dry_run=True) == dict.fromkeys(EXPECTED, 0)


def test_an_old_event_a_pending_delivery_needs_stays_and_a_sent_one_goes_with_its_event(
    db: DatabaseManager,
) -> None:
    seed(db)
    counts_by_policy(db, dry_run=False)
    with db.session_scope() as session:
        states = list(session.scalars(select(WebhookDelivery.state)))
        ages = sorted((NOW - e.created_at).days for e in session.scalars(select(Event)))
    assert states == [DeliveryState.PENDING]
    assert ages == [1, 50]


def test_events_an_active_endpoint_has_not_considered_yet_stay(db: DatabaseManager) -> None:
    seed(db)
    with db.session_scope() as session:
        endpoint = session.scalars(select(WebhookEndpoint)).one()
        endpoint.last_event_id = 0
    assert counts_by_policy(db, dry_run=False)["events"] == 0
    with db.session_scope() as session:
        session.scalars(select(WebhookEndpoint)).one().is_active = False
    assert counts_by_policy(db, dry_run=False)["events"] == 2


def test_a_setting_changes_the_age_and_zero_keeps_rows_for_ever(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(db)
    monkeypatch.setenv("RETENTION_SEARCH_HISTORY_DAYS", "5")
    monkeypatch.setenv("RETENTION_NOTIFICATIONS_DAYS", "0")
    found = counts_by_policy(db, dry_run=True)
    assert found["search_history"] == 3
    assert found["notifications"] == 0


def test_a_rule_exactly_at_its_age_keeps_the_row(db: DatabaseManager) -> None:
    seed(db)
    settings = retention.RetentionSettings(search_history_days=366)
    [policy] = [p for p in retention.POLICIES if p.name == "search_history"]
    with db.session_scope() as session:
        assert retention.count(session, policy, settings, NOW) == 1  # 400 days; 366 stays
        assert retention.count(session, policy, settings, NOW + DAY) == 2


def test_an_invalid_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETENTION_EVENTS_DAYS", "-1")
    with pytest.raises(ConfigurationError, match="RETENTION_EVENTS_DAYS"):
        retention.load_settings()


def test_maintenance_reports_the_same_counts_dry_and_real_and_nothing_the_second_time(
    db: DatabaseManager, tmp_path: Path
) -> None:
    seed(db)
    folder = tmp_path / "backups"
    dry = run_maintenance(dry_run=True, trigger="cli", now=NOW, backup_dir=folder)
    real = run_maintenance(dry_run=False, trigger="cli", now=NOW, backup_dir=folder)
    again = run_maintenance(dry_run=False, trigger="cli", now=NOW, backup_dir=folder)
    assert dry.retention == real.retention == EXPECTED
    assert dry.archived == real.archived == 1
    assert again.retention == dict.fromkeys(EXPECTED, 0)
    assert again.archived == 0
    # Archiving recorded one event of its own.
    assert row_counts(db) == {**KEPT, "events": KEPT["events"] + 1}
