"""Benchmark: the data lifecycle's costs. First, what performance monitoring costs.

python -m benchmarks.lifecycle                      # both engines
python -m benchmarks.lifecycle --engines sqlite --calls 100   # a quick look

Two databases per engine, identical but for ``DATABASE_MONITORING`` (on in
one, off in the other), filled with the same applications. Each call of
``add_job_application`` and ``get_application_statistics`` runs on one and
then the other (the order alternating), so both modes run under the same
conditions in the same process. The overhead is the median time with
monitoring on over the median with it off, less one (goal: at most 5 %); the
median of the pairs' ratios is shown beside it. The other lifecycle benchmarks
of :data:`OTHER_BENCHMARKS` run after it. PostgreSQL runs on the server of
``scripts/pg-test-server.sh`` (or ``--pg-url``), in databases of its own,
dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks import archived_rows, maintenance_time
from benchmarks.run import postgres_database, sqlite_database
from database.bootstrap import init_database
from database.core import monitoring
from database.core import session as session_module
from database.core.session import DatabaseManager
from database.utilities import DatabaseUtils

console = Console(width=140)
GOAL = 0.05
MODES = ("on", "off")
#: The other benchmarks of the data lifecycle, run after the monitoring overhead: (name, main).
OTHER_BENCHMARKS: tuple[tuple[str, Callable[[], Any]], ...] = (
    (
        "archived rows: listing and statistics beside 10x as many archived",
        lambda: archived_rows.main([]),
    ),
    ("maintenance time", lambda: maintenance_time.main([])),
)


@dataclass
class Overhead:
    """One operation's medians with monitoring on and off."""

    engine: str
    operation: str
    on: float
    off: float
    #: The median of the pairs' on/off ratios, less one (each pair shares the machine's load).
    paired: float

    @property
    def overhead(self) -> float:
        """The median time with monitoring on over the median with it off, less one."""
        return self.on / self.off - 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks.lifecycle", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--calls", type=int, default=500, help="calls per operation and mode")
    parser.add_argument("--rows", type=int, default=2000, help="applications before measuring")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    return parser.parse_args(argv)


@contextmanager
def _databases(engine: str, pg_url: str | None) -> Iterator[dict[str, tuple[str, str]]]:
    with ExitStack() as stack:
        opened = {}
        for mode in MODES:
            database = sqlite_database() if engine == "sqlite" else postgres_database(pg_url)
            opened[mode] = stack.enter_context(database)
        yield opened


def _open(url: str, environment: str, on: bool, rows: int) -> tuple[DatabaseManager, int]:
    os.environ["DATABASE_URL"] = url
    os.environ["DATABASE_MONITORING"] = "1" if on else "0"
    manager = init_database(environment)
    assert monitoring.is_monitored(manager.engine) is on
    user = DatabaseUtils.create_user("bench@example.com")
    DatabaseUtils.bulk_add_job_applications(
        user.id, [{"job_title": f"Engineer {i}", "company": f"Company {i}"} for i in range(rows)]
    )
    if manager.config.database_type == "postgresql":
        # Both databases planned from fresh statistics, not whenever autovacuum comes by.
        with manager.connection_scope() as conn:
            conn.exec_driver_sql("ANALYZE")
    return manager, user.id


def _use(manager: DatabaseManager) -> None:
    # Straight to the global: install_manager would close the other database's
    # pool at every switch, and each call would then pay for a new connection.
    session_module._manager = manager


def _paired(work: dict[str, Callable[[int], Any]], calls: int) -> dict[str, list[float]]:
    """Each mode's times of ``calls`` runs, the modes alternating run by run."""
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for i in range(-3, calls):  # the first three warm up
        for mode in MODES if i % 2 == 0 else MODES[::-1]:
            start = time.perf_counter()
            work[mode](i)
            if i >= 0:
                times[mode].append(time.perf_counter() - start)
    return times


def measure_overhead(engine: str, args: argparse.Namespace) -> list[Overhead]:
    """``add_job_application`` and ``get_application_statistics``, monitoring on and off."""
    results = []
    with _databases(engine, args.pg_url) as databases:
        opened = {mode: _open(*databases[mode], mode == "on", args.rows) for mode in MODES}

        def add(mode: str) -> Callable[[int], Any]:
            manager, user_id = opened[mode]

            def call(i: int) -> None:
                _use(manager)
                DatabaseUtils.add_job_application(user_id, job_title="Bench", company=f"C{i}")

            return call

        def stats(mode: str) -> Callable[[int], Any]:
            manager, user_id = opened[mode]

            def call(_i: int) -> None:
                _use(manager)
                DatabaseUtils.get_application_statistics(user_id)

            return call

        for operation, make in (
            ("add_job_application", add),
            ("get_application_statistics", stats),
        ):
            times = _paired({mode: make(mode) for mode in MODES}, args.calls)
            ratios = [on / off for on, off in zip(times["on"], times["off"], strict=True)]
            results.append(
                Overhead(
                    engine,
                    operation,
                    statistics.median(times["on"]),
                    statistics.median(times["off"]),
                    statistics.median(ratios) - 1,
                )
            )
        _use(opened["on"][0])  # the databases' contexts close the global one
        opened["off"][0].close()
    return results


def print_table(results: list[Overhead]) -> None:
    table = Table(title="Performance monitoring overhead (median per call, same run)")
    for column in ("engine", "operation", "monitoring off", "monitoring on", "overhead",
                   "paired", "goal", "met"):  # fmt: skip
        table.add_column(column, justify="left" if column in ("engine", "operation") else "right")
    for r in results:
        table.add_row(
            r.engine, r.operation, f"{r.off * 1e6:,.0f} us", f"{r.on * 1e6:,.0f} us",
            f"{r.overhead:+.1%}", f"{r.paired:+.1%}", f"<= {GOAL:.0%}",
            "yes" if r.overhead <= GOAL else "NO",
        )  # fmt: skip
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    """Measure the monitoring overhead on every engine, then run the other lifecycle benchmarks."""
    args = parse_args(argv)
    results: list[Overhead] = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        console.log(f"{engine}: {args.calls} calls per operation and mode, alternating")
        results.extend(measure_overhead(engine, args))
    print_table(results)
    status = 0
    for name, entry in OTHER_BENCHMARKS:
        console.rule(name)
        status = max(status, int(entry() or 0))
    return status


if __name__ == "__main__":
    sys.exit(main())
