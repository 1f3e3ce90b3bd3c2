"""Benchmark: the REST API under load beside a bare FastAPI app running the same SQL (issue 10).

python -m benchmarks.api                               # 5 scenarios x 1, 8, 32 clients, 8 s each
python -m benchmarks.api --duration 3 --clients 8      # a quick look

Both servers run at once on PostgreSQL (the server of
``scripts/pg-test-server.sh``, in a database of its own, dropped afterwards),
each under uvicorn with the same settings, on private ports of 127.0.0.1: the
API (``api.app:create_served_app``) and ``benchmarks/bare_api.py``. One user
owns ~1,000 applications (``benchmarks/dataset.py``). Before measuring, both
must give the same JSON for each request. Then ``wrk`` (Debian's, installed by
``scripts/install-wrk.sh``) loads each scenario at each concurrency, the API
and the bare app in turn, so both see the same machine; rows a run adds are
deleted before the next. The goal: at least 60 % of the bare app's
throughput and a p99 within 1.5x of its p99. Sign-in pays one Argon2id
verification on both sides; its cost on this machine is printed apart.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import make_url

from benchmarks.dataset import COMMON_QUERY, Dataset
from benchmarks.run import _analyze, open_api, postgres_database
from database.core.config import DatabaseSettings
from database.core.session import cleanup_database, get_database_manager
from database.domain import passwords
from database.domain.accounts import sign_up
from database.domain.applications import add as add_application
from utils.processes import stop

ROOT = Path(__file__).resolve().parent.parent
console = Console(width=160)
THROUGHPUT_GOAL = 0.6  # the API's requests/s at least this share of the bare app's
P99_GOAL = 1.5  # the API's p99 at most this multiple of the bare app's
EMAIL, PASSWORD = "bench@bench.example", "benchmark-password-1"
API_APP, BARE_APP = "api.app:create_served_app", "benchmarks.bare_api:create_bare_app"
NEW_APPLICATION = (
    '{"job_title": "Benchmark Engineer", "company": "Load Labs", "location": "Remote"}'
)


@dataclass(frozen=True)
class Scenario:
    """One request, repeated by every connection of wrk."""

    name: str
    method: str
    path: str
    body: str | None = None
    content_type: str | None = None
    signed_in: bool = True
    writes: bool = False
    #: Runs last this many times the duration: a slow request needs more of them to count.
    stretch: float = 1.0


SCENARIOS = (
    Scenario("POST /auth/token", "POST", "/api/v1/auth/token",
             f"username={EMAIL.replace('@', '%40')}&password={PASSWORD}",
             "application/x-www-form-urlencoded", signed_in=False, writes=True, stretch=2),
    Scenario("GET /applications", "GET", "/api/v1/applications?limit=50"),
    Scenario("GET /statistics", "GET", "/api/v1/statistics"),
    Scenario("GET /search", "GET",
             f"/api/v1/search/applications?q={COMMON_QUERY.replace(' ', '+')}"),
    Scenario("POST /applications", "POST", "/api/v1/applications", NEW_APPLICATION,
             "application/json", writes=True),
)  # fmt: skip


@dataclass(frozen=True)
class Load:
    """What wrk measured for one server: throughput, latency percentiles, failed requests."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int = 0


@dataclass(frozen=True)
class Row:
    """One line of the table: a scenario at a concurrency, on both servers."""

    scenario: str
    clients: int
    api: Load
    bare: Load

    @property
    def throughput_ratio(self) -> float:
        """The API's requests/s over the bare app's (1.0 = as fast)."""
        return self.api.requests_per_s / self.bare.requests_per_s if self.bare.requests_per_s else 0

    @property
    def p99_ratio(self) -> float:
        """The API's p99 over the bare app's (1.0 = as quick)."""
        return self.api.p99_ms / self.bare.p99_ms if self.bare.p99_ms else float("inf")

    @property
    def met(self) -> bool:
        """Whether both goals hold and no request failed."""
        return (
            self.throughput_ratio >= THROUGHPUT_GOAL
            and self.p99_ratio <= P99_GOAL
            and not self.api.errors
            and not self.bare.errors
        )


