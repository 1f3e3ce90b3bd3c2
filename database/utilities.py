"""``DatabaseUtils``: the spec's high-level API, one transaction per call.

Each method opens a transaction on the global database, calls one domain
function, and commits. Returned ORM objects stay readable after the call
(``user.id``, ``application.status.value``). Bad input raises
:class:`utils.errors.ValidationError` naming the field, and leaves the database
unchanged; driver failures raise :class:`utils.errors.DatabaseError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from database.core.session import db_connection_scope, db_session_scope
from database.domain import (
    applications,
    bulk,
    listing,
    notes,
    resumes,
    search,
    search_history,
    support,
    users,
)
from database.domain.duplicates import OnDuplicate, parse_on_duplicate
from database.domain.listing import ApplicationFilter
from database.domain.stats import insights
from database.domain.stats import summary as analytics
from database.io import csv_io
from database.io.backup import BackupManager
from database.io.csv_io import ImportReport
from database.models import (
    ApplicationNote,
    ApplicationStatus,
    ApplicationStatusHistory,
    JobApplication,
    Resume,
    SearchHistory,
    SettingType,
    SystemSetting,
    User,
    UserPreferences,
)
from utils.errors import ValidationError

T = TypeVar("T")


def _run(work: Callable[[Session], T]) -> T:
    with db_session_scope() as session:
        return work(session)


def _target(name: str, args: tuple[Any, ...], fields: dict[str, Any]) -> Any:
    """The id an ``update_*(id, **fields)`` call is about.

    Taken apart by hand so that ``update_user(5, user_id=6)`` is a
    :class:`ValidationError` on the protected field, not a ``TypeError``, while
    ``update_user(user_id=5, ...)`` keeps working.
    """
    if len(args) > 1:
        raise TypeError(f"expected one positional argument ({name}), got {len(args)}")
    if args:
        if name in fields:
            raise ValidationError(name, "cannot be set or updated directly", fields[name])
        return args[0]
    if name not in fields:
        raise TypeError(f"missing required argument: {name!r}")
    return fields.pop(name)


def _given(**values: Any) -> dict[str, Any]:
    """The arguments the caller actually gave (``None`` means "not given")."""
    return {name: value for name, value in values.items() if value is not None}


class DatabaseUtils:
    """High-level operations on users, resumes, applications, searches and settings."""

    # -- users --------------------------------------------------------------

    @staticmethod
    def create_user(email: str, **fields: Any) -> User:
        """Create a user (and an empty preferences row).

        ``fields``: first_name, last_name, phone, location, job_title,
        experience_years, skills, summary, linkedin_url, is_active, password.
        """
        return _run(lambda s: users.create(s, email, fields))

    @staticmethod
    def get_user_by_email(email: str) -> User | None:
        """The user with ``email`` (any letter case), or ``None``; preferences, resumes loaded."""
        return _run(lambda s: users.find_by_email(s, email))

    @staticmethod
    def get_user_by_id(user_id: int) -> User | None:
        """The user with ``user_id``, or ``None``; ``preferences`` and ``resumes`` loaded."""
        return _run(lambda s: users.get(s, user_id))

    @staticmethod
    def update_user(*user_id: int, **fields: Any) -> User:
        """``update_user(user_id, **fields)``: update profile fields.

        ``id``, ``user_id``, ``password_hash`` and timestamps are refused.
        """
        target = _target("user_id", user_id, fields)
        return _run(lambda s: users.update(s, target, fields))

    @staticmethod
    def list_users() -> list[User]:
        """Every user (the local profiles), by first name then email."""
        return _run(users.list_all)

    @staticmethod
    def delete_user(user_id: int) -> bool:
        """Delete the user and everything they own. Returns ``True``."""
        _run(lambda s: users.remove(s, user_id))
        return True

    @staticmethod
    def set_user_password(user_id: int, password: str) -> bool:
        """Store a new password (at least 8 characters) as a salted Argon2id hash."""
        _run(lambda s: users.set_password(s, user_id, password))
        return True

    @staticmethod
    def verify_user_password(email: str, password: str) -> bool:
        """Whether ``password`` is the password of the user with ``email`` (any case form).

        An unknown email costs what a wrong password costs; after a successful
        check an outdated hash is replaced by a current one, in the same transaction.
        """
        return _run(lambda s: users.check_password(s, email, password))

    @staticmethod
    def get_user_preferences(user_id: int) -> UserPreferences | None:
        """The user's preferences, or ``None`` for an unknown user."""
        return _run(lambda s: users.get_preferences(s, user_id))

    @staticmethod
    def update_user_preferences(*user_id: int, **fields: Any) -> UserPreferences:
        """``update_user_preferences(user_id, **fields)``: preferred_job_titles, ...

        Fields: preferred_job_titles, preferred_locations, preferred_companies,
        preferred_job_types, salary_min, salary_max, salary_currency,
        remote_work_preference, email_notifications.
        """
        target = _target("user_id", user_id, fields)
        return _run(lambda s: users.update_preferences(s, target, fields))

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
        fields = _given(
            filename=filename, file_path=file_path, file_size=file_size, file_type=file_type,
            parsed_text=parsed_text, skills_extracted=skills_extracted,
            experience_level=experience_level, is_active=is_active,
        )  # fmt: skip
        return _run(lambda s: resumes.add(s, user_id, fields))

    @staticmethod
    def get_user_resumes(user_id: int, active_only: bool = True) -> list[Resume]:
        """The user's resumes, newest first; only the active one by default."""
        return _run(lambda s: resumes.list_for_user(s, user_id, active_only))

    @staticmethod
    def get_resume(resume_id: int) -> Resume | None:
        """The resume with ``resume_id`` (its ``user`` loaded), or ``None``."""
        return _run(lambda s: resumes.get(s, resume_id))

    @staticmethod
    def set_active_resume(resume_id: int) -> Resume:
        """Make this resume the user's one active resume."""
        return _run(lambda s: resumes.set_active(s, resume_id))

    @staticmethod
    def delete_resume(resume_id: int) -> bool:
        """Delete a resume; applications that used it keep their data."""
        _run(lambda s: resumes.remove(s, resume_id))
        return True

    # -- applications -------------------------------------------------------

    @staticmethod
    def add_job_application(
        user_id: int,
        job_title: str,
        company: str,
        location: str | None = None,
        job_description: str | None = None,
        job_url: str | None = None,
        status: ApplicationStatus | str = ApplicationStatus.APPLIED,
        source: str | None = None,
        salary_min: int | None = None,
        salary_max: int | None = None,
        job_type: str | None = None,
        is_remote: bool = False,
        match_score: float | None = None,
        resume_id: int | None = None,
        notes: str | None = None,
        application_date: datetime | None = None,
        interview_date: datetime | None = None,
        interview_type: str | None = None,
        salary_currency: str | None = None,
        on_duplicate: str = "allow",
    ) -> JobApplication:
        """Record an application and the first row of its status history.

        ``on_duplicate`` applies when the user already has this posting (same
        normalised ``job_url``, or same company + title + location): ``"allow"``
        adds it anyway, ``"fail"`` raises :class:`ValidationError`, ``"skip"``
        returns the existing application, ``"update"`` updates and returns it.
        """
        fields = _given(
            job_title=job_title, company=company, location=location,
            job_description=job_description, job_url=job_url, status=status, source=source,
            salary_min=salary_min, salary_max=salary_max, job_type=job_type,
            is_remote=is_remote, match_score=match_score, resume_id=resume_id, notes=notes,
            application_date=application_date, interview_date=interview_date,
            interview_type=interview_type, salary_currency=salary_currency,
        )  # fmt: skip
        policy = parse_on_duplicate(on_duplicate)
        if policy is OnDuplicate.ALLOW:
            # No ORM work to do: a Core transaction, without the cost of a session.
            with db_connection_scope() as conn:
                return applications.add(conn, user_id, fields, policy)
        return _run(lambda s: applications.add(s, user_id, fields, policy))

    @staticmethod
    def get_application(application_id: int) -> JobApplication | None:
        """The application, or ``None``; ``user``, ``resume``, ``history``, ``notes_log`` loaded."""
        return _run(lambda s: applications.get_detail(s, application_id))

    @staticmethod
    def get_user_applications(
        user_id: int,
        status: ApplicationStatus | str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[JobApplication]:
        """The user's applications, newest first, optionally of one status."""
        return _run(lambda s: applications.list_for_user(s, user_id, status, limit, offset))

    @staticmethod
    def update_application(*application_id: int, **fields: Any) -> JobApplication:
        """``update_application(application_id, **fields)``: change its details.

        The status is changed with :meth:`update_application_status`.
        """
        target = _target("application_id", application_id, fields)
        return _run(lambda s: applications.update(s, target, fields))

    @staticmethod
    def update_application_status(
        app_id: int,
        status: ApplicationStatus | str,
        notes: str | None = None,
        interview_date: datetime | None = None,
        interview_type: str | None = None,
    ) -> JobApplication:
        """Move an application to ``status``, recording the move in its history.

        ``notes`` go into the history row only, never into the application's own
        ``notes``; with the status unchanged they become a note of its log.
        """
        return _run(
            lambda s: applications.change_status(
                s, app_id, status, notes, interview_date, interview_type
            )
        )

    @staticmethod
    def get_application_history(application_id: int) -> list[ApplicationStatusHistory]:
        """Every status the application entered, oldest first."""
        return _run(lambda s: applications.history(s, application_id))

    @staticmethod
    def delete_application(application_id: int) -> bool:
        """Delete an application and its history."""
        _run(lambda s: applications.remove(s, application_id))
        return True

    @staticmethod
    def get_application_statistics(user_id: int, days: int = 30) -> dict[str, Any]:
        """Totals, recent count, status breakdown, interview rate, average match score."""
        # One read statement: a Core read transaction, without the cost of a session.
        with db_connection_scope(read_only=True) as conn:
            return analytics.application_statistics(conn, user_id, days)

    @staticmethod
    def find_applications(
        user_id: int,
        filters: ApplicationFilter | dict[str, Any] | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[JobApplication]:
        """The user's applications matching ``filters``, newest first.

        ``filters``: statuses, text (title, company or location), sources,
        date_from, date_to — an :class:`ApplicationFilter` or a dict of them.
        """
        criteria = listing.as_filter(filters)
        return _run(lambda s: listing.page(s, user_id, criteria, limit, offset))

    @staticmethod
    def count_applications(
        user_id: int, filters: ApplicationFilter | dict[str, Any] | None = None
    ) -> int:
        """How many of the user's applications match ``filters``."""
        criteria = listing.as_filter(filters)
        return _run(lambda s: listing.count(s, user_id, criteria))

    @staticmethod
    def get_application_sources(user_id: int) -> list[str]:
        """The distinct sources of the user's applications, sorted."""
        return _run(lambda s: listing.sources(s, user_id))

    @staticmethod
    def get_application_histories(
        application_ids: Sequence[int],
    ) -> dict[int, list[ApplicationStatusHistory]]:
        """The status history of each application, oldest first (unknown ids: [])."""
        return _run(lambda s: listing.histories(s, application_ids))

    # -- application notes log and timeline ----------------------------------

    @staticmethod
    def add_application_note(application_id: int, body: str) -> ApplicationNote:
        """Add a dated note to the application's log (non-blank text, kept as given)."""
        return _run(lambda s: notes.add(s, application_id, body))

    @staticmethod
    def get_application_note(note_id: int) -> ApplicationNote | None:
        """The note with ``note_id``, or ``None``."""
        return _run(lambda s: notes.get(s, note_id))

    @staticmethod
    def get_application_notes(application_id: int) -> list[ApplicationNote]:
        """The application's notes log, oldest first."""
        return _run(lambda s: notes.list_for_application(s, application_id))

    @staticmethod
    def update_application_note(note_id: int, body: str) -> ApplicationNote:
        """Replace a note's text; it keeps its place in the log."""
        return _run(lambda s: notes.update(s, note_id, body))

    @staticmethod
    def delete_application_note(note_id: int) -> bool:
        """Delete one note of a log. Returns ``True``."""
        _run(lambda s: notes.remove(s, note_id))
        return True

    @staticmethod
    def get_application_timeline(application_id: int) -> list[dict[str, Any]]:
        """Status moves and notes in time order: ``kind``, ``at``, ``from_status``, ...

        See :func:`database.domain.notes.timeline` for the keys of each entry.
        """
        return _run(lambda s: notes.timeline(s, application_id))

    # -- search history -----------------------------------------------------

    @staticmethod
    def add_search_history(
        user_id: int,
        job_title: str | None = None,
        location: str | None = None,
        keywords: str | None = None,
        sources_searched: list[str] | None = None,
        max_results: int | None = None,
        total_results: int = 0,
        filtered_results: int = 0,
        applications_made: int = 0,
        search_duration: float | None = None,
    ) -> SearchHistory:
        """Record one job search and what it yielded."""
        fields = _given(
            job_title=job_title, location=location, keywords=keywords,
            sources_searched=sources_searched, max_results=max_results,
            total_results=total_results, filtered_results=filtered_results,
            applications_made=applications_made, search_duration=search_duration,
        )  # fmt: skip
        return _run(lambda s: search_history.add(s, user_id, fields))

    @staticmethod
    def get_search_history(user_id: int, limit: int | None = None) -> list[SearchHistory]:
        """The user's searches, newest first."""
        return _run(lambda s: search_history.list_for_user(s, user_id, limit))

    # -- AI analysis cache and settings --------------------------------------

    @staticmethod
    def cache_ai_analysis(
        cache_key: str, analysis_type: str, results: Any, expiry_hours: float = 24
    ) -> bool:
        """Cache ``results`` under ``cache_key`` for ``expiry_hours`` hours."""
        _run(lambda s: support.cache_analysis(s, cache_key, analysis_type, results, expiry_hours))
        return True

    @staticmethod
    def get_cached_analysis(cache_key: str) -> Any | None:
        """The cached results, or ``None`` when absent or expired."""
        return _run(lambda s: support.cached_analysis(s, cache_key))

    @staticmethod
    def purge_expired_cache() -> int:
        """Delete expired cache entries; returns how many were deleted."""
        return _run(support.purge_expired)

    @staticmethod
    def get_setting(key: str, default: Any = None) -> Any:
        """The typed value of a system setting, or ``default``."""
        return _run(lambda s: support.get_setting(s, key, default))

    @staticmethod
    def set_setting(
        key: str, value: Any, setting_type: SettingType | str | None = None
    ) -> SystemSetting:
        """Store a system setting; its type is inferred unless given."""
        return _run(lambda s: support.set_setting(s, key, value, setting_type))

    # -- search, analytics, bulk import and export --

    @staticmethod
    def search_applications(
        user_id: int,
        query: str,
        status: ApplicationStatus | str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """The user's applications matching ``query`` (words, "phrases", prefix*), best first.

        Each hit: ``id``, ``job_title``, ``company``, ``location``, ``status``,
        ``application_date``, ``score``, ``snippet`` (matches in ``**...**``).
        """
        return _run(lambda s: search.search_applications(s, user_id, query, status, limit, offset))

    @staticmethod
    def search_resumes(
        user_id: int, query: str, limit: int = 20, offset: int = 0
    ) -> list[dict[str, Any]]:
        """The user's resumes matching ``query``, best first (``id``, ``filename``, ...)."""
        return _run(lambda s: search.search_resumes(s, user_id, query, limit, offset))

    @staticmethod
    def get_application_funnel(user_id: int, days: int | None = None) -> dict[str, Any]:
        """Applied -> screening -> interview -> offer -> accepted counts and conversion %."""
        return _run(lambda s: insights.funnel(s, user_id, days))

    @staticmethod
    def get_conversion_by_source(user_id: int, days: int | None = None) -> list[dict[str, Any]]:
        """Applications, responses, interviews, offers and their rates per ``source``."""
        return _run(lambda s: insights.conversion_by_source(s, user_id, days))

    @staticmethod
    def get_conversion_by_resume(user_id: int, days: int | None = None) -> list[dict[str, Any]]:
        """Applications, responses, interviews, offers and their rates per resume."""
        return _run(lambda s: insights.conversion_by_resume(s, user_id, days))

    @staticmethod
    def get_time_in_stage(user_id: int) -> list[dict[str, Any]]:
        """Median and 75th percentile days spent in each open status."""
        return _run(lambda s: insights.time_in_stage(s, user_id))

    @staticmethod
    def get_applications_per_week(user_id: int, weeks: int = 12) -> list[dict[str, Any]]:
        """Applications made in each of the last ``weeks`` weeks, oldest first."""
        return _run(lambda s: insights.applications_per_week(s, user_id, weeks))

    @staticmethod
    def get_response_stats(user_id: int, days: int | None = None) -> dict[str, Any]:
        """Response rate and days from applying to the first employer response."""
        return _run(lambda s: insights.response_stats(s, user_id, days))

    @staticmethod
    def get_stale_applications(
        user_id: int, days: int = 14, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Open applications without a status change for ``days`` days, to follow up."""
        return _run(lambda s: insights.stale_applications(s, user_id, days, limit))

    @staticmethod
    def bulk_add_job_applications(
        user_id: int, rows: Iterable[Mapping[str, Any]], on_duplicate: str = "allow"
    ) -> list[int]:
        """Add many applications (each a mapping of ``add_job_application`` fields).

        Every row is validated first; one bad row raises :class:`ValidationError`
        on ``rows[i].field`` and nothing is written. A row may date its past
        with ``status_history``: ``[{"status", "at", "notes"}, ...]``, oldest
        first, none in the future, the last
        being the row's status. Without it the history is one entry: the status
        since the application date. Returns the ids in row order (the existing
        id for a duplicate skipped or updated by ``on_duplicate``).
        """
        return _run(lambda s: bulk.bulk_add(s, user_id, rows, on_duplicate)).ids

    @staticmethod
    def import_applications_csv(
        user_id: int,
        path: str | Path,
        column_map: Mapping[str, str] | None = None,
        on_duplicate: str = "skip",
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import a CSV of applications; returns added / skipped / updated / rejected rows."""
        return _run(
            lambda s: csv_io.import_csv(s, user_id, path, column_map, on_duplicate, progress)
        )

    @staticmethod
    def export_applications_csv(
        user_id: int, path: str | Path, status: ApplicationStatus | str | None = None
    ) -> int:
        """Write the user's applications and their history to a CSV (mode 0600); returns rows."""
        return _run(lambda s: csv_io.export_csv(s, user_id, path, status))


__all__ = ["ApplicationStatus", "BackupManager", "DatabaseUtils"]
