"""The tables' owner loads by COPY although row-level security is forced, and leaves it forced.

PostgreSQL refuses ``COPY ... FROM`` under forced row-level security even to
the owner; restores and large bulk loads lift the force inside their own
transaction. Whatever happens, no table is left unforced.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from database.connection import DatabaseManager
from database.core.tenant import copy_allowed, owner_copy
from database.io.backup import BackupManager
from database.utilities import DatabaseUtils
from tests.integration.security.test_policies import person_tables, secured_tables

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])


def assert_all_forced(db: DatabaseManager) -> None:
    secured = secured_tables(db)
    assert sorted(t for t in person_tables(db) if not secured.get(t)) == []


def test_copy_is_allowed_inside_the_block_and_refused_again_after_it(
    db: DatabaseManager,
) -> None:
    with db.engine.begin() as conn:
        assert copy_allowed(conn, "job_applications") is False
        with owner_copy(conn, ["job_applications"]):
            assert copy_allowed(conn, "job_applications") is True
        assert copy_allowed(conn, "job_applications") is False
    assert_all_forced(db)


def test_a_failure_inside_the_block_leaves_the_table_forced_and_the_transaction_usable(
    db: DatabaseManager,
) -> None:
    with db.engine.begin() as conn:
        with pytest.raises(RuntimeError), owner_copy(conn, ["job_applications"]):
            conn.execute(text("SELECT 1"))
            raise RuntimeError("load failed")
        assert copy_allowed(conn, "job_applications") is False
        assert conn.scalar(text("SELECT 1")) == 1
    assert_all_forced(db)


def test_a_restore_by_the_owner_copies_its_rows_and_leaves_every_table_forced(
    db: DatabaseManager, tmp_path: Path
) -> None:
    user = DatabaseUtils.create_user(email="copy@example.com")
    for i in range(30):
        DatabaseUtils.add_job_application(user.id, f"Job {i}", "Co")
    backups = BackupManager(tmp_path / "backups", database_manager=db)
    path = backups.create_backup("copied")
    DatabaseUtils.add_job_application(user.id, "After the backup", "Co")
    backups.restore_backup(path, confirm=True, safety_backup=False)
    assert len(DatabaseUtils.get_user_applications(user.id, limit=100)) == 30
    assert_all_forced(db)


def test_a_large_bulk_load_by_the_owner_leaves_both_tables_forced(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="bulk@example.com")
    rows = [{"job_title": f"Job {i}", "company": "Co"} for i in range(1200)]
    ids = DatabaseUtils.bulk_add_job_applications(user.id, rows)
    assert len(ids) == 1200
    with db.engine.connect() as conn:
        history = conn.scalar(
            text("SELECT count(*) FROM application_status_history WHERE user_id = :u"),
            {"u": user.id},
        )
    assert history == 1200
    assert_all_forced(db)


def test_a_table_another_transaction_reads_stays_forced_and_the_block_runs_without_waiting(
    db: DatabaseManager,
) -> None:
    with db.engine.connect() as reader, reader.begin():
        reader.execute(text("SELECT count(*) FROM job_applications"))
        with db.engine.begin() as conn:
            with owner_copy(conn, ["job_applications"]):
                assert copy_allowed(conn, "job_applications") is False
                assert conn.scalar(text("SELECT 1")) == 1
            assert conn.scalar(text("SELECT current_setting('lock_timeout')")) == "0"
    assert_all_forced(db)
