"""The spec's database tests: ``TestDatabaseUtils`` and friends, on every engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from database.connection import (
    DatabaseManager,
    cleanup_database,
    get_database_manager,
    init_database,
)
from database.models import ApplicationStatus, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError


def make_user(email: str = "user@example.com", **fields: Any) -> User:
    return DatabaseUtils.create_user(
        email=email,
        first_name=fields.pop("first_name", "John"),
        last_name=fields.pop("last_name", "Doe"),
        **fields,
    )


class TestDatabaseUtils:
    """The spec's walkthrough, run on in-memory SQLite, a SQLite file and PostgreSQL."""

    def test_create_user_returns_readable_user_with_preferences(self, db: DatabaseManager) -> None:
        user = DatabaseUtils.create_user(
            email="user@example.com",
            first_name="John",
            last_name="Doe",
            location="Cape Town",
            job_title="Software Developer",
            skills=["Python", "JavaScript", "SQL"],
        )
        assert user.id > 0
        assert user.skills == ["Python", "JavaScript", "SQL"]
        prefs = DatabaseUtils.get_user_preferences(user.id)
        assert prefs is not None and prefs.user_id == user.id
        assert prefs.preferred_job_titles == []

    def test_get_user_by_email_ignores_letter_case(self, db: DatabaseManager) -> None:
        user = make_user("Mixed.Case@Example.com")
        found = DatabaseUtils.get_user_by_email("mixed.case@EXAMPLE.COM")
        assert found is not None and found.id == user.id
        assert found.email == "Mixed.Case@Example.com"

    def test_get_user_returns_none_when_absent(self, db: DatabaseManager) -> None:
        assert DatabaseUtils.get_user_by_id(999) is None
        assert DatabaseUtils.get_user_by_email("nobody@example.com") is None

    def test_update_user_changes_known_fields(self, db: DatabaseManager) -> None:
        user = make_user(job_title="Developer", experience_years=5)
        updated = DatabaseUtils.update_user(
            user.id, job_title="Senior Developer", experience_years=7, skills=["Python", "AWS"]
        )
        assert updated.job_title == "Senior Developer"
        again = existing(DatabaseUtils.get_user_by_id(user.id))
        assert (again.job_title, again.experience_years, again.skills) == (
            "Senior Developer",
            7,
            ["Python", "AWS"],
        )

    def test_update_user_preferences(self, db: DatabaseManager) -> None:
        user = make_user()
        DatabaseUtils.update_user_preferences(
            user.id,
            preferred_job_titles=["Senior Developer", "Lead Developer"],
            preferred_locations=["Cape Town", "Remote"],
            salary_min=100000,
            salary_max=150000,
            remote_work_preference=True,
        )
        prefs = existing(DatabaseUtils.get_user_preferences(user.id))
        assert prefs.preferred_locations == ["Cape Town", "Remote"]
        assert (prefs.salary_min, prefs.salary_max, prefs.remote_work_preference) == (
            100000,
            150000,
            True,
        )

    def test_add_resume_and_list(self, db: DatabaseManager) -> None:
        user = make_user()
        resume = DatabaseUtils.add_resume(
            user_id=user.id,
            filename="john_doe_resume.pdf",
            file_path="/uploads/resumes/john_doe_resume.pdf",
            file_size=1024000,
            file_type="pdf",
            parsed_text="Experienced Python developer...",
            skills_extracted=["Python", "Django", "PostgreSQL"],
            experience_level="Senior",
        )
        assert resume.is_active is True
        assert [r.id for r in DatabaseUtils.get_user_resumes(user.id)] == [resume.id]

    def test_add_job_application_with_status_and_history(self, db: DatabaseManager) -> None:
        user = make_user()
        app = DatabaseUtils.add_job_application(
            user_id=user.id,
            job_title="Senior Python Developer",
            company="TechCorp",
            location="Cape Town",
            job_description="Looking for senior Python developer...",
            job_url="https://example.com/jobs/123",
            status=ApplicationStatus.APPLIED,
            source="linkedin",
            salary_min=100000,
            salary_max=130000,
            job_type="Full-time",
            is_remote=False,
            match_score=92.5,
        )
        assert app.status.value == "applied"
        assert app.application_date.tzinfo is not None
        history = DatabaseUtils.get_application_history(app.id)
        assert [(h.from_status, h.to_status) for h in history] == [
            (None, ApplicationStatus.APPLIED)
        ]

    def test_update_application_status_records_history_in_order(self, db: DatabaseManager) -> None:
        user = make_user()
        app = DatabaseUtils.add_job_application(user.id, "Dev", "TechCorp")
        DatabaseUtils.update_application_status(
            app.id,
            ApplicationStatus.INTERVIEW_SCHEDULED,
            notes="Phone interview scheduled for tomorrow at 10 AM",
            interview_date=datetime(2024, 1, 15, 10, 0),
            interview_type="Phone",
        )
        DatabaseUtils.update_application_status(app.id, "offer_received")
        stored = existing(DatabaseUtils.get_application(app.id))
        assert stored.status is ApplicationStatus.OFFER_RECEIVED
        assert stored.interview_date == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
        assert stored.interview_type == "Phone"
        moves = [
            (h.from_status, h.to_status) for h in DatabaseUtils.get_application_history(app.id)
        ]
        assert moves == [
            (None, ApplicationStatus.APPLIED),
            (ApplicationStatus.APPLIED, ApplicationStatus.INTERVIEW_SCHEDULED),
            (ApplicationStatus.INTERVIEW_SCHEDULED, ApplicationStatus.OFFER_RECEIVED),
        ]
        notes = DatabaseUtils.get_application_history(app.id)[1].notes
        assert notes == "Phone interview scheduled for tomorrow at 10 AM"

    def test_get_user_applications_filters_and_limits(self, db: DatabaseManager) -> None:
        user = make_user()
        for i in range(5):
            DatabaseUtils.add_job_application(
                user.id,
                f"Job {i}",
                "Co",
                application_date=datetime(2024, 1, 1 + i, tzinfo=UTC),
                status="pending" if i % 2 else ApplicationStatus.APPLIED,
            )
        titles = [a.job_title for a in DatabaseUtils.get_user_applications(user.id)]
        assert titles == ["Job 4", "Job 3", "Job 2", "Job 1", "Job 0"]
        assert [a.job_title for a in DatabaseUtils.get_user_applications(user.id, limit=2)] == [
            "Job 4",
            "Job 3",
        ]
        page = DatabaseUtils.get_user_applications(user.id, limit=2, offset=2)
        assert [a.job_title for a in page] == ["Job 2", "Job 1"]
        applied = DatabaseUtils.get_user_applications(user.id, status=ApplicationStatus.APPLIED)
        assert [a.job_title for a in applied] == ["Job 4", "Job 2", "Job 0"]
        assert len(DatabaseUtils.get_user_applications(user.id, status="pending")) == 2

    def test_application_statistics(self, db: DatabaseManager) -> None:
        user = make_user()
        old = datetime(2020, 1, 1, tzinfo=UTC)
        a1 = DatabaseUtils.add_job_application(user.id, "A", "Co", match_score=80)
        DatabaseUtils.add_job_application(user.id, "B", "Co", match_score=91)
        DatabaseUtils.add_job_application(user.id, "C", "Co", status="rejected")
        DatabaseUtils.add_job_application(
            user.id, "Old", "Co", application_date=old, match_score=10
        )
        DatabaseUtils.update_application_status(a1.id, ApplicationStatus.INTERVIEW_SCHEDULED)
        stats = DatabaseUtils.get_application_statistics(user.id, days=30)
        assert stats["total_applications"] == 4
        assert stats["recent_applications"] == 3
        assert stats["interview_count"] == 1
        assert stats["interview_rate"] == 33.3
        assert stats["average_match_score"] == 85.5
        assert stats["period_days"] == 30
        assert set(stats["status_breakdown"]) == {s.value for s in ApplicationStatus}
        assert stats["status_breakdown"]["applied"] == 2
        assert stats["status_breakdown"]["interview_scheduled"] == 1
        assert stats["status_breakdown"]["rejected"] == 1
        assert sum(stats["status_breakdown"].values()) == 4

    def test_statistics_of_user_without_applications(self, db: DatabaseManager) -> None:
        user = make_user()
        stats = DatabaseUtils.get_application_statistics(user.id)
        assert stats["total_applications"] == 0
        assert stats["interview_rate"] == 0.0
        assert stats["average_match_score"] == 0.0

    def test_interview_counts_even_after_later_rejection(self, db: DatabaseManager) -> None:
        user = make_user()
        app = DatabaseUtils.add_job_application(user.id, "A", "Co")
        DatabaseUtils.update_application_status(app.id, "interviewed")
        DatabaseUtils.update_application_status(app.id, "rejected")
        stats = DatabaseUtils.get_application_statistics(user.id)
        assert stats["interview_count"] == 1
        assert stats["interview_rate"] == 100.0

    def test_add_search_history(self, db: DatabaseManager) -> None:
        user = make_user()
        entry = DatabaseUtils.add_search_history(
            user_id=user.id,
            job_title="Python Developer",
            location="Cape Town",
            keywords="Python Django PostgreSQL",
            sources_searched=["linkedin", "indeed", "glassdoor"],
            max_results=100,
            total_results=85,
            filtered_results=25,
            applications_made=3,
            search_duration=5.2,
        )
        assert entry.id > 0
        (stored,) = DatabaseUtils.get_search_history(user.id)
        assert stored.sources_searched == ["linkedin", "indeed", "glassdoor"]
        assert stored.search_duration == 5.2


class TestSpecSetupStyle:
    """The spec's own set-up pattern: a fresh in-memory database per test."""

    def setup_method(self) -> None:
        cleanup_database()
        self.db_manager = init_database("testing", drop_existing=True)

    def teardown_method(self) -> None:
        cleanup_database()

    def test_manager_is_the_global_one(self) -> None:
        assert get_database_manager() is self.db_manager
        assert self.db_manager.config.environment == "testing"

    def test_each_test_starts_empty(self) -> None:
        assert DatabaseUtils.get_user_by_email("user@example.com") is None
        make_user()
        with pytest.raises(ValidationError):
            make_user()
