"""A person's time zone: checked where preferences are written, used by reminders and the feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

from database.connection import DatabaseManager
from database.domain.notifications import reminders
from database.io.calendar_ics import interview_calendar
from database.io.personal_backup import export_personal
from database.io.personal_import import check_personal, import_personal
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

#: A winter Tuesday: Paris is on UTC+1 (CET).
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
RULE = "must be an IANA time zone such as Europe/Paris"


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def test_a_new_person_is_on_utc_and_may_choose_an_iana_zone(user_id: int) -> None:
    assert DatabaseUtils.get_user_preferences(user_id).time_zone == "UTC"  # type: ignore[union-attr]
    DatabaseUtils.update_user_preferences(user_id, time_zone="Europe/Paris")
    assert DatabaseUtils.get_user_preferences(user_id).time_zone == "Europe/Paris"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", ["Mars/Base", "", "Europe/Paris ", "x" * 65])
def test_a_name_that_is_no_zone_is_refused_and_nothing_changes(user_id: int, name: str) -> None:
    DatabaseUtils.update_user_preferences(user_id, time_zone="Asia/Tokyo")
    with pytest.raises(ValidationError) as refused:
        DatabaseUtils.update_user_preferences(user_id, time_zone=name, follow_up_days=3)
    assert (refused.value.field, refused.value.rule) == ("time_zone", RULE)
    kept = DatabaseUtils.get_user_preferences(user_id)
    assert kept is not None and (kept.time_zone, kept.follow_up_days) == ("Asia/Tokyo", 14)


def test_the_zone_cannot_be_emptied(user_id: int) -> None:
    with pytest.raises(ValidationError) as refused:
        DatabaseUtils.update_user_preferences(user_id, time_zone=None)
    assert refused.value.field == "time_zone"


def test_an_interview_reminder_gives_the_time_in_the_persons_zone(
    db: DatabaseManager, user_id: int
) -> None:
    DatabaseUtils.update_user_preferences(user_id, time_zone="Europe/Paris")
    DatabaseUtils.add_job_application(
        user_id, "Engineer", "Initech", interview_date=NOW + timedelta(hours=4)
    )
    with db.session_scope() as session:
        created = reminders.create_due_reminders(session, NOW)
        body = created[0].body
    assert "is on Tue 3 Mar 14:00 CET." in body


def test_a_person_on_utc_reads_utc_in_the_reminder(db: DatabaseManager, user_id: int) -> None:
    DatabaseUtils.add_job_application(
        user_id, "Engineer", "Initech", interview_date=NOW + timedelta(hours=4)
    )
    with db.session_scope() as session:
        body = reminders.create_due_reminders(session, NOW)[0].body
    assert "is on Tue 3 Mar 13:00 UTC." in body


def test_the_calendar_names_the_zone_and_keeps_its_times_in_utc(user_id: int) -> None:
    interview = NOW + timedelta(days=1)
    application = DatabaseUtils.add_job_application(
        user_id, "Engineer", "Initech", interview_date=interview
    )
    feed = interview_calendar([application], NOW, "Europe/Paris")
    parsed = Calendar.from_ical(feed)
    assert parsed["X-WR-TIMEZONE"] == "Europe/Paris"
    assert b"DTSTART:20260304T090000Z" in feed
    assert b"VTIMEZONE" not in feed and b"TZID" not in feed
    event = parsed.walk("VEVENT")[0]
    assert event.decoded("dtstart") == interview


def test_a_personal_backup_carries_the_zone_and_a_tampered_one_is_refused(
    db: DatabaseManager, user_id: int, tmp_path: Path
) -> None:
    DatabaseUtils.update_user_preferences(user_id, time_zone="Europe/Paris")
    bob = DatabaseUtils.create_user("bob@example.com").id
    with db.session_scope() as session:
        document = export_personal(session, user_id, tmp_path)
        import_personal(session, bob, document, tmp_path / "resumes")
    assert DatabaseUtils.get_user_preferences(bob).time_zone == "Europe/Paris"  # type: ignore[union-attr]
    document["preferences"]["time_zone"] = "Mars/Base"
    with pytest.raises(ValidationError) as refused:
        check_personal(document)
    assert (refused.value.field, refused.value.rule) == ("backup.preferences.time_zone", RULE)
