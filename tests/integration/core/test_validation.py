"""Bad input: a ValidationError naming the field, and the database unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.models import ApplicationStatus, JobApplication, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.snapshot import snapshot
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com", first_name="Owner")


@pytest.fixture
def application(user: User) -> JobApplication:
    return DatabaseUtils.add_job_application(user.id, "Developer", "TechCorp", match_score=50)


def rejected(field: str, call: Callable[..., object], *args: Any, **kwargs: Any) -> ValidationError:
    """Run ``call``, expect a ValidationError on ``field``, and no change to any row."""
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        call(*args, **kwargs)
    assert info.value.field == field, str(info.value)
    assert snapshot() == before
    return info.value


@pytest.mark.parametrize(
    "email", ["", "plain", "no-at.example.com", "two@@example.com", "a@b", "sp ace@example.com"]
)
def test_malformed_email_is_rejected(db: DatabaseManager, email: str) -> None:
    error = rejected("email", DatabaseUtils.create_user, email=email)
    assert "valid email" in error.rule


@pytest.mark.parametrize("variant", ["owner@example.com", "OWNER@EXAMPLE.COM", "Owner@Example.Com"])
def test_duplicate_email_in_any_case_is_a_validation_error(user: User, variant: str) -> None:
    error = rejected("email", DatabaseUtils.create_user, email=variant)
    assert "already registered" in error.rule


def test_update_to_another_users_email_is_rejected(user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    rejected("email", DatabaseUtils.update_user, other.id, email="OWNER@example.com")


def test_negative_experience_years_is_rejected(db: DatabaseManager) -> None:
    rejected(
        "experience_years", DatabaseUtils.create_user, email="a@example.com", experience_years=-1
    )


@pytest.mark.parametrize("field", ["id", "user_id", "created_at", "updated_at", "password_hash"])
def test_protected_fields_cannot_be_updated(user: User, field: str) -> None:
    error = rejected(field, DatabaseUtils.update_user, user.id, **{field: 5})
    assert "cannot be set" in error.rule


def test_unknown_field_is_rejected(user: User) -> None:
    error = rejected("favourite_colour", DatabaseUtils.update_user, user.id, favourite_colour="red")
    assert error.rule == "is not a known field"


def test_protected_fields_cannot_be_set_on_create(db: DatabaseManager) -> None:
    rejected("password_hash", DatabaseUtils.create_user, email="a@example.com", password_hash="x")
    rejected("id", DatabaseUtils.create_user, email="a@example.com", id=7)


def test_protected_preference_fields_are_rejected(user: User) -> None:
    rejected("user_id", DatabaseUtils.update_user_preferences, user.id, user_id=99)
    rejected("id", DatabaseUtils.update_user_preferences, user.id, id=99)


@pytest.mark.parametrize(
    ("call", "args"),
    [
        (DatabaseUtils.update_user, (999,)),
        (DatabaseUtils.update_user_preferences, (999,)),
        (DatabaseUtils.get_user_resumes, (999,)),
        (DatabaseUtils.get_user_applications, (999,)),
        (DatabaseUtils.get_application_statistics, (999,)),
        (DatabaseUtils.delete_user, (999,)),
        (DatabaseUtils.add_search_history, (999,)),
        (DatabaseUtils.add_resume, (999, "cv.pdf", "/x/cv.pdf")),
        (DatabaseUtils.add_job_application, (999, "Dev", "Co")),
    ],
)
def test_unknown_user_id_is_rejected(
    db: DatabaseManager, call: Callable[..., object], args: tuple[object, ...]
) -> None:
    rejected("user_id", call, *args)


@pytest.mark.parametrize("bad_id", [0, -1, "1", 1.5, None, True])
def test_malformed_user_id_is_rejected(db: DatabaseManager, bad_id: Any) -> None:
    rejected("user_id", DatabaseUtils.update_user, bad_id, job_title="x")


def test_unknown_application_id_is_rejected(db: DatabaseManager) -> None:
    rejected("application_id", DatabaseUtils.update_application_status, 999, "applied")
    rejected("application_id", DatabaseUtils.get_application_history, 999)
    rejected("application_id", DatabaseUtils.delete_application, 999)
    rejected("application_id", DatabaseUtils.update_application, 999, notes="x")
    assert DatabaseUtils.get_application(999) is None


def test_unknown_resume_id_is_rejected(user: User) -> None:
    rejected("resume_id", DatabaseUtils.add_job_application, user.id, "Dev", "Co", resume_id=999)


def test_resume_of_another_user_is_rejected(user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    resume = DatabaseUtils.add_resume(other.id, "cv.pdf", "/x/cv.pdf")
    rejected(
        "resume_id", DatabaseUtils.add_job_application, user.id, "Dev", "Co", resume_id=resume.id
    )


def test_salary_min_above_max_is_rejected(user: User, application: JobApplication) -> None:
    rejected(
        "salary_min",
        DatabaseUtils.add_job_application,
        user.id,
        "Dev",
        "Co",
        salary_min=200,
        salary_max=100,
    )
    rejected(
        "salary_min", DatabaseUtils.update_user_preferences, user.id, salary_min=5, salary_max=1
    )
    DatabaseUtils.update_application(application.id, salary_max=100)
    rejected("salary_min", DatabaseUtils.update_application, application.id, salary_min=101)


@pytest.mark.parametrize("score", [-0.1, 100.01, 1000, float("nan"), float("inf")])
def test_match_score_outside_0_to_100_is_rejected(user: User, score: float) -> None:
    rejected(
        "match_score", DatabaseUtils.add_job_application, user.id, "Dev", "Co", match_score=score
    )


@pytest.mark.parametrize("status", ["hired", "", "APPLIED!", 3, None])
def test_unknown_status_is_rejected(application: JobApplication, status: Any) -> None:
    rejected("status", DatabaseUtils.update_application_status, application.id, status)


def test_status_may_be_given_as_enum_value_or_name(application: JobApplication) -> None:
    DatabaseUtils.update_application_status(application.id, "screening")
    DatabaseUtils.update_application_status(application.id, "INTERVIEWED")
    DatabaseUtils.update_application_status(application.id, ApplicationStatus.REJECTED)
    assert (
        existing(DatabaseUtils.get_application(application.id)).status is ApplicationStatus.REJECTED
    )


@pytest.mark.parametrize(
    ("field", "value"), [("job_title", ""), ("job_title", "   "), ("company", "")]
)
def test_empty_required_strings_are_rejected(user: User, field: str, value: str) -> None:
    args = {"job_title": "Dev", "company": "Co", field: value}
    rejected(field, DatabaseUtils.add_job_application, user.id, **args)


def test_empty_resume_filename_is_rejected(user: User) -> None:
    rejected("filename", DatabaseUtils.add_resume, user.id, "", "/x/cv.pdf")


def test_text_with_nul_is_rejected(user: User) -> None:
    rejected("job_title", DatabaseUtils.add_job_application, user.id, "De\x00v", "Co")


def test_status_cannot_be_changed_through_update_application(application: JobApplication) -> None:
    rejected("status", DatabaseUtils.update_application, application.id, status="rejected")


def test_invalid_interview_date_is_rejected(application: JobApplication) -> None:
    rejected(
        "interview_date",
        DatabaseUtils.update_application_status,
        application.id,
        "interviewed",
        interview_date="next tuesday",
    )


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (-1, 0), (None, -1), ("5", 0)])
def test_bad_paging_is_rejected(user: User, limit: Any, offset: Any) -> None:
    field = "offset" if offset else "limit"
    rejected(field, DatabaseUtils.get_user_applications, user.id, limit=limit, offset=offset)


@pytest.mark.parametrize("days", [0, -5, "30", 10**6])
def test_bad_statistics_period_is_rejected(user: User, days: Any) -> None:
    rejected("days", DatabaseUtils.get_application_statistics, user.id, days=days)


def test_negative_search_counts_are_rejected(user: User) -> None:
    rejected("total_results", DatabaseUtils.add_search_history, user.id, total_results=-1)
    rejected("search_duration", DatabaseUtils.add_search_history, user.id, search_duration=-2.0)


def test_hostile_text_is_stored_verbatim(user: User) -> None:
    hostile = 'Robert\'); DROP TABLE users;-- \u202eevil \U0001f600 "quoted" %s ? :name'
    app = DatabaseUtils.add_job_application(user.id, hostile, hostile, notes=hostile)
    stored = existing(DatabaseUtils.get_application(app.id))
    assert (stored.job_title, stored.company, stored.notes) == (hostile, hostile, hostile)
    assert DatabaseUtils.get_user_by_email("owner@example.com") is not None


def test_naive_datetimes_are_taken_as_utc(user: User) -> None:
    app = DatabaseUtils.add_job_application(
        user.id, "Dev", "Co", application_date=datetime(2024, 3, 1, 9, 30)
    )
    assert existing(DatabaseUtils.get_application(app.id)).application_date == datetime(
        2024, 3, 1, 9, 30, tzinfo=UTC
    )


def test_update_calls_accept_the_id_as_keyword(user: User, application: JobApplication) -> None:
    assert DatabaseUtils.update_user(user_id=user.id, location="Durban").location == "Durban"
    prefs = DatabaseUtils.update_user_preferences(user_id=user.id, salary_min=10)
    assert prefs.salary_min == 10
    assert DatabaseUtils.update_application(application_id=application.id, notes="n").notes == "n"


def test_text_with_lone_surrogate_is_rejected(user: User) -> None:
    rejected("company", DatabaseUtils.add_job_application, user.id, "Dev", "Co\ud800")


def test_updated_user_is_readable_with_preferences(user: User) -> None:
    updated = DatabaseUtils.update_user(user.id, location="Durban")
    assert updated.preferences is not None and updated.preferences.user_id == user.id
