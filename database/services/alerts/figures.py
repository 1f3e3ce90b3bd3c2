"""The figures of a health report that are sampled into ``metric_samples`` for the charts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from database.services.alerts.rules import number, section_of

#: The charted figures: sample name -> (section of the health report, key in it).
SAMPLED: dict[str, tuple[str, str]] = {
    "pool.checked_out": ("pool", "checked_out"),
    "pool.waits": ("pool", "waits"),
    "pool.wait_ms_max": ("pool", "wait_ms_max"),
    "database.wal_bytes": ("database", "wal_bytes"),
    "database.cache_hit_ratio": ("database", "cache_hit_ratio"),
    "database.replication_lag_seconds": ("database", "replication_lag_seconds"),
    "disk.free_ratio": ("disk", "free_ratio"),
}
WORST_P95 = "statements.worst_p95_ms"
DATABASE_SIZE = "database.size_bytes"
#: Where a report may give the database's size (the engines word it differently).
SIZE_KEYS = ("size_bytes", "database_bytes", "file_bytes")
#: How each sample is labelled on the dashboard's charts.
LABELS = {
    WORST_P95: "Slowest statement p95 (ms)",
    "pool.checked_out": "Connections checked out",
    "pool.waits": "Pool waits",
    "pool.wait_ms_max": "Longest pool wait (ms)",
    "database.wal_bytes": "WAL size (bytes)",
    DATABASE_SIZE: "Database size (bytes)",
    "database.cache_hit_ratio": "Cache hit ratio",
    "database.replication_lag_seconds": "Replication lag (s)",
    "disk.free_ratio": "Disk free (ratio)",
}


def figures(health: Mapping[str, Any]) -> dict[str, float]:
    """The charted figures that ``health`` has, by sample name (missing ones left out)."""
    found: dict[str, float] = {}
    for name, (section, key) in SAMPLED.items():
        value = number(section_of(health, section).get(key))
        if value is not None:
            found[name] = value
    p95 = [v for s in health.get("statements") or [] if (v := number(s.get("p95_ms"))) is not None]
    if p95:
        found[WORST_P95] = max(p95)
    database = section_of(health, "database")
    size = next((v for k in SIZE_KEYS if (v := number(database.get(k))) is not None), None)
    if size is not None:
        found[DATABASE_SIZE] = size
    return found
