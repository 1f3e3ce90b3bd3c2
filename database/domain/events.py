"""The outbox: an event row for every change to a person's data, in the change's transaction.

:func:`record` writes one event on the caller's session or connection, never in
a transaction of its own, so the event and the change commit or roll back
together. The domain functions that change data call it (applications, notes,
resumes, imports, memberships), so every path (``DatabaseUtils``, the API's
tenancy services, the dashboard, the command lines) writes its events; the
backup manager records ``backup.finished`` once a backup file is complete. The
kinds are :class:`~database.models.EventKind`. A payload says what changed (field
names, statuses, counts), never the data itself or a secret, in at most
:data:`~database.models.MAX_EVENT_PAYLOAD_CHARS` characters of JSON.

On PostgreSQL the same statement calls ``pg_notify('auto_applyer_events', '<id>')``:
the notification is delivered when the transaction commits (never for a
rolled-back one), and its payload is just the event id, far below NOTIFY's
8,000-byte limit. Listeners read the event itself with :func:`read`.

Ordering: a reader that remembers the last id it saw and asks for the events
after it never misses one. On SQLite there is one writer at a time (``BEGIN
IMMEDIATE``), so ids commit in order. On PostgreSQL ids come from a sequence
and could commit out of order (A takes id 10, B takes 11 and commits first; a
reader sees 11, remembers it, and later skips 10). So the statement that writes
an event first takes the transaction-scoped advisory lock :data:`ORDER_LOCK`
(re-entrant; released by the commit or rollback): a second transaction that
writes an event waits until the first has ended, and only then draws its id,
which is therefore higher than every id already visible and lower than every id
drawn later. The lock is taken in the event's own statement, behind an
optimisation fence (``OFFSET 0``), so it is held before the id is drawn. The
hold lasts from a transaction's first event to its end: the changing functions
write their event as their last statement, so it is one statement and the
commit in the usual case. (The alternative, storing ``pg_current_xact_id()``
and reading only below the snapshot's ``xmin``, would need readers to page by
transaction id as well as event id, and would delay every reader behind the
longest-running transaction.) Events must therefore be written only through
:func:`record`, or :func:`insert_after` for a change whose own statement
carries its event (adding an application: one round trip on PostgreSQL). A
rolled-back transaction leaves a gap in the ids, never a late arrival. Event
writers are serialised per database while they hold the lock; a transaction
that, after its event, waits for a row another event writer holds is ended by
PostgreSQL's deadlock detection (a ``DatabaseError``), which is why events come
last.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Collection, Mapping
from typing import Any, Protocol, TypeVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    FromClause,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from database.core.column_types import UTCDateTime, utcnow
from database.core.statements import DriverStatement
from database.models import MAX_EVENT_PAYLOAD_CHARS, Event, EventKind
from utils.errors import ValidationError

#: The PostgreSQL channel that carries the id of every committed event.
CHANNEL = "auto_applyer_events"
#: The transaction-scoped advisory lock that makes event ids commit in order ("aa_event").
ORDER_LOCK = 7016994583802637940
#: The most events one read returns.
MAX_READ = 1000

#: A set of ids: given, or a query of them.
Ids = Collection[int] | Select[Any] | CompoundSelect[Any]

_EVENTS: Table = Event.__table__  # type: ignore[assignment]
_COLUMNS = ("user_id", "organization_id", "kind", "entity", "entity_id", "payload", "created_at")


def record(
    db: Session | Connection,
    kind: EventKind,
    entity: str,
    entity_id: int | None,
    *,
    user_id: int | None,
    organization_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """Write one event in the caller's transaction; its id.

    ``user_id`` is the person whose data changed (``None`` only for a system
    event); ``payload`` is JSON-able and small (:class:`ValidationError` on
    ``payload`` otherwise). A session's pending changes must be flushed first:
    the event goes straight to the session's connection.
    """
    body = payload_json(payload)
    conn = db if isinstance(db, Connection) else db.connection()
    values = {
        "user_id": user_id,
        "organization_id": organization_id,
        "kind": EventKind(kind).value,
        "entity": entity,
        "entity_id": entity_id,
        "payload": body,
        "created_at": utcnow(),
    }
    last_row_id, rows = _insert_statement(conn.dialect).run(conn, values)
    return int(rows[0][0] if rows else last_row_id or 0)


def record_rows(
    db: Session | Connection, kind: EventKind, entity: str, source: Select[int, int, str]
) -> int:
    """Write one event per row of ``source`` in one statement; how many were written.

    ``source`` selects ``entity_id``, ``user_id`` and ``payload`` (the JSON text,
    as :func:`payload_json` writes it) of each row: for a change to many rows at
    once (archiving thousands of applications), where one :func:`record` per row
    would be a round trip each. The events are written in ``source``'s order.
    """
    conn = db if isinstance(db, Connection) else db.connection()
    rows = source.cte("event_source")
    columns: dict[str, Any] = {
        "user_id": rows.c.user_id,
        "organization_id": null(),
        "kind": literal(EventKind(kind).value),
        "entity": literal(entity),
        "entity_id": rows.c.entity_id,
        "payload": rows.c.payload,
        "created_at": bindparam("created_at", utcnow(), type_=UTCDateTime()),
    }
    if conn.dialect.name == "postgresql":
        new_event = insert_after(columns, rows)
        return len(conn.execute(select(notified(new_event))).all())
    chosen = select(*(columns[name] for name in _COLUMNS)).select_from(rows)
    result = conn.execute(insert(_EVENTS).from_select(list(_COLUMNS), chosen))
    return int(result.rowcount)


class ImportCounts(Protocol):
    """What an import reports: rows added, skipped as duplicates, and updated."""

    added: int
    skipped: int
    updated: int


Counts = TypeVar("Counts", bound=ImportCounts)


def imported(
    db: Session | Connection, user_id: int, result: Counts, source: str = "bulk", rejected: int = 0
) -> Counts:
    """Record an ``import.finished`` event of ``user_id`` with ``result``'s counts; ``result``."""
    counts = {"added": result.added, "skipped": result.skipped, "updated": result.updated}
    record(
        db, EventKind.IMPORT_FINISHED, "import", None, user_id=user_id,
        payload={**counts, "rejected": rejected, "source": source},
    )  # fmt: skip
    return result


