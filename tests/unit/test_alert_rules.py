"""The alert rules read a health report: each fires above its threshold and not below it."""

from __future__ import annotations

from typing import Any

import pytest

from database.services.alerts import AlertSettings, default_rules, evaluate, load_alert_settings
from database.services.alerts.figures import figures
from database.services.alerts.rules import MIB, NOT_MEASURED
from tests.support.health_reports import CASES, NOW, healthy, slow, with_
from utils.errors import ConfigurationError

RULES = default_rules(AlertSettings())


def firing(report: dict[str, Any]) -> set[str]:
    return {f.rule for f in evaluate(report, RULES, NOW) if f.firing}


def test_a_healthy_report_fires_nothing() -> None:
    findings = evaluate(healthy(), RULES, NOW)
    assert [f.rule for f in findings] == [r.name for r in RULES] == list(CASES)
    assert not [f for f in findings if f.firing]


@pytest.mark.parametrize("rule", list(CASES))
def test_each_rule_fires_above_its_threshold_and_not_below(rule: str) -> None:
    above, below = CASES[rule]
    assert firing(above) == {rule}
    assert firing(below) == set()


def test_a_finding_carries_its_value_threshold_and_message() -> None:
    (finding,) = [f for f in evaluate(slow(750), RULES, NOW) if f.firing]
    assert (finding.value, finding.threshold) == (750.0, 500.0)
    assert finding.message == "The slowest statement's p95 is 750 ms (threshold 500 ms)"


def test_no_verified_backup_at_all_fires_without_a_value() -> None:
    report = with_(healthy(), "backups", newest_verified_at=None, count=0)
    (finding,) = [f for f in evaluate(report, RULES, NOW) if f.firing]
    assert (finding.rule, finding.value) == ("backup_age", None)
    assert finding.message == "There is no verified backup"


def test_a_figure_the_report_lacks_leaves_its_rule_clear() -> None:
    report = healthy()
    report["database"] = {"replication_lag_seconds": None}
    report["statements"] = []
    report["maintenance"] = {"last_run_at": None, "last_run_state": None}
    unmeasured = {f.rule for f in evaluate(report, RULES, NOW) if f.message == NOT_MEASURED}
    assert unmeasured == {"slow_query_p95", "wal_size", "maintenance_failed", "replication_lag"}
    assert firing(report) == set()


def test_thresholds_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_SLOW_QUERY_P95_MS", "30")
    monkeypatch.setenv("ALERT_DISK_FREE_RATIO", "0.6")
    rules = default_rules()
    assert {f.rule for f in evaluate(healthy(), rules, NOW) if f.firing} == {
        "slow_query_p95",
        "disk_free",
    }


def test_an_invalid_threshold_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALERT_WAL_BYTES", "-1")
    with pytest.raises(ConfigurationError, match="ALERT_WAL_BYTES"):
        load_alert_settings()


def test_the_sampled_figures_are_the_reports_numbers() -> None:
    sampled = figures(with_(healthy(), "database", replication_lag_seconds=None))
    assert sampled == {
        "statements.worst_p95_ms": 40.0,
        "pool.checked_out": 1.0,
        "pool.waits": 0.0,
        "pool.wait_ms_max": 0.0,
        "database.wal_bytes": 4.0 * MIB,
        "database.size_bytes": 10.0 * MIB,
        "disk.free_ratio": 0.5,
    }
