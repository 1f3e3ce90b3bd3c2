"""Benchmark: the REST API past one process (issue 14): workers, PgBouncer, a read replica.

python -m benchmarks.scale              # 1, 2, 4 workers x direct/pgbouncer x primary/replica
python -m benchmarks.scale --duration 3 --workers 1,2 --scenarios "GET /applications"

The load test of ``benchmarks/api.py`` (its scenarios, wrk on loopback, one
user with ~1,000 applications) against the API under uvicorn with 1, 2 and 4
workers, its ``DATABASE_URL`` pointing at PostgreSQL itself or at PgBouncer
in transaction mode (``scripts/pg-test-server.sh pgbouncer``), its reads on
the primary or on the hot standby (``DATABASE_READ_URL``,
``scripts/pg-test-server.sh replica``). Beside each worker count, the bare
FastAPI app of ``benchmarks/bare_api.py`` running the same SQL with raw
psycopg, direct, as the reference. Per run: requests/s, p50/p99, the
database's execution time per request (the change of ``pg_stat_statements``'
``total_exec_time`` on the primary and the replica over the run, divided by
the requests) and the most server connections open at once on each.

Everything shares one 2-core machine: the standby replays on the same cores
that serve the primary, so a replica here shows what routing reads costs,
not the capacity it adds on a machine of its own. The sizing that follows
the table turns the measured per-request costs into machine counts; its
assumptions are printed with it and explained in ``docs/scaling.md``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import make_url

from benchmarks.api import (
    API_APP,
    BARE_APP,
    SCENARIOS,
    Load,
    Rows,
    Scenario,
    lua_script,
    run_wrk,
    seeded_database,
    served,
    server_environment,
    sign_in,
    wrk_missing,
)
from benchmarks.cpu import listening_pid, named_cpu, postgres_cpu, processes, tree_cpu
from benchmarks.run import ROOT
from benchmarks.scale_sizing import Cost, print_sizing

console = Console(width=180)
DEFAULT_SCENARIOS = "GET /applications,GET /statistics,GET /search,POST /applications"


@dataclass(frozen=True)
class Setup:
    """How the API reaches PostgreSQL in one run."""

    workers: int
    via: str  # "direct" or "pgbouncer"
    reads: str  # "primary" or "replica"
    bare: bool = False

    @property
    def name(self) -> str:
        if self.bare:
            return f"bare x{self.workers}"
        return f"API x{self.workers}, {self.via}, reads on {self.reads}"


@dataclass(frozen=True)
class Cpu:
    """CPU milliseconds per request: the API's processes, PostgreSQL's, PgBouncer's."""

    app_ms: float
    db_ms: float
    pooler_ms: float


@dataclass(frozen=True)
class Outcome:
    """One scenario under one setup."""

    setup: Setup
    scenario: str
    load: Load
    db_ms: float  # database execution time per request, primary + replica
    cpu: Cpu
    primary_connections: int
    replica_connections: int
    bare_rps: float | None = None  # the bare app's, same workers, same scenario

    @property
    def ratio(self) -> str:
        if self.setup.bare or not self.bare_rps:
            return ""
        return f"{self.load.requests_per_s / self.bare_rps:.0%}"


# -- the servers' URLs ---------------------------------------------------------------


def script_url(command: str, database: str) -> str:
    """``scripts/pg-test-server.sh command``'s URL, naming ``database``."""
    out = subprocess.run(
        [str(ROOT / "scripts" / "pg-test-server.sh"), command],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    url = make_url(out.stdout.strip().splitlines()[-1]).set(database=database)
    return url.render_as_string(hide_password=False)


def conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# -- what the database did -------------------------------------------------------------

_EXEC_TIME = (
    "SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements"
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND query NOT LIKE '%pg_stat_%'"
)
_CONNECTIONS = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
)


def exec_ms(url: str) -> float:
    """The database's execution time so far, in milliseconds, by every statement but ours."""
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        row = conn.execute(_EXEC_TIME).fetchone()
    return float(row[0]) if row else 0.0


