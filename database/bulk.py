"""Adding many applications at once: validate everything, then write in bulk.

Every row is checked first (the same rules as one ``add``); one bad row
rejects the whole batch with a :class:`ValidationError` naming ``rows[i].field``
and nothing is written. Then the applications and their first status-history
rows go in with the driver's fastest path inside the caller's transaction:
``executemany`` on SQLite, ``COPY`` on PostgreSQL. Ids are reserved up front
(from the sequence on PostgreSQL; after the current maximum on SQLite, whose
``BEGIN IMMEDIATE`` transaction already holds the write lock), so history rows
can name their application without reading anything back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from database import applications, duplicates, users
from database.column_types import as_utc, utcnow
from database.duplicates import OnDuplicate
from database.models import Resume
from database.schemas import ApplicationCreate, parse_status, validate
from utils.errors import ValidationError

APP_COLUMNS = (
    "id", "user_id", "resume_id", "job_title", "company", "location", "job_description",
    "job_url", "source", "status", "application_date", "salary_min", "salary_max",
    "salary_currency", "job_type", "is_remote", "match_score", "notes", "interview_date",
    "interview_type", "status_changed_at", "url_key", "posting_key", "created_at", "updated_at",
)  # fmt: skip
HISTORY_COLUMNS = ("application_id", "from_status", "to_status", "changed_at", "notes")
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME storage format


@dataclass
class BulkResult:
    """What a bulk add did: ``ids`` in row order (existing ids for duplicates)."""

    ids: list[int] = field(default_factory=list)
    added: int = 0
    skipped: int = 0
    updated: int = 0


def check_row(row: Mapping[str, Any], where: str = "") -> ApplicationCreate:
    """One row validated as :func:`applications.add` would; errors name ``where.field``."""
    try:
        if not isinstance(row, Mapping):
            raise ValidationError("row", "must be a mapping of field names to values")
        values = dict(row)
        if "status" in values:
            values["status"] = parse_status(values["status"])
        return validate(ApplicationCreate, values)
    except ValidationError as exc:
        if not where:
            raise
        raise ValidationError(f"{where}.{exc.field}", exc.rule, exc.value) from None


def check_resumes(session: Session, user_id: int, rows: Sequence[ApplicationCreate]) -> None:
    """Every ``resume_id`` used must be one of the user's resumes."""
    wanted = {r.resume_id for r in rows if r.resume_id is not None}
    if not wanted:
        return
    owned = set(
        session.scalars(select(Resume.id).where(Resume.user_id == user_id, Resume.id.in_(wanted)))
    )
    for index, row in enumerate(rows):
        if row.resume_id is not None and row.resume_id not in owned:
            raise ValidationError(
                f"rows[{index}].resume_id", "must be one of this user's resumes", row.resume_id
            )


def bulk_add(
    session: Session,
    user_id: int,
    rows: Iterable[Mapping[str, Any]],
    on_duplicate: OnDuplicate | str = OnDuplicate.ALLOW,
) -> BulkResult:
    """Add every row, all or nothing (see the module docstring)."""
    policy = duplicates.parse_on_duplicate(on_duplicate)
    if isinstance(rows, (str, bytes, Mapping)) or not isinstance(rows, Iterable):
        raise ValidationError("rows", "must be a list of mappings")
    checked = [check_row(row, f"rows[{i}]") for i, row in enumerate(rows)]
    users.ensure_exists(session, user_id)
    check_resumes(session, user_id, checked)
    return write_checked(session, user_id, checked, policy)


