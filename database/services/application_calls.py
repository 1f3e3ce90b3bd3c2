"""The ``DatabaseUtils`` calls about applications: the pipeline, history, notes, listings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.session import db_connection_scope
from database.domain import (
    applications,
    listing,
    notes,
)
from database.domain import tags as tag_rules
from database.domain.duplicates import OnDuplicate, parse_on_duplicate
from database.domain.listing import ApplicationFilter
from database.domain.stats import summary
from database.models import (
    ApplicationNote,
    ApplicationStatus,
    ApplicationStatusHistory,
    JobApplication,
)
from database.services.calls import given, run, target_id
from utils.errors import ValidationError


class ApplicationCalls:
    """The ``DatabaseUtils`` calls about applications: the pipeline, history, notes, listings."""

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
        *,
        tags: Sequence[str] | None = None,
    ) -> JobApplication:
        """Record an application and the first row of its status history.

        ``on_duplicate`` applies when the user already has this posting (same
        normalised ``job_url``, or same company + title + location): ``"allow"``
        adds it anyway, ``"fail"`` raises :class:`ValidationError`, ``"skip"``
        returns the existing application, ``"update"`` updates and returns it.
        ``tags`` (names) are added to it in the same transaction (not to a
        skipped duplicate, which stays unchanged).
        """
        fields = given(
            job_title=job_title, company=company, location=location,
            job_description=job_description, job_url=job_url, status=status, source=source,
            salary_min=salary_min, salary_max=salary_max, job_type=job_type,
            is_remote=is_remote, match_score=match_score, resume_id=resume_id, notes=notes,
            application_date=application_date, interview_date=interview_date,
            interview_type=interview_type, salary_currency=salary_currency,
        )  # fmt: skip
        policy = parse_on_duplicate(on_duplicate)
        if tags is not None:
            names = tag_rules.check_names(tags, "tags")
            return run(lambda s: _add_tagged(s, user_id, fields, policy, names))
        if policy is OnDuplicate.ALLOW:
            # No ORM work to do: a Core transaction, without the cost of a session.
            with db_connection_scope() as conn:
                return applications.add(conn, user_id, fields, policy)
        return run(lambda s: applications.add(s, user_id, fields, policy))

    @staticmethod
    def get_application(application_id: int) -> JobApplication | None:
        """The application, or ``None``; ``user``, ``resume``, ``history``, ``notes_log`` loaded."""
        return run(lambda s: applications.get_detail(s, application_id))

    @staticmethod
    def get_user_applications(
        user_id: int,
        status: ApplicationStatus | str | None = None,
        limit: int | None = None,
        offset: int = 0,
        include_archived: bool = False,
    ) -> list[JobApplication]:
        """The user's applications, newest first, optionally of one status.

        Archived applications are left out unless ``include_archived``.
        """
        return run(
            lambda s: applications.list_for_user(
                s, user_id, status, limit, offset, include_archived
            )
        )

    @staticmethod
    def update_application(*application_id: int, **fields: Any) -> JobApplication:
        """``update_application(application_id, **fields)``: change its details.

        The status is changed with :meth:`update_application_status`.
        """
        target = target_id("application_id", application_id, fields)
        return run(lambda s: applications.update(s, target, fields))

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
        return run(
            lambda s: applications.change_status(
                s, app_id, status, notes, interview_date, interview_type
            )
        )

    @staticmethod
    def get_application_history(application_id: int) -> list[ApplicationStatusHistory]:
        """Every status the application entered, oldest first."""
        return run(lambda s: applications.history(s, application_id))

    @staticmethod
    def delete_application(application_id: int) -> bool:
        """Delete an application and its history."""
        run(lambda s: applications.remove(s, application_id))
        return True

    @staticmethod
    def get_application_statistics(
        user_id: int, days: int = 30, include_archived: bool = True
    ) -> dict[str, Any]:
        """Totals, recent count, status breakdown, interview rate, average match score.

        Archived applications count unless ``include_archived`` is false (the
        active figures, as the board shows them).
        """
        # One read statement: a Core read transaction, without the cost of a session.
        with db_connection_scope(read_only=True) as conn:
            return summary.application_statistics(conn, user_id, days, include_archived)

    @staticmethod
    def find_applications(
        user_id: int,
        filters: ApplicationFilter | dict[str, Any] | None = None,
        limit: int | None = None,
        offset: int = 0,
        include_archived: bool = False,
        archived_only: bool = False,
        *,
        tags: list[str] | None = None,
    ) -> list[JobApplication]:
        """The user's applications matching ``filters``, newest first, their ``tags`` loaded.

        ``filters``: statuses, text (title, company or location), sources,
        date_from, date_to, include_archived, archived_only, tags — an
        :class:`ApplicationFilter` or a dict of them. Archived applications are
        left out unless ``include_archived``; ``archived_only`` lists only them.
        ``tags`` keeps those carrying all of these tags (a tag the user does
        not have: no rows).
        """
        criteria = _archive_view(listing.as_filter(filters), include_archived, archived_only)
        criteria = _tag_view(criteria, tags)
        return run(lambda s: listing.page(s, user_id, criteria, limit, offset))

    @staticmethod
    def count_applications(
        user_id: int,
        filters: ApplicationFilter | dict[str, Any] | None = None,
        include_archived: bool = False,
        archived_only: bool = False,
        *,
        tags: list[str] | None = None,
    ) -> int:
        """How many of the user's applications match ``filters`` (archived and tags as listed)."""
        criteria = _archive_view(listing.as_filter(filters), include_archived, archived_only)
        criteria = _tag_view(criteria, tags)
        return run(lambda s: listing.count(s, user_id, criteria))

    @staticmethod
    def get_application_sources(user_id: int) -> list[str]:
        """The distinct sources of the user's applications, sorted."""
        return run(lambda s: listing.sources(s, user_id))

    @staticmethod
    def get_application_histories(
        application_ids: Sequence[int],
    ) -> dict[int, list[ApplicationStatusHistory]]:
        """The status history of each application, oldest first (unknown ids: [])."""
        return run(lambda s: listing.histories(s, application_ids))

    # -- application notes log and timeline ----------------------------------

    @staticmethod
    def add_application_note(application_id: int, body: str) -> ApplicationNote:
        """Add a dated note to the application's log (non-blank text, kept as given)."""
        return run(lambda s: notes.add(s, application_id, body))

    @staticmethod
    def get_application_note(note_id: int) -> ApplicationNote | None:
        """The note with ``note_id``, or ``None``."""
        return run(lambda s: notes.get(s, note_id))

    @staticmethod
    def get_application_notes(application_id: int) -> list[ApplicationNote]:
        """The application's notes log, oldest first."""
        return run(lambda s: notes.list_for_application(s, application_id))

    @staticmethod
    def update_application_note(note_id: int, body: str) -> ApplicationNote:
        """Replace a note's text; it keeps its place in the log."""
        return run(lambda s: notes.update(s, note_id, body))

    @staticmethod
    def delete_application_note(note_id: int) -> bool:
        """Delete one note of a log. Returns ``True``."""
        run(lambda s: notes.remove(s, note_id))
        return True

    @staticmethod
    def get_application_timeline(application_id: int) -> list[dict[str, Any]]:
        """Status moves and notes in time order: ``kind``, ``at``, ``from_status``, ...

        See :func:`database.domain.notes.timeline` for the keys of each entry.
        """
        return run(lambda s: notes.timeline(s, application_id))


