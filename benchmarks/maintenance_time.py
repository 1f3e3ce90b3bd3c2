"""Benchmark: how long a maintenance run takes on a large dataset, on SQLite and PostgreSQL.

python -m benchmarks.maintenance_time                      # 20,000 applications, both engines
python -m benchmarks.maintenance_time --million            # 1,000,000 applications (slow)
python -m benchmarks.maintenance_time --applications 100000 --engines sqlite

The data is made by set-based SQL in the database itself (a recursive CTE on
SQLite, ``generate_series`` on PostgreSQL), not row by row: one user per 200
applications, 30% of the applications closed long enough ago to be archived;
search history, events, read notifications and metric samples in proportion,
half of each past its retention. Then three runs are timed: a dry run, the
real run, and a second real run right after (which must find nothing left).
Each run's steps are timed from its progress reports. The backup folder is
empty (rotation reads only its folder; ``benchmarks/backup.py`` times backups).
PostgreSQL runs on the server of ``scripts/pg-test-server.sh`` in a database of
its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from benchmarks.run import open_api, postgres_database, sqlite_database
from database.core.session import get_database_manager
from database.services.maintenance import STEPS, MaintenanceSummary, run_maintenance

console = Console(width=160)
NOW = datetime.now(UTC).replace(microsecond=0)
APPLICATIONS_PER_USER = 200
#: The runs timed on each engine, in order: (label, dry run).
RUNS = (("dry run", True), ("real run", False), ("second run", False))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.maintenance_time", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--million", action="store_true", help="1,000,000 applications")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    args = parser.parse_args(argv)
    if args.million:
        args.applications = 1_000_000
    return args


# -- data ------------------------------------------------------------------------


def _series(sqlite: bool, count: int) -> tuple[str, str]:
    """The (prefix, FROM clause) numbering rows ``i`` from 1 to ``count``."""
    if sqlite:
        cte = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) "
        return cte, "FROM n"
    return "", f"FROM generate_series(1, {count}) AS n(i)"


def _ago(sqlite: bool, days: str) -> str:
    """SQL for the moment ``days`` (an SQL expression) days before ``:now``."""
    if sqlite:
        return f"datetime(:now, '-' || ({days}) || ' days')"
    return f"(CAST(:now AS timestamptz) - make_interval(days => CAST(({days}) AS integer)))"


def _insert(sqlite: bool, count: int, table: str, columns: str, values: str) -> str:
    prefix, source = _series(sqlite, count)
    return f"{prefix}INSERT INTO {table} ({columns}) SELECT {values} {source}"


def load(sqlite: bool, applications: int) -> dict[str, int]:
    """Fill the database; the rows written per table."""
    users = max(1, applications // APPLICATIONS_PER_USER)
    now = NOW.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S") if sqlite else NOW
    rows = {
        "users": users,
        "job_applications": applications,
        "search_history": applications // 10,
        "events": applications // 5,
        "notifications": applications // 20,
        "metric_samples": max(1000, applications // 100),
    }
    user = f"(i % {users}) + 1"
    statements = [
        _insert(sqlite, users, "users", "email, skills, is_active",
                "'user' || i || '@bench.example', '[]', true"),
        _insert(sqlite, applications, "job_applications",
                "user_id, job_title, company, location, job_description, status, is_remote, "
                "application_date, status_changed_at, created_at, updated_at",
                f"{user}, 'Engineer ' || (i % 97), 'Company ' || (i % 401), 'Remote', "
                "'Python and PostgreSQL, team of ' || (i % 13), "
                "CASE WHEN i % 10 < 3 THEN 'rejected' ELSE 'applied' END, false, "
                f"{_ago(sqlite, '200 + i % 100')}, {_ago(sqlite, '100 + i % 100')}, "
                f"{_ago(sqlite, '200')}, {_ago(sqlite, '100')}"),
        _insert(sqlite, rows["search_history"], "search_history",
                "user_id, job_title, sources_searched, total_results, filtered_results, "
                "applications_made, search_date, created_at, updated_at",
                f"{user}, 'Python', '[]', 10, 5, 1, {_ago(sqlite, '(i % 2) * 400 + 1')}, "
                f"{_ago(sqlite, '1')}, {_ago(sqlite, '1')}"),
        _insert(sqlite, rows["events"], "events",
                "user_id, kind, entity, entity_id, payload, created_at",
                f"{user}, 'application.created', 'application', i, '{{}}', "
                f"{_ago(sqlite, '(i % 2) * 60 + 1')}"),
        _insert(sqlite, rows["notifications"], "notifications",
                "user_id, kind, reminder_key, title, body, created_at, read_at, email_state, "
                "email_attempts",
                f"{user}, 'follow_up', 'bench:' || i, 'Follow up', '-', {_ago(sqlite, '200')}, "
                f"{_ago(sqlite, '(i % 2) * 100 + 1')}, 'skipped', 0"),
        _insert(sqlite, rows["metric_samples"], "metric_samples", "name, value, taken_at",
                f"'pool.checked_out', 1.0, {_ago(sqlite, '(i % 2) * 10')}"),
    ]  # fmt: skip
    engine = get_database_manager().engine
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement), {"now": now})
    if not sqlite:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return rows


# -- measurements ----------------------------------------------------------------


def timed_run(dry_run: bool, backup_dir: Path) -> tuple[MaintenanceSummary, dict[str, float]]:
    """One run and the seconds of each of its steps."""
    marks: list[tuple[str, float]] = []
    summary = run_maintenance(
        dry_run=dry_run,
        trigger="cli",
        now=NOW,
        backup_dir=backup_dir,
        progress=lambda step: marks.append((step, time.perf_counter())),
    )
    ended = time.perf_counter()
    steps = {
        step: (marks[k + 1][1] if k + 1 < len(marks) else ended) - at
        for k, (step, at) in enumerate(marks)
    }
    return summary, steps


def bench_engine(engine: str, args: argparse.Namespace) -> list[dict[str, Any]]:
    sqlite = engine == "sqlite"
    source = sqlite_database() if sqlite else postgres_database(args.pg_url)
    results = []
    with source as (url, environment), tempfile.TemporaryDirectory() as backups:
        open_api(url, environment)
        started = time.perf_counter()
        load(sqlite, args.applications)
        console.log(f"{engine}: loaded {args.applications:,} applications "
                    f"in {time.perf_counter() - started:.1f} s")  # fmt: skip
        for label, dry_run in RUNS:
            summary, steps = timed_run(dry_run, Path(backups))
            results.append({"engine": engine, "run": label, "summary": summary, "steps": steps})
    return results


def print_table(results: list[dict[str, Any]], applications: int) -> None:
    table = Table(title=f"Maintenance run time, {applications:,} applications (seconds)")
    for column in ("engine", "run", "total", *STEPS, "archived", "removed rows"):
        table.add_column(column, justify="left" if column in ("engine", "run") else "right")
    for result in results:
        summary: MaintenanceSummary = result["summary"]
        steps = result["steps"]
        table.add_row(
            result["engine"], result["run"], f"{summary.seconds:.2f}",
            *(f"{steps.get(step, 0.0):.2f}" for step in STEPS),
            f"{summary.archived:,}", f"{summary.removed:,}",
        )  # fmt: skip
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The monitor's slow-statement log would drown the figures: the bulk loads are slow on purpose.
    logging.getLogger("database.slow_query").setLevel(logging.ERROR)
    results: list[dict[str, Any]] = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        results.extend(bench_engine(engine, args))
    print_table(results, args.applications)
    second_runs = [r["summary"] for r in results if r["run"] == "second run"]
    if any(s.archived or s.removed for s in second_runs):
        console.print("[red]NOT idempotent[/]: the second run found more to do")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
