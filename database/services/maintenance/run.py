"""One maintenance run: archiving, retention, backup rotation and optimisation, under a lock.

:func:`run_maintenance` takes the ``maintenance`` lock of ``maintenance_locks``
and records a :class:`~database.models.MaintenanceRun` in the same
transaction; a second copy started meanwhile (another process, thread or API
worker) gets a summary whose status is ``already_running`` and changes
nothing. Then, each step in transactions of its own (a long run never holds
one transaction open): closed applications are archived
(:func:`database.domain.archiving.archive_due_applications`), each retention
policy applied (:mod:`database.domain.retention`), resume files that no row
names any more removed (:mod:`database.io.personal_erasure`), the backups rotated
(:mod:`database.io.backup.rotation`), and the database optimised
(:mod:`.optimise`). The run record ends ``succeeded`` with its summary, or
``failed`` with the error (which is raised again); the lock is released
either way. A dry run reports what the run would archive and remove and
changes nothing but its own record. Run right after another, a run removes
nothing more.

The lock expires after ``MAINTENANCE_LOCK_SECONDS`` (default 3600) unless the
run renews it, which it does between steps: a process that dies holding it
delays the next run at most that long, and its record is marked failed then.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config, files
from database.core.column_types import utcnow
from database.core.session import DatabaseManager
from database.core.tenant import trusted_manager
from database.domain import archiving, maintenance, retention
from database.io import personal_erasure
from database.io.backup import rotation
from database.services.maintenance.optimise import optimise
from utils.errors import DatabaseError, ValidationError

log = logging.getLogger(__name__)

TRIGGERS = ("cli", "schedule", "api")
#: The steps of a run, in order (what a progress callback is told).
STEPS = ("archiving", "retention", "files", "backups", "optimising")
#: Tables archiving changes (PostgreSQL analyses them after a run that archived).
ARCHIVING_TABLES = ("job_applications", "application_status_history", "events")
Progress = Callable[[str], None]


class MaintenanceSettings(BaseSettings):
    """``MAINTENANCE_LOCK_SECONDS``: how long the lock holds without being renewed."""

    model_config = SettingsConfigDict(env_prefix="MAINTENANCE_", extra="ignore")

    lock_seconds: int = Field(default=3600, ge=10, le=7 * 86400)


def load_settings() -> MaintenanceSettings:
    """The settings of the environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(MaintenanceSettings, "MAINTENANCE_")


@dataclass
class MaintenanceSummary:
    """What a maintenance run did (or, on a dry run, would do).

    ``status``: ``succeeded``; ``already_running`` (another run holds the lock:
    nothing was done; ``holder`` says who); ``not_due`` (a scheduled run found
    that a run started less than its interval ago: nothing was done).
    ``retention`` maps each policy to the rows removed (or that would be).
    """

    status: str
    dry_run: bool
    trigger: str
    run_id: int | None = None
    started_at: datetime | None = None
    archived: int = 0
    retention: dict[str, int] = field(default_factory=dict)
    orphan_files: int = 0
    backups_removed: list[str] = field(default_factory=list)
    backups_kept: int = 0
    newest_verified_backup: str | None = None
    optimised: list[str] = field(default_factory=list)
    seconds: float = 0.0
    holder: str | None = None

    @property
    def ran(self) -> bool:
        """Whether this call ran maintenance (it was neither already running nor not due)."""
        return self.status == "succeeded"

    @property
    def removed(self) -> int:
        """Rows the retention policies removed (or would), in all."""
        return sum(self.retention.values())

    def as_record(self) -> dict[str, Any]:
        """The JSON stored in the run record's ``summary``."""
        record = asdict(self)
        for name in ("status", "run_id", "started_at", "holder", "trigger", "dry_run"):
            record.pop(name)
        record["seconds"] = round(self.seconds, 3)
        return record


def _holder() -> str:
    """Who takes the lock: host, process, thread and a random part (unique per run)."""
    name = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:12]}"
    return name[-200:]


def run_maintenance(
    *,
    dry_run: bool,
    trigger: str,
    now: datetime | None = None,
    manager: DatabaseManager | None = None,
    backup_dir: str | Path | None = None,
    progress: Progress | None = None,
    not_within: timedelta | None = None,
) -> MaintenanceSummary:
    """Run maintenance once; its summary.

    ``now`` (default: the current time) is the moment the rules are applied at
    and the run's start. ``trigger`` is ``"cli"``, ``"schedule"`` or ``"api"``.
    ``manager`` defaults to the global database reached as the tables' owner;
    ``backup_dir`` to the backup folder of :class:`~database.io.backup.BackupManager`.
    ``progress`` is told each step's name as it starts. With ``not_within``,
    nothing runs (status ``not_due``) if a run that was not a dry run started
    less than that long before ``now``. A failing step raises its error after
    the run is recorded as failed.
    """
    if trigger not in TRIGGERS:
        raise ValidationError("trigger", f"must be one of {', '.join(TRIGGERS)}", trigger)
    moment = now or utcnow()
    if moment.tzinfo is None:
        raise ValidationError("now", "must be timezone-aware", now)
    manager = manager or trusted_manager()
    run = _Run(manager, _holder(), load_settings(), dry_run, trigger, moment)
    summary = run.begin(not_within)
    if summary is not None:
        return summary
    try:
        run.steps(backup_dir, progress)
    except BaseException as exc:
        run.fail(exc)
        raise
    return run.succeed()


