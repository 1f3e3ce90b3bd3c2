"""Backup rotation: keep the last daily, weekly and monthly backups of a folder, remove the rest.

The rules are those of grandfather-father-son rotation: of the backups in the
folder, the newest of each of the last ``daily`` days that have a backup is
kept, likewise the newest of each of the last ``weekly`` ISO weeks and of the
last ``monthly`` months (UTC). A backup's time is the ``backup_date`` of its
metadata (see :meth:`BackupManager.list_backups`). Days without a backup do
not count, so backups that stopped being made are never all rotated away.
Whatever the rules say, the newest backup that verifies in full is kept. Files
whose metadata cannot be read are not backups this code made: they are left
alone (and logged).

The settings are ``RETENTION_BACKUPS_DAILY`` (7), ``RETENTION_BACKUPS_WEEKLY``
(4), ``RETENTION_BACKUPS_MONTHLY`` (12) and ``RETENTION_BACKUPS_ROTATE``
(true; false keeps every backup).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.core import config
from database.io.backup.manager import BackupManager
from database.io.backup.validation import validate_backup
from utils.errors import AutoApplyerError, BackupError

log = logging.getLogger(__name__)


class RotationSettings(BaseSettings):
    """How many backups rotation keeps, from the ``RETENTION_BACKUPS_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="RETENTION_BACKUPS_", extra="ignore")

    rotate: bool = True
    daily: int = Field(default=7, ge=0, le=3650)
    weekly: int = Field(default=4, ge=0, le=520)
    monthly: int = Field(default=12, ge=0, le=1200)


def load_settings() -> RotationSettings:
    """The settings of the environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(RotationSettings, "RETENTION_BACKUPS_")


@dataclass(frozen=True)
class BackupFile:
    """A backup as rotation sees it: its file name and when it was taken (UTC)."""

    filename: str
    created: datetime


@dataclass(frozen=True)
class RotationReport:
    """What one rotation kept and removed (or would remove, on a dry run), by file name."""

    kept: tuple[str, ...]
    removed: tuple[str, ...]
    #: The newest backup that verifies, kept whatever the rules say (``None``: none verifies).
    newest_verified: str | None
    dry_run: bool


Bucket = Callable[[datetime], Any]


def _day(moment: datetime) -> Any:
    return moment.date()


def _week(moment: datetime) -> Any:
    return moment.isocalendar()[:2]


def _month(moment: datetime) -> Any:
    return (moment.year, moment.month)


def _newest_per_bucket(backups: Sequence[BackupFile], bucket: Bucket, count: int) -> set[str]:
    """The newest backup of each of the ``count`` newest buckets that hold one."""
    kept: set[str] = set()
    seen: set[Any] = set()
    for backup in backups:
        if len(seen) >= count:
            break
        key = bucket(backup.created)
        if key not in seen:
            seen.add(key)
            kept.add(backup.filename)
    return kept


def kept_by_rules(backups: Iterable[BackupFile], settings: RotationSettings) -> set[str]:
    """The file names the daily, weekly and monthly rules keep."""
    newest_first = sorted(backups, key=lambda b: b.created, reverse=True)
    return (
        _newest_per_bucket(newest_first, _day, settings.daily)
        | _newest_per_bucket(newest_first, _week, settings.weekly)
        | _newest_per_bucket(newest_first, _month, settings.monthly)
    )


def _newest_verified(folder: Path, backups: Sequence[BackupFile]) -> str | None:
    """The newest backup that verifies in full, trying them newest first."""
    for backup in backups:
        try:
            validate_backup(folder / backup.filename)
        except AutoApplyerError as exc:
            log.info("backup %s does not verify: %s", backup.filename, exc)
            continue
        return backup.filename
    return None


def rotate_backups(
    backup_dir: str | Path | None = None,
    *,
    dry_run: bool = False,
    settings: RotationSettings | None = None,
) -> RotationReport:
    """Remove the backups of ``backup_dir`` (default: the backup folder) the rules do not keep.

    With ``dry_run`` nothing is removed; the report names what would be.
    :class:`BackupError` when a file cannot be removed.
    """
    settings = settings or load_settings()
    manager = BackupManager(backup_dir=backup_dir)
    entries = manager.list_backups(verify=False)
    for entry in entries:
        if entry["error"]:
            log.info("rotation leaves %s alone: %s", entry["filename"], entry["error"])
    backups = [BackupFile(e["filename"], e["created"]) for e in entries if not e["error"]]
    if not settings.rotate:
        names = tuple(b.filename for b in backups)
        return RotationReport(kept=names, removed=(), newest_verified=None, dry_run=dry_run)
    kept = kept_by_rules(backups, settings)
    newest_verified = _newest_verified(manager.backup_dir, backups)
    if newest_verified is not None:
        kept.add(newest_verified)
    removed = tuple(b.filename for b in backups if b.filename not in kept)
    if not dry_run:
        _remove(manager.backup_dir, removed)
    if removed:
        verb = "would remove" if dry_run else "removed"
        log.info("backup rotation %s %d backups: %s", verb, len(removed), ", ".join(removed))
    return RotationReport(
        kept=tuple(b.filename for b in backups if b.filename in kept),
        removed=removed,
        newest_verified=newest_verified,
        dry_run=dry_run,
    )


def _remove(folder: Path, filenames: Iterable[str]) -> None:
    for filename in filenames:
        try:
            (folder / filename).unlink(missing_ok=True)
        except OSError as exc:
            raise BackupError(
                f"Cannot remove the old backup {filename}: {exc.strerror or exc}"
            ) from exc


__all__ = [
    "BackupFile",
    "RotationReport",
    "RotationSettings",
    "kept_by_rules",
    "load_settings",
    "rotate_backups",
]
