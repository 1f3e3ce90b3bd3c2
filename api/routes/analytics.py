"""``/analytics/*`` and ``/organizations/{id}/analytics/*``: the figures of a pipeline.

Personal analytics cover the actor's own applications; with ``?user_id=``
those of a member the actor coaches (a person they may not read is a 404).
Organization analytics cover all of one organization's members together, for
its coaches, admins and owners: a plain member gets a 403, a non-member a
404. Who may read what is decided in :mod:`database.services.tenancy.analytics`.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, Session
from api.routes.organizations import BASE, found
from api.schemas_analytics import (
    Funnel,
    ResponseStats,
    ResumeConversion,
    SourceConversion,
    StageTime,
    StaleApplication,
    WeekCount,
)
from api.schemas_applications import Statistics
from database.services.tenancy import analytics as tenancy

router = APIRouter(tags=["analytics"])


@router.get("/analytics/statistics", response_model=Statistics)
def read_statistics(
    actor: CurrentActor, session: Session, days: int = 30, user_id: int | None = None
) -> Statistics:
    """All-time totals and the last ``days`` days' activity."""
    return Statistics.model_validate(found(tenancy.statistics(session, actor, days, user_id)))


@router.get("/analytics/funnel", response_model=Funnel)
def read_funnel(
    actor: CurrentActor, session: Session, days: int | None = None, user_id: int | None = None
) -> Funnel:
    """How far the applications (of the last ``days`` days) got, stage by stage."""
    return Funnel.model_validate(found(tenancy.funnel(session, actor, days, user_id)))


@router.get("/analytics/conversion-by-source", response_model=list[SourceConversion])
def read_conversion_by_source(
    actor: CurrentActor, session: Session, days: int | None = None, user_id: int | None = None
) -> list[SourceConversion]:
    """Outcomes per source, most applications first."""
    rows = found(tenancy.conversion_by_source(session, actor, days, user_id))
    return [SourceConversion.model_validate(row) for row in rows]


@router.get("/analytics/conversion-by-resume", response_model=list[ResumeConversion])
def read_conversion_by_resume(
    actor: CurrentActor, session: Session, days: int | None = None, user_id: int | None = None
) -> list[ResumeConversion]:
    """Outcomes per resume, most applications first."""
    rows = found(tenancy.conversion_by_resume(session, actor, days, user_id))
    return [ResumeConversion.model_validate(row) for row in rows]


@router.get("/analytics/time-in-stage", response_model=list[StageTime])
def read_time_in_stage(
    actor: CurrentActor, session: Session, user_id: int | None = None
) -> list[StageTime]:
    """Median and 75th percentile days in each open status, in pipeline order."""
    rows = found(tenancy.time_in_stage(session, actor, user_id))
    return [StageTime.model_validate(row) for row in rows]


@router.get("/analytics/applications-per-week", response_model=list[WeekCount])
def read_applications_per_week(
    actor: CurrentActor, session: Session, weeks: int = 12, user_id: int | None = None
) -> list[WeekCount]:
    """Applications made in each of the last ``weeks`` weeks, oldest first."""
    rows = found(tenancy.applications_per_week(session, actor, weeks, user_id))
    return [WeekCount.model_validate(row) for row in rows]


@router.get("/analytics/response-stats", response_model=ResponseStats)
def read_response_stats(
    actor: CurrentActor, session: Session, days: int | None = None, user_id: int | None = None
) -> ResponseStats:
    """How often and how fast employers respond."""
    return ResponseStats.model_validate(
        found(tenancy.response_stats(session, actor, days, user_id))
    )


@router.get("/analytics/stale-applications", response_model=list[StaleApplication])
def read_stale_applications(
    actor: CurrentActor,
    session: Session,
    days: int = 14,
    limit: int = 50,
    user_id: int | None = None,
) -> list[StaleApplication]:
    """Open applications without a status change for ``days`` days, longest waiting first."""
    rows = found(tenancy.stale_applications(session, actor, days, limit, user_id))
    return [StaleApplication.model_validate(row) for row in rows]


@router.get("/analytics/sources", response_model=list[str])
def read_sources(actor: CurrentActor, session: Session, user_id: int | None = None) -> list[str]:
    """The distinct sources of the applications, sorted."""
    return found(tenancy.sources(session, actor, user_id))


@router.get(f"{BASE}/analytics/funnel", response_model=Funnel)
def read_organization_funnel(
    organization_id: int, actor: CurrentActor, session: Session, days: int | None = None
) -> Funnel:
    """The funnel of all the organization's members' applications together."""
    figures = tenancy.organization_funnel(session, actor, organization_id, days)
    return Funnel.model_validate(found(figures))


@router.get(f"{BASE}/analytics/conversion-by-source", response_model=list[SourceConversion])
def read_organization_conversion_by_source(
    organization_id: int, actor: CurrentActor, session: Session, days: int | None = None
) -> list[SourceConversion]:
    """Outcomes per source over all the organization's members' applications."""
    rows = found(tenancy.organization_conversion_by_source(session, actor, organization_id, days))
    return [SourceConversion.model_validate(row) for row in rows]


@router.get(f"{BASE}/analytics/time-in-stage", response_model=list[StageTime])
def read_organization_time_in_stage(
    organization_id: int, actor: CurrentActor, session: Session
) -> list[StageTime]:
    """Days in each open status over all the organization's members' applications."""
    rows = found(tenancy.organization_time_in_stage(session, actor, organization_id))
    return [StageTime.model_validate(row) for row in rows]
