"""The read models of the analytics routes: the figures of :mod:`database.domain.stats`.

Rates are percentages with 1 decimal; durations are days with 1 decimal.
Every model here is read-only: analytics take their input from the query string.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class FunnelStage(BaseModel):
    """How many applications reached one stage, and the conversion from the one before."""

    stage: str
    count: int
    conversion_rate: float
    percent_of_applied: float


class Funnel(BaseModel):
    """Applied -> screening -> interview -> offer -> accepted."""

    total_applications: int
    stages: list[FunnelStage]


class Outcomes(BaseModel):
    """Applications, responses, interviews and offers of one group, and their rates."""

    applications: int
    responses: int
    interviews: int
    offers: int
    response_rate: float
    interview_rate: float
    offer_rate: float


class SourceConversion(Outcomes):
    """The outcomes of one source (``None``: not recorded)."""

    source: str | None


class ResumeConversion(Outcomes):
    """The outcomes of one resume (``None``: sent without a recorded resume)."""

    resume_id: int | None
    filename: str | None


class StageTime(BaseModel):
    """How long applications stay in one open status."""

    status: str
    applications: int
    current: int
    median_days: float | None
    p75_days: float | None


class WeekCount(BaseModel):
    """Applications made in the week starting ``week_start`` (a Monday, UTC)."""

    week_start: date
    applications: int


class ResponseStats(BaseModel):
    """How often and how fast employers respond."""

    applications: int
    responses: int
    response_rate: float
    median_days_to_first_response: float | None
    average_days_to_first_response: float | None


class StaleApplication(BaseModel):
    """An open application without a status change for a while: time to follow up."""

    id: int
    job_title: str
    company: str
    status: str
    status_changed_at: datetime
    days_since_change: int
