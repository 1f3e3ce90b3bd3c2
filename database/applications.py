"""Job applications and their status history.

Every status an application enters is a row of ``application_status_history``,
written in the same transaction as the change itself.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, null, select
from sqlalchemy.orm import Session

from database import duplicates, resumes, users
from database.column_types import utcnow
from database.duplicates import OnDuplicate
from database.models import ApplicationStatus, ApplicationStatusHistory, JobApplication
from database.records import apply_changes, check_salary_range
from database.schemas import (
    ApplicationCreate,
    ApplicationFields,
    InputModel,
    LongText,
    ShortText,
    UTCTime,
    parse_status,
    require_id,
    validate,
)
from utils.errors import ValidationError


def add(
    session: Session,
    user_id: int,
    fields: Mapping[str, Any],
    on_duplicate: OnDuplicate | str = OnDuplicate.ALLOW,
) -> JobApplication:
    """A new application and the history row of its first status.

    When the user already has the same posting (see :mod:`database.duplicates`),
    ``on_duplicate`` decides: ``"allow"`` (default) adds it anyway, ``"fail"``
    raises :class:`ValidationError`, ``"skip"`` returns the existing application
    unchanged and ``"update"`` returns it with the new values written in.
    """
    policy = duplicates.parse_on_duplicate(on_duplicate)
    values = dict(fields)
    if "status" in values:
        values["status"] = parse_status(values["status"])
    data = validate(ApplicationCreate, values)
    if session.get_bind().dialect.name == "sqlite" or policy is not OnDuplicate.ALLOW:
        # PostgreSQL names the violated foreign key, so the insert itself checks the user.
        users.ensure_exists(session, user_id)
    else:
        require_id(user_id, "user_id")
    if data.resume_id is not None:
        resumes.require_owned(session, data.resume_id, user_id)
    given = data.model_dump(exclude_none=True)
    keys = duplicates.keys_for(given)
    if policy is not OnDuplicate.ALLOW:
        existing_id = duplicates.find_existing(session, user_id, keys)
        if existing_id is not None:
            return _resolve_duplicate(session, existing_id, given, keys, policy)
    now = utcnow()
    row = {
        **given,
        **keys,
        "user_id": user_id,
        "application_date": given.get("application_date", now),
        "status_changed_at": now,
        "created_at": now,
        "updated_at": now,
    }
    return _insert_with_history(session, row)


def _insert_with_history(session: Session, row: dict[str, Any]) -> JobApplication:
    """Insert the application and its first history row, returning the loaded object.

    The statements are built once with a bound parameter per column, so each call
    reuses the compiled SQL and skips the unit of work; on PostgreSQL both inserts
    travel in one statement (data-modifying CTEs): one round trip instead of two.
    """
    add_application, add_history = _insert_statements(session.get_bind().dialect.name)
    params = {**_EMPTY_ROW, **row}
    application: JobApplication = session.scalars(add_application, params).one()
    if add_history is not None:
        session.execute(
            add_history,
            {
                "application_id": application.id,
                "to_status": application.status,
                "changed_at": row["status_changed_at"],
                "notes": row.get("notes"),
            },
        )
    return application


_TABLE: Table = JobApplication.__table__  # type: ignore[assignment]
_HISTORY: Table = ApplicationStatusHistory.__table__  # type: ignore[assignment]
_EMPTY_ROW = {c.name: None for c in _TABLE.c if c.name != "id"}


@functools.cache
def _insert_statements(dialect: str) -> tuple[Any, Any]:
    values = {c.name: bindparam(c.name, type_=c.type) for c in _TABLE.c if c.name != "id"}
    new = insert(_TABLE).values(values).returning(*_TABLE.c)
    if dialect == "postgresql":
        created = new.cte("new_application")
        first = (
            insert(_HISTORY)
            .from_select(
                ["application_id", "from_status", "to_status", "changed_at", "notes"],
                select(
                    created.c.id,
                    null(),
                    created.c.status,
                    created.c.status_changed_at,
                    created.c.notes,
                ),
            )
            .cte("first_status")
        )
        return select(JobApplication).from_statement(select(created).add_cte(first)), None
    history = insert(_HISTORY).values(
        {
            name: bindparam(name, type_=_HISTORY.c[name].type)
            for name in ("application_id", "to_status", "changed_at", "notes")
        }
    )
    return select(JobApplication).from_statement(new), history


def _resolve_duplicate(
    session: Session,
    existing_id: int,
    given: Mapping[str, Any],
    keys: Mapping[str, str | None],
    policy: OnDuplicate,
) -> JobApplication:
    existing = require(session, existing_id)
    if policy is OnDuplicate.FAIL:
        same_url = keys["url_key"] is not None and existing.url_key == keys["url_key"]
        raise ValidationError(
            "job_url" if same_url else "job_title",
            f"is the same posting as application {existing_id}; "
            "choose on_duplicate='skip' or 'update' to keep one",
        )
    if policy is OnDuplicate.UPDATE:
        changes = {k: v for k, v in given.items() if k not in ("status", "application_date")}
        update(session, existing_id, changes)
        status = given.get("status")
        if status is not None and status != existing.status:
            change_status(session, existing_id, status)
    return existing


def get(session: Session, application_id: int) -> JobApplication | None:
    """The application with ``application_id``, or ``None``."""
    return session.get(JobApplication, require_id(application_id, "application_id"))


def require(session: Session, application_id: int) -> JobApplication:
    """The application, or :class:`ValidationError` on ``application_id``."""
    application = get(session, application_id)
    if application is None:
        raise ValidationError(
            "application_id", f"no application with id {application_id}", application_id
        )
    return application


def _page(limit: int | None, offset: int) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValidationError("limit", "must be a positive integer or None", limit)
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationError("offset", "must be a non-negative integer", offset)


def list_for_user(
    session: Session,
    user_id: int,
    status: ApplicationStatus | str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[JobApplication]:
    """The user's applications, newest first, optionally of one status."""
    _page(limit, offset)
    wanted = parse_status(status) if status is not None else None
    query = select(JobApplication).where(JobApplication.user_id == require_id(user_id, "user_id"))
    if wanted is not None:
        query = query.where(JobApplication.status == wanted)
    query = query.order_by(JobApplication.application_date.desc(), JobApplication.id.desc())
    found = list(session.scalars(query.limit(limit).offset(offset or None)))
    if not found:  # rows found prove the user exists, saving a query
        users.ensure_exists(session, user_id)
    return found


