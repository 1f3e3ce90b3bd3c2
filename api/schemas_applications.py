"""The bodies of the application routes: what a client sends apart from what it reads.

Write models name only the fields a person sets on their own application, so
``id``, ``user_id``, the timestamps and the derived keys are a 422; the values
are checked by the domain, whose :class:`~utils.errors.ValidationError` names
the field. The status is changed through its own route, never by PATCH.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import inspect

from api.schemas import ReadModel, WriteModel


class ApplicationChange(WriteModel):
    """The details of an application a PATCH may change (only the fields given are)."""

    job_title: str | None = None
    company: str | None = None
    location: str | None = None
    job_description: str | None = None
    job_url: str | None = None
    source: str | None = None
    resume_id: int | None = None
    application_date: datetime | None = None
    salary_min: int | None = None
    salary_max: int | None = None
    salary_currency: str | None = None
    job_type: str | None = None
    is_remote: bool | None = None
    match_score: float | None = None
    notes: str | None = None
    interview_date: datetime | None = None
    interview_type: str | None = None

    def changes(self) -> dict[str, Any]:
        """The fields the client sent, to be written."""
        return self.model_dump(exclude_unset=True)


class ApplicationNew(ApplicationChange):
    """A new application: title and company at least, optionally its first status."""

    job_title: str
    company: str
    status: str | None = None

    def fields(self) -> dict[str, Any]:
        """The fields the client gave (the domain supplies the defaults)."""
        return self.model_dump(exclude_none=True)


class TaggedApplicationNew(ApplicationNew):
    """A new application with, optionally, the names of its first tags."""

    tags: list[str] | None = Field(default=None, max_length=20)

    def fields(self) -> dict[str, Any]:
        """The application's fields, without its tags (set once it exists)."""
        return self.model_dump(exclude_none=True, exclude={"tags"})


class StatusChange(WriteModel):
    """A move through the pipeline; ``notes`` belong to the move (its history row)."""

    status: str
    notes: str | None = None
    interview_date: datetime | None = None
    interview_type: str | None = None


class ApplicationRead(ReadModel):
    """An application as its owner (or their coach) sees it."""

    id: int
    user_id: int
    resume_id: int | None
    job_title: str
    company: str
    location: str | None
    job_description: str | None
    job_url: str | None
    source: str | None
    status: str
    application_date: datetime
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    job_type: str | None
    is_remote: bool
    match_score: float | None
    notes: str | None
    interview_date: datetime | None
    interview_type: str | None
    status_changed_at: datetime
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = None
    #: The names of its tags, by name (letter case ignored).
    tags: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _tag_names(cls, value: Any) -> Any:
        """An application object's tags as names; none on a new one returned detached."""
        if isinstance(value, dict) or not hasattr(value, "__table__"):
            return value
        state = inspect(value)
        unloaded = "tags" in state.unloaded and state.session is None
        fields = {name: getattr(value, name) for name in cls.model_fields if name != "tags"}
        return {**fields, "tags": [] if unloaded else [tag.name for tag in value.tags]}


class HistoryEntryRead(ReadModel):
    """One status the application entered."""

    id: int
    application_id: int
    from_status: str | None
    to_status: str
    changed_at: datetime
    notes: str | None


class SearchHit(BaseModel):
    """One application matching a search; ``snippet`` marks the matches with ``**``."""

    id: int
    job_title: str
    company: str
    location: str | None
    status: str
    application_date: datetime
    archived: bool = False
    score: float
    snippet: str | None


class Statistics(BaseModel):
    """The actor's application figures; the period covers the last ``period_days`` days."""

    total_applications: int
    recent_applications: int
    status_breakdown: dict[str, int]
    interview_count: int
    interview_rate: float
    average_match_score: float
    period_days: int


class ArchiveByStatus(WriteModel):
    """Archive every active application of the caller's in these statuses."""

    statuses: list[str] = Field(default=["rejected"], min_length=1, max_length=20)


class ArchiveReport(BaseModel):
    """How many applications a bulk archive archived."""

    archived: int


#: The most rows one bulk request adds.
MAX_BULK_ROWS = 1000


class BulkCreate(WriteModel):
    """Many new applications at once, all or nothing; ``on_duplicate`` as for one."""

    rows: list[ApplicationNew] = Field(max_length=MAX_BULK_ROWS)
    on_duplicate: Literal["allow", "fail", "skip", "update"] = "allow"

    def row_fields(self) -> list[dict[str, Any]]:
        """The fields of each row, as :meth:`ApplicationNew.fields` gives them."""
        return [row.fields() for row in self.rows]


class BulkReport(BaseModel):
    """What a bulk create did: ``ids`` in row order (an existing id for a duplicate)."""

    ids: list[int]
    added: int
    skipped: int
    updated: int


class NoteWrite(WriteModel):
    """The text of a note of an application's log (non-blank; kept as given)."""

    body: str


class NoteRead(ReadModel):
    """One dated note of an application's log."""

    id: int
    application_id: int
    body: str
    created_at: datetime
    updated_at: datetime


class TimelineEntryRead(BaseModel):
    """A status move (``kind`` "status") or a note (``kind`` "note"), in time order."""

    kind: Literal["status", "note"]
    id: int
    at: datetime
    from_status: str | None
    to_status: str | None
    notes: str | None
    body: str | None