class PeakConnections:
    """The most connections open at once to a server's database while it runs (sampled)."""

    def __init__(self, url: str, every: float = 0.2) -> None:
        self._conninfo, self._every = conninfo(url), every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakConnections:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _sample(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            while not self._stop.wait(self._every):
                row = conn.execute(_CONNECTIONS).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)


# -- the runs ------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """The URLs of the run's database: on the primary, through PgBouncer, on the standby."""

    primary: str
    bouncer: str
    replica: str


def environment(setup: Setup, targets: Targets) -> dict[str, str]:
    """The API's settings for ``setup``."""
    url = targets.bouncer if setup.via == "pgbouncer" else targets.primary
    env = server_environment(url, None)
    for name in ("DATABASE_READ_URL", "DATABASE_DIRECT_URL", "DATABASE_POOLER"):
        env.pop(name, None)
    if setup.via == "pgbouncer":
        env["DATABASE_DIRECT_URL"] = targets.primary
    if setup.reads == "replica":
        env["DATABASE_READ_URL"] = targets.replica
    return env


@contextmanager
def serving(setup: Setup, targets: Targets, folder: Path) -> Iterator[str]:
    factory = BARE_APP if setup.bare else API_APP
    log = folder / f"{factory.split(':')[0]}-{setup.workers}-{setup.via}-{setup.reads}.log"
    with served(factory, environment(setup, targets), setup.workers, log) as base:
        yield base


def run_one(
    base: str, scenario: Scenario, script: Path, args: argparse.Namespace, targets: Targets
) -> tuple[Load, float, Cpu, int, int]:
    """wrk on ``scenario``: the load, DB execution ms and CPU per request, peak connections."""
    server = listening_pid(int(base.rsplit(":", 1)[1]))
    assert server is not None, f"no uvicorn process listens at {base}"
    before = exec_ms(targets.primary) + exec_ms(targets.replica)
    cpu_before = (tree_cpu(server, processes()), postgres_cpu(), named_cpu("pgbouncer"))
    with PeakConnections(targets.primary) as primary, PeakConnections(targets.replica) as replica:
        load = run_wrk(base, script, scenario.path, args.clients, args.duration)
    cpu_after = (tree_cpu(server, processes()), postgres_cpu(), named_cpu("pgbouncer"))
    spent = exec_ms(targets.primary) + exec_ms(targets.replica) - before
    requests = load.requests_per_s * args.duration or 1
    app, db, pooler = (
        1_000 * (b - a) / requests for a, b in zip(cpu_before, cpu_after, strict=True)
    )
    return load, spent / requests, Cpu(app, db, pooler), primary.peak, replica.peak


def setups(args: argparse.Namespace) -> list[Setup]:
    found = []
    for workers in (int(w) for w in args.workers.split(",")):
        found.append(Setup(workers, "direct", "primary", bare=True))
        for via in args.via.split(","):
            for reads in args.reads.split(","):
                found.append(Setup(workers, via, reads))
    return found


def measure(args: argparse.Namespace, targets: Targets, rows: Rows, folder: Path) -> list[Outcome]:
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    scenarios = [s for s in SCENARIOS if any(s.name.startswith(w) for w in wanted)]
    outcomes: list[Outcome] = []
    bare: dict[tuple[int, str], float] = {}
    for setup in setups(args):
        with serving(setup, targets, folder) as base:
            token = sign_in(base)
            rows.marks = rows.last_ids()  # what a writing run adds goes, the token stays
            for number, scenario in enumerate(scenarios):
                script = folder / f"scenario{number}.lua"
                script.write_text(lua_script(scenario, token))
                if scenario.writes:
                    rows.restore()
                run_wrk(base, script, scenario.path, 8, args.warmup)
                load, db_ms, cpu, primary, replica = run_one(base, scenario, script, args, targets)
                if scenario.writes:
                    rows.restore()
                if setup.bare:
                    bare[setup.workers, scenario.name] = load.requests_per_s
                outcome = Outcome(
                    setup, scenario.name, load, db_ms, cpu, primary, replica,
                    bare.get((setup.workers, scenario.name)),
                )  # fmt: skip
                outcomes.append(outcome)
                console.log(" | ".join(cells(outcome)))
    return outcomes


