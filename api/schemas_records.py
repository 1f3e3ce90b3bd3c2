"""Bodies of the file routes (exports, imports, personal backup) and the administrator's.

As elsewhere, write models forbid unknown fields; read models never carry a
path on the server, the database URL or a secret setting's value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from api.schemas import ReadModel, WriteModel


class RejectedRowRead(BaseModel):
    """A CSV row that was not imported: its number as a spreadsheet shows it, and why."""

    row: int
    field: str
    reason: str


class ImportReportRead(BaseModel):
    """What a CSV import did, row by row."""

    added: int
    skipped_duplicates: int
    updated: int
    rejected: list[RejectedRowRead]
    ignored_columns: list[str]


class BackupImported(BaseModel):
    """How many records of each kind a personal backup added."""

    resumes: int
    applications: int
    status_history: int
    notes_log: int
    search_history: int


class SettingRead(ReadModel):
    """A system setting; ``value`` is hidden when ``secret``."""

    key: str
    value: Any
    setting_type: str
    description: str | None
    secret: bool
    updated_at: datetime


class SettingWrite(WriteModel):
    """A setting's new value; its type is inferred from the value unless given."""

    value: Any
    setting_type: Literal["string", "integer", "float", "boolean", "json"] | None = None
    description: str | None = None


class BackupRead(BaseModel):
    """A whole-database backup in the server's backup folder (its name, never its path)."""

    model_config = ConfigDict(extra="ignore")

    filename: str
    created: datetime
    size: int
    schema_version: str | None
    row_counts: dict[str, int]
    files: int
    missing_files: list[str]
    verified: bool
    error: str | None


class BackupCreate(WriteModel):
    """A new backup, optionally named (``.json`` is added; ``.json.gz`` compresses)."""

    name: str | None = None


class RestoreRequest(WriteModel):
    """A restore replaces all data: ``confirm`` must be true."""

    confirm: Literal[True]


class RestoreRead(BaseModel):
    """What a restore put back."""

    filename: str
    backup_date: datetime
    schema_version: str | None
    row_counts: dict[str, int]
    safety_backup: str | None