def update(session: Session, application_id: int, fields: Mapping[str, Any]) -> JobApplication:
    """Apply the known, unprotected ``fields``; the status has its own call."""
    if "status" in fields:
        raise ValidationError("status", "is changed with update_application_status")
    application = require(session, application_id)
    data = validate(ApplicationFields, fields)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("resume_id") is not None:
        resumes.require_owned(session, changes["resume_id"], application.user_id)
    check_salary_range(application, changes)
    apply_changes(application, changes)
    if _POSTING_FIELDS.intersection(changes):
        posting = {name: getattr(application, name) for name in _POSTING_FIELDS}
        apply_changes(application, duplicates.keys_for(posting))
    session.flush()
    return application


_POSTING_FIELDS = frozenset({"job_url", "company", "job_title", "location"})


class _StatusExtras(InputModel):
    """What may accompany a status change."""

    notes: LongText | None = None
    interview_date: UTCTime | None = None
    interview_type: ShortText | None = None


def change_status(
    session: Session,
    application_id: int,
    status: ApplicationStatus | str,
    notes: str | None = None,
    interview_date: datetime | None = None,
    interview_type: str | None = None,
) -> JobApplication:
    """Move an application to ``status`` and record the move in its history.

    Giving the status it already has records no move, but still stores the
    notes and interview details.
    """
    new_status = parse_status(status)
    extras = validate(
        _StatusExtras,
        {"notes": notes, "interview_date": interview_date, "interview_type": interview_type},
    )
    application = require(session, application_id)
    now = utcnow()
    if new_status != application.status:
        session.add(
            ApplicationStatusHistory(
                application_id=application.id,
                from_status=application.status,
                to_status=new_status,
                changed_at=now,
                notes=extras.notes,
            )
        )
        application.status = new_status
        application.status_changed_at = now
    for name, value in extras.model_dump(exclude_none=True).items():
        setattr(application, name, value)
    session.flush()
    return application


def history(session: Session, application_id: int) -> list[ApplicationStatusHistory]:
    """Every status the application entered, oldest first."""
    require(session, application_id)
    query = (
        select(ApplicationStatusHistory)
        .where(ApplicationStatusHistory.application_id == application_id)
        .order_by(ApplicationStatusHistory.changed_at, ApplicationStatusHistory.id)
    )
    return list(session.scalars(query))


def remove(session: Session, application_id: int) -> None:
    """Delete an application and, by cascade, its history."""
    require(session, application_id)
    session.execute(delete(JobApplication).where(JobApplication.id == application_id))
