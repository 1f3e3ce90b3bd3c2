"""Maintenance bookkeeping: the named locks of ``maintenance_locks`` and the run records.

A lock is a row held by one ``holder`` until its ``expires_at``. :func:`take_lock`
removes an expired row and inserts a new one with "insert or nothing" in one
statement each, inside the caller's transaction, so two processes taking it at
once never conflict: on PostgreSQL the second insert waits for the first
transaction and then inserts nothing; on SQLite writers are serialised
(``BEGIN IMMEDIATE``). A holder that dies leaves a row that expires; a holder
that works long calls :func:`renew_lock`.

Functions take a session and never open transactions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, delete, select, update
from sqlalchemy.orm import Session

from database.core.column_types import UTCDateTime
from database.core.upsert import conflict_insert
from database.models import MaintenanceLock, MaintenanceRun, MaintenanceRunState

#: The lock every maintenance run takes.
MAINTENANCE_LOCK = "maintenance"
#: The longest error text a run record keeps.
MAX_ERROR_CHARS = 500
INTERRUPTED = "interrupted: its process stopped before the run finished"


def _at(moment: datetime) -> ColumnElement[datetime]:
    return bindparam(None, moment, type_=UTCDateTime())


def take_lock(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Take the lock ``name`` for ``holder`` until ``now + ttl``; ``False`` while another holds it.

    A lock whose ``expires_at`` has passed is free, whoever held it.
    """
    session.execute(
        delete(MaintenanceLock).where(
            MaintenanceLock.name == name, MaintenanceLock.expires_at <= _at(now)
        ),
        execution_options={"synchronize_session": False},
    )
    statement = conflict_insert(session, MaintenanceLock).values(
        name=name, holder=holder, acquired_at=now, expires_at=now + ttl
    )
    statement = statement.on_conflict_do_nothing(index_elements=["name"])
    taken = session.scalar(statement.returning(MaintenanceLock.name))
    return taken is not None


def renew_lock(session: Session, name: str, holder: str, *, now: datetime, ttl: timedelta) -> bool:
    """Extend ``holder``'s lock to ``now + ttl``; ``False`` when it no longer holds it."""
    result = session.execute(
        update(MaintenanceLock)
        .where(MaintenanceLock.name == name, MaintenanceLock.holder == holder)
        .values(expires_at=now + ttl),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_lock(session: Session, name: str, holder: str) -> bool:
    """Give the lock up; ``False`` when ``holder`` did not hold it (it had expired and moved on)."""
    result = session.execute(
        delete(MaintenanceLock).where(
            MaintenanceLock.name == name, MaintenanceLock.holder == holder
        ),
        execution_options={"synchronize_session": False},
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def lock_holder(session: Session, name: str) -> MaintenanceLock | None:
    """The lock row ``name`` (held, or expired and not yet taken again), or ``None``."""
    return session.get(MaintenanceLock, name)


def last_started(session: Session, *, include_dry_runs: bool = False) -> datetime | None:
    """When the newest maintenance run started (dry runs left out unless asked), or ``None``."""
    query = select(MaintenanceRun.started_at).order_by(MaintenanceRun.started_at.desc()).limit(1)
    if not include_dry_runs:
        query = query.where(MaintenanceRun.dry_run.is_(False))
    return session.scalar(query)


def start_run(session: Session, *, now: datetime, dry_run: bool, trigger: str) -> MaintenanceRun:
    """Record a run that starts at ``now`` (state ``running``).

    Called while holding :data:`MAINTENANCE_LOCK`: any run still marked running
    then belongs to a process that stopped without finishing, and is marked failed.
    """
    session.execute(
        update(MaintenanceRun)
        .where(MaintenanceRun.state == MaintenanceRunState.RUNNING)
        .values(state=MaintenanceRunState.FAILED, finished_at=now, error=INTERRUPTED),
        execution_options={"synchronize_session": False},
    )
    run = MaintenanceRun(
        started_at=now, state=MaintenanceRunState.RUNNING, dry_run=dry_run, trigger=trigger
    )
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session,
    run_id: int,
    *,
    now: datetime,
    summary: dict[str, Any],
    error: str | None = None,
) -> MaintenanceRun | None:
    """Mark the run succeeded (or failed, with ``error``) at ``now`` with its summary."""
    run = session.get(MaintenanceRun, run_id)
    if run is None:
        return None
    run.state = MaintenanceRunState.SUCCEEDED if error is None else MaintenanceRunState.FAILED
    run.finished_at = now
    run.summary = summary
    run.error = None if error is None else error[:MAX_ERROR_CHARS]
    session.flush()
    return run


def recent_runs(session: Session, limit: int = 20) -> list[MaintenanceRun]:
    """The newest maintenance runs first, ``limit`` of them."""
    query = (
        select(MaintenanceRun)
        .order_by(MaintenanceRun.started_at.desc(), MaintenanceRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


__all__ = [
    "MAINTENANCE_LOCK",
    "finish_run",
    "last_started",
    "lock_holder",
    "recent_runs",
    "release_lock",
    "renew_lock",
    "start_run",
    "take_lock",
]
