"""Statistics over a user's applications, computed by SQL aggregates."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, case, distinct, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database import users
from database.column_types import UTCDateTime, utcnow
from database.models import (
    INTERVIEW_STATUSES,
    ApplicationStatus,
    ApplicationStatusHistory,
    JobApplication,
)
from database.schemas import require_id
from utils.errors import ValidationError

MAX_DAYS = 36_500


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def application_statistics(session: Session, user_id: int, days: int = 30) -> dict[str, Any]:
    """The user's application figures; the period covers the last ``days`` days.

    ``total_applications`` and ``status_breakdown`` (every status value to its
    count) cover all time; ``recent_applications``, ``interview_count`` (recent
    applications that reached an interview or later, from the status history),
    ``interview_rate`` (% of recent, 1 decimal) and ``average_match_score``
    (recent, 1 decimal; 0.0 when none is scored) cover the period.
    """
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationError("days", f"must be an integer from 1 to {MAX_DAYS}", days)
    require_id(user_id, "user_id")
    cutoff = utcnow() - timedelta(days=days)
    rows = session.execute(_breakdown_statement(), {"user_id": user_id, "cutoff": cutoff}).all()
    if not rows:  # rows found prove the user exists, saving a query
        users.ensure_exists(session, user_id)
    breakdown = {status.value: 0 for status in ApplicationStatus}
    total = recent = scored = 0
    score_sum = 0.0
    for status, count, recent_count, status_score_sum, status_scored in rows:
        breakdown[ApplicationStatus(status).value] = int(count)
        total += int(count)
        recent += int(recent_count or 0)
        score_sum += float(status_score_sum or 0.0)
        scored += int(status_scored or 0)
    interviews = _recent_interviews(session, user_id, cutoff) if recent else 0
    return {
        "total_applications": total,
        "recent_applications": recent,
        "status_breakdown": breakdown,
        "interview_count": interviews,
        "interview_rate": _percent(interviews, recent),
        "average_match_score": round(score_sum / scored, 1) if scored else 0.0,
        "period_days": days,
    }


@functools.cache
def _breakdown_statement() -> Executable:
    # Built once with bound parameters: building the expression costs more than running it.
    app = JobApplication
    is_recent = app.application_date >= bindparam("cutoff", type_=UTCDateTime)
    return (
        select(
            app.status,
            func.count(),
            func.sum(case((is_recent, 1), else_=0)),
            func.sum(case((is_recent, app.match_score))),
            func.count(case((is_recent, app.match_score))),
        )
        .where(app.user_id == bindparam("user_id"))
        .group_by(app.status)
    )


@functools.cache
def _interviews_statement() -> Executable:
    history = ApplicationStatusHistory
    return (
        select(func.count(distinct(JobApplication.id)))
        .join(history, history.application_id == JobApplication.id)
        .where(
            JobApplication.user_id == bindparam("user_id"),
            JobApplication.application_date >= bindparam("cutoff", type_=UTCDateTime),
            history.to_status.in_(sorted(INTERVIEW_STATUSES)),
        )
    )


def _recent_interviews(session: Session, user_id: int, cutoff: Any) -> int:
    found = session.scalar(_interviews_statement(), {"user_id": user_id, "cutoff": cutoff})
    return int(found or 0)
