"""The local API of notifications, and what a whole-database backup keeps of them."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.io.backup import BackupManager
from database.models import CalendarFeed, Notification
from database.utilities import DatabaseUtils
from utils.errors import ValidationError


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def with_interviews(user_id: int, *companies: str) -> list[Notification]:
    soon = utcnow() + timedelta(hours=3)
    for company in companies:
        DatabaseUtils.add_job_application(user_id, "Engineer", company, interview_date=soon)
    return DatabaseUtils.create_due_reminders()


def test_local_calls_list_count_and_mark_a_persons_notifications(user_id: int) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    created = with_interviews(user_id, "Initech", "Globex")
    with_interviews(other, "Hooli")
    assert DatabaseUtils.create_due_reminders() == []
    listed = DatabaseUtils.get_notifications(user_id)
    assert [n.id for n in listed] == sorted((n.id for n in created), reverse=True)
    assert DatabaseUtils.count_unread_notifications(user_id) == 2
    marked = DatabaseUtils.mark_notification_read(user_id, created[0].id)
    assert marked is not None and marked.read_at is not None
    assert [n.id for n in DatabaseUtils.get_notifications(user_id, unread_only=True)] == [
        created[1].id
    ]
    assert DatabaseUtils.get_notifications(user_id, limit=1, offset=1)[0].id == created[0].id
    bobs = DatabaseUtils.get_notifications(other)[0]
    assert DatabaseUtils.mark_notification_read(user_id, bobs.id) is None
    assert DatabaseUtils.mark_all_notifications_read(user_id) == 1
    assert DatabaseUtils.count_unread_notifications(user_id) == 0
    assert DatabaseUtils.count_unread_notifications(other) == 1


def test_bad_arguments_are_validation_errors(user_id: int) -> None:
    with pytest.raises(ValidationError, match="limit"):
        DatabaseUtils.get_notifications(user_id, limit=0)
    with pytest.raises(ValidationError, match="notification_id"):
        DatabaseUtils.mark_notification_read(user_id, -1)
    with pytest.raises(ValidationError, match="user_id"):
        DatabaseUtils.get_notifications(999999)


def test_a_backup_keeps_notifications_but_never_calendar_secrets(
    db: DatabaseManager, user_id: int, tmp_path: Path
) -> None:
    with_interviews(user_id, "Initech")
    DatabaseUtils.rotate_calendar_feed(user_id)
    backups = BackupManager(tmp_path)
    path = backups.create_backup("nightly")
    data = json.loads(Path(path).read_bytes())["data"]
    assert "calendar_feeds" not in data
    assert [row["title"] for row in data["notifications"]] == ["Interview soon: Initech — Engineer"]
    backups.restore_backup(path, confirm=True, safety_backup=False)
    [restored] = DatabaseUtils.get_notifications(user_id)
    assert restored.title == "Interview soon: Initech — Engineer"
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(CalendarFeed)) == 0
