"""How far applications get: the stage funnel, and outcomes per source and per resume.

Every figure is an aggregate computed by the database from the status history
(see :mod:`database.domain.stats.stages` for what reaching a stage means);
Python only shapes the few result rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.domain.schemas import require_id
from database.domain.stats.common import (
    Owner,
    UserSet,
    bind_values,
    check_optional_days,
    check_users,
    cutoff_values,
    ensure_known_user,
    percent,
    statement,
)
from database.domain.stats.stages import APPLIED, INTERVIEW, OFFER, STAGES, count_at, reached
from database.models import Resume

# Statements are built once per variant with bound parameters: building a
# SQLAlchemy expression costs more than running it on a user's rows. Each
# statistic also has an ``*_across`` form over a set of users together.


def _funnel_statement(with_days: bool, user_ids: UserSet | None) -> Executable:
    per_app = reached(with_days, user_ids)
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
    return _funnel(session, require_id(user_id, "user_id"), days)


def funnel_across(session: Session, user_ids: UserSet, days: int | None = None) -> dict[str, Any]:
    """:func:`funnel` over the applications of all of ``user_ids`` together.

    ``user_ids``: a collection of ids, or a query of them (such as
    ``organizations.readable_user_ids(actor_id, organization_id)``).
    """
    days = check_optional_days(days)
    return _funnel(session, check_users(user_ids), days)


def _funnel(session: Session, owner: Owner, days: int | None) -> dict[str, Any]:
    _dialect, params = bind_values(session, owner, **cutoff_values(days))
    row = session.execute(statement(_funnel_statement, owner, days is not None), params).one()
    total, counts = int(row[0]), [int(n) for n in row[1:]]
    ensure_known_user(session, owner, total)
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
    session: Session, owner: Owner, days: int | None, build: Callable[..., Executable]
) -> list[Any]:
    """The rows of ``build``'s statement for ``owner`` (the input already checked)."""
    _dialect, params = bind_values(session, owner, **cutoff_values(days))
    rows = session.execute(statement(build, owner, days is not None), params).all()
    ensure_known_user(session, owner, len(rows))
    return list(rows)


def _by_source_statement(with_days: bool, user_ids: UserSet | None) -> Executable:
    per_app = reached(with_days, user_ids)
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
    days = check_optional_days(days)
    return _by_source(session, require_id(user_id, "user_id"), days)


def conversion_by_source_across(
    session: Session, user_ids: UserSet, days: int | None = None
) -> list[dict[str, Any]]:
    """:func:`conversion_by_source` over the applications of all of ``user_ids`` together."""
    days = check_optional_days(days)
    return _by_source(session, check_users(user_ids), days)


def _by_source(session: Session, owner: Owner, days: int | None) -> list[dict[str, Any]]:
    rows = _grouped_rows(session, owner, days, _by_source_statement)
    return [_conversion_row({"source": row.source}, row) for row in rows]


def _by_resume_statement(with_days: bool, user_ids: UserSet | None) -> Executable:
    per_app = reached(with_days, user_ids)
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
    days = check_optional_days(days)
    rows = _grouped_rows(session, require_id(user_id, "user_id"), days, _by_resume_statement)
    return [
        _conversion_row({"resume_id": row.resume_id, "filename": row.filename}, row) for row in rows
    ]