def write_checked(
    session: Session, user_id: int, rows: Sequence[ApplicationCreate], policy: OnDuplicate
) -> BulkResult:
    """Write already validated rows, resolving duplicates by ``policy``."""
    result = BulkResult(ids=[0] * len(rows))
    fresh: list[tuple[int, dict[str, Any]]] = []
    known = duplicates.existing_keys(session, user_id) if policy is not OnDuplicate.ALLOW else {}
    pending: dict[str, int] = {}  # key -> position in ``fresh``
    for index, row in enumerate(rows):
        given = row.model_dump(exclude_none=True)
        keys = duplicates.keys_for(given)
        if policy is not OnDuplicate.ALLOW:
            existing = duplicates.first_match(keys, known)
            if existing is not None:
                _resolve_existing(session, existing, given, keys, policy, index)
                result.ids[index] = existing
                result.skipped += policy is OnDuplicate.SKIP
                result.updated += policy is OnDuplicate.UPDATE
                continue
            earlier = duplicates.first_match(keys, pending)
            if earlier is not None:
                _resolve_in_batch(fresh, earlier, given, keys, policy, index)
                result.ids[index] = -1 - earlier  # resolved once ids are known
                result.skipped += policy is OnDuplicate.SKIP
                result.updated += policy is OnDuplicate.UPDATE
                continue
            for key in (k for k in keys.values() if k):
                pending[key] = len(fresh)
        fresh.append((index, {**given, **keys}))
    new_ids = insert_rows(session, user_id, [values for _, values in fresh])
    for (index, _), new_id in zip(fresh, new_ids, strict=True):
        result.ids[index] = new_id
    result.ids = [new_ids[-1 - i] if i < 0 else i for i in result.ids]
    result.added = len(new_ids)
    return result


def _resolve_existing(
    session: Session,
    existing: int,
    given: dict[str, Any],
    keys: Mapping[str, str | None],
    policy: OnDuplicate,
    index: int,
) -> None:
    if policy is OnDuplicate.FAIL:
        raise ValidationError(
            f"rows[{index}].job_title", f"is the same posting as application {existing}"
        )
    if policy is OnDuplicate.UPDATE:
        applications.add(session, _owner(session, existing), given, OnDuplicate.UPDATE)


def _owner(session: Session, application_id: int) -> int:
    return applications.require(session, application_id).user_id


def _resolve_in_batch(
    fresh: list[tuple[int, dict[str, Any]]],
    earlier: int,
    given: dict[str, Any],
    keys: Mapping[str, str | None],
    policy: OnDuplicate,
    index: int,
) -> None:
    if policy is OnDuplicate.FAIL:
        raise ValidationError(
            f"rows[{index}].job_title", f"is the same posting as rows[{fresh[earlier][0]}]"
        )
    if policy is OnDuplicate.UPDATE:
        position, values = fresh[earlier]
        fresh[earlier] = (position, {**values, **given, **keys})


def insert_rows(session: Session, user_id: int, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert validated application values and their first history rows; returns the ids."""
    if not rows:
        return []
    now = utcnow()
    ids = _reserve_ids(session, len(rows))
    app_rows = []
    history_rows = []
    for new_id, values in zip(ids, rows, strict=True):
        status = values.get("status", "applied")
        full = {
            **values,
            "id": new_id,
            "user_id": user_id,
            "status": status,
            "application_date": values.get("application_date") or now,
            "is_remote": values.get("is_remote", False),
            "status_changed_at": now,
            "created_at": now,
            "updated_at": now,
        }
        app_rows.append(tuple(full.get(name) for name in APP_COLUMNS))
        history_rows.append((new_id, None, status, now, values.get("notes")))
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _sqlite_insert(connection, "job_applications", APP_COLUMNS, app_rows)
        _sqlite_insert(connection, "application_status_history", HISTORY_COLUMNS, history_rows)
    else:
        _copy(connection, "job_applications", APP_COLUMNS, app_rows)
        _copy(connection, "application_status_history", HISTORY_COLUMNS, history_rows)
    return ids


def _reserve_ids(session: Session, count: int) -> list[int]:
    if session.get_bind().dialect.name == "sqlite":
        start = int(session.scalar(text("SELECT coalesce(max(id), 0) FROM job_applications")) or 0)
        return list(range(start + 1, start + count + 1))
    return list(
        session.scalars(
            text(
                "SELECT nextval(pg_get_serial_sequence('job_applications', 'id')) "
                "FROM generate_series(1, :n)"
            ),
            {"n": count},
        )
    )


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).replace(tzinfo=None).strftime(_SQLITE_TIME)
    if isinstance(value, Enum):
        return value.value
    return value


def _sqlite_insert(
    connection: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"  # noqa: S608
    converted = [tuple(_sqlite_value(v) for v in row) for row in rows]
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(sql, converted)
    finally:
        cursor.close()


def _copy(connection: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(tuple(v.value if isinstance(v, Enum) else v for v in row))
