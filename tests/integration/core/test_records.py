"""Resumes, deletion cascades, search history, the AI cache and system settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.core.column_types import utcnow
from database.models import TABLES, AIAnalysisCache, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.snapshot import snapshot
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com")


def count_rows() -> dict[str, int]:
    with db_session_scope() as session:
        return {
            t.name: existing(session.scalar(select(func.count()).select_from(t))) for t in TABLES
        }


def test_an_active_resume_deactivates_the_others(user: User) -> None:
    first = DatabaseUtils.add_resume(user.id, "one.pdf", "/r/one.pdf")
    second = DatabaseUtils.add_resume(user.id, "two.pdf", "/r/two.pdf")
    assert [r.id for r in DatabaseUtils.get_user_resumes(user.id)] == [second.id]
    all_resumes = DatabaseUtils.get_user_resumes(user.id, active_only=False)
    assert {r.id: r.is_active for r in all_resumes} == {first.id: False, second.id: True}
    DatabaseUtils.set_active_resume(first.id)
    assert [r.id for r in DatabaseUtils.get_user_resumes(user.id)] == [first.id]


def test_an_inactive_resume_leaves_the_active_one(user: User) -> None:
    active = DatabaseUtils.add_resume(user.id, "one.pdf", "/r/one.pdf")
    DatabaseUtils.add_resume(user.id, "old.pdf", "/r/old.pdf", is_active=False)
    assert [r.id for r in DatabaseUtils.get_user_resumes(user.id)] == [active.id]


def test_resumes_of_other_users_are_untouched(user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    theirs = DatabaseUtils.add_resume(other.id, "theirs.pdf", "/r/theirs.pdf")
    DatabaseUtils.add_resume(user.id, "mine.pdf", "/r/mine.pdf")
    assert existing(DatabaseUtils.get_resume(theirs.id)).is_active is True


def test_deleting_a_resume_keeps_its_applications(user: User) -> None:
    resume = DatabaseUtils.add_resume(user.id, "one.pdf", "/r/one.pdf")
    app = DatabaseUtils.add_job_application(user.id, "Dev", "Co", resume_id=resume.id)
    DatabaseUtils.delete_resume(resume.id)
    stored = DatabaseUtils.get_application(app.id)
    assert stored is not None and stored.resume_id is None


def test_deleting_a_user_removes_everything_they_own(user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    for owner in (user, other):
        resume = DatabaseUtils.add_resume(owner.id, "cv.pdf", "/r/cv.pdf")
        app = DatabaseUtils.add_job_application(owner.id, "Dev", "Co", resume_id=resume.id)
        DatabaseUtils.update_application_status(app.id, "screening")
        DatabaseUtils.add_search_history(owner.id, job_title="Dev")
    before = count_rows()
    assert DatabaseUtils.delete_user(user.id) is True
    after = count_rows()
    assert DatabaseUtils.get_user_by_id(user.id) is None
    for table in ("users", "user_preferences", "resumes", "job_applications", "search_history"):
        assert after[table] == before[table] - before[table] // 2, table
    assert after["application_status_history"] == 2
    assert len(DatabaseUtils.get_user_applications(other.id)) == 1


def test_deleting_an_application_removes_its_history(user: User) -> None:
    app = DatabaseUtils.add_job_application(user.id, "Dev", "Co")
    DatabaseUtils.update_application_status(app.id, "rejected")
    assert DatabaseUtils.delete_application(app.id) is True
    assert DatabaseUtils.get_application(app.id) is None
    assert count_rows()["application_status_history"] == 0


def test_same_status_records_no_move_but_keeps_notes_in_the_log(user: User) -> None:
    app = DatabaseUtils.add_job_application(user.id, "Dev", "Co", notes="Own notes")
    DatabaseUtils.update_application_status(app.id, "applied", notes="Followed up")
    assert len(DatabaseUtils.get_application_history(app.id)) == 1
    assert existing(DatabaseUtils.get_application(app.id)).notes == "Own notes"
    assert [n.body for n in DatabaseUtils.get_application_notes(app.id)] == ["Followed up"]


def test_timestamps_are_timezone_aware_utc(user: User) -> None:
    stored = existing(DatabaseUtils.get_user_by_id(user.id))
    assert stored.created_at.tzinfo is UTC
    assert abs(stored.created_at - datetime.now(UTC)) < timedelta(minutes=5)
    before = stored.updated_at
    updated = DatabaseUtils.update_user(user.id, location="Cape Town")
    assert updated.updated_at >= before


def test_search_history_newest_first_and_limited(user: User) -> None:
    for title in ("first", "second", "third"):
        DatabaseUtils.add_search_history(user.id, job_title=title)
    assert [s.job_title for s in DatabaseUtils.get_search_history(user.id)] == [
        "third",
        "second",
        "first",
    ]
    assert len(DatabaseUtils.get_search_history(user.id, limit=1)) == 1


def test_cached_analysis_round_trips_until_it_expires(db: DatabaseManager) -> None:
    results = {"score": 87.5, "skills": ["Python"], "nested": {"a": [1, 2]}}
    assert DatabaseUtils.cache_ai_analysis("job:1", "match", results) is True
    assert DatabaseUtils.get_cached_analysis("job:1") == results
    DatabaseUtils.cache_ai_analysis("job:1", "match", {"v": 2}, expiry_hours=1)
    assert DatabaseUtils.get_cached_analysis("job:1") == {"v": 2}
    assert DatabaseUtils.get_cached_analysis("missing") is None


def test_expired_analysis_is_none_and_purged(db: DatabaseManager) -> None:
    DatabaseUtils.cache_ai_analysis("fresh", "match", [1])
    DatabaseUtils.cache_ai_analysis("stale", "match", [2])
    with db_session_scope() as session:
        entry = existing(
            session.scalar(select(AIAnalysisCache).where(AIAnalysisCache.cache_key == "stale"))
        )
        entry.expires_at = utcnow() - timedelta(seconds=1)
    assert DatabaseUtils.get_cached_analysis("stale") is None
    assert DatabaseUtils.purge_expired_cache() == 1
    assert DatabaseUtils.get_cached_analysis("fresh") == [1]
    assert count_rows()["ai_analysis_cache"] == 1


@pytest.mark.parametrize("hours", [0, -1, float("nan"), "24", True])
def test_bad_cache_expiry_is_rejected(db: DatabaseManager, hours: Any) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.cache_ai_analysis("k", "t", {}, expiry_hours=hours)
    assert info.value.field == "expiry_hours"
    assert snapshot() == before


def test_unserialisable_cache_results_are_rejected(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.cache_ai_analysis("k", "t", {"when": object()})
    assert info.value.field == "results"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("dark", "string"),
        (42, "integer"),
        (2.5, "float"),
        (True, "boolean"),
        (False, "boolean"),
        ({"a": [1, "x"]}, "json"),
        ([1, 2, 3], "json"),
    ],
)
def test_settings_keep_their_type(db: DatabaseManager, value: object, kind: str) -> None:
    setting = DatabaseUtils.set_setting("key", value)
    assert setting.setting_type.value == kind
    assert DatabaseUtils.get_setting("key") == value
    assert type(DatabaseUtils.get_setting("key")) is type(value)


def test_setting_with_explicit_type_and_default(db: DatabaseManager) -> None:
    assert DatabaseUtils.get_setting("absent", default=7) == 7
    DatabaseUtils.set_setting("ratio", 3, setting_type="float")
    assert DatabaseUtils.get_setting("ratio") == 3.0
    assert isinstance(DatabaseUtils.get_setting("ratio"), float)
    DatabaseUtils.set_setting("ratio", 4.5)
    assert DatabaseUtils.get_setting("ratio") == 4.5


@pytest.mark.parametrize(
    ("value", "kind", "field"),
    [("x", "integer", "value"), (1, "boolean", "value"), (1, "colour", "setting_type")],
)
def test_setting_value_must_match_its_type(
    db: DatabaseManager, value: object, kind: str, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.set_setting("key", value, setting_type=kind)
    assert info.value.field == field
    assert DatabaseUtils.get_setting("key") is None


def test_passwords_are_hashed_and_verified(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="a@example.com", password="correct horse")
    stored = existing(DatabaseUtils.get_user_by_id(user.id))
    assert stored.password_hash and "correct horse" not in stored.password_hash
    assert "password_hash" not in repr(stored)
    assert DatabaseUtils.verify_user_password("A@example.com", "correct horse")
    assert not DatabaseUtils.verify_user_password("a@example.com", "wrong")
    DatabaseUtils.set_user_password(user.id, "new password")
    assert DatabaseUtils.verify_user_password("a@example.com", "new password")
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.set_user_password(user.id, "short")
    assert info.value.field == "password"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: DatabaseUtils.set_setting("k\x00", 1), "key"),
        (lambda: DatabaseUtils.set_setting("k", "v\ud800"), "value"),
        (lambda: DatabaseUtils.cache_ai_analysis("k", "t", {"x": "\x00"}), "results"),
        (lambda: DatabaseUtils.cache_ai_analysis("k\ud800", "t", {}), "cache_key"),
        (lambda: DatabaseUtils.get_cached_analysis(""), "cache_key"),
    ],
)
def test_support_tables_reject_text_no_engine_can_store(
    db: DatabaseManager, call: Callable[[], object], field: str
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.field == field
    assert snapshot() == before
