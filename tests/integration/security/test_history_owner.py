"""Every status history row carries its application's ``user_id``, however it was written.

The column row-level security keys on: set by a new application, a status
move, a bulk add, a CSV import and a restore, which recomputes it from the
restored application (so a backup made before the column restores too).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from database.connection import DatabaseManager
from database.core.tenant import bind_actor
from database.io.backup.manager import BackupManager
from database.utilities import DatabaseUtils
from tests.support.backup_files import Document, edited

MISMATCHED = text(
    "SELECT count(*) FROM application_status_history h"
    " JOIN job_applications a ON a.id = h.application_id WHERE h.user_id <> a.user_id"
)


def owners(db: DatabaseManager) -> list[int]:
    with db.engine.connect() as conn:
        assert conn.scalar(MISMATCHED) == 0
        return list(
            conn.scalars(text("SELECT user_id FROM application_status_history ORDER BY id"))
        )


def test_new_applications_moves_bulk_adds_and_imports_write_the_owner(
    db: DatabaseManager, tmp_path: Path
) -> None:
    ann = DatabaseUtils.create_user("ann@example.com").id
    bob = DatabaseUtils.create_user("bob@example.com").id
    first = DatabaseUtils.add_job_application(ann, job_title="Engineer", company="Acme")
    DatabaseUtils.update_application_status(first.id, "screening")
    history = [{"status": "applied", "at": "2024-01-02T10:00:00+00:00"},
               {"status": "interview_scheduled", "at": "2024-01-05T10:00:00+00:00"}]  # fmt: skip
    DatabaseUtils.bulk_add_job_applications(
        bob, [{"job_title": "Analyst", "company": "Beta", "status_history": history}]
    )
    source = tmp_path / "in.csv"
    source.write_text("job_title,company\nTester,Gamma\n", encoding="utf-8")
    assert DatabaseUtils.import_applications_csv(ann, source).added == 1
    assert owners(db) == [ann, ann, bob, bob, ann]


def test_a_restore_recomputes_the_owner_even_from_a_backup_without_it(
    db: DatabaseManager, tmp_path: Path
) -> None:
    ann = DatabaseUtils.create_user("ann@example.com").id
    bob = DatabaseUtils.create_user("bob@example.com").id
    application = DatabaseUtils.add_job_application(ann, job_title="Engineer", company="Acme")
    DatabaseUtils.update_application_status(application.id, "rejected")
    manager = BackupManager(tmp_path / "backups")
    made = manager.create_backup("now")

    def forget_and_falsify(document: Document) -> None:
        rows = document["data"]["application_status_history"]
        rows[0].pop("user_id")  # as in a backup from before revision 003.5
        rows[1]["user_id"] = bob  # never trusted: recomputed from the application

    older = edited(made, tmp_path / "older.json", forget_and_falsify)
    DatabaseUtils.add_job_application(ann, job_title="Later", company="Beta")
    manager.restore_backup(older, confirm=True, safety_backup=False)
    assert owners(db) == [ann, ann]


def test_binding_an_actor_does_nothing_where_there_is_no_row_level_security(
    db: DatabaseManager,
) -> None:
    ann = DatabaseUtils.create_user("ann@example.com").id
    DatabaseUtils.add_job_application(ann, job_title="Engineer", company="Acme")
    with db.session_scope() as session:
        bind_actor(session, ann)
        seen = session.scalar(text("SELECT count(*) FROM job_applications"))
    assert seen == 1  # the owner sees its rows on every engine
