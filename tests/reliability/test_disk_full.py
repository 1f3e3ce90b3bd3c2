"""Disk full during a write: a clear error, nothing half-written, the next write works.

SQLite only: ``PRAGMA max_page_count`` caps a database file the way a full disk
would, on this machine and without privileges. PostgreSQL's storage cannot be
capped from a client (it would take a tiny file system under the server).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from database.connection import init_database
from database.io.backup import BackupManager
from database.utilities import DatabaseUtils
from tests.support.backup_files import row_counts
from tests.support.checks import existing
from tests.support.processes import sqlite_integrity
from tests.support.reliability import report
from tests.support.snapshot import snapshot
from utils.errors import DatabaseError

ROOM_PAGES = 40


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'full.db'}")
    manager = init_database("development")
    user = DatabaseUtils.create_user(email="full@example.com")
    backups = BackupManager(tmp_path / "backups")
    for i in range(200):
        DatabaseUtils.add_job_application(user.id, f"Job {i}", "Co", job_description="y" * 5000)
    big = backups.create_backup("big")
    for application in DatabaseUtils.get_user_applications(user.id):
        DatabaseUtils.delete_application(application.id)
    manager.engine.dispose()
    with closing(sqlite3.connect(tmp_path / "full.db", isolation_level=None)) as raw:
        raw.execute("VACUUM")  # give the freed pages back, so the backup no longer fits
    with manager.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    cap = {"pages": pages + ROOM_PAGES}

    @event.listens_for(manager.engine, "connect")
    def _cap(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {cap['pages']}")

    manager.engine.dispose()
    written = 0
    with pytest.raises(DatabaseError) as full:
        for i in range(10_000):
            DatabaseUtils.add_job_application(
                user.id, f"Big {i}", "Co", job_description="x" * 20_000
            )
            written += 1
    message = str(full.value)
    assert message.startswith("Database is full"), message
    assert row_counts()["job_applications"] == written, "a failed write left a row behind"
    assert sqlite_integrity(manager) == []
    before = snapshot()
    with pytest.raises(DatabaseError):
        backups.restore_backup(big, confirm=True)
    assert snapshot() == before, "a restore that ran out of room changed the database"
    cap["pages"] = 1_000_000  # room again: the disk was cleared
    manager.engine.dispose()
    after = DatabaseUtils.add_job_application(user.id, "After", "Co", job_description="z" * 20_000)
    assert existing(DatabaseUtils.get_application(after.id)).job_description == "z" * 20_000
    backups.restore_backup(big, confirm=True)
    assert row_counts()["job_applications"] == 200
    assert sqlite_integrity(manager) == []
    report(
        f"disk full (SQLite max_page_count): {written} writes fit, the next raised "
        f'DatabaseError "{message}"; no row half-written, a restore that did not fit left '
        "the data unchanged, integrity checks pass, the next write and restore with room work"
    )
