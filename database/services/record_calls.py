"""The ``DatabaseUtils`` calls around the pipeline: search history, AI cache, settings, bulk.

Bulk covers adding many applications at once and CSV import and export; events
are the outbox of every change (:mod:`database.domain.events`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from database.domain import (
    bulk,
    events,
    search_history,
    support,
    users,
)
from database.domain.schemas import require_id
from database.io import csv_io
from database.io.csv_io import ImportReport
from database.models import (
    ApplicationStatus,
    Event,
    SearchHistory,
    SettingType,
    SystemSetting,
)
from database.services.calls import given, run


class RecordCalls:
    """Search history, the AI analysis cache, settings, bulk adds and CSV import/export."""

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
        fields = given(
            job_title=job_title, location=location, keywords=keywords,
            sources_searched=sources_searched, max_results=max_results,
            total_results=total_results, filtered_results=filtered_results,
            applications_made=applications_made, search_duration=search_duration,
        )  # fmt: skip
        return run(lambda s: search_history.add(s, user_id, fields))

    @staticmethod
    def get_search_history(user_id: int, limit: int | None = None) -> list[SearchHistory]:
        """The user's searches, newest first."""
        return run(lambda s: search_history.list_for_user(s, user_id, limit))

    # -- AI analysis cache and settings --------------------------------------

    @staticmethod
    def cache_ai_analysis(
        cache_key: str, analysis_type: str, results: Any, expiry_hours: float = 24
    ) -> bool:
        """Cache ``results`` under ``cache_key`` for ``expiry_hours`` hours."""
        run(lambda s: support.cache_analysis(s, cache_key, analysis_type, results, expiry_hours))
        return True

    @staticmethod
    def get_cached_analysis(cache_key: str) -> Any | None:
        """The cached results, or ``None`` when absent or expired."""
        return run(lambda s: support.cached_analysis(s, cache_key))

    @staticmethod
    def purge_expired_cache() -> int:
        """Delete expired cache entries; returns how many were deleted."""
        return run(support.purge_expired)

    @staticmethod
    def get_setting(key: str, default: Any = None) -> Any:
        """The typed value of a system setting, or ``default``."""
        return run(lambda s: support.get_setting(s, key, default))

    @staticmethod
    def set_setting(
        key: str, value: Any, setting_type: SettingType | str | None = None
    ) -> SystemSetting:
        """Store a system setting; its type is inferred unless given."""
        return run(lambda s: support.set_setting(s, key, value, setting_type))

    # -- bulk import and export ----------------------------------------------

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
        return run(lambda s: bulk.bulk_add(s, user_id, rows, on_duplicate)).ids

    @staticmethod
    def import_applications_csv(
        user_id: int,
        path: str | Path,
        column_map: Mapping[str, str] | None = None,
        on_duplicate: str = "skip",
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportReport:
        """Import a CSV of applications; returns added / skipped / updated / rejected rows."""
        return run(
            lambda s: csv_io.import_csv(s, user_id, path, column_map, on_duplicate, progress)
        )

    @staticmethod
    def export_applications_csv(
        user_id: int, path: str | Path, status: ApplicationStatus | str | None = None
    ) -> int:
        """Write the user's applications and their history to a CSV (mode 0600); returns rows."""
        return run(lambda s: csv_io.export_csv(s, user_id, path, status))

    # -- events ---------------------------------------------------------------

    @staticmethod
    def get_events(user_id: int, since: int = 0, limit: int = 100) -> list[Event]:
        """The person's events after id ``since``, oldest first, at most ``limit`` (1-1000).

        Every change to their data (applications, notes, resumes, imports,
        memberships) wrote one, in the change's transaction. Passing the last
        id received as ``since`` misses none. A trusted local call: it checks
        no actor (the API uses ``tenancy.events.events_since``). An unknown
        user is a :class:`ValidationError` on ``user_id``, as in the listings.
        """
        person = require_id(user_id, "user_id")

        def read(session: Session) -> list[Event]:
            users.ensure_exists(session, person)
            return events.read(session, since, limit, user_ids=[person])

        return run(read)
