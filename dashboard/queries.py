"""Reads the dashboard needs that ``DatabaseUtils`` does not offer (yet).

Listing profiles, filtering applications by several criteria at once with a
count for paging, and loading many status histories in one query. Each is one
read-only transaction through :func:`database.connection.db_session_scope`,
built with the ORM and bound parameters only; pages never hold queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from database.connection import db_session_scope
from database.models import ApplicationStatus, ApplicationStatusHistory, JobApplication, User
from database.schemas import require_id

_CHUNK = 500


@dataclass(frozen=True)
class Profile:
    """One local profile, as the profile selector shows it."""

    id: int
    email: str
    name: str


@dataclass(frozen=True)
class ApplicationFilter:
    """Which of a user's applications to show; empty criteria match everything."""

    statuses: tuple[ApplicationStatus, ...] = ()
    text: str = ""
    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        """A one-line description of the period, for reports."""
        start = self.date_from.isoformat() if self.date_from else "the beginning"
        end = self.date_to.isoformat() if self.date_to else "today"
        return f"{start} to {end}"


def list_profiles() -> list[Profile]:
    """Every local profile, by name."""
    with db_session_scope() as session:
        users = session.scalars(select(User).order_by(User.first_name, User.email)).all()
        return [Profile(u.id, u.email, u.full_name) for u in users]


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(user_id: int, criteria: ApplicationFilter) -> Select[JobApplication]:
    app = JobApplication
    query = select(app).where(app.user_id == require_id(user_id, "user_id"))
    if criteria.statuses:
        query = query.where(app.status.in_([s.value for s in criteria.statuses]))
    if criteria.sources:
        query = query.where(app.source.in_(list(criteria.sources)))
    if criteria.date_from is not None:
        query = query.where(app.application_date >= _day_start(criteria.date_from))
    if criteria.date_to is not None:
        query = query.where(app.application_date < _day_start(criteria.date_to + timedelta(days=1)))
    text = criteria.text.strip()
    if text:
        pattern = _like_pattern(text)
        query = query.where(
            or_(
                func.lower(app.job_title).like(pattern, escape="\\"),
                func.lower(app.company).like(pattern, escape="\\"),
                func.lower(app.location).like(pattern, escape="\\"),
            )
        )
    return query


def count_applications(user_id: int, criteria: ApplicationFilter) -> int:
    """How many of the user's applications match ``criteria``."""
    inner = _filtered(user_id, criteria).with_only_columns(JobApplication.id).subquery()
    with db_session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def _ordered(query: Select[JobApplication]) -> Select[JobApplication]:
    return query.order_by(JobApplication.application_date.desc(), JobApplication.id.desc())


def page_of_applications(
    user_id: int, criteria: ApplicationFilter, limit: int, offset: int
) -> list[JobApplication]:
    """One page of the matching applications, newest first."""
    query = _ordered(_filtered(user_id, criteria)).limit(limit).offset(offset)
    with db_session_scope() as session:
        return list(session.scalars(query))


def iter_applications(user_id: int, criteria: ApplicationFilter) -> Iterator[JobApplication]:
    """Every matching application, newest first, read in chunks (for exports)."""
    offset = 0
    while True:
        chunk = page_of_applications(user_id, criteria, _CHUNK, offset)
        yield from chunk
        if len(chunk) < _CHUNK:
            return
        offset += _CHUNK


def sources(user_id: int) -> list[str]:
    """The distinct sources of the user's applications, sorted."""
    query = (
        select(JobApplication.source)
        .distinct()
        .where(JobApplication.user_id == require_id(user_id, "user_id"))
        .where(JobApplication.source.is_not(None))
    )
    with db_session_scope() as session:
        return sorted(str(s) for s in session.scalars(query))


def _histories(session: Session, ids: Sequence[int]) -> dict[int, list[ApplicationStatusHistory]]:
    rows = session.scalars(
        select(ApplicationStatusHistory)
        .where(ApplicationStatusHistory.application_id.in_(list(ids)))
        .order_by(ApplicationStatusHistory.changed_at, ApplicationStatusHistory.id)
    )
    result: dict[int, list[ApplicationStatusHistory]] = {i: [] for i in ids}
    for row in rows:
        result[row.application_id].append(row)
    return result


def histories(ids: Sequence[int]) -> dict[int, list[ApplicationStatusHistory]]:
    """The status history of each application in ``ids``, oldest first, in few queries."""
    result: dict[int, list[ApplicationStatusHistory]] = {}
    with db_session_scope() as session:
        for start in range(0, len(ids), _CHUNK):
            result.update(_histories(session, ids[start : start + _CHUNK]))
    return result