class _Run:
    """The state of one run between its steps."""

    def __init__(
        self,
        manager: DatabaseManager,
        holder: str,
        settings: MaintenanceSettings,
        dry_run: bool,
        trigger: str,
        moment: datetime,
    ) -> None:
        self.manager = manager
        self.holder = holder
        self.ttl = timedelta(seconds=settings.lock_seconds)
        self.moment = moment
        self.clock = time.monotonic()
        self.summary = MaintenanceSummary(
            status="succeeded", dry_run=dry_run, trigger=trigger, started_at=moment
        )

    def begin(self, not_within: timedelta | None) -> MaintenanceSummary | None:
        """Take the lock and record the run; a summary instead when it must not run."""
        summary = self.summary
        with self.manager.session_scope() as session:
            if not maintenance.take_lock(
                session, maintenance.MAINTENANCE_LOCK, self.holder, now=utcnow(), ttl=self.ttl
            ):
                lock = maintenance.lock_holder(session, maintenance.MAINTENANCE_LOCK)
                summary.status, summary.holder = "already_running", lock.holder if lock else None
                log.info("maintenance is already running (%s); not started", summary.holder)
                return summary
            last = maintenance.last_started(session) if not_within is not None else None
            if last is not None and not_within is not None and last > self.moment - not_within:
                maintenance.release_lock(session, maintenance.MAINTENANCE_LOCK, self.holder)
                summary.status = "not_due"
                return summary
            record = maintenance.start_run(
                session, now=self.moment, dry_run=summary.dry_run, trigger=summary.trigger
            )
            summary.run_id = record.id
        log.info("maintenance run %s started (%s)", summary.run_id, summary.trigger)
        return None

    def steps(self, backup_dir: str | Path | None, progress: Progress | None) -> None:
        """Archive, apply retention, rotate backups, optimise."""
        summary, dry_run = self.summary, self.summary.dry_run
        changed: set[str] = set()
        self._announce(progress, "archiving")
        with self.manager.session_scope() as session:
            self._renew(session)
            summary.archived = archiving.archive_due_applications(
                session, now=self.moment, dry_run=dry_run
            )
        if summary.archived:
            changed.update(ARCHIVING_TABLES)
        self._announce(progress, "retention")
        settings = retention.load_settings()
        for policy in retention.POLICIES:
            with self.manager.session_scope() as session:
                self._renew(session)
                found = retention.apply(session, policy, settings, self.moment, dry_run=dry_run)
            summary.retention[policy.name] = found
            if found:
                changed.add(policy.table.name)
        if summary.retention.get("events"):
            changed.add("webhook_deliveries")
        self._announce(progress, "files")
        root = files.data_dir(self.manager.config)
        with self.manager.session_scope() as session:
            found_files = personal_erasure.remove_orphan_files(session, root, dry_run=dry_run)
        summary.orphan_files = len(found_files)
        self._announce(progress, "backups")
        report = rotation.rotate_backups(backup_dir, dry_run=dry_run)
        summary.backups_removed = list(report.removed)
        summary.backups_kept = len(report.kept)
        summary.newest_verified_backup = report.newest_verified
        self._announce(progress, "optimising")
        if not dry_run:
            summary.optimised = optimise(self.manager, changed)

    def _announce(self, progress: Progress | None, step: str) -> None:
        log.debug("maintenance run %s: %s", self.summary.run_id, step)
        if progress is not None:
            progress(step)

    def _renew(self, session: Any) -> None:
        if not maintenance.renew_lock(
            session, maintenance.MAINTENANCE_LOCK, self.holder, now=utcnow(), ttl=self.ttl
        ):
            raise DatabaseError(
                "the maintenance lock was lost (it expired and another run took it)"
            )

    def succeed(self) -> MaintenanceSummary:
        """Record the run as succeeded and release the lock."""
        summary = self.summary
        summary.seconds = time.monotonic() - self.clock
        self._finish(None)
        log.info(
            "maintenance run %s %s: archived %d, removed %d rows, %d old backups (%.1f s)",
            summary.run_id,
            "(dry run) found" if summary.dry_run else "succeeded",
            summary.archived,
            summary.removed,
            len(summary.backups_removed),
            summary.seconds,
        )
        return summary

    def fail(self, exc: BaseException) -> None:
        """Record the run as failed with ``exc`` and release the lock (best effort)."""
        self.summary.seconds = time.monotonic() - self.clock
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        try:
            self._finish(error)
        except DatabaseError:
            log.warning("maintenance run %s failed and could not be recorded", self.summary.run_id)
        log.warning("maintenance run %s failed: %s", self.summary.run_id, error)

    def _finish(self, error: str | None) -> None:
        summary = self.summary
        assert summary.run_id is not None
        finished = self.moment + timedelta(seconds=summary.seconds)
        with self.manager.session_scope() as session:
            maintenance.finish_run(
                session, summary.run_id, now=finished, summary=summary.as_record(), error=error
            )
            maintenance.release_lock(session, maintenance.MAINTENANCE_LOCK, self.holder)


def run_scheduled_maintenance(
    interval: float, *, now: datetime | None = None, manager: DatabaseManager | None = None
) -> MaintenanceSummary:
    """A scheduler's pass: run maintenance unless a run started less than ``interval`` s ago.

    Any number of API workers may call this at once: the lock lets one run,
    and the record of its start, read under the lock, keeps the others from
    running again within the interval.
    """
    return run_maintenance(
        dry_run=False,
        trigger="schedule",
        now=now,
        manager=manager,
        not_within=timedelta(seconds=interval),
    )


__all__ = [
    "STEPS",
    "TRIGGERS",
    "MaintenanceSettings",
    "MaintenanceSummary",
    "load_settings",
    "run_maintenance",
    "run_scheduled_maintenance",
]
