"""SQLite's figures: the database file, its write-ahead log, and the free pages inside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from database.core.session import DatabaseManager


def _size(path: Path | None) -> int | None:
    if path is None:
        return None
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def sqlite_figures(manager: DatabaseManager) -> dict[str, Any]:
    """File and WAL sizes (``None`` in memory), pages, free pages and their bytes."""
    with manager.connection_scope(read_only=True) as conn:
        page_size = int(conn.scalar(text("PRAGMA page_size")) or 0)
        page_count = int(conn.scalar(text("PRAGMA page_count")) or 0)
        free_pages = int(conn.scalar(text("PRAGMA freelist_count")) or 0)
        journal_mode = conn.scalar(text("PRAGMA journal_mode"))
    path = manager.config.sqlite_file
    wal = path.with_name(path.name + "-wal") if path is not None else None
    return {
        "path": path.name if path is not None else None,
        "file_bytes": _size(path),
        "wal_bytes": _size(wal),
        "journal_mode": journal_mode,
        "page_size": page_size,
        "page_count": page_count,
        "free_pages": free_pages,
        "free_bytes": free_pages * page_size,
        "replication_lag_seconds": None,
    }
