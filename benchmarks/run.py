"""Benchmark: our API against the raw drivers, on SQLite and PostgreSQL, in one run.

python -m benchmarks.run                       # 1,000 users, 200,000 applications, both engines
python -m benchmarks.run --sizes 200000,1000000  # also grow the table to 1M rows (slower)
python -m benchmarks.run --engines sqlite --users 100 --sizes 20000   # a quick look
python -m benchmarks.run --sizes 20000 --quick   # add + statistics only, a few minutes

A deterministic dataset (see ``benchmarks/dataset.py``) is loaded through
``bulk_add_job_applications`` and through the raw driver alternately, user by
user, so both fill the same table. Then, at each size: one committed
``add_job_application`` against the same inserts by the raw driver (SQLite at
``synchronous=FULL``, the default, and at NORMAL for comparison); each read of
the API for one user against the same SQL replayed by the raw driver; search
against LIKE/ILIKE scans. ``get_application_statistics`` is measured against
a hand-written statement (``benchmarks/raw.py``), whose result must equal the
API's. ``--quick`` measures only the single add and the statistics, with 100
users by default, so each user has as many rows as in the full run (200).
PostgreSQL runs on the server of
``scripts/pg-test-server.sh`` in a database of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from benchmarks.dataset import COMMON_QUERY, NOW, RARE_QUERY, Dataset, with_keys
from benchmarks.goals import judge
from benchmarks.measure import Result, captured_reads, median_seconds, paired_medians, peak_kib
from benchmarks.raw import RawPostgres, RawSQLite, app_tuple
from database.bootstrap import init_database
from database.core.session import cleanup_database, get_database_manager
from database.utilities import DatabaseUtils

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=160)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.run", description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--users", type=int, default=None, help="default 1,000 (quick: 100)")
    parser.add_argument("--sizes", default="200000", help="table sizes to measure at, rising")
    parser.add_argument("--repeat", type=int, default=30, help="runs per read operation")
    parser.add_argument("--adds", type=int, default=200, help="single adds per measurement")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    parser.add_argument("--quick", action="store_true", help="only the single add and statistics")
    args = parser.parse_args(argv)
    if args.users is None:
        args.users = 100 if args.quick else 1_000
    return args


# -- databases -------------------------------------------------------------------


@contextmanager
def sqlite_database() -> Iterator[tuple[str, str]]:
    folder = Path(tempfile.mkdtemp(prefix="aa_bench_"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}", "development"
    finally:
        cleanup_database()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_database(server: str | None) -> Iterator[tuple[str, str]]:
    if server is None:
        script = ROOT / "scripts" / "pg-test-server.sh"
        out = subprocess.run([str(script), "start"], capture_output=True, text=True, check=True)
        server = out.stdout.strip().splitlines()[-1]
    name = f"aa_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        yield url, "production"
    finally:
        cleanup_database()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def open_api(url: str, environment: str, synchronous: str = "FULL") -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DATABASE_SQLITE_SYNCHRONOUS"] = synchronous
    init_database(environment)


def open_raw(url: str, synchronous: str = "FULL") -> RawSQLite | RawPostgres:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return RawSQLite(str(parsed.database), synchronous)
    return RawPostgres(parsed.set(drivername="postgresql").render_as_string(hide_password=False))


def create_users(count: int) -> None:
    engine = get_database_manager().engine
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO users (email, skills, is_active) VALUES (:email, '[]', true)"),
            [{"email": f"user{i}@bench.example"} for i in range(1, count + 1)],
        )


# -- measurements ----------------------------------------------------------------


class Bench:
    """The measurements of one engine."""

    def __init__(self, engine: str, url: str, environment: str, args: argparse.Namespace):
        self.engine, self.url, self.environment, self.args = engine, url, environment, args
        self.sqlite = engine == "sqlite"
        self.data = Dataset(args.users)
        self.results: list[Result] = []
        self.per_user = 0

    def record(self, rows: int, operation: str, api: float, raw: float | None, unit: str,
               peak: float | None = None) -> None:  # fmt: skip
        self.results.append(Result(self.engine, rows, operation, api, raw, unit, peak))

    def load_to(self, size: int, raw: RawSQLite | RawPostgres) -> None:
        """Grow the table to ``size`` rows: odd users through the API, even ones raw."""
        target = size // self.args.users
        api_rows = raw_rows = 0
        api_time = raw_time = 0.0
        api_peak = raw_peak = None
        started = time.perf_counter()
        for user in range(1, self.args.users + 1):
            rows = self.data.user_rows(user, self.per_user, target)
            if user % 2:
                call = partial(DatabaseUtils.bulk_add_job_applications, user, rows)
                if api_peak is None:
                    api_peak = peak_kib(call)  # measured apart: tracemalloc slows it
                    continue
                api_time += _timed(call)
                api_rows += len(rows)
            else:
                now = NOW
                tuples = [app_tuple(user, with_keys(r), now, self.sqlite) for r in rows]
                if raw_peak is None:
                    raw_peak = peak_kib(partial(raw.bulk, tuples))
                    continue
                raw_time += _timed(partial(raw.bulk, tuples))
                raw_rows += len(rows)
        self.per_user = target
        console.log(f"{self.engine}: {size:,} rows loaded in {time.perf_counter() - started:.0f} s")
        name = "bulk add (rows/s, per-user batches)"
        self.record(size, name, api_rows / api_time, raw_rows / raw_time, "rows/s", api_peak)

    def single_adds(self, size: int, synchronous: str) -> None:
        """One committed add_job_application against the raw inserts + commit."""
        if self.sqlite:
            cleanup_database()
            open_api(self.url, self.environment, synchronous)
        raw = open_raw(self.url, synchronous)
        user = self.args.users
        rows = self.data.user_rows(user, 10_000_000, 10_000_000 + self.args.adds)
        tuples = [app_tuple(user, with_keys(r), NOW, self.sqlite) for r in rows]
        if self.sqlite:
            raw.run("PRAGMA wal_checkpoint(TRUNCATE)", ())
        api, raw_time = paired_medians(
            lambda i: DatabaseUtils.add_job_application(user, **rows[i]),
            lambda i: raw.add_one(tuples[i]),
            len(rows) - 2,
        )
        raw.close()
        peak = peak_kib(lambda: DatabaseUtils.add_job_application(user, **rows[0]))
        label = f"add_job_application + commit ({synchronous})" if self.sqlite else (
            "add_job_application + commit"
        )  # fmt: skip
        self.record(size, label, api, raw_time, "us", peak)
        if self.sqlite and synchronous != "FULL":
            cleanup_database()
            open_api(self.url, self.environment, "FULL")

    def reads(self, size: int, raw: RawSQLite | RawPostgres) -> None:
        """Each read of the API for user 1 against the same SQL run by the raw driver."""
        user, engine = 1, get_database_manager().engine
        operations: dict[str, Callable[[], Any]] = {
            "get_application_statistics": lambda: DatabaseUtils.get_application_statistics(
                user, days=365
            ),
            "listing newest 50": lambda: DatabaseUtils.get_user_applications(user, limit=50),
            "funnel": lambda: DatabaseUtils.get_application_funnel(user),
            "conversion by source": lambda: DatabaseUtils.get_conversion_by_source(user),
            "conversion by resume": lambda: DatabaseUtils.get_conversion_by_resume(user),
            "time in stage": lambda: DatabaseUtils.get_time_in_stage(user),
            "applications per week": lambda: DatabaseUtils.get_applications_per_week(user),
            "response stats": lambda: DatabaseUtils.get_response_stats(user),
            "stale applications": lambda: DatabaseUtils.get_stale_applications(user),
            f"search rare '{RARE_QUERY}'": lambda: DatabaseUtils.search_applications(
                user, RARE_QUERY
            ),
            f"search common '{COMMON_QUERY}'": lambda: DatabaseUtils.search_applications(
                user, COMMON_QUERY
            ),
        }
        repeat = self.args.repeat
        self.statistics(size, raw, operations.pop("get_application_statistics"))
        if self.args.quick:
            return
        for name, call in operations.items():
            statements = captured_reads(engine, call)
            api, replay = paired_medians(
                _per_index(call), _per_index(partial(_replay, raw, statements)), repeat
            )
            self.record(size, name, api, replay, "ms", peak_kib(call))
        for label, query in (("rare", RARE_QUERY), ("common", COMMON_QUERY)):
            sql, params = like_scan(self.sqlite, query.split(), user)
            scan = median_seconds(partial(raw.run, sql, params), max(3, repeat // 5), 1)
            self.record(size, f"LIKE scan of user's rows, {label}", scan, None, "ms")
        for label, query in (("rare", RARE_QUERY), ("common", COMMON_QUERY)):
            sql, params = like_scan(self.sqlite, query.split(), None)
            scan = median_seconds(partial(raw.run, sql, params), 1, 0)
            self.record(size, f"LIKE scan of whole table, {label}", scan, None, "ms")

    def statistics(self, size: int, raw: RawSQLite | RawPostgres, call: Callable[[], Any]) -> None:
        """The API's statistics against the hand-written statement of ``benchmarks/raw.py``."""
        user, days = 1, 365
        for attempt in range(2):  # a row may cross the cutoff between the two calls
            api_result, raw_result = call(), raw.statistics(user, days)
            if api_result == raw_result:
                break
            if attempt:
                raise AssertionError(f"raw statistics differ: {api_result} != {raw_result}")
        api, replay = paired_medians(
            lambda _i: call(), lambda _i: raw.statistics(user, days), self.args.repeat * 10
        )
        self.record(size, "get_application_statistics", api, replay, "ms", peak_kib(call))


