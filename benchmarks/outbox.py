"""Benchmark: what the outbox (issue 11) adds to ``add_job_application``, on and off in one run.

python -m benchmarks.outbox                  # SQLite (synchronous FULL and OFF), PostgreSQL
python -m benchmarks.outbox --adds 300 --engines sqlite

"On" is the library as it is: each add writes its application, its first
history row and its ``application.created`` event (on PostgreSQL in the same
statement, behind the outbox's order lock, with its ``pg_notify``), then
commits. "Off" is the same call with the event left out for that one call:
``applications._insert_with_history`` called with ``outbox=False``, swapped in
this process only; the library has no switch that turns the outbox off. The
two run alternately, add after add, so both see the same machine, caches and
checkpoints; the figures are medians, and of several rounds the one with the
median ratio is shown, every round's ratio beside it (on a busy machine the
commit's fsync varies more than the outbox costs). PostgreSQL is the server
of ``scripts/pg-test-server.sh`` (``fsync = on``), in a database of its own,
dropped afterwards. The goal: the outbox adds less than 10 %.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager

from rich.console import Console
from rich.table import Table

from benchmarks.measure import paired_medians
from benchmarks.run import create_users, open_api, postgres_database, sqlite_database
from database.core.session import cleanup_database
from database.domain import applications
from database.utilities import DatabaseUtils

GOAL = 0.10  # the outbox adds at most this share to one committed add
console = Console(width=120)


def measure(adds: int) -> tuple[float, float]:
    """Median seconds of one committed add with the outbox on, and off (user 1 adds)."""
    with_event = applications._insert_with_history
    without_event = functools.partial(with_event, outbox=False)

    def on(i: int) -> None:
        DatabaseUtils.add_job_application(1, f"Engineer {i}", "Acme", location="Remote")

    def off(i: int) -> None:
        setattr(applications, "_insert_with_history", without_event)  # noqa: B010
        try:
            DatabaseUtils.add_job_application(1, f"Tester {i}", "Acme", location="Remote")
        finally:
            setattr(applications, "_insert_with_history", with_event)  # noqa: B010

    return paired_medians(on, off, adds, warmup=20)


def databases(engines: list[str], pg_url: str | None) -> Iterator[tuple[str, str, str, str]]:
    """(label, url, environment, synchronous) of each database to measure."""
    for engine in engines:
        opened: AbstractContextManager[tuple[str, str]] = (
            sqlite_database() if engine == "sqlite" else postgres_database(pg_url)
        )
        with opened as (url, environment):
            if engine == "sqlite":
                for synchronous in ("FULL", "OFF"):
                    yield f"SQLite file, synchronous={synchronous}", url, environment, synchronous
                    cleanup_database()
            else:
                yield "PostgreSQL (fsync on)", url, environment, "FULL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks.outbox", description=__doc__.split("\n")[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--adds", type=int, default=300, help="adds per side and round")
    parser.add_argument("--rounds", type=int, default=3, help="the median round is shown")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    args = parser.parse_args(argv)
    table = Table(title="add_job_application + commit: the outbox on and off (medians)")
    columns = ("database", "on (us)", "off (us)", "added", "on/off by round", "goal < 10 %")
    for column in columns:
        table.add_column(column, justify="left" if column == "database" else "right")
    met_all = True
    for label, url, environment, synchronous in databases(args.engines.split(","), args.pg_url):
        open_api(url, environment, synchronous)
        create_users(1)
        rounds = [measure(args.adds) for _ in range(args.rounds)]
        ratios = [on / off for on, off in rounds]
        on, off = rounds[ratios.index(statistics.median_low(ratios))]
        added = on / off - 1
        met_all &= added < GOAL
        table.add_row(
            label, f"{on * 1e6:,.0f}", f"{off * 1e6:,.0f}", f"{added:+.1%}",
            " ".join(f"{r:.3f}" for r in ratios), "met" if added < GOAL else "NOT met",
        )  # fmt: skip
    console.print(table)
    return 0 if met_all else 1


if __name__ == "__main__":
    sys.exit(main())
