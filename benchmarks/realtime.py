"""Benchmark: real-time delivery over ``/api/v1/ws`` (issue 11), on a real uvicorn server.

python -m benchmarks.realtime                                # SQLite file, PostgreSQL
python -m benchmarks.realtime --writes 50 --idle 200 --engines sqlite   # a quick look

For each engine the API (``api.app:create_served_app``) is served by uvicorn on
a private port of 127.0.0.1: one worker on a SQLite file, two on PostgreSQL
(the server of ``scripts/pg-test-server.sh``, in a database of its own,
dropped afterwards). Three figures:

- latency: a WebSocket client of the benchmark's user is connected; one
  ``POST /api/v1/applications`` at a time, the time from sending it to
  receiving its ``application.created`` event on the socket, and beside it
  the part after the write's response had arrived (the real-time path alone);
- events/s: this process writes ``--burst`` applications (transactions of
  100) as fast as it can while the client counts them arriving; the rate is
  events over the time from the first write to the last event received (the
  writer's own rate beside it: delivery cannot outrun it);
- memory: the resident memory of the server's processes with ``--idle``
  idle WebSocket connections open, against the same server before they
  opened.

Goals: p99 < 100 ms on PostgreSQL, < 1 s on SQLite; 1,000 connections held in
less than 200 MB (the memory they add to the server's processes, whose own
baseline, the API with its libraries loaded, is shown beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.api import served
from benchmarks.run import open_api, postgres_database
from database.core.session import cleanup_database, get_database_manager
from database.domain import applications
from database.domain.accounts import create_api_key, sign_up

console = Console(width=160)
LATENCY_GOALS = {"sqlite": 1.0, "postgresql": 0.1}  # p99, seconds
MEMORY_GOAL_MB = 200.0  # for 1,000 idle connections
PAGE = 100
NEW_APPLICATION = {"job_title": "Realtime Engineer", "company": "Push Labs"}


@dataclass
class Figures:
    """What one engine measured."""

    engine: str
    workers: int
    latency: list[float]
    write: list[float]
    events_per_second: float
    writes_per_second: float
    idle: int
    rss_before_mb: float
    rss_idle_mb: float


@contextmanager
def database(engine: str) -> Iterator[tuple[str, str]]:
    """The URL and environment of a fresh database of ``engine``."""
    if engine == "postgresql":
        with postgres_database(None) as opened:
            yield opened
        return
    with tempfile.TemporaryDirectory(prefix="aa-bench-realtime-") as folder:
        try:
            yield f"sqlite:///{Path(folder) / 'realtime.db'}", "development"
        finally:
            cleanup_database()


def seed() -> tuple[int, str]:
    """The benchmark's user and a write-scoped API key of theirs."""
    with get_database_manager().session_scope() as session:
        user_id = sign_up(session, "realtime@bench.example", "benchmark-password-1").id
        return user_id, create_api_key(session, user_id, "bench", {"read", "write"}).token


async def _event_of(ws: ClientConnection, entity_id: int | None = None) -> dict[str, object]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 30))
        if message["type"] == "event" and entity_id in (None, message["entity_id"]):
            return dict(message)


async def measure_latency(base: str, key: str, writes: int) -> tuple[list[float], list[float]]:
    """Write-to-message and write-only seconds of ``writes`` writes, one at a time."""
    headers = {"Authorization": f"Bearer {key}"}
    latency: list[float] = []
    write: list[float] = []
    async with (
        httpx.AsyncClient(base_url=base, headers=headers, timeout=30) as http,
        connect(_ws_url(base), additional_headers=headers) as ws,
    ):
        for _ in range(writes):
            started = time.perf_counter()
            reply = await http.post("/api/v1/applications", json=NEW_APPLICATION)
            write.append(time.perf_counter() - started)
            reply.raise_for_status()
            await _event_of(ws, int(reply.json()["id"]))
            latency.append(time.perf_counter() - started)
    return latency, write


async def measure_rate(base: str, key: str, user_id: int, burst: int) -> tuple[float, float]:
    """Events per second delivered while this process writes ``burst`` of them, and written."""
    headers = {"Authorization": f"Bearer {key}"}
    writing: list[float] = []
    async with connect(_ws_url(base), additional_headers=headers, max_queue=None) as ws:
        started = time.perf_counter()
        writer = threading.Thread(target=_write_burst, args=(user_id, burst, writing))
        writer.start()
        for _ in range(burst):
            await _event_of(ws)
        elapsed = time.perf_counter() - started
        writer.join()
    return burst / elapsed, burst / writing[0]