def payload_json(payload: Mapping[str, Any] | None) -> str:
    """``payload`` as the JSON text an event stores; :class:`ValidationError` if not storable."""
    try:
        body = json.dumps(dict(payload or {}), sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise ValidationError("payload", "must be JSON: names, numbers and short text") from exc
    if len(body) > MAX_EVENT_PAYLOAD_CHARS:
        raise ValidationError("payload", f"must be at most {MAX_EVENT_PAYLOAD_CHARS} characters")
    return body


@functools.cache
def _insert_statement(dialect: Dialect) -> DriverStatement:
    """The insert of one event; on PostgreSQL behind the order lock, with its notification."""
    values = {
        name: bindparam(name, type_=UTCDateTime()) if name == "created_at" else bindparam(name)
        for name in _COLUMNS
    }
    if dialect.name != "postgresql":
        return DriverStatement(insert(_EVENTS).values(values), dialect)
    new_event = insert_after(values)
    return DriverStatement(select(new_event.c.id, notified(new_event)), dialect)


def insert_after(columns: Mapping[str, Any], source: FromClause | None = None) -> CTE:
    """PostgreSQL: a CTE ``new_event`` writing one event per row of ``source``; it returns ``id``.

    ``columns`` gives an expression for each column (``user_id``, ``organization_id``,
    ``kind``, ``entity``, ``entity_id``, ``payload``, ``created_at``), over
    ``source`` (a CTE of the same statement, say) or bound parameters. For a
    change whose own statement should carry its event (one round trip); select
    :func:`notified` of it in that statement. The order lock is taken in the
    rows' ``FROM``, behind ``OFFSET 0`` (an optimisation fence: the subquery is
    not merged into the insert's projection, which draws the id), so it is
    held before the id is drawn.
    """
    in_order = (
        select(func.pg_advisory_xact_lock(literal_column(str(ORDER_LOCK))))
        .offset(literal_column("0"))
        .subquery("in_order")
    )
    origin = in_order if source is None else source.join(in_order, true())
    rows = select(*(columns[name] for name in _COLUMNS)).select_from(origin)
    written = insert(_EVENTS).from_select(list(_COLUMNS), rows).returning(_EVENTS.c.id)
    return written.cte("new_event")


def notified(new_event: CTE) -> ColumnElement[Any]:
    """PostgreSQL: ``pg_notify`` of the event id of ``new_event``, delivered at commit."""
    return func.pg_notify(literal_column(f"'{CHANNEL}'"), cast(new_event.c.id, Text))


def read(
    session: Session,
    since: int = 0,
    limit: int = 100,
    *,
    user_ids: Ids | None = None,
    organization_ids: Ids | None = None,
    personal_user_ids: Ids | None = None,
) -> list[Event]:
    """The events after id ``since`` that match any of the sets given, oldest first.

    Every event of ``user_ids``; every event in ``organization_ids``; and the
    personal events (those of no organization) of ``personal_user_ids``. At
    most ``limit`` (1 to :data:`MAX_READ`). A set may be a query of ids (e.g.
    :func:`~database.domain.organizations.readable_user_ids`); an event
    matching several is returned once. With no set, nothing is returned.
    """
    since = _check_since(since)
    limit = _check_limit(limit)
    conditions: list[ColumnElement[bool]] = []
    if user_ids is not None:
        conditions.append(Event.user_id.in_(_ids(user_ids)))
    if organization_ids is not None:
        conditions.append(Event.organization_id.in_(_ids(organization_ids)))
    if personal_user_ids is not None:
        personal = Event.user_id.in_(_ids(personal_user_ids))
        conditions.append(and_(Event.organization_id.is_(None), personal))
    if not conditions:
        return []
    query = select(Event).where(Event.id > since, or_(*conditions)).order_by(Event.id).limit(limit)
    return list(session.scalars(query))


def _ids(ids: Ids) -> Any:
    if isinstance(ids, (Select, CompoundSelect)):
        return ids
    return [int(i) for i in ids]


def last_id(session: Session) -> int:
    """The id of the newest event there is (that this session may see), or 0."""
    return int(session.scalar(select(func.max(Event.id))) or 0)


def as_message(event: Event) -> dict[str, Any]:
    """The event as a JSON-able dict: ``id``, ``kind``, ``entity``, ``entity_id``, the rest."""
    return {
        "id": event.id,
        "kind": event.kind.value,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "user_id": event.user_id,
        "organization_id": event.organization_id,
        "payload": json.loads(event.payload),
        "created_at": event.created_at.isoformat(),
    }


def _check_since(since: Any) -> int:
    if isinstance(since, bool) or not isinstance(since, int) or not 0 <= since < 2**63:
        raise ValidationError("since", "must be an event id (a whole number, 0 or more)", since)
    return since


def _check_limit(limit: Any) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_READ:
        raise ValidationError("limit", f"must be a whole number from 1 to {MAX_READ}", limit)
    return limit
