"""Test helpers: child processes to kill, and integrity checks after the kill.

Children are forked from the test process (no interpreter start-up, so a kill
can land early in the work); each opens its own database connections. The
parent closes its own pooled connections before every fork.
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
import traceback
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from typing import Any

from sqlalchemy import text

from database.connection import DatabaseManager
from database.core.config import DatabaseConfig
from database.io.backup.format import BACKUP_TABLES

FORK = multiprocessing.get_context("fork")

# Phases a child reports through a shared integer.
STARTING, READY, VALIDATING, WRITING, DONE = range(5)
PHASE_NAMES = {
    STARTING: "starting",
    READY: "ready",
    VALIDATING: "validating",
    WRITING: "writing",
    DONE: "finished",
}


def new_phase() -> Synchronized[int]:
    return FORK.Value("i", STARTING)


def run_and_kill(
    target: Callable[..., None],
    args: tuple[Any, ...],
    phase: Synchronized[int],
    window: float,
    *,
    stratum: tuple[int, int] | None = None,
) -> str:
    """Start ``target`` in a child, SIGKILL it at a random moment of ``window`` seconds
    after it is ready, and return the phase it was in.

    With ``stratum=(i, n)`` the moment is drawn from the i-th of n equal slices
    of the window: n kills then cover all of it evenly, where n draws from the
    whole window may leave a part of it untried.
    """
    child = FORK.Process(target=target, args=(*args, phase), daemon=True)
    child.start()
    deadline = time.monotonic() + 60
    while phase.value < READY and child.is_alive() and time.monotonic() < deadline:
        time.sleep(0.002)
    if stratum is None:
        time.sleep(random.uniform(0, window))
    else:
        index, count = stratum
        time.sleep(window * (index + random.random()) / count)
    reached = phase.value
    os.kill(child.pid or 0, signal.SIGKILL)
    child.join(30)
    return PHASE_NAMES[reached]


def _engine_worker(
    work: Callable[..., Any], engine: str, args: tuple[Any, ...], results: Any
) -> None:
    try:
        results.put((engine, None, work(engine, *args)))
    except BaseException:
        results.put((engine, traceback.format_exc(limit=8), None))


def on_each_engine(work: Callable[..., Any], args: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """``work(engine, *args[engine])`` for every engine at once, each in a process of its own.

    The engines run side by side (a kill loop mostly waits on its own child), and
    a failure in any of them fails the caller with that worker's traceback.
    """
    results = FORK.Queue()
    workers = [
        FORK.Process(target=_engine_worker, args=(work, engine, engine_args, results))
        for engine, engine_args in args.items()
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=900) for _ in workers]
    for worker in workers:
        worker.join(60)
    failures = {engine: error for engine, error, _ in outcomes if error}
    assert not failures, "\n".join(f"[{e}] {error}" for e, error in failures.items())
    return {engine: value for engine, _, value in outcomes}


def open_manager(config: DatabaseConfig) -> DatabaseManager:
    """A database manager for a child process (never shares the parent's connections)."""
    return DatabaseManager(config)


def sqlite_integrity(manager: DatabaseManager) -> list[str]:
    """Problems found by SQLite's own checks (empty when sound)."""
    problems: list[str] = []
    with manager.engine.connect() as conn:
        result = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").all()]
        if result != ["ok"]:
            problems.extend(result)
        problems.extend(str(r) for r in conn.exec_driver_sql("PRAGMA foreign_key_check").all())
        fts = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        ).all()
        for (name,) in fts:
            try:
                conn.exec_driver_sql(
                    f"INSERT INTO {name}({name}, rank) VALUES ('integrity-check', 1)"
                )
            except Exception as exc:
                problems.append(f"{name}: {exc}")
        conn.rollback()
    return problems


def postgresql_integrity(manager: DatabaseManager) -> list[str]:
    """Dangling references, read in one consistent snapshot (empty when sound)."""
    problems: list[str] = []
    with manager.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            for table in BACKUP_TABLES:
                for fk in table.foreign_keys:
                    parent = fk.column.table.name
                    column = fk.parent.name
                    orphans = conn.scalar(
                        text(
                            f"SELECT count(*) FROM {table.name} c LEFT JOIN {parent} p "
                            f"ON c.{column} = p.id WHERE c.{column} IS NOT NULL AND p.id IS NULL"
                        )
                    )
                    if orphans:
                        problems.append(f"{table.name}.{column}: {orphans} dangling")
    return problems


def integrity_problems(manager: DatabaseManager) -> list[str]:
    if manager.config.database_type == "sqlite":
        return sqlite_integrity(manager)
    return postgresql_integrity(manager)


def wait_until_quiet(manager: DatabaseManager, timeout: float = 30) -> None:
    """On PostgreSQL, wait until a killed client's server process has gone."""
    if manager.config.database_type != "postgresql":
        return
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    while time.monotonic() < deadline:
        with manager.engine.connect() as conn:
            if not conn.scalar(query):
                return
        manager.engine.dispose()
        time.sleep(0.05)