def cells(row: Row) -> list[str]:
    """The printed cells of ``row``, in the order of :data:`COLUMNS`."""

    def load(x: Load) -> list[str]:
        return [f"{x.requests_per_s:,.0f}", f"{x.p50_ms:,.1f}", f"{x.p99_ms:,.1f}"]

    errors = f"{row.api.errors}/{row.bare.errors}" if row.api.errors or row.bare.errors else ""
    return [
        row.scenario, str(row.clients), *load(row.api), *load(row.bare),
        f"{row.throughput_ratio:.0%}", f"{row.p99_ratio:.2f}x", errors,
        "yes" if row.met else "NO",
    ]  # fmt: skip


COLUMNS = (
    "scenario", "clients", "API req/s", "p50 ms", "p99 ms", "bare req/s", "p50 ms", "p99 ms",
    "req/s ratio", "p99 ratio", "errors", "met",
)  # fmt: skip


# -- wrk -------------------------------------------------------------------------

_RESULT = "BENCHMARK-RESULT"


def lua_script(scenario: Scenario, token: str | None) -> str:
    """The wrk script of ``scenario``: its request, and a last line with the figures."""
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.body is not None:
        lines.append(f"wrk.body = [==[{scenario.body}]==]")
    if scenario.content_type:
        lines.append(f'wrk.headers["Content-Type"] = "{scenario.content_type}"')
    if scenario.signed_in and token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {token}"')
    lines += [
        "done = function(summary, latency, requests)",
        "  local e = summary.errors",
        f'  io.write(string.format("{_RESULT} %d %d %.0f %.0f %d\\n", summary.requests,',
        "    summary.duration, latency:percentile(50), latency:percentile(99),",
        "    e.connect + e.read + e.write + e.status + e.timeout))",
        "end",
    ]
    return "\n".join(lines) + "\n"


def parse_wrk(output: str) -> Load:
    """The :class:`Load` in the line the script's ``done`` wrote (times in microseconds)."""
    for line in output.splitlines():
        if line.startswith(_RESULT):
            requests, duration_us, p50_us, p99_us, errors = (int(x) for x in line.split()[1:])
            rate = requests / (duration_us / 1e6) if duration_us else 0.0
            return Load(rate, p50_us / 1e3, p99_us / 1e3, errors)
    raise ValueError(f"no {_RESULT} line in wrk's output: {output[-500:]!r}")


