"""Analytics a job seeker can act on, computed in SQL from the status history.

Every figure is an aggregate computed by the database (on SQLite and
PostgreSQL alike); Python only shapes the few result rows. Percentiles are
``percentile_cont`` on PostgreSQL and the same linear interpolation built from
``ROW_NUMBER``/``COUNT`` windows on SQLite.

Stages, in pipeline order: ``applied`` < ``screening`` < ``interview``
(interview_scheduled, interviewed, technical_test) < ``offer`` (offer_received,
offer_rejected) < ``accepted`` (offer_accepted). An application *reached* a
stage when any status it ever entered (its history) is at that stage or later;
``rejected`` counts as applied, ``pending`` and a ``withdrawn`` without applying
reach nothing. A *response* is the employer moving the application on:
screening, any interview or offer status, or rejected.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Float,
    Integer,
    Subquery,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.core.column_types import UTCDateTime, utcnow
from database.domain import users
from database.domain.schemas import require_id
from database.models import ApplicationStatus, ApplicationStatusHistory, JobApplication, Resume
from utils.errors import ValidationError

S = ApplicationStatus
STAGES = ("applied", "screening", "interview", "offer", "accepted")
STAGE_RANK = {
    S.APPLIED: 1, S.REJECTED: 1, S.SCREENING: 2,
    S.INTERVIEW_SCHEDULED: 3, S.INTERVIEWED: 3, S.TECHNICAL_TEST: 3,
    S.OFFER_RECEIVED: 4, S.OFFER_REJECTED: 4, S.OFFER_ACCEPTED: 5,
}  # fmt: skip
RESPONSE_STATUSES = (
    S.SCREENING, S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.TECHNICAL_TEST,
    S.OFFER_RECEIVED, S.OFFER_ACCEPTED, S.OFFER_REJECTED, S.REJECTED,
)  # fmt: skip
#: Statuses that wait on someone; an application in them can go stale.
OPEN_STATUSES = (
    S.PENDING, S.APPLIED, S.SCREENING, S.INTERVIEW_SCHEDULED, S.INTERVIEWED,
    S.TECHNICAL_TEST, S.OFFER_RECEIVED,
)  # fmt: skip
MAX_DAYS = 36_500
MAX_WEEKS = 520
MAX_LIMIT = 500

App = JobApplication
History = ApplicationStatusHistory


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _check_int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field, f"must be an integer from {low} to {high}", value)
    return value


def _known_user(session: Session, user_id: int, found: int) -> None:
    """Nothing found: make sure the user exists (found rows prove it, saving a query)."""
    if not found:
        users.ensure_exists(session, user_id)


def _check_days(days: int | None) -> int | None:
    return None if days is None else _check_int(days, "days", 1, MAX_DAYS)


def _params(session: Session, user_id: int, **extra: Any) -> tuple[str, dict[str, Any]]:
    """The dialect name and the bound values shared by the statements."""
    return session.get_bind().dialect.name, {"user_id": user_id, "now": utcnow(), **extra}


def _cutoff(days: int | None) -> dict[str, Any]:
    return {} if days is None else {"cutoff": utcnow() - timedelta(days=days)}


# Statements are built once per dialect (and variant) with bound parameters:
# building a SQLAlchemy expression costs more than running it on a user's rows.


def _days_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    """``later - earlier`` in days (fractional), in SQL."""
    if dialect == "sqlite":
        return func.julianday(later) - func.julianday(earlier)
    return func.extract("epoch", later - earlier) / 86400.0


def _now() -> ColumnElement[datetime]:
    return bindparam("now", type_=UTCDateTime)


def _reached(with_days: bool) -> CTE:
    """One row per application of the user: the furthest stage it reached and its first response."""
    rank = case(
        {status: value for status, value in STAGE_RANK.items()}, value=History.to_status, else_=0
    )
    first_response = func.min(case((History.to_status.in_(RESPONSE_STATUSES), History.changed_at)))
    query = (
        select(
            App.id.label("id"),
            App.source.label("source"),
            App.resume_id.label("resume_id"),
            App.application_date.label("application_date"),
            func.max(rank).label("reached"),
            first_response.label("first_response"),
        )
        .join(History, History.application_id == App.id)
        .where(App.user_id == bindparam("user_id"))
        .group_by(App.id, App.source, App.resume_id, App.application_date)
    )
    if with_days:
        query = query.where(App.application_date >= bindparam("cutoff", type_=UTCDateTime))
    # A CTE: statements that read it several times compute it once.
    return query.cte("per_app")


def _count_at(reached: Any, stage: int) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((reached >= stage, 1), else_=0)), 0)


@functools.cache
def _funnel_statement(with_days: bool) -> Executable:
    per_app = _reached(with_days)
    return select(
        func.count(), *(_count_at(per_app.c.reached, rank) for rank in range(1, len(STAGES) + 1))
    )


def funnel(session: Session, user_id: int, days: int | None = None) -> dict[str, Any]:
    """How far the user's applications got, stage by stage.

    ``days`` limits it to applications made in the last ``days`` days. Returns
    ``{"total_applications": int, "stages": [{"stage": "applied" | "screening" |
    "interview" | "offer" | "accepted", "count": int, "conversion_rate": float
    (% of the previous stage, 1 decimal; the applied stage: % of all),
    "percent_of_applied": float}]}``.
    """
    days = _check_days(days)
    require_id(user_id, "user_id")
    _dialect, params = _params(session, user_id, **_cutoff(days))
    row = session.execute(_funnel_statement(days is not None), params).one()
    total, counts = int(row[0]), [int(n) for n in row[1:]]
    _known_user(session, user_id, total)
    stages = []
    previous = total
    for name, count in zip(STAGES, counts, strict=True):
        stages.append(
            {
                "stage": name,
                "count": count,
                "conversion_rate": _percent(count, previous),
                "percent_of_applied": _percent(count, counts[0]),
            }
        )
        previous = count
    return {"total_applications": total, "stages": stages}


def _conversion_columns(per_app: Any) -> list[ColumnElement[Any]]:
    return [
        _count_at(per_app.c.reached, 1).label("applications"),
        func.count(per_app.c.first_response).label("responses"),
        _count_at(per_app.c.reached, 3).label("interviews"),
        _count_at(per_app.c.reached, 4).label("offers"),
    ]


def _conversion_row(key: dict[str, Any], row: Any) -> dict[str, Any]:
    applied = int(row.applications)
    return {
        **key,
        "applications": applied,
        "responses": int(row.responses),
        "interviews": int(row.interviews),
        "offers": int(row.offers),
        "response_rate": _percent(int(row.responses), applied),
        "interview_rate": _percent(int(row.interviews), applied),
        "offer_rate": _percent(int(row.offers), applied),
    }


@functools.cache
def _by_source_statement(with_days: bool) -> Executable:
    per_app = _reached(with_days)
    return (
        select(per_app.c.source, *_conversion_columns(per_app))
        .group_by(per_app.c.source)
        .order_by(_count_at(per_app.c.reached, 1).desc(), per_app.c.source)
    )


def conversion_by_source(
    session: Session, user_id: int, days: int | None = None
) -> list[dict[str, Any]]:
    """Outcomes per job board or channel (``source``; ``None`` when not recorded).

    Returns ``[{"source": str | None, "applications": int (reached applied),
    "responses": int, "interviews": int, "offers": int, "response_rate": float,
    "interview_rate": float, "offer_rate": float}]`` (rates in % of
    applications, 1 decimal), most applications first.
    """
    days = _check_days(days)
    require_id(user_id, "user_id")
    _dialect, params = _params(session, user_id, **_cutoff(days))
    rows = session.execute(_by_source_statement(days is not None), params).all()
    _known_user(session, user_id, len(rows))
    return [_conversion_row({"source": row.source}, row) for row in rows]


@functools.cache
def _by_resume_statement(with_days: bool) -> Executable:
    per_app = _reached(with_days)
    return (
        select(per_app.c.resume_id, Resume.filename, *_conversion_columns(per_app))
        .outerjoin(Resume, Resume.id == per_app.c.resume_id)
        .group_by(per_app.c.resume_id, Resume.filename)
        .order_by(_count_at(per_app.c.reached, 1).desc(), per_app.c.resume_id)
    )


def conversion_by_resume(
    session: Session, user_id: int, days: int | None = None
) -> list[dict[str, Any]]:
    """Outcomes per resume version the applications were sent with.

    Returns ``[{"resume_id": int | None, "filename": str | None, ...the counts
    and rates of :func:`conversion_by_source`}]``, most applications first;
    ``resume_id`` ``None`` gathers applications sent without a recorded resume.
    """
    days = _check_days(days)
    require_id(user_id, "user_id")
    _dialect, params = _params(session, user_id, **_cutoff(days))
    rows = session.execute(_by_resume_statement(days is not None), params).all()
    _known_user(session, user_id, len(rows))
    return [
        _conversion_row({"resume_id": row.resume_id, "filename": row.filename}, row) for row in rows
    ]


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


@functools.cache
def _time_in_stage_statement(dialect: str) -> Executable:
    left_at = (
        func.lead(History.changed_at)
        .over(partition_by=History.application_id, order_by=(History.changed_at, History.id))
        .label("left_at")
    )
    spans = (
        select(History.to_status.label("status"), History.changed_at.label("entered"), left_at)
        .join(App, App.id == History.application_id)
        .where(App.user_id == bindparam("user_id"))
        .subquery()
    )
    stays = (
        select(
            spans.c.status.label("key"),
            _days_between(dialect, func.coalesce(spans.c.left_at, _now()), spans.c.entered).label(
                "value"
            ),
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
    require_id(user_id, "user_id")
    dialect, params = _params(session, user_id)
    rows = session.execute(_time_in_stage_statement(dialect), params).all()
    _known_user(session, user_id, len(rows))
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
    weeks = _check_int(weeks, "weeks", 1, MAX_WEEKS)
    require_id(user_id, "user_id")
    today = utcnow().date()
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    start = datetime(first_monday.year, first_monday.month, first_monday.day, tzinfo=UTC)
    dialect, params = _params(session, user_id, start=start)
    rows = session.execute(_per_week_statement(dialect), params).all()
    _known_user(session, user_id, len(rows))
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
    per_app = _reached(with_days)
    waits = (
        select(
            literal(1).label("key"),
            _days_between(dialect, per_app.c.first_response, per_app.c.application_date).label(
                "value"
            ),
        )
        .where(per_app.c.first_response.is_not(None))
        .subquery()
    )
    median = _percentiles(dialect, waits, (0.5,))
    return select(
        select(_count_at(per_app.c.reached, 1)).scalar_subquery().label("applied"),
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
    days = _check_days(days)
    require_id(user_id, "user_id")
    dialect, params = _params(session, user_id, **_cutoff(days))
    figures = session.execute(_response_statement(dialect, days is not None), params).one()
    applied, responses = int(figures.applied), int(figures.responses)
    _known_user(session, user_id, applied)
    return {
        "applications": applied,
        "responses": responses,
        "response_rate": _percent(responses, applied),
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
    days = _check_int(days, "days", 1, MAX_DAYS)
    limit = _check_int(limit, "limit", 1, MAX_LIMIT)
    require_id(user_id, "user_id")
    now = utcnow()
    _dialect, params = _params(session, user_id, before=now - timedelta(days=days), limit=limit)
    rows = session.execute(_stale_statement(), params).all()
    _known_user(session, user_id, len(rows))
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
