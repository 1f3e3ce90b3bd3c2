"""The summary figures of a user's applications: one SQL statement on covering indexes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Dialect

from database.core.statements import fetch_rows, sqlite_time
from database.domain.schemas import require_id
from database.domain.stats.common import check_days, cutoff, ensure_known_user, percent
from database.models import ACTIVE, INTERVIEW_STATUSES, ApplicationStatus
from utils.errors import ValidationError

_STATUS_VALUES = tuple(status.value for status in ApplicationStatus)


def application_statistics(
    conn: Connection, user_id: int, days: int = 30, include_archived: bool = True
) -> dict[str, Any]:
    """The user's application figures; the period covers the last ``days`` days.

    Archived applications count (all-time figures) unless ``include_archived``
    is false: then the figures are of the active applications (the board's
    counts), read through the partial indexes of the active set.

    ``total_applications`` and ``status_breakdown`` (every status value to its
    count) cover all time; ``recent_applications``, ``interview_count`` (recent
    applications that reached an interview or later, from the status history),
    ``interview_rate`` (% of recent, 1 decimal) and ``average_match_score``
    (recent, 1 decimal; 0.0 when none is scored) cover the period.
    """
    days = check_days(days)
    require_id(user_id, "user_id")
    if not isinstance(include_archived, bool):
        raise ValidationError("include_archived", "must be true or false", include_archived)
    sql, cutoff_value = _statement(conn.dialect, not include_archived)
    params = {"user_id": user_id, "cutoff": cutoff_value(cutoff(days))}
    rows = fetch_rows(conn, sql, params)
    ensure_known_user(conn, user_id, len(rows))
    breakdown = dict.fromkeys(_STATUS_VALUES, 0)
    total = recent = scored = 0
    score_sum = 0.0
    for status, count, recent_count, status_score_sum, status_scored, _ in rows:
        breakdown[status] = count
        total += count
        recent += recent_count
        score_sum += status_score_sum or 0.0
        scored += status_scored
    interviews = int(rows[0][5]) if rows else 0
    return {
        "total_applications": total,
        "recent_applications": recent,
        "status_breakdown": breakdown,
        "interview_count": interviews,
        "interview_rate": percent(interviews, recent),
        "average_match_score": round(score_sum / scored, 1) if scored else 0.0,
        "period_days": days,
    }


@functools.cache
def _statement(dialect: Dialect, active_only: bool = False) -> tuple[str, Callable[[Any], Any]]:
    """The statement in the driver's parameter style, and the cutoff's conversion.

    It is sent as driver SQL: the statement is fixed, so building, caching and
    compiling an expression per call would cost more than running it. Per
    status, the breakdown reads (user_id, status, application_date,
    match_score); the recent interviews, one value on every row, read
    (user_id, application_date, id) and probe the history's (application_id,
    ..., to_status) index per recent application. Only indexes are read.
    ``active_only`` adds ``archived_at IS NULL`` as the partial indexes spell it.
    """
    named = dialect.name == "sqlite"  # sqlite3 takes :name, psycopg %(name)s
    user, cutoff = (":user_id", ":cutoff") if named else ("%(user_id)s", "%(cutoff)s")
    interview = ", ".join(f"'{s.value}'" for s in sorted(INTERVIEW_STATUSES))
    recent = f"application_date >= {cutoff}"
    active = f" AND {ACTIVE}" if active_only else ""
    # Only placeholders and the enum's own values are put in the text: no input.
    sql = (
        f"SELECT status, count(*), count(CASE WHEN {recent} THEN 1 END), "  # noqa: S608
        f"sum(CASE WHEN {recent} THEN match_score END), "
        f"count(CASE WHEN {recent} THEN match_score END), "
        "(SELECT count(*) FROM job_applications AS a "
        f"WHERE a.user_id = {user} AND a.application_date >= {cutoff}{active} AND EXISTS ("
        "SELECT 1 FROM application_status_history AS h "
        "WHERE h.application_id = a.id AND h.user_id = a.user_id "
        f"AND h.to_status IN ({interview}))) "
        f"FROM job_applications WHERE user_id = {user}{active} GROUP BY status"
    )
    return sql, sqlite_time if named else _as_is


def _as_is(value: datetime) -> datetime:
    return value  # already timezone-aware UTC: what PostgreSQL's timestamptz takes