def run_wrk(base: str, script: Path, path: str, clients: int, seconds: float) -> Load:
    """wrk with ``clients`` connections on at most two threads for ``seconds``."""
    command = [
        "wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "30s",
        "-s", str(script), base + path,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


# -- servers ---------------------------------------------------------------------


def free_port() -> int:
    """A port of 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(url: str, pool_size: int | None) -> dict[str, str]:
    """The environment of both servers: the database, and the pool when one is asked for."""
    env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "production"}
    if pool_size is not None:
        env.update(DATABASE_POOL_SIZE=str(pool_size), DATABASE_MAX_OVERFLOW="0")
    return env


@contextmanager
def served(factory: str, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """A uvicorn server of ``factory`` on a private port; its base URL."""
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--log-level", "warning",
        "--no-access-log",
    ]  # fmt: skip
    with log.open("w") as sink:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(server, base, log)
        yield base
    finally:
        stop(server)


def _wait_until_up(server: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            httpx.get(base + "/api/v1/health", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within 60 s: {log.read_text()[-2000:]}")


# -- data ------------------------------------------------------------------------


def seed(applications: int) -> int:
    """The benchmark's user with ``applications`` applications; their id."""
    with get_database_manager().session_scope() as session:
        user_id = sign_up(session, EMAIL, PASSWORD, first_name="Bench").id
        # One by one: COPY, which the bulk path uses, is refused under row-level security.
        for row in Dataset(1).user_rows(1, 0, applications):
            add_application(session, user_id, row)
    return user_id


def sign_in(base: str) -> str:
    """An access token of the benchmark's user, from the API."""
    reply = httpx.post(
        base + "/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD}, timeout=30
    )
    reply.raise_for_status()
    return str(reply.json()["access_token"])


class Rows:
    """Deletes what a writing run added, so every run sees the same tables."""

    def __init__(self, url: str) -> None:
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.marks = self.last_ids()

    def last_ids(self) -> tuple[int, int, int]:
        """The highest application, token and event ids now."""
        with psycopg.connect(self.conninfo) as conn:
            row = conn.execute(
                "SELECT (SELECT coalesce(max(id), 0) FROM job_applications), "
                "(SELECT coalesce(max(id), 0) FROM auth_tokens), "
                "(SELECT coalesce(max(id), 0) FROM events)"
            ).fetchone()
        assert row is not None
        return int(row[0]), int(row[1]), int(row[2])

    def restore(self) -> None:
        """Delete the applications, tokens and events added since the mark; vacuum them away."""
        applications, tokens, events = self.marks
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(
                "DELETE FROM application_status_history WHERE application_id > %s", (applications,)
            )
            conn.execute("DELETE FROM job_applications WHERE id > %s", (applications,))
            conn.execute("DELETE FROM auth_tokens WHERE id > %s", (tokens,))
            conn.execute("DELETE FROM events WHERE id > %s", (events,))
            conn.execute(
                "VACUUM ANALYZE job_applications, application_status_history, auth_tokens, events"
            )


def hash_ms(repeat: int = 15) -> float:
    """Median milliseconds of one Argon2id verification with the project's parameters."""
    stored = passwords.hash_password(PASSWORD)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        passwords.verify(PASSWORD, stored)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


# -- the same answers --------------------------------------------------------------

_MADE_PER_REQUEST = {"id", "access_token", "expires_at", "application_date", "status_changed_at",
                     "created_at", "updated_at"}  # fmt: skip


def same_answers(api: httpx.Client, bare: httpx.Client, token: str) -> None:
    """AssertionError unless both servers (clients with their base URL) answer every scenario alike.

    Reads must be equal; a write's answer must have the same fields and the
    same values except those each request makes anew (ids, tokens, times).
    """
    headers = {"Authorization": f"Bearer {token}"}
    for scenario in SCENARIOS:
        answers = []
        for side, client in (("the API", api), ("the bare app", bare)):
            sent = {"Content-Type": scenario.content_type} if scenario.content_type else {}
            reply = client.request(
                scenario.method, scenario.path, content=scenario.body,
                headers={**(headers if scenario.signed_in else {}), **sent}, timeout=30,
            )  # fmt: skip
            if reply.is_error:
                raise AssertionError(f"{scenario.name}: {side} answered {reply.status_code}")
            answers.append((reply.json(), reply.headers.get("X-Total-Count")))
        (mine, total), (theirs, bare_total) = answers
        if scenario.writes:
            mine, theirs = _stable(mine), _stable(theirs)
        if (mine, total) != (theirs, bare_total):
            raise AssertionError(
                f"{scenario.name}: the API and the bare app answer differently"
                f"{_difference(mine, theirs)}"
            )


def _difference(mine: Any, theirs: Any) -> str:
    """The fields of the first differing object of two answers, in words ("" when none)."""
    both_lists = isinstance(mine, list) and isinstance(theirs, list)
    pairs = list(zip(mine, theirs, strict=False)) if both_lists else []
    for a, b in [*pairs, (mine, theirs)]:
        if isinstance(a, dict) and isinstance(b, dict) and a != b:
            fields = sorted(k for k in a.keys() | b.keys() if a.get(k, ...) != b.get(k, ...))
            return f" in {', '.join(fields)}"
    return ""


def _stable(answer: Any) -> Any:
    return {k: None if k in _MADE_PER_REQUEST else v for k, v in answer.items()}


# -- the run -----------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks.api", description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,8,32", help="concurrent connections")
    parser.add_argument("--duration", type=float, default=8, help="seconds per wrk run")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--applications", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of each server")
    parser.add_argument(
        "--pool-size", type=int, default=None,
        help="DATABASE_POOL_SIZE of both servers, with no overflow (default: the project's)",
    )  # fmt: skip
    parser.add_argument("--scenarios", default="", help="only these (comma-separated prefixes)")
    parser.add_argument("--pg-url", default=None, help="PostgreSQL server (default: test server)")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, api: str, bare: str, rows: Rows, folder: Path) -> list[Row]:
    """Every scenario at every concurrency, the API and then the bare app."""
    token = sign_in(api)
    rows.marks = rows.last_ids()
    with httpx.Client(base_url=api) as api_client, httpx.Client(base_url=bare) as bare_client:
        same_answers(api_client, bare_client, token)
    rows.restore()
    wanted = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    results = []
    for number, scenario in enumerate(SCENARIOS):
        if wanted and not any(scenario.name.startswith(w) for w in wanted):
            continue
        script = folder / f"scenario{number}.lua"
        script.write_text(lua_script(scenario, token))
        for base in (api, bare):
            run_wrk(base, script, scenario.path, 8, args.warmup)
        for clients in (int(c) for c in args.clients.split(",")):
            loads = []
            for base in (api, bare):
                if scenario.writes:
                    rows.restore()
                seconds = args.duration * scenario.stretch
                loads.append(run_wrk(base, script, scenario.path, clients, seconds))
            results.append(Row(scenario.name, clients, loads[0], loads[1]))
            console.log(" | ".join(cells(results[-1])))
        if scenario.writes:
            rows.restore()
    return results


