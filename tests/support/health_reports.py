"""Hand-made health reports (the shape of ``get_database_health()``) for the alert tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from database.services.alerts.rules import MIB

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def healthy() -> dict[str, Any]:
    """A report of a healthy SQLite database: nothing breaches any default threshold."""
    return {
        "engine": "sqlite",
        "statements": [
            {"fingerprint": "SELECT ?", "count": 9, "total_ms": 90.0, "p50_ms": 5.0,
             "p95_ms": 40.0, "p99_ms": 45.0, "max_ms": 50.0},
            {"fingerprint": "INSERT ?", "count": 2, "total_ms": 8.0, "p50_ms": 4.0,
             "p95_ms": 4.0, "p99_ms": 4.0, "max_ms": 4.0},
        ],
        "slow_queries": [],
        "slow_query_ms": 200,
        "pool": {"size": 5, "checked_out": 1, "overflow": 0, "waits": 0,
                 "wait_ms_total": 0.0, "wait_ms_max": 0.0},
        "routes": [],
        "database": {"wal_bytes": 4 * MIB, "size_bytes": 10 * MIB, "cache_hit_ratio": None},
        "disk": {"free_bytes": 50, "total_bytes": 100, "free_ratio": 0.5},
        "backups": {"newest_verified_at": (NOW - timedelta(hours=2)).isoformat(), "count": 3},
        "maintenance": {"last_run_at": NOW.isoformat(), "last_run_state": "succeeded"},
    }  # fmt: skip


def with_(report: dict[str, Any], section: str, **values: Any) -> dict[str, Any]:
    report[section] = {**report[section], **values}
    return report


def slow(p95: float) -> dict[str, Any]:
    report = healthy()
    report["statements"][0]["p95_ms"] = p95
    return report


def pool_wait(ms: float) -> dict[str, Any]:
    return with_(healthy(), "pool", waits=3, wait_ms_total=ms * 2, wait_ms_max=ms)


def backup_age(hours: float) -> dict[str, Any]:
    newest = (NOW - timedelta(hours=hours)).isoformat()
    return with_(healthy(), "backups", newest_verified_at=newest)


#: Each rule with a report just over its default threshold and one just under it.
CASES = {
    "slow_query_p95": (slow(501), slow(499)),
    "pool_wait": (pool_wait(1001), pool_wait(999)),
    "wal_size": (with_(healthy(), "database", wal_bytes=257 * MIB),
                 with_(healthy(), "database", wal_bytes=255 * MIB)),
    "disk_free": (with_(healthy(), "disk", free_ratio=0.09),
                  with_(healthy(), "disk", free_ratio=0.11)),
    "backup_age": (backup_age(25), backup_age(23)),
    "maintenance_failed": (with_(healthy(), "maintenance", last_run_state="failed"),
                           with_(healthy(), "maintenance", last_run_state="succeeded")),
    "replication_lag": (with_(healthy(), "database", replication_lag_seconds=31.0),
                        with_(healthy(), "database", replication_lag_seconds=29.0)),
}  # fmt: skip
