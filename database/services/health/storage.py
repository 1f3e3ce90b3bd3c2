"""The disk the data lives on, the backups in their folder, the last maintenance run."""

from __future__ import annotations

import shutil
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from database.core import files as data_files
from database.core.session import DatabaseManager
from database.io.backup.manager import BackupManager
from database.io.backup.validation import validate_backup
from database.models import MaintenanceRun
from utils.errors import AutoApplyerError

#: Backups already checked in full, by (path, size, modification time): a file
#: that has not changed need not be read again at every report.
_verified: dict[tuple[str, int, int], bool] = {}
_verified_lock = threading.Lock()
MAX_REMEMBERED = 256


def disk_figures(manager: DatabaseManager) -> dict[str, Any]:
    """Free and total bytes of the filesystem holding the database file (or the data folder)."""
    place = manager.config.sqlite_file or data_files.data_dir(manager.config)
    folder = Path(place)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    usage = shutil.disk_usage(folder)
    ratio = usage.free / usage.total if usage.total else None
    return {
        "free_bytes": usage.free,
        "total_bytes": usage.total,
        "free_ratio": round(ratio, 4) if ratio is not None else None,
    }


def _checks_out(path: Path, size: int) -> bool:
    key = (str(path), size, path.stat().st_mtime_ns)
    with _verified_lock:
        known = _verified.get(key)
    if known is not None:
        return known
    try:
        validate_backup(path)
        good = True
    except AutoApplyerError:
        good = False
    with _verified_lock:
        if len(_verified) >= MAX_REMEMBERED:
            _verified.clear()
        _verified[key] = good
    return good


def backup_figures(backups: BackupManager) -> dict[str, Any]:
    """How many backups there are, and when the newest one that checks out in full was made."""
    entries = backups.list_backups(verify=False)
    newest: datetime | None = None
    for entry in entries:  # newest first: stop at the first good one
        try:
            good = _checks_out(Path(entry["path"]), int(entry["size"]))
        except OSError:
            continue
        if good:
            newest = entry["created"]
            break
    return {
        "count": len(entries),
        "newest_verified_at": newest.isoformat() if newest is not None else None,
    }


def maintenance_figures(manager: DatabaseManager) -> dict[str, Any]:
    """When the latest maintenance run started and how it stands (``None`` before any)."""
    query = select(MaintenanceRun.started_at, MaintenanceRun.state)
    with manager.connection_scope(read_only=True) as conn:
        row = conn.execute(
            query.order_by(MaintenanceRun.started_at.desc(), MaintenanceRun.id.desc()).limit(1)
        ).first()
    if row is None:
        return {"last_run_at": None, "last_run_state": None}
    return {"last_run_at": row.started_at.isoformat(), "last_run_state": row.state.value}
