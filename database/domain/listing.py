"""Filtered, paged listings of a user's applications, and their histories in bulk.

What a table of applications needs: several criteria at once, a total for
paging, the user's sources for a filter, and the status histories of a whole
page in one query. Functions take a session; bound parameters only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, func, inspect, or_, select
from sqlalchemy.orm import Session

from database.core.keys import tag_key
from database.core.paging import Page
from database.core.statements import session_dicts
from database.domain import tags, users
from database.domain.schemas import check_text, parse_status, require_id
from database.models import (
    ApplicationStatus,
    ApplicationStatusHistory,
    ApplicationTag,
    JobApplication,
    Tag,
)
from utils.errors import ValidationError

#: How many ids go into one ``IN (...)`` list.
CHUNK = 500


@dataclass(frozen=True)
class ApplicationFilter:
    """Which of a user's applications to show; empty criteria match everything.

    ``text`` matches job title, company or location, ignoring letter case;
    ``date_from`` and ``date_to`` are inclusive days (UTC). Archived
    applications are left out unless ``include_archived``; ``archived_only``
    keeps only them (the "Archived" view). ``tags`` keeps the applications
    carrying every one of them (letter case ignored; a tag the user does not
    have matches nothing). Values are checked when the filter is used, so a
    bad one is a :class:`ValidationError`.
    """

    statuses: tuple[ApplicationStatus | str, ...] = ()
    text: str = ""
    sources: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    include_archived: bool = False
    archived_only: bool = False
    tags: tuple[str, ...] = ()

    def describe(self) -> str:
        """A one-line description of the period, for reports."""
        start = self.date_from.isoformat() if self.date_from else "the beginning"
        end = self.date_to.isoformat() if self.date_to else "today"
        return f"{start} to {end}"


def as_filter(criteria: ApplicationFilter | Mapping[str, Any] | None) -> ApplicationFilter:
    """``criteria`` as an :class:`ApplicationFilter` (``None``: no filter)."""
    if criteria is None:
        return ApplicationFilter()
    if isinstance(criteria, ApplicationFilter):
        return criteria
    if not isinstance(criteria, Mapping):
        raise ValidationError("filters", "must be an ApplicationFilter or a dict", criteria)
    known = {f.name for f in fields(ApplicationFilter)}
    for name in criteria:
        if name not in known:
            raise ValidationError(name, "is not a known filter", criteria[name])
    values = dict(criteria)
    for name in ("statuses", "sources", "tags"):
        if name in values and not isinstance(values[name], tuple):
            values[name] = tuple(values[name])
    return ApplicationFilter(**values)


def _checked_day(value: object, field: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ValidationError(field, "must be a date", value)


MAX_FILTER_TEXT = 200


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError(field, "must be text", value)
    if len(value) > MAX_FILTER_TEXT:  # longer than any column it is matched against
        raise ValidationError(field, f"must be at most {MAX_FILTER_TEXT} characters")
    return check_text(value, field)


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def archive_condition(
    include_archived: bool = False, archived_only: bool = False
) -> ColumnElement[bool] | None:
    """The condition on ``archived_at`` of a listing; ``None`` when every application counts.

    The active set is ``archived_at IS NULL`` as written, the condition of the
    partial indexes (:data:`~database.models.ACTIVE`), so the planner uses them.
    """
    for name, value in (("include_archived", include_archived), ("archived_only", archived_only)):
        if not isinstance(value, bool):
            raise ValidationError(name, "must be true or false", value)
    if archived_only:
        return JobApplication.archived_at.is_not(None)
    return None if include_archived else JobApplication.archived_at.is_(None)


def _filtered(user_id: int, criteria: ApplicationFilter) -> Select[JobApplication]:
    app = JobApplication
    query = select(app).where(app.user_id == user_id)
    archived = archive_condition(criteria.include_archived, criteria.archived_only)
    if archived is not None:
        query = query.where(archived)
    if criteria.statuses:
        query = query.where(
            app.status.in_([parse_status(s, "statuses") for s in criteria.statuses])
        )
    if criteria.sources:
        query = query.where(app.source.in_([_text(s, "sources") for s in criteria.sources]))
    date_from = _checked_day(criteria.date_from, "date_from")
    date_to = _checked_day(criteria.date_to, "date_to")
    if date_from is not None:
        query = query.where(app.application_date >= _day_start(date_from))
    if date_to is not None:
        query = query.where(app.application_date < _day_start(date_to + timedelta(days=1)))
    if criteria.tags:
        query = query.where(app.id.in_(_tagged_with(user_id, criteria.tags)))
    text = _text(criteria.text, "text").strip()
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


def _tagged_with(user_id: int, names: Any) -> Select[Any]:
    """The ids of the user's applications carrying every tag of ``names``."""
    if isinstance(names, str) or not isinstance(names, tuple | list):
        raise ValidationError("tags", "must be a list of tag names", names)
    keys = {tag_key(tags.check_name(name, "tags")) for name in names}
    return (
        select(ApplicationTag.application_id)
        .join(Tag, Tag.id == ApplicationTag.tag_id)
        .where(Tag.user_id == user_id, Tag.name_key.in_(sorted(keys)))
        .group_by(ApplicationTag.application_id)
        .having(func.count(ApplicationTag.tag_id) == len(keys))
    )


