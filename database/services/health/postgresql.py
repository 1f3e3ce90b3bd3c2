"""PostgreSQL's own figures: pg_stat_statements, cache hits, sizes, connections, lag.

Each figure is read on its own, so a view this role may not read (or an
extension that is not loaded) leaves that figure empty and the others intact.
Nothing here returns a statement's parameters or a session's query text:
the statements of ``pg_stat_statements`` are fingerprinted as the process's own
are (the server keeps a utility statement's literals), and of the
long transactions only their process, state, age and application are shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.core.monitoring.fingerprint import fingerprint
from database.core.session import DatabaseManager
from utils.errors import DatabaseError

logger = logging.getLogger(__name__)
T = TypeVar("T")

TOP_STATEMENTS = 10
TOP_TABLES = 20

_EXTENSION = text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'")
_TOP = text(
    "SELECT query, calls, total_exec_time, mean_exec_time, rows FROM pg_stat_statements"
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " ORDER BY total_exec_time DESC LIMIT :limit"
)
_CACHE = text(
    "SELECT sum(blks_hit)::float8, sum(blks_read)::float8 FROM pg_stat_database"
    " WHERE datname = current_database()"
)
_SIZES = text(
    "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), pg_total_relation_size(c.oid)"
    " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()"
    " ORDER BY pg_total_relation_size(c.oid) DESC LIMIT :limit"
)
_CONNECTIONS = text(
    "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND backend_type = 'client backend' GROUP BY 1"
)
_LONG = text(
    "SELECT pid, coalesce(state, 'unknown'), extract(epoch FROM now() - xact_start)::float8,"
    " coalesce(application_name, '') FROM pg_stat_activity"
    " WHERE datname = current_database() AND xact_start IS NOT NULL AND pid <> pg_backend_pid()"
    " AND now() - xact_start > make_interval(secs => :seconds) ORDER BY xact_start"
)
_REPLICAS = text(
    "SELECT max(extract(epoch FROM coalesce(replay_lag, write_lag, flush_lag)))::float8,"
    " count(*) FROM pg_stat_replication"
)
_REPLAY = text(
    "SELECT pg_is_in_recovery(),"
    " extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8"
)


def _read(manager: DatabaseManager, what: str, work: Callable[[Connection], T]) -> T | None:
    try:
        with manager.connection_scope(read_only=True) as conn:
            return work(conn)
    except DatabaseError as exc:
        logger.info("database health: %s unavailable (%s)", what, type(exc.__cause__).__name__)
        return None


def _top_statements(conn: Connection) -> list[dict[str, Any]] | None:
    if not conn.scalar(_EXTENSION):
        return None
    return [
        {
            # Normalised again: the server keeps a utility statement's text as it was sent.
            "query": fingerprint(query),
            "calls": int(calls),
            "total_ms": round(float(total), 3),
            "mean_ms": round(float(mean), 3),
            "rows": int(rows),
        }
        for query, calls, total, mean, rows in conn.execute(_TOP, {"limit": TOP_STATEMENTS})
    ]


def _cache_hit_ratio(conn: Connection) -> float | None:
    hit, read = conn.execute(_CACHE).one()
    if not hit and not read:
        return None
    return round(float(hit) / (float(hit) + float(read)), 4)


def _tables(conn: Connection) -> list[dict[str, Any]]:
    return [
        {"table": name, "table_bytes": table, "index_bytes": index, "total_bytes": total}
        for name, table, index, total in conn.execute(_SIZES, {"limit": TOP_TABLES})
    ]


def _connections(conn: Connection) -> dict[str, Any]:
    by_state = {state: int(count) for state, count in conn.execute(_CONNECTIONS)}
    limit = conn.scalar(text("SELECT current_setting('max_connections')::int"))
    return {"total": sum(by_state.values()), "by_state": by_state, "max": limit}


def _replication_lag(conn: Connection) -> float | None:
    in_recovery, replay = conn.execute(_REPLAY).one()
    if in_recovery:
        return None if replay is None else round(max(0.0, float(replay)), 3)
    lag, replicas = conn.execute(_REPLICAS).one()
    if not replicas:
        return None
    return round(float(lag or 0.0), 3)


def postgresql_figures(manager: DatabaseManager, long_transaction_seconds: float) -> dict[str, Any]:
    """The server's figures for this database (see the module's documentation)."""
    top = _read(manager, "pg_stat_statements", _top_statements)

    def long_transactions(conn: Connection) -> list[dict[str, Any]]:
        rows = conn.execute(_LONG, {"seconds": long_transaction_seconds})
        return [
            {"pid": pid, "state": state, "seconds": round(age, 3), "application": app}
            for pid, state, age, app in rows
        ]

    return {
        "version": _read(manager, "version", lambda c: c.scalar(text("SHOW server_version"))),
        "database_bytes": _read(
            manager, "size", lambda c: c.scalar(text("SELECT pg_database_size(current_database())"))
        ),
        "pg_stat_statements": {"available": top is not None, "top": top or []},
        "cache_hit_ratio": _read(manager, "cache hit ratio", _cache_hit_ratio),
        "tables": _read(manager, "table sizes", _tables) or [],
        "connections": _read(manager, "connections", _connections),
        "long_transaction_seconds": long_transaction_seconds,
        "long_transactions": _read(manager, "long transactions", long_transactions) or [],
        "replication_lag_seconds": _read(manager, "replication", _replication_lag),
    }
