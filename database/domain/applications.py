"""Job applications and their status history.

Every status an application enters is a row of ``application_status_history``,
written in the same transaction as the change itself.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, null, select, true
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, make_transient_to_detached, selectinload

from database.core.column_types import utcnow
from database.core.keys import keys_for
from database.core.paging import Page
from database.core.statements import DriverStatement
from database.domain import duplicates, events, listing, resumes, users
from database.domain import notes as notes_log
from database.domain.duplicates import OnDuplicate
from database.domain.records import apply_changes, check_salary_range, require_application
from database.domain.schemas import (
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
from database.models import (
    ApplicationNote,
    ApplicationStatus,
    ApplicationStatusHistory,
    EventKind,
    JobApplication,
    Resume,
)
from utils.errors import ValidationError


def add(
    db: Session | Connection,
    user_id: int,
    fields: Mapping[str, Any],
    on_duplicate: OnDuplicate | str = OnDuplicate.ALLOW,
) -> JobApplication:
    """A new application and the history row of its first status.

    When the user already has the same posting (see :mod:`database.domain.duplicates`),
    ``on_duplicate`` decides: ``"allow"`` (default) adds it anyway, ``"fail"``
    raises :class:`ValidationError`, ``"skip"`` returns the existing application
    unchanged and ``"update"`` returns it with the new values written in.

    ``db`` is the caller's session; for ``"allow"``, which needs no ORM work, it
    may be a Core connection. The new application is returned detached.
    """
    policy = duplicates.parse_on_duplicate(on_duplicate)
    if policy is not OnDuplicate.ALLOW and not isinstance(db, Session):
        raise TypeError(f"on_duplicate={policy.value!r} needs a session")
    values = dict(fields)
    if "status" in values:
        values["status"] = parse_status(values["status"])
    data = validate(ApplicationCreate, values)
    # No probe of the user: the insert's foreign key checks it (see _insert_with_history).
    require_id(user_id, "user_id")
    conn = db if isinstance(db, Connection) else db.connection()
    if data.resume_id is not None:
        _require_resume(conn, data.resume_id, user_id)
    given = data.model_dump(exclude_none=True)
    keys = keys_for(given)
    if isinstance(db, Session) and policy is not OnDuplicate.ALLOW:
        existing_id = duplicates.find_existing(db, user_id, keys)
        if existing_id is not None:
            return _resolve_duplicate(db, existing_id, given, keys, policy)
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
    return _insert_with_history(conn, row)


def _changed(
    db: Session | Connection, application: JobApplication, kind: EventKind, payload: Any
) -> None:
    """Record the change of ``application`` in the outbox (see :mod:`database.domain.events`)."""
    events.record(
        db, kind, "application", application.id, user_id=application.user_id, payload=payload
    )


def _insert_with_history(
    conn: Connection, row: dict[str, Any], outbox: bool = True
) -> JobApplication:
    """Insert the application, its first history row and its event, returning the loaded object.

    Core statements, built once with a bound parameter per column, on the
    session's connection: no unit of work, no ORM loading. On PostgreSQL the
    three inserts (and the event's notification) travel in one statement
    (data-modifying CTEs): one round trip. ``outbox=False`` leaves the event
    out: only ``benchmarks/outbox.py`` does, to measure what it costs.

    The user is checked by the foreign key: on SQLite a failed foreign key is
    not named, but it can only be the user's, since the resume was checked
    (under the write lock ``BEGIN IMMEDIATE`` holds) and the history row names
    the application just inserted. The returned object is built from the
    values written, which are all the columns: what loading the row would give.
    """
    add_application, add_history = _insert_statements(conn.dialect, outbox)
    params = {**_EMPTY_ROW, **row}
    created = {"status": params["status"]}
    in_statement = outbox and add_history is None
    try:
        new_id, returned = add_application.run(
            conn, {**params, **_event_values(created)} if in_statement else params
        )
        if add_history is None:
            new_id = returned[0][0]
        else:
            add_history.run(
                conn,
                {
                    "application_id": new_id,
                    "user_id": params["user_id"],
                    "to_status": params["status"],
                    "changed_at": params["status_changed_at"],
                },
            )
    except IntegrityError as exc:
        if _unknown_user(exc):
            user_id = row["user_id"]
            raise ValidationError("user_id", f"no user with id {user_id}", user_id) from exc
        raise
    params["id"] = new_id
    application = _as_loaded(params)
    if outbox and add_history is not None:
        _changed(conn, application, EventKind.APPLICATION_CREATED, created)
    return application


def _event_values(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The bound values of the event that PostgreSQL's insert statement writes."""
    return {
        "event_kind": EventKind.APPLICATION_CREATED.value,
        "event_entity": "application",
        "event_payload": events.payload_json(payload),
    }


_TABLE: Table = JobApplication.__table__  # type: ignore[assignment]
_HISTORY: Table = ApplicationStatusHistory.__table__  # type: ignore[assignment]
_EMPTY_ROW = {c.name: None for c in _TABLE.c if c.name != "id"}


@functools.cache
def _insert_statements(
    dialect: Dialect, outbox: bool = True
) -> tuple[DriverStatement, DriverStatement | None]:
    """The application insert and the history insert; on PostgreSQL one statement.

    PostgreSQL's statement returns the new id and writes the event too (with
    ``outbox``); elsewhere the driver's last row id gives it, the history row
    is a second insert and the event a third (:func:`events.record`). Compiled
    once: a Core execution costs more than these inserts (see DriverStatement).
    """
    values = {c.name: bindparam(c.name, type_=c.type) for c in _TABLE.c if c.name != "id"}
    new = insert(_TABLE).values(values)
    if dialect.name != "postgresql":
        columns = ("application_id", "user_id", "to_status", "changed_at")
        history = insert(_HISTORY).values(
            {name: bindparam(name, type_=_HISTORY.c[name].type) for name in columns}
        )
        return DriverStatement(new, dialect), DriverStatement(history, dialect)
    created = new.returning(
        _TABLE.c.id, _TABLE.c.user_id, _TABLE.c.status, _TABLE.c.status_changed_at
    ).cte("new_application")
    first = (
        insert(_HISTORY)
        .from_select(
            ["application_id", "user_id", "to_status", "changed_at"],
            select(created.c.id, created.c.user_id, created.c.status, created.c.status_changed_at),
        )
        .cte("first_status")
    )
    if not outbox:
        return DriverStatement(select(created.c.id).add_cte(first), dialect), None
    new_event = events.insert_after(
        {
            "user_id": created.c.user_id,
            "organization_id": null(),
            "kind": bindparam("event_kind"),
            "entity": bindparam("event_entity"),
            "entity_id": created.c.id,
            "payload": bindparam("event_payload"),
            "created_at": created.c.status_changed_at,
        },
        created,
    )
    with_event = select(created.c.id, events.notified(new_event)).select_from(
        created.join(new_event, true())
    )
    return DriverStatement(with_event.add_cte(first), dialect), None


def _require_resume(conn: Connection, resume_id: int, user_id: int) -> None:
    """The resume must be the user's; an unknown user is reported first."""
    owner = conn.scalar(_RESUME_OWNER, {"resume_id": resume_id})
    if owner != user_id:
        users.ensure_exists(conn, user_id)
        raise ValidationError(
            "resume_id", f"no resume with id {resume_id} for this user", resume_id
        )


_RESUME_OWNER = select(Resume.user_id).where(Resume.id == bindparam("resume_id"))


def _unknown_user(exc: IntegrityError) -> bool:
    """Whether the failed insert's foreign key is the user's (see _insert_with_history)."""
    diag = getattr(exc.orig, "diag", None)
    if diag is not None:  # psycopg names the constraint
        return getattr(diag, "constraint_name", None) == "fk_job_applications_user_id_users"
    return "FOREIGN KEY constraint failed" in str(exc.orig)


def _as_loaded(values: Mapping[str, Any]) -> JobApplication:
    """A detached application holding ``values`` (every column), as if just loaded.

    This is what the ORM's loading does with a row: a new instance, its
    attributes set with no change history, then an identity. Relationships
    stay unloaded, as on any loaded object.
    """
    application: JobApplication = _MANAGER.new_instance()
    application.__dict__.update(values)
    make_transient_to_detached(application)
    return application


_MANAGER = JobApplication.__mapper__.class_manager


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


def get_owned(session: Session, user_id: int, application_id: int) -> JobApplication | None:
    """The application if ``user_id`` owns it, else ``None``: found by ``(user_id, id)``.

    Naming the owner keeps the look-up on that person's rows (one shard when
    the tables are sharded by person).
    """
    query = select(JobApplication).where(
        JobApplication.user_id == require_id(user_id, "user_id"),
        JobApplication.id == require_id(application_id, "application_id"),
    )
    return session.scalars(query).one_or_none()


def _detail(owner: int) -> list[Any]:
    # What ``DatabaseUtils.get_application`` loads: user and resume (one join), status
    # history and notes log (one query each), every table by the owner's id; their way
    # back to the application comes from the identity map.
    return [
        joinedload(JobApplication.user),
        joinedload(JobApplication.resume.and_(Resume.user_id == owner)),
        selectinload(JobApplication.history.and_(ApplicationStatusHistory.user_id == owner))
        .immediateload(ApplicationStatusHistory.application),
        selectinload(JobApplication.notes_log.and_(ApplicationNote.user_id == owner))
        .immediateload(ApplicationNote.application),
    ]  # fmt: skip


def get_detail(session: Session, application_id: int) -> JobApplication | None:
    """The application with its user, resume, history and notes log loaded, or ``None``.

    Only the id is known, so the owner is read first (the one look-up by the
    id alone); everything else is then read by the owner's ``user_id`` too.
    """
    owner_of = select(JobApplication.user_id).where(
        JobApplication.id == require_id(application_id, "application_id")
    )
    owner = session.scalar(owner_of)
    if owner is None:
        return None
    query = (
        select(JobApplication)
        .where(JobApplication.user_id == owner, JobApplication.id == application_id)
        .options(*_detail(owner))
    )
    return session.scalars(query).one_or_none()


def require(session: Session, application_id: int) -> JobApplication:
    """The application, or :class:`ValidationError` on ``application_id``."""
    return require_application(session, application_id)


def list_for_user(
    session: Session,
    user_id: int,
    status: ApplicationStatus | str | None = None,
    limit: int | None = None,
    offset: int = 0,
    include_archived: bool = False,
) -> list[JobApplication]:
    """The user's applications, newest first, optionally of one status.

    Archived applications are left out unless ``include_archived``.
    """
    page = Page.of(limit, offset)
    wanted = parse_status(status) if status is not None else None
    query = select(JobApplication).where(JobApplication.user_id == require_id(user_id, "user_id"))
    archived = listing.archive_condition(include_archived)
    if archived is not None:
        query = query.where(archived)
    if wanted is not None:
        query = query.where(JobApplication.status == wanted)
    query = listing.newest_first(query)
    found = list(session.scalars(page.apply(query)))
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
        apply_changes(application, keys_for(posting))
    session.flush()
    if changes:
        _changed(session, application, EventKind.APPLICATION_UPDATED, {"fields": sorted(changes)})
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

    ``notes`` belong to the move: they go into its history row, never into the
    application's own ``notes``. Giving the status it already has records no
    move; its (non-blank) ``notes`` then become a note of the application's
    log. Interview details are stored on the application either way.
    """
    new_status = parse_status(status)
    extras = validate(
        _StatusExtras,
        {"notes": notes, "interview_date": interview_date, "interview_type": interview_type},
    )
    application = require(session, application_id)
    now = utcnow()
    moved_from = application.status
    if new_status != application.status:
        session.add(
            ApplicationStatusHistory(
                application_id=application.id,
                user_id=application.user_id,
                from_status=application.status,
                to_status=new_status,
                changed_at=now,
                notes=extras.notes,
            )
        )
        application.status = new_status
        application.status_changed_at = now
    elif extras.notes is not None and extras.notes.strip():
        notes_log.add(session, application.id, extras.notes)
    details = extras.model_dump(exclude_none=True, exclude={"notes"})
    for name, value in details.items():
        setattr(application, name, value)
    session.flush()
    if moved_from != new_status:
        moved = {"from": moved_from, "to": new_status, "fields": sorted(details)}
        _changed(session, application, EventKind.APPLICATION_STATUS_CHANGED, moved)
    elif details:
        _changed(session, application, EventKind.APPLICATION_UPDATED, {"fields": sorted(details)})
    return application


def history(session: Session, application_id: int) -> list[ApplicationStatusHistory]:
    """Every status the application entered, oldest first."""
    return history_of(session, require(session, application_id))


def history_of(session: Session, application: JobApplication) -> list[ApplicationStatusHistory]:
    """Every status ``application`` entered, oldest first, read by its owner's ``user_id`` too."""
    query = (
        select(ApplicationStatusHistory)
        .where(
            ApplicationStatusHistory.user_id == application.user_id,
            ApplicationStatusHistory.application_id == application.id,
        )
        .order_by(ApplicationStatusHistory.changed_at, ApplicationStatusHistory.id)
    )
    return list(session.scalars(query))


def remove(session: Session, application_id: int) -> None:
    """Delete an application and, by cascade, its history."""
    owner = require(session, application_id).user_id
    session.execute(delete(JobApplication).where(JobApplication.id == application_id))
    events.record(
        session, EventKind.APPLICATION_DELETED, "application", application_id, user_id=owner
    )
