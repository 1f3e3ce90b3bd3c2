"""The ``DatabaseUtils`` call that reports the database's health."""

from __future__ import annotations

import os
from typing import Any

from database.services import health
from utils.errors import ValidationError


class HealthCalls:
    """The ``DatabaseUtils`` call that reports the database's health."""

    @staticmethod
    def get_database_health(backup_dir: str | os.PathLike[str] | None = None) -> dict[str, Any]:
        """Statements, slow ones, pool, routes, engine, disk, backups and maintenance figures.

        JSON-ready (see :func:`database.services.health.get_database_health`).
        ``backup_dir`` is the folder of backups to report on (default: the
        backup manager's own); :class:`ValidationError` unless a text path.
        """
        if backup_dir is not None:
            folder = os.fspath(backup_dir) if isinstance(backup_dir, str | os.PathLike) else None
            if not isinstance(folder, str) or not folder or "\x00" in folder:
                raise ValidationError("backup_dir", "must be a folder path", backup_dir)
        return health.get_database_health(backup_dir)