def _write_burst(user_id: int, burst: int, elapsed: list[float]) -> None:
    manager = get_database_manager()
    started = time.perf_counter()
    for start in range(0, burst, PAGE):
        with manager.session_scope() as session:
            for _ in range(min(PAGE, burst - start)):
                applications.add(session, user_id, dict(NEW_APPLICATION))
    elapsed.append(time.perf_counter() - started)


async def measure_idle(base: str, key: str, idle: int) -> tuple[float, float]:
    """The servers' resident MB before and with ``idle`` idle connections open."""
    before = server_rss_mb(base)
    headers = {"Authorization": f"Bearer {key}"}
    sockets: list[ClientConnection] = []
    try:
        for start in range(0, idle, PAGE):
            batch = [
                connect(_ws_url(base), additional_headers=headers, open_timeout=60)
                for _ in range(min(PAGE, idle - start))
            ]
            sockets.extend(await asyncio.gather(*batch))
        await asyncio.sleep(2)  # let the workers settle
        return before, server_rss_mb(base)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


def server_rss_mb(base: str) -> float:
    """The resident memory of the uvicorn serving ``base`` and of its worker processes."""
    port = base.rsplit(":", 1)[1]
    total_kb = 0
    for pid in _tree(_server_pid(port)):
        status = Path(f"/proc/{pid}/status").read_text()
        rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        total_kb += int(rss.split()[1])
    return total_kb / 1024


def _server_pid(port: str) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"uvicorn" in arguments and port.encode() in arguments:
                return int(entry.name)
    raise RuntimeError(f"no uvicorn process serves port {port}")


def _tree(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *(member for child in children for member in _tree(int(child)))]


def _ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/api/v1/ws"


def run_engine(engine: str, args: argparse.Namespace, logs: Path) -> Figures:
    """Every figure of ``engine``."""
    workers = 2 if engine == "postgresql" else 1
    with database(engine) as (url, environment):
        open_api(url, environment)
        user_id, key = seed()
        env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": environment}
        with served("api.app:create_served_app", env, workers, logs / f"{engine}.log") as base:
            latency, write = asyncio.run(measure_latency(base, key, args.writes))
            rate, written = asyncio.run(measure_rate(base, key, user_id, args.burst))
            before, idle = asyncio.run(measure_idle(base, key, args.idle))
        return Figures(engine, workers, latency, write, rate, written, args.idle, before, idle)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(results: list[Figures]) -> None:
    table = Table(title="Real-time delivery over /api/v1/ws (uvicorn on loopback)")
    for column in (
        "engine", "workers", "write -> message p50", "p99", "goal (p99)",
        "response -> message p50", "p99", "events/s (written/s)", "idle connections",
        "RSS before", "with them", "added", "goal",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    for r in results:
        p99 = percentile(r.latency, 0.99)
        after = [total - write for total, write in zip(r.latency, r.write, strict=True)]
        latency_goal = LATENCY_GOALS[r.engine]
        memory_goal = MEMORY_GOAL_MB * r.idle / 1000
        added = r.rss_idle_mb - r.rss_before_mb
        table.add_row(
            r.engine, str(r.workers),
            f"{statistics.median(r.latency) * 1000:.1f} ms", f"{p99 * 1000:.1f} ms",
            f"< {latency_goal * 1000:.0f} ms {_verdict(p99 < latency_goal)}",
            f"{statistics.median(after) * 1000:.1f} ms", f"{percentile(after, 0.99) * 1000:.1f} ms",
            f"{r.events_per_second:,.0f} ({r.writes_per_second:,.0f})",
            f"{r.idle:,}", f"{r.rss_before_mb:.0f} MB", f"{r.rss_idle_mb:.0f} MB",
            f"{added:.0f} MB", f"< {memory_goal:.0f} MB {_verdict(added < memory_goal)}",
        )  # fmt: skip
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--writes", type=int, default=200, help="latency samples per engine")
    parser.add_argument("--burst", type=int, default=2000, help="events of the rate test")
    parser.add_argument("--idle", type=int, default=1000, help="idle connections held")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aa-bench-logs-") as folder:
        results = [run_engine(e, args, Path(folder)) for e in args.engines.split(",") if e]
    report(results)


if __name__ == "__main__":
    main()
