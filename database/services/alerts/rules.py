"""The alert rules, their thresholds, and :func:`evaluate`: which of them a health report breaches.

Every rule reads one figure of the health report (see
``get_database_health()``) and compares it with its threshold; the thresholds
have defaults and each may be overridden from the environment
(:class:`AlertSettings`). A figure the report does not have (no replica, no
WAL on PostgreSQL, no maintenance run yet) leaves its rule clear: there is
nothing to alert about. :func:`evaluate` is a pure function of the report,
the rules and the time, so it is tested with hand-made reports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config
from database.core.column_types import as_utc

MIB = 1024 * 1024
NOT_MEASURED = "not measured"


class AlertSettings(BaseSettings):
    """The thresholds of the alert rules, from the ``ALERT_*`` environment variables.

    - ``ALERT_SLOW_QUERY_P95_MS``: the slowest statement's 95th percentile (500).
    - ``ALERT_POOL_WAIT_MS``: the longest wait for a pooled connection (1000).
    - ``ALERT_WAL_BYTES``: SQLite's write-ahead log size (256 MiB).
    - ``ALERT_DISK_FREE_RATIO``: the share of the database's disk that is free (0.10).
    - ``ALERT_BACKUP_MAX_AGE_HOURS``: hours since the newest verified backup (24).
    - ``ALERT_REPLICATION_LAG_SECONDS``: PostgreSQL replica lag (30).
    """

    model_config = SettingsConfigDict(env_prefix="ALERT_", extra="ignore")

    slow_query_p95_ms: float = Field(default=500.0, gt=0)
    pool_wait_ms: float = Field(default=1000.0, gt=0)
    wal_bytes: float = Field(default=256.0 * MIB, gt=0)
    disk_free_ratio: float = Field(default=0.10, ge=0, le=1)
    backup_max_age_hours: float = Field(default=24.0, gt=0)
    replication_lag_seconds: float = Field(default=30.0, gt=0)


def load_alert_settings() -> AlertSettings:
    """The thresholds of the environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(AlertSettings, "ALERT_")


Measure = Callable[[Mapping[str, Any], datetime], float | None]


@dataclass(frozen=True)
class Rule:
    """One alert rule: what it measures and when that is a breach.

    ``measure`` reads the figure from a health report (``None``: not
    measured); the rule fires when the figure is above ``threshold`` (below
    it when ``above`` is false). ``describe`` words a reading for the log and
    the notification.
    """

    name: str
    title: str
    threshold: float
    measure: Measure
    describe: Callable[[float, float], str]
    above: bool = True

    def breached(self, value: float) -> bool:
        """Whether ``value`` is on the wrong side of the threshold."""
        return value > self.threshold if self.above else value < self.threshold


@dataclass(frozen=True)
class Finding:
    """What one evaluation found for one rule."""

    rule: str
    title: str
    firing: bool
    value: float | None
    threshold: float
    message: str


def evaluate(health: Mapping[str, Any], rules: Sequence[Rule], now: datetime) -> list[Finding]:
    """One finding per rule of ``rules`` for the health report ``health`` at ``now``."""
    findings = []
    for rule in rules:
        value = rule.measure(health, now)
        if value is None or math.isnan(value):
            findings.append(
                Finding(rule.name, rule.title, False, None, rule.threshold, NOT_MEASURED)
            )
            continue
        stored = value if math.isfinite(value) else None
        message = rule.describe(value, rule.threshold)
        findings.append(
            Finding(rule.name, rule.title, rule.breached(value), stored, rule.threshold, message)
        )
    return findings


def default_rules(settings: AlertSettings | None = None) -> tuple[Rule, ...]:
    """The rules with the thresholds of ``settings`` (default: the environment's)."""
    s = settings or load_alert_settings()
    return (
        Rule("slow_query_p95", "Slow statements", s.slow_query_p95_ms, _worst_p95,
             lambda v, t: f"The slowest statement's p95 is {v:.0f} ms (threshold {t:.0f} ms)"),
        Rule("pool_wait", "Connection pool waits", s.pool_wait_ms, _pool_wait,
             lambda v, t: f"A request waited {v:.0f} ms for a connection (threshold {t:.0f} ms)"),
        Rule("wal_size", "Write-ahead log size", s.wal_bytes, _figure("database", "wal_bytes"),
             lambda v, t: f"The WAL is {v / MIB:.1f} MiB (threshold {t / MIB:.1f} MiB)"),
        Rule("disk_free", "Free disk space", s.disk_free_ratio, _figure("disk", "free_ratio"),
             lambda v, t: f"{v:.1%} of the disk is free (threshold {t:.0%})", above=False),
        Rule("backup_age", "Verified backups", s.backup_max_age_hours, _backup_age,
             _describe_backup_age),
        Rule("maintenance_failed", "Maintenance", 0.0, _maintenance_failed,
             lambda v, t: "The last maintenance run failed" if v > t
             else "The last maintenance run succeeded"),
        Rule("replication_lag", "Replication lag", s.replication_lag_seconds,
             _figure("database", "replication_lag_seconds"),
             lambda v, t: f"The replica is {v:.1f} s behind (threshold {t:.0f} s)"),
    )  # fmt: skip


def number(value: Any) -> float | None:
    """``value`` as a float when it is a number (never a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def section_of(health: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """The section ``name`` of a health report; empty when it is missing or not a mapping."""
    section = health.get(name)
    return section if isinstance(section, Mapping) else {}


def _figure(section: str, key: str) -> Measure:
    def measure(health: Mapping[str, Any], now: datetime) -> float | None:
        del now
        return number(section_of(health, section).get(key))

    return measure


def _worst_p95(health: Mapping[str, Any], now: datetime) -> float | None:
    del now
    statements = health.get("statements") or []
    values = [v for s in statements if (v := number(s.get("p95_ms"))) is not None]
    return max(values) if values else None


def _pool_wait(health: Mapping[str, Any], now: datetime) -> float | None:
    del now
    pool = section_of(health, "pool")
    if not number(pool.get("waits")):
        return 0.0 if pool else None
    return number(pool.get("wait_ms_max"))


def _backup_age(health: Mapping[str, Any], now: datetime) -> float | None:
    backups = section_of(health, "backups")
    if not backups:
        return None
    newest = backups.get("newest_verified_at")
    if newest is None:
        return math.inf
    moment = newest if isinstance(newest, datetime) else datetime.fromisoformat(str(newest))
    return (now - as_utc(moment)).total_seconds() / 3600


def _describe_backup_age(value: float, threshold: float) -> str:
    if not math.isfinite(value):
        return "There is no verified backup"
    return f"The newest verified backup is {value:.1f} h old (limit {threshold:.0f} h)"


def _maintenance_failed(health: Mapping[str, Any], now: datetime) -> float | None:
    del now
    state = section_of(health, "maintenance").get("last_run_state")
    if state is None:
        return None
    return 1.0 if str(state) == "failed" else 0.0
