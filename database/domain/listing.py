"""Filtered, paged listings of a user's applications, and their histories in bulk.

What a table of applications needs: several criteria at once, a total for
paging, the user's sources for a filter, and the status histories of a whole
page in one query. Functions take a session; bound parameters only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from database.core.keys import tag_key
from database.core.paging import Page
from database.core.statements import DriverQuery, session_dicts
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


@dataclass(frozen=True)
class _Shape:
    """What the statement of a filter depends on besides its values: how many of each."""

    include_archived: bool
    archived_only: bool
    statuses: int
    sources: int
    date_from: bool
    date_to: bool
    tags: int
    text: bool


def _bound(user_id: int, criteria: ApplicationFilter) -> tuple[_Shape, dict[str, Any]]:
    """``criteria`` checked: the shape of its statement and the values bound in it."""
    archive_condition(criteria.include_archived, criteria.archived_only)
    values: dict[str, Any] = {"user_id": user_id}
    statuses = [parse_status(s, "statuses") for s in criteria.statuses]
    values.update((f"status_{i}", status) for i, status in enumerate(statuses))
    sources = [_text(s, "sources") for s in criteria.sources]
    values.update((f"source_{i}", source) for i, source in enumerate(sources))
    date_from = _checked_day(criteria.date_from, "date_from")
    date_to = _checked_day(criteria.date_to, "date_to")
    if date_from is not None:
        values["date_from"] = _day_start(date_from)
    if date_to is not None:
        values["date_to"] = _day_start(date_to + timedelta(days=1))
    keys = _tag_keys(criteria.tags) if criteria.tags else []
    values.update((f"tag_{i}", key) for i, key in enumerate(keys))
    text = _text(criteria.text, "text").strip()
    if text:
        values["pattern"] = _like_pattern(text)
    shape = _Shape(
        criteria.include_archived, criteria.archived_only, len(statuses), len(sources),
        date_from is not None, date_to is not None, len(keys), bool(text),
    )  # fmt: skip
    return shape, values


def _filtered(user_id: int, criteria: ApplicationFilter) -> Select[JobApplication]:
    shape, values = _bound(user_id, criteria)
    return _shaped(shape).params(values)


@lru_cache(maxsize=128)
def _shaped(shape: _Shape) -> Select[JobApplication]:
    """The filter of ``shape`` with its values as named bound parameters (see :func:`_bound`)."""
    app = JobApplication
    query = select(app).where(app.user_id == _bind("user_id"))
    archived = archive_condition(shape.include_archived, shape.archived_only)
    if archived is not None:
        query = query.where(archived)
    if shape.statuses:
        query = query.where(app.status.in_(_binds("status", shape.statuses, app.status)))
    if shape.sources:
        query = query.where(app.source.in_(_binds("source", shape.sources, app.source)))
    if shape.date_from:
        query = query.where(app.application_date >= _bind("date_from"))
    if shape.date_to:
        query = query.where(app.application_date < _bind("date_to"))
    if shape.tags:
        query = query.where(app.id.in_(_tagged_with(shape.tags)))
    if shape.text:
        pattern = _bind("pattern", String())
        query = query.where(
            or_(
                func.lower(app.job_title).like(pattern, escape="\\"),
                func.lower(app.company).like(pattern, escape="\\"),
                func.lower(app.location).like(pattern, escape="\\"),
            )
        )
    return query


def _bind(name: str, kind: Any = None) -> BindParameter[Any]:
    # Not required: ``.params()`` gives its value to a copy that keeps the flag.
    return bindparam(name, type_=kind, required=False)


def _binds(name: str, count: int, column: Any) -> list[BindParameter[Any]]:
    return [_bind(f"{name}_{i}", column.type) for i in range(count)]


def _tag_keys(names: Any) -> list[str]:
    """The distinct keys of the tag ``names``, sorted."""
    if isinstance(names, str) or not isinstance(names, tuple | list):
        raise ValidationError("tags", "must be a list of tag names", names)
    return sorted({tag_key(tags.check_name(name, "tags")) for name in names})


def _tagged_with(count: int) -> Select[Any]:
    """The ids of the user's applications carrying every one of ``count`` bound tag keys."""
    return (
        select(ApplicationTag.application_id)
        .join(Tag, Tag.id == ApplicationTag.tag_id)
        .where(
            Tag.user_id == _bind("user_id"),
            Tag.name_key.in_(_binds("tag", count, Tag.name_key)),
        )
        .group_by(ApplicationTag.application_id)
        .having(func.count(ApplicationTag.tag_id) == count)
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
    _check_user(session, user_id, known_user)
    shape, values = _bound(user_id, criteria)
    window = Page.of(limit, offset)
    if window.limit is not None:
        values["limit"] = window.limit
    if window.offset:
        values["offset"] = window.offset
    session.flush()
    conn = session.connection()
    dialect = conn.dialect
    query = _shown_query(dialect, shape, window.limit is not None, bool(window.offset))
    # The compiled statement's own values (the constants of its shape), then the call's.
    rows = query.rows(conn, query.compiled.construct_params(values))
    if not rows:
        return rows, count(session, user_id, criteria, known_user=True)
    for row in rows:
        row["tags"] = tags.sorted_names(row["tags"], dialect)
        matching = row.pop("total")
    return rows, int(matching)


#: How many compiled pages :func:`_shown_query` keeps (a few shapes are in use at a time).
SHOWN_QUERIES = 256
_shown_queries: dict[tuple[str, _Shape, bool, bool], DriverQuery] = {}


def _shown_query(dialect: Dialect, shape: _Shape, limited: bool, offset: bool) -> DriverQuery:
    """The page of :func:`shown_page` for ``shape``, compiled once per dialect.

    Its values are bound by name, so one compiled statement serves every
    person and every value of the same shape, with no statement built or
    keyed per call.
    """
    key = (dialect.name, shape, limited, offset)
    query = _shown_queries.get(key)
    if query is None:
        filtered = _shaped(shape)
        total = filtered.with_only_columns(func.count(), maintain_column_froms=True)
        columns = (
            *_loaded_columns(),
            tags.names_column(dialect.name),
            total.scalar_subquery().label("total"),
        )
        ordered = newest_first(filtered).with_only_columns(*columns)
        if limited:
            ordered = ordered.limit(_bind("limit", Integer()))
        if offset:
            ordered = ordered.offset(_bind("offset", Integer()))
        query = DriverQuery(ordered, dialect)
        if len(_shown_queries) >= SHOWN_QUERIES:
            _shown_queries.clear()
        _shown_queries[key] = query
    return query


def _check_user(session: Session, user_id: int, known_user: bool) -> None:
    if not known_user:
        users.ensure_exists(session, user_id)


def _checked_filter(
    session: Session, user_id: int, criteria: ApplicationFilter, known_user: bool
) -> Select[JobApplication]:
    _check_user(session, user_id, known_user)
    return _filtered(user_id, criteria)


def newest_first(filtered: Select[Any]) -> Select[Any]:
    """The listing's one order: newest application first, the id breaking ties (stable pages)."""
    return filtered.order_by(JobApplication.application_date.desc(), JobApplication.id.desc())


def _ordered(
    filtered: Select[JobApplication], limit: int | None, offset: int, *columns: ColumnElement[Any]
) -> Select[Any]:
    window = Page.of(limit, offset)
    query = newest_first(filtered)
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
