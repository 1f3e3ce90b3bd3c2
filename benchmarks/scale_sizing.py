"""The sizing of ``benchmarks/scale.py``: measured per-request costs turned into machines.

Every assumption is a named constant here, printed with the table and
explained in ``docs/scaling.md``; change one and run the benchmark again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

USERS = (10_000, 100_000, 1_000_000)
DAILY_ACTIVE = 0.10  # of the registered users, those who use it on a given day
REQUESTS_PER_ACTIVE_DAY = 150  # API calls a day of an active user (~30 page views x 5)
WRITE_SHARE = 0.10  # of those calls, the ones that write
PEAK_FACTOR = 4.0  # the busiest minute's rate over the day's average rate
UTILISATION = 0.6  # the share of a machine's cores planned to be busy at the peak
PRIMARY_READ_SHARE = 0.10  # reads that stay on the primary (read-your-own-writes, auth)
APPLICATIONS_PER_USER = 150  # stored per registered user, history and events included
WORKER_MACHINE_CORES = 4
REPLICA_CORES = 8
PRIMARY_CORES = 32  # the largest primary planned for before sharding (Citus)
DAY = 86_400


@dataclass(frozen=True)
class Cost:
    """What one request cost, measured: requests/s and CPU milliseconds per request."""

    setup: str
    read_rps: float
    read_app_ms: float  # CPU of the API's processes per read request
    read_db_ms: float  # CPU of PostgreSQL (and PgBouncer, if any) per read request
    write_rps: float
    write_app_ms: float
    write_db_ms: float
    # The most writes/s of any API setup: writes that record an event commit one at a time
    # (the event order's lock), so this is what one primary sustains, whatever its cores.
    write_ceiling: float = 0.0


@dataclass(frozen=True)
class Size:
    users: int
    peak_rps: float
    writes_per_s: float
    worker_cores: float
    primary_cores: float
    replica_cores: float
    storage_gb: float

    @property
    def worker_machines(self) -> int:
        return max(1, math.ceil(self.worker_cores / WORKER_MACHINE_CORES))

    @property
    def replicas(self) -> int:
        return math.ceil(self.replica_cores / REPLICA_CORES)


def size(users: int, cost: Cost, bytes_per_application: float) -> Size:
    """The machines ``users`` registered users need at the busiest minute."""
    peak = users * DAILY_ACTIVE * REQUESTS_PER_ACTIVE_DAY / DAY * PEAK_FACTOR
    writes, reads = peak * WRITE_SHARE, peak * (1 - WRITE_SHARE)
    worker = (reads * cost.read_app_ms + writes * cost.write_app_ms) / 1_000 / UTILISATION
    primary = writes * cost.write_db_ms + reads * PRIMARY_READ_SHARE * cost.read_db_ms
    replica = reads * (1 - PRIMARY_READ_SHARE) * cost.read_db_ms
    storage = users * APPLICATIONS_PER_USER * bytes_per_application / 1e9
    return Size(
        users, peak, writes, worker, primary / 1_000 / UTILISATION,
        replica / 1_000 / UTILISATION, storage,
    )  # fmt: skip


def peak_writes_per_user() -> float:
    """Writes per second of one registered user at the busiest minute."""
    return DAILY_ACTIVE * REQUESTS_PER_ACTIVE_DAY / DAY * PEAK_FACTOR * WRITE_SHARE


def users_by_cores(cost: Cost) -> int:
    """Registered users at which the writes alone fill :data:`PRIMARY_CORES` at the peak."""
    writes = PRIMARY_CORES * UTILISATION * 1_000 / cost.write_db_ms if cost.write_db_ms else 0
    return int(writes / peak_writes_per_user())


def users_by_write_ceiling(cost: Cost) -> int:
    """Registered users at which the peak writes reach the measured ceiling (at the utilisation)."""
    return int(cost.write_ceiling * UTILISATION / peak_writes_per_user())


def users_one_primary_holds(cost: Cost) -> int:
    """Registered users one primary holds: the lower of the CPU bound and the write ceiling."""
    bounds = [users_by_cores(cost)]
    if cost.write_ceiling:
        bounds.append(users_by_write_ceiling(cost))
    return min(bounds)


def print_sizing(console: Console, cost: Cost, bytes_per_application: float) -> None:
    """The sizing table for :data:`USERS`, with its assumptions and the measured costs."""
    console.print(
        f"Measured ({cost.setup}): reads {cost.read_rps:,.0f} req/s, CPU per read "
        f"{cost.read_app_ms:.2f} ms in the API + {cost.read_db_ms:.2f} ms in the database; "
        f"writes {cost.write_rps:,.0f} req/s, CPU per write {cost.write_app_ms:.2f} ms + "
        f"{cost.write_db_ms:.2f} ms; {bytes_per_application / 1024:.1f} KiB per stored "
        "application (tables and indexes)."
    )
    console.print(
        f"Assumptions: {DAILY_ACTIVE:.0%} of users active a day, {REQUESTS_PER_ACTIVE_DAY} "
        f"requests each, {WRITE_SHARE:.0%} writes, peak {PEAK_FACTOR:g}x the day's average, "
        f"machines {UTILISATION:.0%} busy at the peak, {PRIMARY_READ_SHARE:.0%} of reads on "
        f"the primary, {APPLICATIONS_PER_USER} applications per user; workers on "
        f"{WORKER_MACHINE_CORES}-core machines, replicas of {REPLICA_CORES} cores."
    )
    table = Table(title="Sizing from the measured costs")
    for column in ("registered users", "peak req/s", "writes/s", "API machines",
                   "primary cores", "replicas", "storage GB"):  # fmt: skip
        table.add_column(column, justify="right")
    for users in USERS:
        s = size(users, cost, bytes_per_application)
        table.add_row(
            f"{users:,}", f"{s.peak_rps:,.0f}", f"{s.writes_per_s:,.0f}",
            f"{s.worker_machines} ({s.worker_cores:.1f} cores)", f"{s.primary_cores:.1f}",
            f"{s.replicas} ({s.replica_cores:.1f} cores)", f"{s.storage_gb:,.1f}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"Writes: the CPU of a {PRIMARY_CORES}-core primary would hold about "
        f"{users_by_cores(cost):,} registered users, but writes commit one at a time (the "
        f"event order's lock) and peaked at {cost.write_ceiling:,.0f}/s here: one primary "
        f"holds about {users_one_primary_holds(cost):,} registered users on this disk; "
        "past that, a faster commit (fsync) or sharding (Citus)."
    )