def like_scan(sqlite: bool, words: list[str], user: int | None) -> tuple[str, Any]:
    """The naive search: every word in any text column, newest 20 first."""
    op = "LIKE" if sqlite else "ILIKE"
    mark = "?" if sqlite else "%s"
    columns = ("job_title", "company", "location", "job_description", "notes")
    per_word = "(" + " OR ".join(f"{c} {op} {mark}" for c in columns) + ")"
    where = " AND ".join(per_word for _ in words)
    params: list[Any] = [f"%{w}%" for w in words for _ in columns]
    if user is not None:
        where = f"user_id = {mark} AND {where}"
        params.insert(0, user)
    sql = (
        f"SELECT id, job_title, company FROM job_applications WHERE {where} "
        "ORDER BY application_date DESC LIMIT 20"
    )
    return sql, tuple(params)


def _timed(work: Callable[[], Any]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def _per_index(work: Callable[[], Any]) -> Callable[[int], Any]:
    """``work`` as ``paired_medians`` calls it: with a repetition index it ignores."""
    return lambda _i: work()


def _replay(raw: RawSQLite | RawPostgres, statements: list[tuple[str, Any]]) -> list[Any]:
    """The rows of each captured read statement, run through the raw driver."""
    return [raw.run(*x) for x in statements]


def bench_engine(engine: str, args: argparse.Namespace) -> list[Result]:
    source = sqlite_database() if engine == "sqlite" else postgres_database(args.pg_url)
    with source as (url, environment):
        open_api(url, environment, "FULL")
        create_users(args.users)
        bench = Bench(engine, url, environment, args)
        raw = open_raw(url, "FULL")
        try:
            for size in sorted(int(s) for s in args.sizes.split(",")):
                bench.load_to(size, raw)
                if engine == "postgresql":
                    _analyze(url)
                bench.single_adds(size, "FULL")
                if engine == "sqlite" and not args.quick:
                    bench.single_adds(size, "NORMAL")
                bench.reads(size, raw)
        finally:
            raw.close()
    return bench.results


def _analyze(url: str) -> None:
    # What autovacuum does soon after a bulk load: statistics, and the GIN pending
    # list merged into the index (until then every search scans that list).
    engine = create_engine(make_url(url), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def print_table(results: list[Result]) -> None:
    table = Table(title="Auto Applyer API vs raw driver (median; peak = Python heap of one call)")
    for column in ("engine", "rows", "operation", "API", "raw", "API/raw", "peak KiB", "goal",
                   "met"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("engine", "operation") else "right")
    for r in results:
        table.add_row(
            r.engine, f"{r.rows:,}", r.operation, _fmt(r.api, r.unit),
            _fmt(r.raw, r.unit) if r.raw is not None else "",
            f"{r.ratio:.2f}x" if r.ratio is not None else "",
            f"{r.peak_kib:,.0f}" if r.peak_kib is not None else "", r.goal,
            {True: "yes", False: "NO", None: ""}[r.met],
        )  # fmt: skip
    console.print(table)


def _fmt(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value:,.0f} rows/s"
    if unit == "us":
        return f"{value * 1e6:,.0f} us"
    return f"{value * 1e3:,.2f} ms"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    console.log(f"SQLite default durability: synchronous=FULL; users={args.users}, "
                f"sizes={args.sizes}")  # fmt: skip
    results: list[Result] = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        results.extend(bench_engine(engine, args))
    judge(results)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