def _archive_view(
    criteria: ApplicationFilter, include_archived: bool, archived_only: bool
) -> ApplicationFilter:
    """``criteria`` widened by the archive flags given as arguments (a flag set stays set)."""
    if not (include_archived or archived_only):
        return criteria
    return dataclasses.replace(
        criteria,
        include_archived=include_archived or criteria.include_archived,
        archived_only=archived_only or criteria.archived_only,
    )


def _tag_view(criteria: ApplicationFilter, tags: list[str] | None) -> ApplicationFilter:
    """``criteria`` narrowed to the applications carrying every one of ``tags`` as well."""
    if tags is None:
        return criteria
    if isinstance(tags, str) or not isinstance(tags, list | tuple):
        raise ValidationError("tags", "must be a list of tag names", tags)
    return dataclasses.replace(criteria, tags=(*criteria.tags, *tags))


def _add_tagged(
    session: Session,
    user_id: int,
    fields: dict[str, Any],
    policy: OnDuplicate,
    names: list[str],
) -> JobApplication:
    """The new (or, by ``policy``, existing) application with ``names`` added to its tags.

    A duplicate skipped keeps its own tags, as it keeps its other fields (and
    as a CSV import's skipped row does).
    """
    before = utcnow()
    application = applications.add(session, user_id, fields, policy)
    skipped = policy is OnDuplicate.SKIP and application.created_at < before
    if names and not skipped:
        tag_rules.add_tags(session, application.id, names)
    found = applications.require(session, application.id)
    found.tags  # noqa: B018 (loaded now, readable once the call returns)
    return found
