"""What only a server administrator may do: system settings and whole-database backups.

Every function first checks that the actor administers the server
(:class:`~utils.errors.PermissionDeniedError` otherwise), and that a change is
made with a credential of ``write`` scope. Nothing here ever returns the
database URL, a backup's path on the server, or the value of a setting whose
key names a secret (see :func:`is_secret_key`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.domain import support
from database.domain.accounts import Actor
from database.io.backup import names
from database.io.backup.manager import BackupManager
from database.io.backup.validation import BackupSummary
from database.models import SettingType, SystemSetting
from database.services.tenancy.guards import require_server_admin, require_write_scope

#: Words that mark a setting as a secret: its value is never shown.
SECRET_WORDS = ("password", "secret", "token", "api_key", "apikey", "private", "credential")
HIDDEN = "********"
#: What a backup listing shows of each backup (never its path on the server).
BACKUP_FIELDS = (
    "filename",
    "created",
    "size",
    "schema_version",
    "row_counts",
    "files",
    "missing_files",
    "verified",
    "error",
)


@dataclass(frozen=True)
class SettingView:
    """A system setting as an administrator sees it; a secret's value is hidden."""

    key: str
    value: Any
    setting_type: SettingType
    description: str | None
    secret: bool
    updated_at: datetime


def is_secret_key(key: str) -> bool:
    """Whether the setting called ``key`` holds a secret (its value is never shown)."""
    folded = key.casefold()
    return any(word in folded for word in SECRET_WORDS)


def _view(row: SystemSetting) -> SettingView:
    secret = is_secret_key(row.setting_key)
    value = HIDDEN if secret else support.decode(row.setting_value, row.setting_type)
    return SettingView(
        row.setting_key, value, row.setting_type, row.description, secret, row.updated_at
    )


def list_settings(session: Session, actor: Actor) -> list[SettingView]:
    """Every system setting, by key."""
    require_server_admin(actor)
    rows = session.scalars(select(SystemSetting).order_by(SystemSetting.setting_key))
    return [_view(row) for row in rows]


def put_setting(
    session: Session,
    actor: Actor,
    key: str,
    value: Any,
    setting_type: str | None = None,
    description: str | None = None,
) -> SettingView:
    """Store ``value`` under ``key`` (created or replaced); the setting as stored."""
    require_server_admin(actor)
    require_write_scope(actor)
    return _view(support.set_setting(session, key, value, setting_type, description))


def _shown(entry: dict[str, Any]) -> dict[str, Any]:
    return {name: entry[name] for name in BACKUP_FIELDS}


def list_backups(
    actor: Actor, manager: BackupManager, verify: bool = False
) -> list[dict[str, Any]]:
    """The backups in the manager's folder, newest first (checked in full if ``verify``)."""
    require_server_admin(actor)
    return [_shown(entry) for entry in manager.list_backups(verify=verify)]


def create_backup(actor: Actor, manager: BackupManager, name: str | None = None) -> dict[str, Any]:
    """Back up the whole database (and resume files); the new backup as listed."""
    require_server_admin(actor)
    require_write_scope(actor)
    filename = Path(manager.create_backup(name)).name
    return next(e for e in list_backups(actor, manager) if e["filename"] == filename)


def backup_file(actor: Actor, manager: BackupManager, name: str) -> Path | None:
    """The file of the backup called ``name``, or ``None`` when there is none.

    A name that could leave the backup folder (``../x``, a path, a hidden
    file) is a :class:`~utils.errors.ValidationError` on ``backup_name``.
    """
    require_server_admin(actor)
    path = names.resolve_in(manager.backup_dir, names.backup_filename(name))
    return path if path.is_file() and not path.is_symlink() else None


def restore_backup(
    actor: Actor, manager: BackupManager, name: str, *, confirm: bool = False
) -> BackupSummary | None:
    """Replace all data with the backup called ``name``; ``None`` when there is none.

    Refused unless ``confirm`` is true (see :meth:`BackupManager.restore_backup`).
    """
    require_server_admin(actor)
    require_write_scope(actor)
    path = backup_file(actor, manager, name)
    if path is None:
        return None
    return manager.restore_backup(path, confirm=confirm)
