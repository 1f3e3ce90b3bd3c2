"""``/admin``: system settings and whole-database backups, for a server administrator only.

Everyone else is refused (403; 401 without credentials) by
:mod:`database.services.tenancy.admin`. The backup routes hold no transaction
while they work (a restore needs the database to itself): their actor is
checked apart (:data:`~api.deps.StandaloneActor`). Backups are named, never located: a
name that could leave the backup folder is a 422, an unknown one a 404.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session, StandaloneActor
from api.schemas_records import (
    BackupCreate,
    BackupRead,
    RestoreRead,
    RestoreRequest,
    SettingRead,
    SettingWrite,
)
from database.core.tenant import trusted_manager
from database.io.backup.manager import BackupManager
from database.services.tenancy import admin
from database.services.tenancy.health import database_health

router = APIRouter(prefix="/admin", tags=["admin"])

NO_SUCH_BACKUP = "no such backup"


def backup_manager(request: Request) -> BackupManager:
    """The backups of the served database, in the app's backup folder (or the default one)."""
    folder = getattr(request.app.state, "backup_dir", None)
    return BackupManager(folder, trusted_manager())


Backups = Annotated[BackupManager, Depends(backup_manager)]


@router.get("/settings", response_model=list[SettingRead])
def list_settings(actor: CurrentActor, session: Session) -> list[SettingRead]:
    """Every system setting, by key (a secret's value hidden)."""
    return [
        SettingRead.model_validate(s, from_attributes=True)
        for s in admin.list_settings(session, actor)
    ]


@router.put("/settings/{key}", response_model=SettingRead)
def put_setting(key: str, body: SettingWrite, actor: CurrentActor, session: Session) -> SettingRead:
    """Create or replace the setting ``key``."""
    setting = admin.put_setting(
        session, actor, key, body.value, body.setting_type, body.description
    )
    return SettingRead.model_validate(setting, from_attributes=True)


@router.get("/backups", response_model=list[BackupRead])
def list_backups(
    actor: StandaloneActor, manager: Backups, verify: bool = False
) -> list[BackupRead]:
    """The whole-database backups, newest first (each checked in full if ``verify``)."""
    return [BackupRead.model_validate(b) for b in admin.list_backups(actor, manager, verify)]


@router.post("/backups", response_model=BackupRead, status_code=status.HTTP_201_CREATED)
def create_backup(
    actor: StandaloneActor, manager: Backups, body: BackupCreate | None = None
) -> BackupRead:
    """Back up the whole database and its resume files."""
    entry = admin.create_backup(actor, manager, body.name if body is not None else None)
    return BackupRead.model_validate(entry)


def _found(path: Path | None) -> Path:
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_SUCH_BACKUP)
    return path


@router.get(
    "/backups/{name}",
    response_class=FileResponse,
    responses={200: {"description": "The backup file.", "content": {"application/json": {}}}},
)
def download_backup(name: str, actor: StandaloneActor, manager: Backups) -> FileResponse:
    """The backup file called ``name``."""
    path = _found(admin.backup_file(actor, manager, name))
    media_type = "application/gzip" if path.name.endswith(".gz") else "application/json"
    return FileResponse(path, media_type=media_type, filename=path.name)


@router.post("/backups/{name}/restore", response_model=RestoreRead)
def restore_backup(
    name: str, body: RestoreRequest, actor: StandaloneActor, manager: Backups
) -> RestoreRead:
    """Replace all data with the backup called ``name`` (a safety backup is taken first)."""
    summary = admin.restore_backup(actor, manager, name, confirm=body.confirm)
    if summary is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_SUCH_BACKUP)
    shown: dict[str, Any] = {
        "filename": summary.path.name,
        "backup_date": summary.backup_date,
        "schema_version": summary.schema_version,
        "row_counts": summary.row_counts,
        "safety_backup": Path(summary.safety_backup).name if summary.safety_backup else None,
    }
    return RestoreRead.model_validate(shown)


@router.get("/health", response_model=dict[str, Any])
def read_database_health(actor: StandaloneActor, request: Request) -> dict[str, Any]:
    """The database health report: statements, slow ones, pool, routes, engine, disk, backups."""
    return database_health(actor, getattr(request.app.state, "backup_dir", None))
