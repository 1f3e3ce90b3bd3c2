"""Benchmark: listing and statistics of one person before and after 10x as many archived rows.

python -m benchmarks.archived_rows                  # N = 2,000 active, both engines, seconds
python -m benchmarks.archived_rows --size 20000     # a bigger person (slower)
python -m benchmarks.archived_rows --engines sqlite --explain

One person gets N active applications (statuses and dates spread over two
years); the default listing (first page and its total), the board's active
statistics and the all-time statistics are timed. Then 10 x N archived
applications are added over the same dates (the worst case: interleaved
with the active ones) and the same calls are timed again. The goal is a ratio
of at most 1.2 for the listing and the active statistics, which read the
partial indexes over ``archived_at IS NULL``; the all-time statistics count
every row by design, so their ratio is shown for information only.
PostgreSQL runs on the server of ``scripts/pg-test-server.sh`` (or
``--pg-url``) in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import update

from benchmarks.measure import median_seconds
from benchmarks.run import open_api, postgres_database, sqlite_database
from database.core.session import get_database_manager
from database.models import ApplicationStatus, JobApplication
from database.utilities import DatabaseUtils

GOAL = 1.2
ARCHIVED_FACTOR = 10
PAGE = 25
_STATUSES = tuple(ApplicationStatus)
_CLOSED = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)
_START = datetime(2024, 1, 1, tzinfo=UTC)


def _rows(count: int, offset: int, closed: bool) -> list[dict[str, Any]]:
    """``count`` applications with dates spread over two years (deterministic)."""
    statuses = _CLOSED if closed else _STATUSES
    return [
        {
            "job_title": f"Engineer {offset + i}",
            "company": f"Company {(offset + i) % 997}",
            "status": statuses[(offset + i) % len(statuses)],
            "application_date": _START + timedelta(minutes=(offset + i) * 37 % (730 * 1440)),
            "match_score": float((offset + i) % 100),
        }
        for i in range(count)
    ]


def _add(user_id: int, rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        DatabaseUtils.bulk_add_job_applications(user_id, rows[start : start + chunk])


def _archive_all_but(user_id: int, active_ids: int) -> None:
    """Mark every application of the user above id ``active_ids`` archived (one statement)."""
    with get_database_manager().engine.begin() as conn:
        conn.execute(
            update(JobApplication)
            .where(JobApplication.user_id == user_id, JobApplication.id > active_ids)
            .values(archived_at=datetime.now(UTC))
        )


def _analyze() -> None:
    engine = get_database_manager().engine
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.exec_driver_sql("ANALYZE" if engine.dialect.name == "sqlite" else "VACUUM ANALYZE")


def _calls(user_id: int) -> dict[str, Callable[[], Any]]:
    def listing() -> Any:
        DatabaseUtils.count_applications(user_id)
        return DatabaseUtils.find_applications(user_id, limit=PAGE)

    return {
        "listing (page + total)": listing,
        "active statistics (board)": lambda: DatabaseUtils.get_application_statistics(
            user_id, include_archived=False
        ),
        "all-time statistics": lambda: DatabaseUtils.get_application_statistics(user_id),
    }


def _explain(engine: str) -> None:
    """Print the plans of the listing's statements (they should name the partial indexes)."""
    console = Console()
    prefix = "EXPLAIN QUERY PLAN " if engine == "sqlite" else "EXPLAIN "
    statements = [
        "SELECT id FROM job_applications WHERE user_id = 1 AND archived_at IS NULL "
        f"ORDER BY application_date DESC, id DESC LIMIT {PAGE}",
        "SELECT count(*) FROM job_applications WHERE user_id = 1 AND archived_at IS NULL",
        "SELECT status, count(*) FROM job_applications "
        "WHERE user_id = 1 AND archived_at IS NULL GROUP BY status",
    ]
    with get_database_manager().engine.connect() as conn:
        for sql in statements:
            plan = [" ".join(str(c) for c in row) for row in conn.exec_driver_sql(prefix + sql)]
            console.print(f"[bold]{engine}[/] {sql}\n  " + "\n  ".join(plan))


def bench_engine(engine: str, args: argparse.Namespace) -> list[tuple[str, str, float, float]]:
    """(engine, operation, seconds before, seconds after) of each call."""
    source = sqlite_database() if engine == "sqlite" else postgres_database(args.pg_url)
    with source as (url, environment):
        open_api(url, environment)
        user_id = DatabaseUtils.create_user(email="archived-rows@bench.example").id
        _add(user_id, _rows(args.size, 0, closed=False))
        last_active = max(a.id for a in DatabaseUtils.find_applications(user_id, limit=1))
        _analyze()
        calls = _calls(user_id)
        before = {name: median_seconds(call, args.repeat) for name, call in calls.items()}
        _add(user_id, _rows(args.size * ARCHIVED_FACTOR, args.size, closed=True))
        _archive_all_but(user_id, last_active)
        _analyze()
        if args.explain:
            _explain(engine)
        after = {name: median_seconds(call, args.repeat) for name, call in calls.items()}
    return [(engine, name, before[name], after[name]) for name in calls]


def print_table(results: list[tuple[str, str, float, float]], size: int) -> bool:
    """Print the figures; whether every goal was met."""
    table = Table(title=f"{size} active, then + {size * ARCHIVED_FACTOR} archived (one person)")
    for column in ("engine", "operation", "before (ms)", "after (ms)", "ratio", "goal"):
        table.add_column(column)
    met = True
    for engine, name, before, after in results:
        ratio = after / before if before else float("inf")
        goal = "" if name.startswith("all-time") else f"<= {GOAL}"
        if goal:
            met = met and ratio <= GOAL
        mark = "" if not goal else (" ok" if ratio <= GOAL else " MISSED")
        table.add_row(
            engine, name, f"{before * 1e3:.2f}", f"{after * 1e3:.2f}", f"{ratio:.2f}", goal + mark
        )
    Console().print(table)
    return met


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.archived_rows", description=__doc__)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=2000, help="active applications (N)")
    parser.add_argument("--repeat", type=int, default=30, help="runs per call")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    parser.add_argument("--explain", action="store_true", help="print the listing's plans")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 0 when every goal is met, 1 otherwise."""
    args = parse_args(argv)
    results = []
    for engine in args.engines.split(","):
        results.extend(bench_engine(engine.strip(), args))
    return 0 if print_table(results, args.size) else 1


if __name__ == "__main__":
    sys.exit(main())
