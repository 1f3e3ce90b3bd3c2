"""How long things take: time in each status, weekly activity, employer response, stale work.

Every figure is an aggregate computed by the database (on SQLite and
PostgreSQL alike); Python only shapes the few result rows. Percentiles are
``percentile_cont`` on PostgreSQL and the same linear interpolation built from
``ROW_NUMBER``/``COUNT`` windows on SQLite.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, Subquery, bindparam, case, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.core.column_types import UTCDateTime, utcnow
from database.core.paging import Page, PageBounds
from database.domain.schemas import require_id
from database.domain.stats.common import (
    Owner,
    UserSet,
    bind_values,
    check_days,
    check_int,
    check_optional_days,
    check_users,
    cutoff_values,
    days_between,
    ensure_known_user,
    now_param,
    percent,
    statement,
)
from database.domain.stats.stages import (
    APPLIED,
    OPEN_STATUSES,
    App,
    History,
    count_at,
    owned_by,
    reached,
)
from database.models import ApplicationStatus

MAX_WEEKS = 520
MAX_LIMIT = 500
#: Stale applications: a follow-up list, so a limit is required and capped.
STALE_PAGES = PageBounds(limit_required=True, max_limit=MAX_LIMIT)

# Statements are built once per dialect (and variant) with bound parameters:
# building a SQLAlchemy expression costs more than running it on a user's rows.


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _percentiles(dialect: str, source: Any, fractions: tuple[float, ...]) -> Subquery:
    """Per ``source.c.key``: the count and ``percentile_cont`` of ``source.c.value``."""
    if dialect != "sqlite":
        return (
            select(
                source.c.key,
                func.count().label("n"),
                *(
                    func.percentile_cont(f).within_group(source.c.value).label(f"p{i}")
                    for i, f in enumerate(fractions)
                ),
            )
            .group_by(source.c.key)
            .subquery()
        )
    ranked = select(
        source.c.key,
        source.c.value,
        (func.row_number().over(partition_by=source.c.key, order_by=source.c.value) - 1).label(
            "rn"
        ),
        func.count().over(partition_by=source.c.key).label("n"),
    ).subquery()
    columns = []
    for i, fraction in enumerate(fractions):
        position = fraction * (ranked.c.n - 1)
        low = cast(position, Integer)  # floor: the position is never negative
        weight = cast(position, Float) - low
        columns.append(
            func.sum(
                case(
                    (ranked.c.rn == low, ranked.c.value * (1 - weight)),
                    (ranked.c.rn == low + 1, ranked.c.value * weight),
                    else_=0.0,
                )
            ).label(f"p{i}")
        )
    return (
        select(ranked.c.key, func.max(ranked.c.n).label("n"), *columns)
        .group_by(ranked.c.key)
        .subquery()
    )


def _time_in_stage_statement(dialect: str, user_ids: UserSet | None) -> Executable:
    left_at = (
        func.lead(History.changed_at)
        .over(partition_by=History.application_id, order_by=(History.changed_at, History.id))
        .label("left_at")
    )
    spans = (
        select(History.to_status.label("status"), History.changed_at.label("entered"), left_at)
        .join(App, App.id == History.application_id)
        .where(owned_by(user_ids))
        .subquery()
    )
    stays = (
        select(
            spans.c.status.label("key"),
            days_between(
                dialect, func.coalesce(spans.c.left_at, now_param()), spans.c.entered
            ).label("value"),
            case((spans.c.left_at.is_(None), 1), else_=0).label("current"),
        )
        .where(spans.c.status.in_(OPEN_STATUSES))
        .cte("stays")
    )
    figures = _percentiles(dialect, stays, (0.5, 0.75))
    current = (
        select(stays.c.key, func.sum(stays.c.current).label("current"))
        .group_by(stays.c.key)
        .subquery()
    )
    return select(figures, current.c.current).join(current, current.c.key == figures.c.key)


def time_in_stage(session: Session, user_id: int) -> list[dict[str, Any]]:
    """How long applications stay in each open status, in days.

    A stay lasts from entering the status until the next change, or until now
    for applications still in it. Returns ``[{"status": str, "applications":
    int (stays counted), "current": int (still there), "median_days": float,
    "p75_days": float}]`` in pipeline order, for the statuses that occurred.
    """
    return _time_in_stage(session, require_id(user_id, "user_id"))


def time_in_stage_across(session: Session, user_ids: UserSet) -> list[dict[str, Any]]:
    """:func:`time_in_stage` over the applications of all of ``user_ids`` together.

    ``user_ids``: a collection of ids, or a query of them (such as
    ``organizations.readable_user_ids(actor_id, organization_id)``).
    """
    return _time_in_stage(session, check_users(user_ids))


def _time_in_stage(session: Session, owner: Owner) -> list[dict[str, Any]]:
    dialect, params = bind_values(session, owner)
    rows = session.execute(statement(_time_in_stage_statement, owner, dialect), params).all()
    ensure_known_user(session, owner, len(rows))
    by_status = {ApplicationStatus(row.key): row for row in rows}
    return [
        {
            "status": status.value,
            "applications": int(by_status[status].n),
            "current": int(by_status[status].current),
            "median_days": _round(by_status[status].p0),
            "p75_days": _round(by_status[status].p1),
        }
        for status in OPEN_STATUSES
        if status in by_status
    ]


@functools.cache
def _per_week_statement(dialect: str) -> Executable:
    if dialect == "sqlite":
        week = func.date(App.application_date, "weekday 0", "-6 days")
    else:
        week = func.date(func.date_trunc("week", func.timezone("UTC", App.application_date)))
    labelled = week.label("week")
    return (
        select(labelled, func.count())
        .where(
            App.user_id == bindparam("user_id"),
            App.application_date >= bindparam("start", type_=UTCDateTime),
        )
        .group_by(labelled)
    )


def applications_per_week(session: Session, user_id: int, weeks: int = 12) -> list[dict[str, Any]]:
    """Applications made in each of the last ``weeks`` weeks (Monday to Sunday, UTC).

    Returns ``[{"week_start": date (a Monday), "applications": int}]``, oldest
    first, one entry per week including empty ones; the last is this week.
    """
    weeks = check_int(weeks, "weeks", 1, MAX_WEEKS)
    require_id(user_id, "user_id")
    today = utcnow().date()
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    start = datetime(first_monday.year, first_monday.month, first_monday.day, tzinfo=UTC)
    dialect, params = bind_values(session, user_id, start=start)
    rows = session.execute(_per_week_statement(dialect), params).all()
    ensure_known_user(session, user_id, len(rows))
    counts = {_as_date(value): int(n) for value, n in rows}
    return [
        {"week_start": monday, "applications": counts.get(monday, 0)}
        for monday in (first_monday + timedelta(weeks=i) for i in range(weeks))
    ]


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


@functools.cache
def _response_statement(dialect: str, with_days: bool) -> Executable:
    per_app = reached(with_days)
    waits = (
        select(
            literal(1).label("key"),
            days_between(dialect, per_app.c.first_response, per_app.c.application_date).label(
                "value"
            ),
        )
        .where(per_app.c.first_response.is_not(None))
        .subquery()
    )
    median = _percentiles(dialect, waits, (0.5,))
    return select(
        select(count_at(per_app.c.reached, APPLIED)).scalar_subquery().label("applied"),
        select(func.count(per_app.c.first_response)).scalar_subquery().label("responses"),
        select(median.c.p0).scalar_subquery().label("median"),
        select(func.avg(waits.c.value)).scalar_subquery().label("average"),
    )


def response_stats(session: Session, user_id: int, days: int | None = None) -> dict[str, Any]:
    """How often and how fast employers respond.

    Returns ``{"applications": int (reached applied), "responses": int,
    "response_rate": float (%), "median_days_to_first_response": float | None,
    "average_days_to_first_response": float | None}`` (days from the
    application date to the first response, 1 decimal).
    """
    days = check_optional_days(days)
    require_id(user_id, "user_id")
    dialect, params = bind_values(session, user_id, **cutoff_values(days))
    figures = session.execute(_response_statement(dialect, days is not None), params).one()
    applied, responses = int(figures.applied), int(figures.responses)
    ensure_known_user(session, user_id, applied)
    return {
        "applications": applied,
        "responses": responses,
        "response_rate": percent(responses, applied),
        "median_days_to_first_response": _round(figures.median),
        "average_days_to_first_response": _round(figures.average),
    }


@functools.cache
def _stale_statement() -> Executable:
    return (
        select(App.id, App.job_title, App.company, App.status, App.status_changed_at)
        .where(
            App.user_id == bindparam("user_id"),
            App.status.in_(OPEN_STATUSES),
            App.status_changed_at < bindparam("before", type_=UTCDateTime),
        )
        .order_by(App.status_changed_at, App.id)
        .limit(bindparam("limit", type_=Integer))
    )


def stale_applications(
    session: Session, user_id: int, days: int = 14, limit: int = 50
) -> list[dict[str, Any]]:
    """Open applications with no status change for ``days`` days: time to follow up.

    Returns ``[{"id": int, "job_title": str, "company": str, "status": str,
    "status_changed_at": datetime, "days_since_change": int}]``, longest
    waiting first, at most ``limit``.
    """
    days = check_days(days)
    page = Page.of(limit, bounds=STALE_PAGES)
    require_id(user_id, "user_id")
    now = utcnow()
    _dialect, params = bind_values(
        session, user_id, before=now - timedelta(days=days), limit=page.limit
    )
    rows = session.execute(_stale_statement(), params).all()
    ensure_known_user(session, user_id, len(rows))
    return [
        {
            "id": row.id,
            "job_title": row.job_title,
            "company": row.company,
            "status": ApplicationStatus(row.status).value,
            "status_changed_at": row.status_changed_at,
            "days_since_change": (now - row.status_changed_at).days,
        }
        for row in rows
    ]
