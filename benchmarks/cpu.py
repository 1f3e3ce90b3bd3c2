"""CPU time of the processes a benchmark runs beside it: servers, PostgreSQL, PgBouncer.

Read from ``/proc`` (Linux): a process's own user and system time, and for a
parent, that of the children it has waited for, so that a database backend
or worker that ended during a run still counts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    name: str
    own: float  # seconds of CPU, user + system
    reaped: float  # seconds of CPU of the children it waited for


def processes() -> dict[int, Proc]:
    """Every process now, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:  # ended meanwhile
            continue
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        # fields[0] is field 3 of proc(5): state; ppid is 4, utime 14 ... cstime 17.
        utime, stime, cutime, cstime = (int(x) / TICK for x in fields[11:15])
        found[int(entry.name)] = Proc(int(entry.name), int(fields[1]), name, utime + stime,
                                      cutime + cstime)  # fmt: skip
    return found


def tree_cpu(root: int, table: dict[int, Proc]) -> float:
    """Seconds of CPU of ``root``, its live descendants and every child they reaped."""
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        proc = table.get(pid)
        if proc is None:
            continue
        total += proc.own + proc.reaped
        stack.extend(p.pid for p in table.values() if p.ppid == pid)
    return total


def postgres_cpu() -> float:
    """Seconds of CPU of every PostgreSQL server on the machine (postmasters and backends)."""
    table = processes()
    roots = [
        p.pid for p in table.values()
        if p.name == "postgres" and table.get(p.ppid, Proc(0, 0, "", 0, 0)).name != "postgres"
    ]  # fmt: skip
    return sum(tree_cpu(pid, table) for pid in roots)


def named_cpu(name: str) -> float:
    """Seconds of CPU of the processes called ``name`` (PgBouncer: ``pgbouncer``)."""
    return sum(p.own for p in processes().values() if p.name == name)


def listening_pid(port: int) -> int | None:
    """The pid of the uvicorn server started with ``--port port``, if there is one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"uvicorn" in args and b"--port" in args and str(port).encode() in args:
            return int(entry.name)
    return None
