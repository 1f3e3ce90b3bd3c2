"""The pipeline stages, and how far each application got, from its status history.

Stages, in pipeline order: ``applied`` < ``screening`` < ``interview``
(interview_scheduled, interviewed, technical_test) < ``offer`` (offer_received,
offer_rejected) < ``accepted`` (offer_accepted). An application *reached* a
stage when any status it ever entered (its history) is at that stage or later;
``rejected`` counts as applied, ``pending`` and a ``withdrawn`` without applying
reach nothing. A *response* is the employer moving the application on:
screening, any interview or offer status, or rejected.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, bindparam, case, func, select

from database.core.column_types import UTCDateTime
from database.domain.stats.common import UserSet
from database.models import ApplicationStatus, ApplicationStatusHistory, JobApplication

S = ApplicationStatus
STAGES = ("applied", "screening", "interview", "offer", "accepted")
#: Each status's stage, as its 1-based position in :data:`STAGES`.
STAGE_RANK = {
    S.APPLIED: 1, S.REJECTED: 1, S.SCREENING: 2,
    S.INTERVIEW_SCHEDULED: 3, S.INTERVIEWED: 3, S.TECHNICAL_TEST: 3,
    S.OFFER_RECEIVED: 4, S.OFFER_REJECTED: 4, S.OFFER_ACCEPTED: 5,
}  # fmt: skip
APPLIED, INTERVIEW, OFFER = 1, 3, 4
RESPONSE_STATUSES = (
    S.SCREENING, S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.TECHNICAL_TEST,
    S.OFFER_RECEIVED, S.OFFER_ACCEPTED, S.OFFER_REJECTED, S.REJECTED,
)  # fmt: skip
#: Statuses that wait on someone; an application in them can go stale.
OPEN_STATUSES = (
    S.PENDING, S.APPLIED, S.SCREENING, S.INTERVIEW_SCHEDULED, S.INTERVIEWED,
    S.TECHNICAL_TEST, S.OFFER_RECEIVED,
)  # fmt: skip

App = JobApplication
History = ApplicationStatusHistory


def owned_by(user_ids: UserSet | None = None) -> ColumnElement[bool]:
    """Whose applications a statement reads: the ``user_id`` bound value's, or ``user_ids``'."""
    if user_ids is None:
        return App.user_id == bindparam("user_id")
    return App.user_id.in_(user_ids)


def reached(with_days: bool, user_ids: UserSet | None = None) -> CTE:
    """One row per application of the user: the furthest stage it reached and its first response.

    Columns ``id``, ``source``, ``resume_id``, ``application_date``,
    ``reached`` (a :data:`STAGE_RANK`, 0 for none) and ``first_response``;
    ``with_days`` keeps the applications made since the ``cutoff`` bound value.
    The user is the ``user_id`` bound value, or any of ``user_ids`` (see :func:`owned_by`).
    """
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
        .where(owned_by(user_ids))
        .group_by(App.id, App.source, App.resume_id, App.application_date)
    )
    if with_days:
        query = query.where(App.application_date >= bindparam("cutoff", type_=UTCDateTime))
    # A CTE: statements that read it several times compute it once.
    return query.cte("per_app")


def count_at(reached_rank: Any, stage: int) -> ColumnElement[int]:
    """How many rows reached ``stage`` (a :data:`STAGE_RANK`) or later; 0 over no rows."""
    return func.coalesce(func.sum(case((reached_rank >= stage, 1), else_=0)), 0)
