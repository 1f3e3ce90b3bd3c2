"""The ``DatabaseUtils`` calls that search and measure: full-text search and statistics."""

from __future__ import annotations

from typing import Any

from database.domain import search
from database.domain.stats import conversion, timing
from database.models import ApplicationStatus
from database.services.calls import run


class InsightCalls:
    """The ``DatabaseUtils`` calls that search and measure: full-text search and statistics."""

    # -- search and statistics ------------------------------------------------

    @staticmethod
    def search_applications(
        user_id: int,
        query: str,
        status: ApplicationStatus | str | None = None,
        limit: int = 20,
        offset: int = 0,
        include_archived: bool = True,
    ) -> list[dict[str, Any]]:
        """The user's applications matching ``query`` (words, "phrases", prefix*), best first.

        Each hit: ``id``, ``job_title``, ``company``, ``location``, ``status``,
        ``application_date``, ``archived``, ``score``, ``snippet`` (matches in
        ``**...**``). Archived applications are found too (flagged) unless
        ``include_archived`` is false.
        """
        return run(
            lambda s: search.search_applications(
                s, user_id, query, status, limit, offset, include_archived
            )
        )

    @staticmethod
    def search_resumes(
        user_id: int, query: str, limit: int = 20, offset: int = 0
    ) -> list[dict[str, Any]]:
        """The user's resumes matching ``query``, best first (``id``, ``filename``, ...)."""
        return run(lambda s: search.search_resumes(s, user_id, query, limit, offset))

    @staticmethod
    def get_application_funnel(user_id: int, days: int | None = None) -> dict[str, Any]:
        """Applied -> screening -> interview -> offer -> accepted counts and conversion %."""
        return run(lambda s: conversion.funnel(s, user_id, days))

    @staticmethod
    def get_conversion_by_source(user_id: int, days: int | None = None) -> list[dict[str, Any]]:
        """Applications, responses, interviews, offers and their rates per ``source``."""
        return run(lambda s: conversion.conversion_by_source(s, user_id, days))

    @staticmethod
    def get_conversion_by_resume(user_id: int, days: int | None = None) -> list[dict[str, Any]]:
        """Applications, responses, interviews, offers and their rates per resume."""
        return run(lambda s: conversion.conversion_by_resume(s, user_id, days))

    @staticmethod
    def get_time_in_stage(user_id: int) -> list[dict[str, Any]]:
        """Median and 75th percentile days spent in each open status."""
        return run(lambda s: timing.time_in_stage(s, user_id))

    @staticmethod
    def get_applications_per_week(user_id: int, weeks: int = 12) -> list[dict[str, Any]]:
        """Applications made in each of the last ``weeks`` weeks, oldest first."""
        return run(lambda s: timing.applications_per_week(s, user_id, weeks))

    @staticmethod
    def get_response_stats(user_id: int, days: int | None = None) -> dict[str, Any]:
        """Response rate and days from applying to the first employer response."""
        return run(lambda s: timing.response_stats(s, user_id, days))

    @staticmethod
    def get_stale_applications(
        user_id: int, days: int = 14, limit: int = 50
    ) -> list[dict[str, Any]]:
        """Open applications without a status change for ``days`` days, to follow up."""
        return run(lambda s: timing.stale_applications(s, user_id, days, limit))