def print_table(results: list[Row], hashing: float, settings: str) -> None:
    table = Table(title="REST API vs bare FastAPI + psycopg pool, same SQL (wrk, loopback)")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column == "scenario" else "right", no_wrap=True)
    for row in results:
        table.add_row(*cells(row))
    console.print(table)
    console.print(
        f"Goals: API >= {THROUGHPUT_GOAL:.0%} of the bare app's requests/s, API p99 <= "
        f"{P99_GOAL}x the bare app's p99, at every concurrency. Both servers: {settings}."
    )
    console.print(
        f"Sign-in pays one Argon2id verification on both sides: {hashing:.1f} ms here "
        f"(m={passwords.MEMORY_COST_KIB // 1024} MiB, t={passwords.TIME_COST}, "
        f"p={passwords.PARALLELISM})."
    )


def settings(args: argparse.Namespace) -> str:
    """The server settings both sides share, and the machine's load, in words."""
    if args.pool_size is None:
        fields = DatabaseSettings.model_fields
        size, overflow = fields["pool_size"].default, fields["max_overflow"].default
    else:
        size, overflow = args.pool_size, 0
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"uvicorn --workers {args.workers}, database pool {size} + {overflow} overflow; "
        f"load average now {load} on {os.cpu_count()} cores"
    )


def wrk_missing(benchmark: str) -> bool:
    """Whether wrk is missing (said on the console for ``benchmark``)."""
    if shutil.which("wrk") is not None:
        return False
    console.print(f"{benchmark}: wrk is missing: run scripts/install-wrk.sh")
    return True


@contextmanager
def seeded_database(pg_url: str | None, applications: int) -> Iterator[str]:
    """A throwaway PostgreSQL database holding one user with ``applications``, analysed."""
    with postgres_database(pg_url) as (url, environment):
        open_api(url, environment)
        seed(applications)
        cleanup_database()
        _analyze(url)
        yield url


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing("benchmarks.api"):
        return 1
    folder = Path(tempfile.mkdtemp(prefix="aa_bench_api_"))
    try:
        with seeded_database(args.pg_url, args.applications) as url:
            rows = Rows(url)
            env = server_environment(url, args.pool_size)
            with (
                served(API_APP, env, args.workers, folder / "api.log") as api,
                served(BARE_APP, env, args.workers, folder / "bare.log") as bare,
            ):
                results = measure(args, api, bare, rows, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_table(results, hash_ms(), settings(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
