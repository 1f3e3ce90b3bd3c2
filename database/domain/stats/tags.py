"""Outcomes per tag: how the applications carrying each of a person's tags fared.

The same reading of the status history as the other statistics (see
:mod:`database.domain.stats.stages`): an application *responded* when the
employer moved it on (screening, any interview or offer status, or
rejected), and reached the interview or offer stage when any status it ever
entered is at that stage or later. An application with several tags counts
once under each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from database.domain.schemas import require_id
from database.domain.stats.common import (
    UserSet,
    bind_values,
    check_optional_days,
    cutoff_values,
    ensure_known_user,
    percent,
    statement,
)
from database.domain.stats.stages import INTERVIEW, OFFER, count_at, reached
from database.models import ApplicationTag, JobApplication, Tag
from utils.errors import ValidationError


def _statement(with_days: bool, active_only: bool, _user_ids: UserSet | None) -> Executable:
    # One person's statistic: their own vocabulary, the ``user_id`` bound value.
    per_app = reached(with_days)
    applications = func.count(per_app.c.id)
    query = (
        select(
            Tag.id.label("tag_id"),
            Tag.name.label("tag"),
            applications.label("applications"),
            func.count(per_app.c.first_response).label("responded"),
            count_at(per_app.c.reached, INTERVIEW).label("interviews"),
            count_at(per_app.c.reached, OFFER).label("offers"),
        )
        .join(ApplicationTag, ApplicationTag.tag_id == Tag.id)
        .join(per_app, per_app.c.id == ApplicationTag.application_id)
        .where(Tag.user_id == bindparam("user_id"))
        .group_by(Tag.id, Tag.name, Tag.name_key)
        .order_by(applications.desc(), Tag.name_key)
    )
    if active_only:
        archived = select(JobApplication.id).where(JobApplication.archived_at.is_not(None))
        query = query.where(per_app.c.id.not_in(archived))
    return query


def tag_statistics(
    session: Session, user_id: int, days: int | None = None, include_archived: bool = True
) -> list[dict[str, Any]]:
    """Outcomes of the user's applications per tag, most applications first.

    ``days`` limits it to applications made in the last ``days`` days;
    archived applications count unless ``include_archived`` is false (as in
    the summary statistics). Returns ``[{"tag_id": int, "tag": str,
    "applications": int, "responded": int, "interviews": int, "offers": int,
    "response_rate": float, "interview_rate": float, "offer_rate": float}]``
    (rates in % of the tag's applications, 1 decimal); a tag no application
    of the period carries is left out.
    """
    days = check_optional_days(days)
    owner = require_id(user_id, "user_id")
    if not isinstance(include_archived, bool):
        raise ValidationError("include_archived", "must be true or false", include_archived)
    _dialect, params = bind_values(session, owner, **cutoff_values(days))
    built = statement(_statement, owner, days is not None, not include_archived)
    rows = session.execute(built, params).all()
    ensure_known_user(session, owner, len(rows))
    return [_row(row) for row in rows]


def _row(row: Any) -> dict[str, Any]:
    applications = int(row.applications)
    return {
        "tag_id": row.tag_id,
        "tag": row.tag,
        "applications": applications,
        "responded": int(row.responded),
        "interviews": int(row.interviews),
        "offers": int(row.offers),
        "response_rate": percent(int(row.responded), applications),
        "interview_rate": percent(int(row.interviews), applications),
        "offer_rate": percent(int(row.offers), applications),
    }
