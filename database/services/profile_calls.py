"""The ``DatabaseUtils`` calls about people: users, preferences, passwords, resumes."""

from __future__ import annotations

from typing import Any

from database.domain import (
    resumes,
    users,
)
from database.models import (
    Resume,
    User,
    UserPreferences,
)
from database.services.calls import given, run, target_id


class ProfileCalls:
    """The ``DatabaseUtils`` calls about people: users, preferences, passwords, resumes."""

    # -- users --------------------------------------------------------------

    @staticmethod
    def create_user(email: str, **fields: Any) -> User:
        """Create a user (and an empty preferences row).

        ``fields``: first_name, last_name, phone, location, job_title,
        experience_years, skills, summary, linkedin_url, is_active, password.
        """
        return run(lambda s: users.create(s, email, fields))

    @staticmethod
    def get_user_by_email(email: str) -> User | None:
        """The user with ``email`` (any letter case), or ``None``; preferences, resumes loaded."""
        return run(lambda s: users.find_by_email(s, email))

    @staticmethod
    def get_user_by_id(user_id: int) -> User | None:
        """The user with ``user_id``, or ``None``; ``preferences`` and ``resumes`` loaded."""
        return run(lambda s: users.get(s, user_id))

    @staticmethod
    def update_user(*user_id: int, **fields: Any) -> User:
        """``update_user(user_id, **fields)``: update profile fields.

        ``id``, ``user_id``, ``password_hash`` and timestamps are refused.
        """
        target = target_id("user_id", user_id, fields)
        return run(lambda s: users.update(s, target, fields))

    @staticmethod
    def list_users() -> list[User]:
        """Every user (the local profiles), by first name then email."""
        return run(users.list_all)

    @staticmethod
    def delete_user(user_id: int) -> bool:
        """Delete the user and everything they own. Returns ``True``."""
        run(lambda s: users.remove(s, user_id))
        return True

    @staticmethod
    def set_user_password(user_id: int, password: str) -> bool:
        """Store a new password (at least 8 characters) as a salted Argon2id hash."""
        run(lambda s: users.set_password(s, user_id, password))
        return True

    @staticmethod
    def verify_user_password(email: str, password: str) -> bool:
        """Whether ``password`` is the password of the user with ``email`` (any case form).

        An unknown email costs what a wrong password costs; after a successful
        check an outdated hash is replaced by a current one, in the same transaction.
        """
        return run(lambda s: users.check_password(s, email, password))

    @staticmethod
    def get_user_preferences(user_id: int) -> UserPreferences | None:
        """The user's preferences, or ``None`` for an unknown user."""
        return run(lambda s: users.get_preferences(s, user_id))

    @staticmethod
    def update_user_preferences(*user_id: int, **fields: Any) -> UserPreferences:
        """``update_user_preferences(user_id, **fields)``: preferred_job_titles, ...

        Fields: preferred_job_titles, preferred_locations, preferred_companies,
        preferred_job_types, salary_min, salary_max, salary_currency,
        remote_work_preference, email_notifications, follow_up_days, archive_after_days.
        """
        target = target_id("user_id", user_id, fields)
        return run(lambda s: users.update_preferences(s, target, fields))

    # -- resumes ------------------------------------------------------------

    @staticmethod
    def add_resume(
        user_id: int,
        filename: str,
        file_path: str,
        file_size: int | None = None,
        file_type: str | None = None,
        parsed_text: str | None = None,
        skills_extracted: list[str] | None = None,
        experience_level: str | None = None,
        is_active: bool = True,
    ) -> Resume:
        """Store a resume; an active one deactivates the user's other resumes."""
        fields = given(
            filename=filename, file_path=file_path, file_size=file_size, file_type=file_type,
            parsed_text=parsed_text, skills_extracted=skills_extracted,
            experience_level=experience_level, is_active=is_active,
        )  # fmt: skip
        return run(lambda s: resumes.add(s, user_id, fields))

    @staticmethod
    def get_user_resumes(user_id: int, active_only: bool = True) -> list[Resume]:
        """The user's resumes, newest first; only the active one by default."""
        return run(lambda s: resumes.list_for_user(s, user_id, active_only))

    @staticmethod
    def get_resume(resume_id: int) -> Resume | None:
        """The resume with ``resume_id`` (its ``user`` loaded), or ``None``."""
        return run(lambda s: resumes.get(s, resume_id))

    @staticmethod
    def set_active_resume(resume_id: int) -> Resume:
        """Make this resume the user's one active resume."""
        return run(lambda s: resumes.set_active(s, resume_id))

    @staticmethod
    def delete_resume(resume_id: int) -> bool:
        """Delete a resume; applications that used it keep their data."""
        run(lambda s: resumes.remove(s, resume_id))
        return True
