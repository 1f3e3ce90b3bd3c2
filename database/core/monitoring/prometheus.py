"""The Prometheus metrics of the process, fed as the figures are recorded.

They are updated as the in-process figures are (a checkout, a request; the
statements' counters at most every second, and before a scrape or the
process's exit), not computed at scrape time, so that with several worker processes
and ``PROMETHEUS_MULTIPROC_DIR`` set (prometheus-client's multiprocess mode,
chosen when the library is imported) each worker writes its own values and a
scrape of any worker adds them all up. A statement is labelled with its
fingerprint cut to :data:`LABEL_LENGTH` characters: never with a value.
"""

from __future__ import annotations

import hashlib
import weakref

from prometheus_client import Counter, Gauge, Histogram

from database.core.monitoring.pool import PoolFigures
from database.core.monitoring.statements import Entry, StatementStats

LABEL_LENGTH = 200
#: Request-duration buckets, in seconds.
REQUEST_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

STATEMENTS_TOTAL = Counter(
    "auto_applyer_db_statements", "Statements run, by fingerprint.", ["fingerprint"]
)
STATEMENT_SECONDS = Counter(
    "auto_applyer_db_statement_seconds",
    "Time spent in statements, by fingerprint (seconds).",
    ["fingerprint"],
)
SLOW_STATEMENTS = Counter(
    "auto_applyer_db_slow_statements", "Statements slower than DATABASE_SLOW_QUERY_MS."
)
POOL_CHECKOUTS = Counter("auto_applyer_db_pool_checkouts", "Connections checked out of the pool.")
POOL_WAITS = Counter(
    "auto_applyer_db_pool_waits", "Checkouts that found no connection free and waited."
)
POOL_WAIT_SECONDS = Counter(
    "auto_applyer_db_pool_wait_seconds", "Time checkouts spent waiting for a connection."
)
POOL_CHECKED_OUT = Gauge(
    "auto_applyer_db_pool_checked_out",
    "Connections checked out at the last flush (all live workers).",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "auto_applyer_db_pool_size",
    "Pool size (all live workers).",
    multiprocess_mode="livesum",
)
REQUESTS_TOTAL = Counter(
    "auto_applyer_http_requests",
    "API requests, by route template, method and status class.",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "auto_applyer_http_request_duration_seconds",
    "API request latency, by route template and method (seconds).",
    ["method", "route"],
    buckets=REQUEST_BUCKETS,
)


def statement_label(fingerprint: str) -> str:
    """``fingerprint`` as a label value: whole, or cut with a short digest that keeps it unique."""
    if len(fingerprint) <= LABEL_LENGTH:
        return fingerprint
    digest = hashlib.sha256(fingerprint.encode()).hexdigest()[:10]
    return f"{fingerprint[: LABEL_LENGTH - 13]}… #{digest}"


_children: dict[str, tuple[Counter, Counter]] = {}


def _export(entry: Entry, runs: int, seconds: float) -> None:
    children = _children.get(entry.fingerprint)
    if children is None:
        label = statement_label(entry.fingerprint)
        children = STATEMENTS_TOTAL.labels(label), STATEMENT_SECONDS.labels(label)
        _children[entry.fingerprint] = children
    children[0].inc(runs)
    children[1].inc(seconds)


def export_statements(stats: StatementStats) -> None:
    """Count ``stats``' statements in the Prometheus metrics too (at each of its flushes)."""
    stats.exporter = _export
    stats.after_flush = _export_pools
    stats.on_slow = SLOW_STATEMENTS.inc


_pool_figures: weakref.WeakSet[PoolFigures] = weakref.WeakSet()


def export_pool(figures: PoolFigures) -> None:
    """Count ``figures``' checkouts in the Prometheus metrics too (at each statement flush)."""
    _pool_figures.add(figures)


def _export_pools() -> None:
    size = checked_out = 0
    for figures in list(_pool_figures):
        checkouts, waits, wait_seconds = figures.take_changes()
        if checkouts:
            POOL_CHECKOUTS.inc(checkouts)
        if waits:
            POOL_WAITS.inc(waits)
            POOL_WAIT_SECONDS.inc(wait_seconds)
        report = figures.report()
        size += report["size"]
        checked_out += report["checked_out"]
    POOL_SIZE.set(size)
    POOL_CHECKED_OUT.set(checked_out)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one API request in the Prometheus metrics."""
    REQUESTS_TOTAL.labels(method, route, f"{status // 100}xx").inc()
    REQUEST_SECONDS.labels(method, route).observe(seconds)