def count(
    session: Session, user_id: int, criteria: ApplicationFilter, *, known_user: bool = False
) -> int:
    """How many of the user's applications match ``criteria``.

    An unknown user is a :class:`ValidationError`, unless the caller vouches
    with ``known_user`` that the user exists (an authenticated actor listing
    their own), which saves the probe.
    """
    if not known_user:
        users.ensure_exists(session, user_id)
    # The filters join nothing, so a plain count over them counts each application once.
    counted = _filtered(user_id, criteria).with_only_columns(
        func.count().label("count"), maintain_column_froms=True
    )
    return int(session_dicts(session, counted)[0]["count"] or 0)


def page(
    session: Session,
    user_id: int,
    criteria: ApplicationFilter,
    limit: int | None = None,
    offset: int = 0,
    *,
    known_user: bool = False,
) -> list[JobApplication]:
    """The matching applications, newest first, ``limit`` at a time from ``offset``.

    ``known_user`` as in :func:`count`.
    """
    query = _page(session, user_id, criteria, limit, offset, known_user)
    # The tags of the whole page in one more query: a list shows them on every row.
    return list(session.scalars(query.options(tags.loaded(user_id))))


def page_rows(
    session: Session,
    user_id: int,
    criteria: ApplicationFilter,
    limit: int | None = None,
    offset: int = 0,
    *,
    known_user: bool = False,
) -> list[dict[str, Any]]:
    """:func:`page` as plain rows: each application's loaded columns by name, no ORM objects.

    For a caller that only shows them (a response body): the same statement,
    read on the driver's cursor (:func:`~database.core.statements.fetch_dicts`).
    ``known_user`` as in :func:`count`.
    """
    filtered = _checked_filter(session, user_id, criteria, known_user)
    return session_dicts(session, _ordered(filtered, limit, offset, *_loaded_columns()))


def shown_page(
    session: Session,
    user_id: int,
    criteria: ApplicationFilter,
    limit: int | None = None,
    offset: int = 0,
    *,
    known_user: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """:func:`page_rows` with each row's ``tags`` (names, by name), and :func:`count`.

    One statement reads the page, its tags and the count, so all three are
    one snapshot; a page past the end costs one more, for the count.
    """
    filtered = _checked_filter(session, user_id, criteria, known_user)
    dialect = session.get_bind().dialect
    total = filtered.with_only_columns(func.count(), maintain_column_froms=True)
    columns = (
        *_loaded_columns(),
        tags.names_column(dialect.name),
        total.scalar_subquery().label("total"),
    )
    rows = session_dicts(session, _ordered(filtered, limit, offset, *columns))
    if not rows:
        return rows, count(session, user_id, criteria, known_user=True)
    for row in rows:
        row["tags"] = tags.sorted_names(row["tags"], dialect)
        matching = row.pop("total")
    return rows, int(matching)


def _checked_filter(
    session: Session, user_id: int, criteria: ApplicationFilter, known_user: bool
) -> Select[JobApplication]:
    if not known_user:
        users.ensure_exists(session, user_id)
    return _filtered(user_id, criteria)


def _ordered(
    filtered: Select[JobApplication], limit: int | None, offset: int, *columns: ColumnElement[Any]
) -> Select[Any]:
    window = Page.of(limit, offset)
    query = filtered.order_by(JobApplication.application_date.desc(), JobApplication.id.desc())
    return window.apply(query.with_only_columns(*columns) if columns else query)


def _page(
    session: Session,
    user_id: int,
    criteria: ApplicationFilter,
    limit: int | None,
    offset: int,
    known_user: bool,
) -> Select[JobApplication]:
    return _ordered(_checked_filter(session, user_id, criteria, known_user), limit, offset)


@cache
def _loaded_columns() -> tuple[ColumnElement[Any], ...]:
    """The columns an application object loads (its deferred ones left out), labelled by key."""
    return tuple(
        prop.columns[0].label(prop.key)
        for prop in inspect(JobApplication).column_attrs
        if not prop.deferred
    )


def sources(session: Session, user_id: int) -> list[str]:
    """The distinct sources of the user's applications, sorted."""
    users.ensure_exists(session, user_id)
    query = (
        select(JobApplication.source)
        .distinct()
        .where(JobApplication.user_id == user_id, JobApplication.source.is_not(None))
    )
    return sorted(str(s) for s in session.scalars(query))


def histories(
    session: Session, application_ids: Sequence[int]
) -> dict[int, list[ApplicationStatusHistory]]:
    """The status history of each application, oldest first, a few queries in all.

    Unknown ids map to an empty list.
    """
    if not isinstance(application_ids, list | tuple | set | frozenset | range):
        raise ValidationError("application_ids", "must be a list of application ids")
    ids = [require_id(i, "application_ids") for i in application_ids]
    result: dict[int, list[ApplicationStatusHistory]] = {i: [] for i in ids}
    for start in range(0, len(ids), CHUNK):
        rows = session.scalars(
            select(ApplicationStatusHistory)
            .where(ApplicationStatusHistory.application_id.in_(ids[start : start + CHUNK]))
            .order_by(ApplicationStatusHistory.changed_at, ApplicationStatusHistory.id)
        )
        for row in rows:
            result[row.application_id].append(row)
    return result