COLUMNS = (
    "setup", "scenario", "req/s", "p50 ms", "p99 ms", "of bare", "DB exec ms", "DB CPU ms",
    "app CPU ms", "PgB CPU ms", "conns primary", "conns replica", "errors",
)  # fmt: skip


def cells(o: Outcome) -> list[str]:
    return [
        o.setup.name, o.scenario, f"{o.load.requests_per_s:,.0f}", f"{o.load.p50_ms:,.1f}",
        f"{o.load.p99_ms:,.1f}", o.ratio, f"{o.db_ms:.2f}", f"{o.cpu.db_ms:.2f}",
        f"{o.cpu.app_ms:.2f}", f"{o.cpu.pooler_ms:.2f}" if o.setup.via == "pgbouncer" else "",
        str(o.primary_connections),
        str(o.replica_connections), str(o.load.errors or ""),
    ]  # fmt: skip


def print_table(outcomes: list[Outcome], args: argparse.Namespace) -> None:
    table = Table(title=f"REST API past one process: wrk, {args.clients} connections, loopback")
    for column in COLUMNS:
        left = column in ("setup", "scenario")
        table.add_column(column, justify="left" if left else "right", no_wrap=True)
    for outcome in outcomes:
        table.add_row(*cells(outcome))
    console.print(table)


def costs(outcomes: list[Outcome]) -> Cost:
    """The per-request costs of the sizing, reads and writes apart, from the setup of
    the most read requests/s (of the API, never the bare app)."""
    api = [o for o in outcomes if not o.setup.bare and o.load.requests_per_s]
    best = max(
        (o for o in api if o.scenario.startswith("GET")), key=lambda o: o.load.requests_per_s
    )
    mine = [o for o in api if o.setup == best.setup]
    reads = [o for o in mine if o.scenario.startswith("GET")]
    writes = [o for o in mine if not o.scenario.startswith("GET")] or reads
    every_write = [o.load.requests_per_s for o in api if not o.scenario.startswith("GET")]
    return Cost(
        setup=best.setup.name,
        write_ceiling=max(every_write, default=0.0),
        read_rps=_mean([o.load.requests_per_s for o in reads]),
        read_app_ms=_mean([o.cpu.app_ms for o in reads]),
        read_db_ms=_mean([o.cpu.db_ms + o.cpu.pooler_ms for o in reads]),
        write_rps=_mean([o.load.requests_per_s for o in writes]),
        write_app_ms=_mean([o.cpu.app_ms for o in writes]),
        write_db_ms=_mean([o.cpu.db_ms + o.cpu.pooler_ms for o in writes]),
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.scale", description=__doc__.split("\n")[0])
    parser.add_argument("--workers", default="1,2,4", help="uvicorn worker counts")
    parser.add_argument("--via", default="direct,pgbouncer", help="direct and/or pgbouncer")
    parser.add_argument("--reads", default="primary,replica", help="primary and/or replica")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections of wrk")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up per run")
    parser.add_argument("--applications", type=int, default=1_000)
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated prefixes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing("benchmarks.scale"):
        return 1
    folder = Path(tempfile.mkdtemp(prefix="aa_bench_scale_"))
    try:
        with seeded_database(None, args.applications) as url:
            database = make_url(url).database or ""
            bouncer, replica = script_url("pgbouncer", database), script_url("replica", database)
            targets = Targets(url, bouncer, replica)
            rows = Rows(url)
            # Before the load adds its own rows: the seeded person's applications alone.
            bytes_per_application = _bytes_per_application(url, args.applications)
            outcomes = measure(args, targets, rows, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        # A standby left running would replay every write of whatever runs next.
        subprocess.run([str(ROOT / "scripts" / "pg-test-server.sh"), "replica-remove"], check=False)
    print_table(outcomes, args)
    print_sizing(console, costs(outcomes), bytes_per_application)
    return 0


def _bytes_per_application(url: str, applications: int) -> float:
    """The database's size per seeded application, with its history, notes and events."""
    query = (
        "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r'"
    )
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        row = conn.execute(query).fetchone()
    return float(row[0] or 0) / max(1, applications) if row else 0.0


if __name__ == "__main__":
    sys.exit(main())
