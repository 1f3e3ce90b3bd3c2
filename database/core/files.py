"""Where the files the project keeps beside its database live (uploaded resumes).

The folder is ``$AUTO_APPLYER_DATA_DIR`` when set; else the folder of the SQLite
database file; else ``data/`` under the project root (in-memory SQLite and
PostgreSQL). Resumes are stored under ``<data dir>/resumes/``, cover letter
files under ``<data dir>/cover_letters/``. The dashboard
stores uploads there and backups restore files there, so both resolve it here.
"""

from __future__ import annotations

import os
from pathlib import Path

from database.core.config import PROJECT_ROOT, DatabaseConfig

DATA_DIR_VARIABLE = "AUTO_APPLYER_DATA_DIR"
RESUMES_FOLDER = "resumes"
#: Cover letter files: ``<data dir>/cover_letters/<user id>/``, kept apart from resumes.
COVER_LETTERS_FOLDER = "cover_letters"


def data_dir(config: DatabaseConfig | None = None) -> Path:
    """The data folder of the database of ``config`` (absolute)."""
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        return Path(configured).expanduser().resolve()
    sqlite_file = config.sqlite_file if config is not None else None
    if sqlite_file is not None:
        return sqlite_file.resolve().parent
    return PROJECT_ROOT / "data"


def resume_dir(config: DatabaseConfig | None = None) -> Path:
    """The folder resume files are stored in: ``<data dir>/resumes``."""
    return data_dir(config) / RESUMES_FOLDER
