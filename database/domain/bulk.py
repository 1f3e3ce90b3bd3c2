"""Adding many applications at once: validate everything, then write in bulk.

Every row is checked first (the same rules as one ``add``); one bad row
rejects the whole batch with a :class:`ValidationError` naming ``rows[i].field``
and nothing is written. Then the applications and their status-history rows go
in with the driver's fastest path inside the caller's transaction:
``executemany`` on SQLite, ``COPY`` on PostgreSQL.

A row may carry its past in ``status_history``: a list of ``{"status", "at",
"notes"}`` entries (the moves the CSV export writes), oldest first, none in the
future (a move may precede the application date: that date can be edited
later, and an export must re-import as it is); the last one is the application's
status and ``status_changed_at``, and a missing ``application_date`` is the
first move's. Without it the history is one entry: the status, entered on the
application date (or now, when that is later or not given). Ids are reserved up front
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

from database.core.column_types import as_utc, utcnow
from database.core.keys import keys_for
from database.core.tenant import copy_allowed, owner_copy
from database.domain import applications, duplicates, events, users
from database.domain.duplicates import OnDuplicate
from database.domain.schemas import (
    ApplicationCreate,
    InputModel,
    LongText,
    UTCTime,
    parse_status,
    validate,
)
from database.models import ApplicationStatus, Resume
from utils.errors import ValidationError

APP_COLUMNS = (
    "id", "user_id", "resume_id", "job_title", "company", "location", "job_description",
    "job_url", "source", "status", "application_date", "salary_min", "salary_max",
    "salary_currency", "job_type", "is_remote", "match_score", "notes", "interview_date",
    "interview_type", "status_changed_at", "url_key", "posting_key", "created_at", "updated_at",
)  # fmt: skip
HISTORY_COLUMNS = (
    "application_id", "user_id", "from_status", "to_status", "changed_at", "notes",
)  # fmt: skip
#: From this many rows the tables' owner loads by COPY (see ``owner_copy``).
OWNER_COPY_ROWS = 1000
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's SQLite DATETIME storage format


@dataclass
class BulkResult:
    """What a bulk add did: ``ids`` in row order (existing ids for duplicates)."""

    ids: list[int] = field(default_factory=list)
    added: int = 0
    skipped: int = 0
    updated: int = 0


HISTORY_FIELD = "status_history"


@dataclass(frozen=True)
class Move:
    """One status an application entered, and when."""

    status: ApplicationStatus
    at: datetime
    notes: str | None = None


@dataclass(frozen=True)
class CheckedRow:
    """A validated row: its fields and its dated moves (none: one entry at the application date)."""

    data: ApplicationCreate
    moves: tuple[Move, ...] = ()


class _MoveInput(InputModel):
    status: ApplicationStatus
    at: UTCTime
    notes: LongText | None = None


def check_row(row: Mapping[str, Any], where: str = "") -> CheckedRow:
    """One row validated as :func:`applications.add` would; errors name ``where.field``."""
    try:
        if not isinstance(row, Mapping):
            raise ValidationError("row", "must be a mapping of field names to values")
        values = dict(row)
        history = values.pop(HISTORY_FIELD, None)
        if "status" in values:
            values["status"] = parse_status(values["status"])
        return _with_moves(validate(ApplicationCreate, values), history)
    except ValidationError as exc:
        if not where:
            raise
        raise ValidationError(f"{where}.{exc.field}", exc.rule, exc.value) from None


def _with_moves(data: ApplicationCreate, history: Any) -> CheckedRow:
    """``data`` with its checked moves; the status and a missing date come from them."""
    moves = check_moves(history)
    if not moves:
        return CheckedRow(data)
    last = moves[-1].status
    if "status" in data.model_fields_set and data.status != last:
        raise ValidationError(
            "status", f"is {data.status.value} but the last status move is to {last.value}"
        )
    update: dict[str, Any] = {"status": last}
    if data.application_date is None:
        update["application_date"] = moves[0].at
    return CheckedRow(data.model_copy(update=update), moves)


def check_moves(history: Any) -> tuple[Move, ...]:
    """``status_history`` entries as moves, or :class:`ValidationError` on ``status_history[j]``."""
    if history is None:
        return ()
    if isinstance(history, (str, bytes, Mapping)) or not isinstance(history, Iterable):
        raise ValidationError(HISTORY_FIELD, 'must be a list of {"status", "at", "notes"} entries')
    now = utcnow()
    moves: list[Move] = []
    for index, entry in enumerate(history):
        where = f"{HISTORY_FIELD}[{index}]"
        move = _check_move(entry, where)
        if move.at > now:
            raise ValidationError(f"{where}.at", "must not be in the future", move.at)
        if moves and move.at < moves[-1].at:
            raise ValidationError(f"{where}.at", "must not be before the previous move", move.at)
        moves.append(move)
    return tuple(moves)


def _check_move(entry: Any, where: str) -> Move:
    if not isinstance(entry, Mapping):
        raise ValidationError(where, 'must be a mapping like {"status": ..., "at": ...}')
    values = dict(entry)
    if "status" in values:
        values["status"] = parse_status(values["status"], f"{where}.status")
    try:
        checked = validate(_MoveInput, values)
    except ValidationError as exc:
        raise ValidationError(f"{where}.{exc.field}", exc.rule, exc.value) from None
    return Move(checked.status, checked.at, checked.notes)


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
    check_resumes(session, user_id, [row.data for row in checked])
    return events.imported(session, user_id, write_checked(session, user_id, checked, policy))


def write_checked(
    session: Session, user_id: int, rows: Sequence[CheckedRow], policy: OnDuplicate
) -> BulkResult:
    """Write already validated rows, resolving duplicates by ``policy``."""
    result = BulkResult(ids=[0] * len(rows))
    fresh: list[_Fresh] = []
    known = duplicates.existing_keys(session, user_id) if policy is not OnDuplicate.ALLOW else {}
    pending: dict[str, int] = {}  # key -> position in ``fresh``
    for index, row in enumerate(rows):
        given = row.data.model_dump(exclude_none=True)
        keys = keys_for(given)
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
                _resolve_in_batch(fresh, earlier, _Fresh(index, given, row.moves), keys, policy)
                result.ids[index] = -1 - earlier  # resolved once ids are known
                result.skipped += policy is OnDuplicate.SKIP
                result.updated += policy is OnDuplicate.UPDATE
                continue
            for key in (k for k in keys.values() if k):
                pending[key] = len(fresh)
        fresh.append(_Fresh(index, {**given, **keys}, row.moves))
    new_ids = insert_rows(session, user_id, [f.values for f in fresh], [f.moves for f in fresh])
    for row_fresh, new_id in zip(fresh, new_ids, strict=True):
        result.ids[row_fresh.index] = new_id
    result.ids = [new_ids[-1 - i] if i < 0 else i for i in result.ids]
    result.added = len(new_ids)
    return result


@dataclass
class _Fresh:
    """A row to insert: its position in the batch, its values and its moves."""

    index: int
    values: dict[str, Any]
    moves: tuple[Move, ...]


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
    fresh: list[_Fresh],
    earlier: int,
    later: _Fresh,
    keys: Mapping[str, str | None],
    policy: OnDuplicate,
) -> None:
    if policy is OnDuplicate.FAIL:
        raise ValidationError(
            f"rows[{later.index}].job_title",
            f"is the same posting as rows[{fresh[earlier].index}]",
        )
    if policy is OnDuplicate.UPDATE:
        # The later row's status wins, so its history (or none) goes with it.
        first = fresh[earlier]
        fresh[earlier] = _Fresh(first.index, {**first.values, **later.values, **keys}, later.moves)


def insert_rows(
    session: Session,
    user_id: int,
    rows: Sequence[Mapping[str, Any]],
    moves: Sequence[Sequence[Move]] | None = None,
) -> list[int]:
    """Insert validated application values and their history rows; returns the ids.

    ``moves`` (one sequence per row) dates the history; a row without moves gets
    one entry, its status since its application date (or now, if that is later).
    """
    if not rows:
        return []
    now = utcnow()
    ids = _reserve_ids(session, len(rows))
    app_rows = []
    history_rows: list[tuple[Any, ...]] = []
    for position, (new_id, values) in enumerate(zip(ids, rows, strict=True)):
        status = values.get("status", ApplicationStatus.APPLIED)
        applied_at = values.get("application_date") or now
        dated = list(moves[position]) if moves is not None else []
        if not dated:
            dated = [Move(status, min(as_utc(applied_at), now))]
        full = {
            **values,
            "id": new_id,
            "user_id": user_id,
            "status": status,
            "application_date": applied_at,
            "is_remote": values.get("is_remote", False),
            "status_changed_at": dated[-1].at,
            "created_at": now,
            "updated_at": now,
        }
        app_rows.append(tuple(full.get(name) for name in APP_COLUMNS))
        previous: ApplicationStatus | None = None
        for move in dated:
            history_rows.append((new_id, user_id, previous, move.status, move.at, move.notes))
            previous = move.status
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        _sqlite_insert(connection, "job_applications", APP_COLUMNS, app_rows)
        _sqlite_insert(connection, "application_status_history", HISTORY_COLUMNS, history_rows)
    else:
        # Lifting forced row-level security locks the tables out for the rest of
        # the transaction: worth it for a large load only.
        tables = ["job_applications", "application_status_history"]
        with owner_copy(connection, tables if len(app_rows) >= OWNER_COPY_ROWS else []):
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
    if not copy_allowed(connection, table):
        marks = ", ".join("%s" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
        plain = [tuple(v.value if isinstance(v, Enum) else v for v in row) for row in rows]
        with driver.cursor() as cursor:
            cursor.executemany(sql, plain)
        return
    with driver.cursor() as cursor:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(tuple(v.value if isinstance(v, Enum) else v for v in row))
