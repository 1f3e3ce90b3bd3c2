"""How far applications get: the stage funnel, and outcomes per source and per resume.

Every figure is an aggregate computed by the database from the status history
(see :mod:`database.domain.stats.stages` for what reaching a stage means);
Python only shapes the few result rows.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.domain.schemas import require_id
from database.domain.stats.common import (
    bind_values,
    check_optional_days,
    cutoff_values,
    ensure_known_user,
    percent,
)
from database.domain.stats.stages import APPLIED, INTERVIEW, OFFER, STAGES, count_at, reached
from database.models import Resume

# Statements are built once per variant with bound parameters: building a
# SQLAlchemy expression costs more than running it on a user's rows.


@functools.cache
def _funnel_statement(with_days: bool) -> Executable:
    per_app = reached(with_days)
    return select(
        func.count(), *(count_at(per_app.c.reached, rank) for rank in range(1, len(STAGES) + 1))
    )


def funnel(session: Session, user_id: int, days: int | None = None) -> dict[str, Any]:
    """How far the user's applications got, stage by stage.

    ``days`` limits it to applications made in the last ``days`` days. Returns
    ``{"total_applications": int, "stages": [{"stage": "applied" | "screening" |
    "interview" | "offer" | "accepted", "count": int, "conversion_rate": float
    (% of the previous stage, 1 decimal; the applied stage: % of all),
    "percent_of_applied": float}]}``.
    """
    days = check_optional_days(days)
    require_id(user_id, "user_id")
    _dialect, params = bind_values(session, user_id, **cutoff_values(days))
    row = session.execute(_funnel_statement(days is not None), params).one()
    total, counts = int(row[0]), [int(n) for n in row[1:]]
    ensure_known_user(session, user_id, total)
    stages = []
    previous = total
    for name, count in zip(STAGES, counts, strict=True):
        stages.append(
            {
                "stage": name,
                "count": count,
                "conversion_rate": percent(count, previous),
                "percent_of_applied": percent(count, counts[0]),
            }
        )
        previous = count
    return {"total_applications": total, "stages": stages}


def _conversion_columns(per_app: Any) -> list[ColumnElement[Any]]:
    return [
        count_at(per_app.c.reached, APPLIED).label("applications"),
        func.count(per_app.c.first_response).label("responses"),
        count_at(per_app.c.reached, INTERVIEW).label("interviews"),
        count_at(per_app.c.reached, OFFER).label("offers"),
    ]


def _conversion_row(key: dict[str, Any], row: Any) -> dict[str, Any]:
    applied = int(row.applications)
    return {
        **key,
        "applications": applied,
        "responses": int(row.responses),
        "interviews": int(row.interviews),
        "offers": int(row.offers),
        "response_rate": percent(int(row.responses), applied),
        "interview_rate": percent(int(row.interviews), applied),
        "offer_rate": percent(int(row.offers), applied),
    }


def _grouped_rows(
    session: Session, user_id: int, days: int | None, statement: Callable[[bool], Executable]
) -> list[Any]:
    """The rows of ``statement(with_days)`` for the user, after checking the input."""
    days = check_optional_days(days)
    require_id(user_id, "user_id")
    _dialect, params = bind_values(session, user_id, **cutoff_values(days))
    rows = session.execute(statement(days is not None), params).all()
    ensure_known_user(session, user_id, len(rows))
    return list(rows)


@functools.cache
def _by_source_statement(with_days: bool) -> Executable:
    per_app = reached(with_days)
    return (
        select(per_app.c.source, *_conversion_columns(per_app))
        .group_by(per_app.c.source)
        .order_by(count_at(per_app.c.reached, APPLIED).desc(), per_app.c.source)
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
    rows = _grouped_rows(session, user_id, days, _by_source_statement)
    return [_conversion_row({"source": row.source}, row) for row in rows]


@functools.cache
def _by_resume_statement(with_days: bool) -> Executable:
    per_app = reached(with_days)
    return (
        select(per_app.c.resume_id, Resume.filename, *_conversion_columns(per_app))
        .outerjoin(Resume, Resume.id == per_app.c.resume_id)
        .group_by(per_app.c.resume_id, Resume.filename)
        .order_by(count_at(per_app.c.reached, APPLIED).desc(), per_app.c.resume_id)
    )


def conversion_by_resume(
    session: Session, user_id: int, days: int | None = None
) -> list[dict[str, Any]]:
    """Outcomes per resume version the applications were sent with.

    Returns ``[{"resume_id": int | None, "filename": str | None, ...the counts
    and rates of :func:`conversion_by_source`}]``, most applications first;
    ``resume_id`` ``None`` gathers applications sent without a recorded resume.
    """
    rows = _grouped_rows(session, user_id, days, _by_resume_statement)
    return [
        _conversion_row({"resume_id": row.resume_id, "filename": row.filename}, row) for row in rows
    ]
