"""The Database health page: the figures, the alerts, the slowest statements, the last day's charts.

In hosted mode only server administrators see it (the API's scheduler
samples and evaluates every ``API_HEALTH_INTERVAL`` seconds; the page only
reads). In local mode there is no scheduler, so viewing the page samples the
figures and evaluates the alerts, at most once a minute.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import auth, mode
from database.services.alerts.figures import LABELS
from database.utilities import DatabaseUtils

TITLE = "Database health"
ADMINS_ONLY = "Only a server administrator may see the database's health."
#: Local mode: the shortest time between two evaluations on view.
EVALUATE_EVERY = 60.0
CHART_HOURS = 24.0
SLOWEST_SHOWN = 10
MIB = 1024 * 1024


def render(user_id: int) -> None:
    """The Database health page."""
    del user_id  # the database's health is the same for every profile
    st.title(TITLE)
    hosted = mode.is_hosted()
    if hosted and not auth.require_actor().is_server_admin:
        st.error(ADMINS_ONLY)
        return
    if hosted:
        alerts = DatabaseUtils.get_alerts()
    else:
        alerts = DatabaseUtils.evaluate_alerts(min_interval_seconds=EVALUATE_EVERY)
    health = DatabaseUtils.get_database_health()
    _figures(health, alerts)
    _alerts(alerts)
    _statements(health)
    _charts()


def _section(health: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    section = health.get(name)
    return section if isinstance(section, Mapping) else {}


def _figures(health: Mapping[str, Any], alerts: list[dict[str, Any]]) -> None:
    pool, disk = _section(health, "pool"), _section(health, "disk")
    database, backups = _section(health, "database"), _section(health, "backups")
    worst = max((s.get("p95_ms") or 0.0 for s in health.get("statements") or []), default=None)
    firing = sum(1 for a in alerts if a["firing"])
    cards = [
        ("Engine", str(health.get("engine", "?"))),
        ("Alerts firing", str(firing)),
        ("Slowest p95", _ms(worst)),
        ("Slow queries", str(len(health.get("slow_queries") or []))),
        ("Connections", f"{pool.get('checked_out', '?')} of {pool.get('size', '?')}"),
        ("Pool waits", str(pool.get("waits", "?"))),
        ("Disk free", _ratio(disk.get("free_ratio"))),
        ("Newest verified backup", _moment(backups.get("newest_verified_at"))),
    ]
    if database.get("wal_bytes") is not None:
        cards.append(("WAL", f"{database['wal_bytes'] / MIB:.1f} MiB"))
    if database.get("cache_hit_ratio") is not None:
        cards.append(("Cache hit ratio", _ratio(database["cache_hit_ratio"])))
    if database.get("replication_lag_seconds") is not None:
        cards.append(("Replication lag", f"{database['replication_lag_seconds']:.1f} s"))
    maintenance = _section(health, "maintenance")
    cards.append(("Last maintenance", str(maintenance.get("last_run_state") or "never")))
    for start in range(0, len(cards), 4):
        for column, (label, value) in zip(st.columns(4), cards[start : start + 4], strict=False):
            column.metric(label, value)


def _alerts(alerts: list[dict[str, Any]]) -> None:
    st.subheader("Alerts")
    frame = pd.DataFrame(
        {
            "Alert": [a["title"] for a in alerts],
            "State": [_state(a) for a in alerts],
            "Since (UTC)": [_moment(a["since"]) for a in alerts],
            "Message": [a["message"] or "" for a in alerts],
            "Episodes": [a["episodes"] for a in alerts],
            "Evaluated (UTC)": [_moment(a["evaluated_at"]) for a in alerts],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _statements(health: Mapping[str, Any]) -> None:
    st.subheader("Slowest statements")
    statements = list(health.get("statements") or [])[:SLOWEST_SHOWN]
    if not statements:
        st.info("No statement has been timed yet.")
        return
    frame = pd.DataFrame(
        {
            "Statement": [s.get("fingerprint", "") for s in statements],
            "Count": [s.get("count", 0) for s in statements],
            "Total (ms)": [round(s.get("total_ms", 0.0), 1) for s in statements],
            "p50 (ms)": [round(s.get("p50_ms", 0.0), 1) for s in statements],
            "p95 (ms)": [round(s.get("p95_ms", 0.0), 1) for s in statements],
            "p99 (ms)": [round(s.get("p99_ms", 0.0), 1) for s in statements],
            "Max (ms)": [round(s.get("max_ms", 0.0), 1) for s in statements],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def _charts() -> None:
    st.subheader("The last 24 hours")
    series = {
        label: DatabaseUtils.get_metric_series(name, CHART_HOURS) for name, label in LABELS.items()
    }
    shown = {label: points for label, points in series.items() if points}
    if not shown:
        st.info("No samples in the last 24 hours yet.")
        return
    columns = st.columns(2)
    for index, (label, points) in enumerate(shown.items()):
        frame = pd.DataFrame({label: [v for _, v in points]}, index=[t for t, _ in points])
        with columns[index % 2]:
            st.caption(label)
            st.line_chart(frame)


def _state(alert: Mapping[str, Any]) -> str:
    if alert["firing"]:
        return "🔴 firing"
    return "not evaluated" if alert["evaluated_at"] is None else "🟢 clear"


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def _ratio(value: Any) -> str:
    if not isinstance(value, int | float) or not math.isfinite(value):
        return "—"
    return f"{value:.1%}"


def _moment(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M}"
