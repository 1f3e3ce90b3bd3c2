"""Ready for Citus: what already holds for sharding every person's data by ``user_id``.

1. Every person-owned table (one with a foreign-key path to ``users``, read
   from the live schema) has a ``user_id`` that references ``users.id`` and is
   NOT NULL, apart from the reference tables and the nullable owner listed
   below with their reasons; every table with no path to ``users`` is a
   listed system table.
2. Rows linked by a foreign key between two person-owned tables have one
   owner, so each such key can become composite with ``user_id``.
3. Which hot per-person calls are single-shard, read from their plans, and
   exactly which scans of the others are not. The statements a call sends
   are captured from the engine and explained with their parameters
   (``EXPLAIN (FORMAT JSON)``, unprepared, so the plan shows the values). A
   statement is single-shard when every scan of a distributed table
   (``users`` by ``id``, a person-owned table by ``user_id``) is *pinned*:

   - its Index Cond, Recheck Cond or Filter has, as a term ANDed at its top,
     its distribution column compared with a constant (``(user_id = 7)``), or
   - a condition of the plan (its own Index Cond, or a Hash Cond, Merge Cond
     or Join Filter) equates its distribution column with that of a pinned
     scan (``(h.user_id = ja.user_id)``).

   Nothing else pins a scan: not ``id = 5`` on ``job_applications`` followed
   by an ownership check in Python, not ``application_id = ANY (...)`` on a
   child table, not ``user_id = 7`` inside an OR, not ``user_id = $0`` fed by
   a sub-plan. Citus routes such a
   statement to every shard. Reference and system tables are not checked.

PostgreSQL's plans are what Citus plans from, so these tests run there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.connection import DatabaseManager
from database.domain.accounts import Actor
from database.models import TokenKind
from database.services.tenancy import applications as tenancy_applications
from database.services.tenancy import contacts as tenancy_contacts
from database.services.tenancy import events as tenancy_events
from database.services.tenancy import notifications as tenancy_notifications
from database.services.tenancy import profile as tenancy_profile
from database.services.tenancy import resumes as tenancy_resumes
from database.services.tenancy import tags as tenancy_tags
from database.utilities import DatabaseUtils
from tests.support.notification_objects import reminder_of
from tests.support.statements import statements_sent
from tests.support.tracker_objects import tracker_rows
from tests.support.webhook_objects import WEBHOOK_MAKERS

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)

#: Tables with a path to ``users`` that Citus would make reference tables, and why.
REFERENCE_TABLES = {
    "organizations": "shared by all its members; created_by names the founder, not an owner",
    "memberships": "read by organization (its staff and members) and by person (every access "
    "check), so it is replicated rather than sharded by either",
    "invitations": "an organization's, found by its token before anyone has an account",
}
#: Person-owned tables whose ``user_id`` may be NULL, and why.
NULLABLE_OWNER = {
    "events": "a system event (a whole-database backup finished) is nobody's: user_id NULL",
}
#: Tables with no path to ``users``: no person's data, reference or local tables.
SYSTEM_TABLES = {
    "ai_analysis_cache": "cached analyses keyed by content, shared by everyone",
    "alembic_version": "the schema version",
    "alert_states": "the server's alert rules",
    "maintenance_locks": "the server's named locks",
    "maintenance_runs": "the server's maintenance log",
    "metric_samples": "the server's health figures",
    "schema_migrations": "the applied migrations",
    "sign_in_throttle": "failures by hashed email or address, before anyone is known",
    "system_settings": "server-wide settings",
}
#: Foreign keys between person-owned tables whose two rows may have two owners, and why.
CROSS_OWNER_KEYS = {
    ("webhook_deliveries", "event_id"): "a coach's endpoint is sent the events of the members "
    "they follow: the delivery is the coach's, the event the member's",
}

FOREIGN_KEYS = """
SELECT cl.relname, a.attname, fcl.relname, a.attnotnull
FROM pg_constraint con
JOIN pg_class cl ON cl.oid = con.conrelid
JOIN pg_class fcl ON fcl.oid = con.confrelid
JOIN pg_namespace n ON n.oid = cl.relnamespace
JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
WHERE con.contype = 'f' AND n.nspname = current_schema()
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class ForeignKey:
    table: str
    column: str
    target: str
    not_null: bool


@dataclass(frozen=True)
class Schema:
    tables: frozenset[str]
    keys: tuple[ForeignKey, ...]

    def reaches_users(self) -> set[str]:
        """Every table with a foreign-key path to ``users`` (``users`` left out)."""
        found = {"users"}
        while True:
            more = {k.table for k in self.keys if k.target in found} - found
            if not more:
                return found - {"users"}
            found |= more

    def person_owned(self) -> set[str]:
        """The tables Citus would distribute by ``user_id``."""
        return self.reaches_users() - set(REFERENCE_TABLES)


def live_schema(conn: Connection) -> Schema:
    """The live schema's tables and foreign keys (first column: all are single-column)."""
    tables = conn.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    )
    keys = tuple(ForeignKey(*row) for row in conn.execute(text(FOREIGN_KEYS)))
    return Schema(frozenset(tables), keys)


@pytest.fixture
def schema(db: DatabaseManager) -> Schema:
    with db.engine.connect() as conn:
        return live_schema(conn)


# -- 1. every person's table carries its owner ---------------------------------


def test_every_person_owned_table_has_a_not_null_user_id_referencing_users(
    schema: Schema,
) -> None:
    owned = schema.person_owned()
    assert {"job_applications", "application_status_history", "webhook_deliveries"} <= owned
    owner_keys = {k.table: k for k in schema.keys if k.column == "user_id" and k.target == "users"}
    assert sorted(owned - set(owner_keys)) == []
    nullable = {t for t in owned if not owner_keys[t].not_null}
    assert nullable == set(NULLABLE_OWNER)


def test_every_table_without_a_path_to_users_is_a_listed_system_table(schema: Schema) -> None:
    assert set(REFERENCE_TABLES) <= schema.reaches_users()
    ownerless = schema.tables - schema.reaches_users() - {"users"}
    assert ownerless == set(SYSTEM_TABLES)


# -- the data of a few people ------------------------------------------------------


@dataclass(frozen=True)
class World:
    user_id: int  # the person whose hot queries are explained
    application_id: int  # one of their applications, with a status history
    actor: Actor


def fill_person(db: DatabaseManager, number: int) -> tuple[int, int]:
    """A person with applications, history, notes, tags, contacts, resumes and searches."""
    user_id = DatabaseUtils.create_user(f"person{number}@example.com").id
    resume = DatabaseUtils.add_resume(user_id, "cv.pdf", "/cv.pdf", parsed_text="python sql").id
    rows = [
        {"job_title": f"Python Developer {i}", "company": f"Co {i % 7}", "resume_id": resume,
         "job_description": "Django, PostgreSQL and data pipelines " * 4,
         "source": ("linkedin", "indeed", None)[i % 3]}
        for i in range(40)
    ]  # fmt: skip
    ids = DatabaseUtils.bulk_add_job_applications(user_id, rows)
    for application_id in ids[:6]:
        DatabaseUtils.update_application_status(application_id, "screening", notes="call")
        DatabaseUtils.add_application_note(application_id, "spoke to the recruiter")
        DatabaseUtils.set_application_tags(application_id, ["python", "referral"])
    contact = DatabaseUtils.add_contact(user_id, "Ada Recruiter", company="Co 1").id
    DatabaseUtils.link_contact(ids[0], contact)
    for query in ("python", "data engineer", "django"):
        DatabaseUtils.add_search_history(user_id, job_title=query, total_results=10)
    with db.session_scope() as session:
        reminder_of(session, user_id, ids[1])
        tracker_rows(session, user_id, ids[2])
        for make in WEBHOOK_MAKERS.values():
            make(session, user_id)
    return user_id, ids[0]


@pytest.fixture
def world(db: DatabaseManager) -> World:
    people = [fill_person(db, number) for number in range(4)]
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    user_id, application_id = people[0]
    actor = Actor(user_id, TokenKind.ACCESS, frozenset({"read", "write"}), False, 0)
    return World(user_id, application_id, actor)


# -- 2. linked rows have one owner -------------------------------------------------


def test_rows_linked_between_person_owned_tables_have_one_owner(
    db: DatabaseManager, schema: Schema, world: World
) -> None:
    owned = schema.person_owned()
    linked = [
        k for k in schema.keys
        if k.table in owned and k.target in owned and (k.table, k.column) not in CROSS_OWNER_KEYS
    ]  # fmt: skip
    assert {k.target for k in linked} >= {"job_applications", "contacts", "tags", "resumes"}
    mixed = {}
    with db.engine.connect() as conn:
        for k in linked:
            total, differing = conn.execute(
                text(
                    f"SELECT count(*), count(*) FILTER (WHERE c.user_id <> p.user_id)"
                    f" FROM {k.table} c JOIN {k.target} p ON p.id = c.{k.column}"
                )
            ).one()
            assert total, f"{k.table}.{k.column}: no linked rows to compare"
            if differing:
                mixed[f"{k.table}.{k.column}"] = differing
    assert mixed == {}


# -- 3. hot per-person queries are single-shard ------------------------------------

#: Condition keys of a plan node, and those that join two inputs.
SCAN_CONDITIONS = ("Index Cond", "Recheck Cond", "Filter")
JOIN_CONDITIONS = ("Hash Cond", "Merge Cond", "Join Filter")
COLUMN = r"(?:(\w+)\.)?([a-z_]\w*)"
#: A column compared with a constant, as a plan prints it: ``ja.user_id = 7``.
PINNED = re.compile(rf"{COLUMN} = (?:'[^']*'(?:::[\w ]+)?|-?\d+)")
#: Two columns compared: ``h.user_id = ja.user_id``.
EQUATED = re.compile(rf"{COLUMN} = {COLUMN}")


@dataclass(frozen=True)
class Scan:
    alias: str
    table: str
    conditions: tuple[str, ...]


def plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The node and every node below it (sub-plans and init-plans included)."""
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def _unwrapped(condition: str) -> str:
    # "((a) AND (b))" -> "(a) AND (b)", while the outer parentheses enclose it all.
    while condition.startswith("(") and _closing(condition) == len(condition) - 1:
        condition = condition[1:-1].strip()
    return condition


def _closing(condition: str) -> int:
    depth = 0
    for position, char in enumerate(condition):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return position
    return -1


def conjuncts(condition: str) -> list[str]:
    """The terms ANDed at the top of a plan's condition (an OR is one term, never split)."""
    terms, depth, start, body = [], 0, 0, _unwrapped(condition)
    for position, char in enumerate(body):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and body.startswith(" AND ", position):
            terms.append(body[start:position])
            start = position + len(" AND ")
    terms.append(body[start:])
    return [_unwrapped(term) for term in terms]


def distribution_column(table: str, owned: set[str]) -> str | None:
    """The column Citus would shard ``table`` by, ``None`` when it is not distributed."""
    return "id" if table == "users" else "user_id" if table in owned else None


def unpinned_scans(plan: dict[str, Any], owned: set[str]) -> list[str]:
    """The scans of distributed tables in ``plan`` that no condition ties to one person."""
    nodes = list(plan_nodes(plan))
    scans = [
        Scan(n["Alias"], n["Relation Name"], tuple(n[k] for k in SCAN_CONDITIONS if k in n))
        for n in nodes
        if "Relation Name" in n
    ]
    column_of = {s.alias: distribution_column(s.table, owned) for s in scans}
    # (own alias or None, term): an unqualified column in a scan's condition is its own.
    terms: list[tuple[str | None, str]] = [
        (s.alias, t) for s in scans for c in s.conditions for t in conjuncts(c)
    ]
    terms += [(None, t) for n in nodes for k in JOIN_CONDITIONS if k in n for t in conjuncts(n[k])]
    pinned = _pinned(terms, column_of)
    return sorted(
        f"{s.table} as {s.alias}" for s in scans if column_of[s.alias] and s.alias not in pinned
    )


def _pinned(terms: list[tuple[str | None, str]], column_of: dict[str, str | None]) -> set[str]:
    # The aliases pinned by a constant, then those equated with a pinned one, transitively.
    pinned: set[str] = set()
    edges: list[tuple[str, str]] = []
    for own, term in terms:
        if (value := PINNED.fullmatch(term)) and own is not None:
            if (value[1] or own) == own and column_of[own] == value[2]:
                pinned.add(own)
        elif columns := EQUATED.fullmatch(term):
            left, right = columns[1] or own, columns[3] or own
            # Each side its own table's distribution column (never None: a matched name).
            if (
                left
                and right
                and (column_of.get(left), column_of.get(right)) == columns.group(2, 4)
            ):
                edges.append((left, right))
    while True:
        reached = {b for a, b in edges if a in pinned} | {a for a, b in edges if b in pinned}
        if reached <= pinned:
            return pinned
        pinned |= reached


def explain(raw: Any, statement: str, parameters: Any) -> dict[str, Any]:
    """The plan of ``statement`` with ``parameters``, unprepared (so it shows the values)."""
    with raw.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters, prepare=False)
        (document,) = cursor.fetchone()
    plan: dict[str, Any] = document[0]["Plan"]
    return plan


def multi_shard_statements(
    db: DatabaseManager, owned: set[str], call: Callable[[], object]
) -> dict[str, list[str]]:
    """Each SELECT ``call()`` sends that is not single-shard, with its unpinned scans."""
    sent = statements_sent(db.engine, call)
    reads = [(s, p) for s, p in sent if re.match(r"\s*(SELECT|WITH)\b", s, re.IGNORECASE)]
    assert reads, "the call sent no query"
    raw = db.engine.raw_connection()
    try:
        found = {}
        for statement, parameters in reads:
            scans = unpinned_scans(explain(raw.driver_connection, statement, parameters), owned)
            if scans:
                found[" ".join(statement.split())] = scans
        return found
    finally:
        raw.rollback()
        raw.close()


def in_session(db: DatabaseManager, read: Callable[[Any], object]) -> Callable[[], object]:
    """``read(session)`` in a transaction of its own, as an API request runs it."""

    def call() -> object:
        with db.session_scope() as session:
            return read(session)

    return call


Call = Callable[[DatabaseManager, World], Callable[[], object]]


def utility(read: Callable[[World], object]) -> Call:
    """A ``DatabaseUtils`` call of the world's person."""
    return lambda db, w: lambda: read(w)


def api(read: Callable[[Any, World], object]) -> Call:
    """An actor-scoped call of the world's person, in a transaction of its own."""
    return lambda db, w: in_session(db, lambda session: read(session, w))


#: The hot calls of one person on their own data: each is single-shard.
SINGLE_SHARD: dict[str, Call] = {
    "listing": utility(lambda w: DatabaseUtils.get_user_applications(w.user_id, limit=50)),
    "listing_by_status": utility(
        lambda w: DatabaseUtils.get_user_applications(w.user_id, "screening", limit=50)
    ),
    "resumes": utility(lambda w: DatabaseUtils.get_user_resumes(w.user_id)),
    "search_history": utility(lambda w: DatabaseUtils.get_search_history(w.user_id, 20)),
    "events": utility(lambda w: DatabaseUtils.get_events(w.user_id)),
    "search": utility(lambda w: DatabaseUtils.search_applications(w.user_id, "python")),
    "resume_search": utility(lambda w: DatabaseUtils.search_resumes(w.user_id, "python")),
    "statistics": utility(lambda w: DatabaseUtils.get_application_statistics(w.user_id)),
    "tags": utility(lambda w: DatabaseUtils.list_tags(w.user_id)),
    "contacts": utility(lambda w: DatabaseUtils.list_contacts(w.user_id)),
    "api_application": api(
        lambda s, w: tenancy_applications.get_application(s, w.actor, w.application_id)
    ),
    "api_history": api(
        lambda s, w: tenancy_applications.application_history(s, w.actor, w.application_id)
    ),
    "api_listing": api(lambda s, w: tenancy_applications.list_applications(s, w.actor, limit=50)),
    "api_listing_rows": api(
        lambda s, w: tenancy_applications.list_application_rows(s, w.actor, limit=50)
    ),
    "api_search": api(lambda s, w: tenancy_applications.search_applications(s, w.actor, "python")),
    "api_statistics": api(lambda s, w: tenancy_applications.statistics(s, w.actor)),
    "api_tags": api(lambda s, w: tenancy_tags.vocabulary(s, w.actor)),
    "api_contacts": api(lambda s, w: tenancy_contacts.list_contacts(s, w.actor, limit=20)),
    "api_resumes": api(lambda s, w: tenancy_resumes.list_resumes(s, w.actor, limit=20)),
    "api_search_history": api(lambda s, w: tenancy_profile.list_searches(s, w.actor, limit=20)),
    "api_notifications": api(
        lambda s, w: tenancy_notifications.list_notifications(s, w.actor, limit=20)
    ),
}

#: Hot calls with a statement that reaches a person's rows without ``user_id`` by design
#: (every shard, on Citus): the tables of those scans.
MULTI_SHARD: dict[str, tuple[Call, set[str]]] = {
    # Given an application's id alone, its owner is found by that id (one look-up, on
    # every shard); everything else is then read by the owner's user_id.
    "application_with_history": (
        utility(
            lambda w: (
                DatabaseUtils.get_application(w.application_id),
                DatabaseUtils.get_application_history(w.application_id),
            )
        ),
        {"job_applications"},
    ),
    # Own events OR those of the organizations the actor staffs: staff streams fan out.
    "api_events": (api(lambda s, w: tenancy_events.events_since(s, w.actor)), {"events"}),
}


def test_every_single_shard_hot_call_pins_each_scan_to_its_owner_by_user_id(
    db: DatabaseManager, schema: Schema, world: World
) -> None:
    owned = schema.person_owned()
    problems = {}
    for name, make in SINGLE_SHARD.items():
        found = multi_shard_statements(db, owned, make(db, world))
        if found:
            problems[name] = found
    assert problems == {}


def test_the_hot_calls_that_fan_out_reach_exactly_the_listed_tables_without_user_id(
    db: DatabaseManager, schema: Schema, world: World
) -> None:
    owned = schema.person_owned()
    seen = {}
    for name, (make, _tables) in MULTI_SHARD.items():
        found = multi_shard_statements(db, owned, make(db, world))
        seen[name] = {scan.split(" as ")[0] for scans in found.values() for scan in scans}
    assert seen == {name: tables for name, (_make, tables) in MULTI_SHARD.items()}


@pytest.mark.parametrize(
    ("statement", "unpinned"),
    [
        ("SELECT id FROM job_applications WHERE user_id = :u AND status = 'applied'", []),
        ("SELECT id FROM job_applications WHERE id = :a", ["job_applications"]),
        ("SELECT id FROM job_applications WHERE user_id = :u OR id = :a", ["job_applications"]),
        ("SELECT h.id FROM application_status_history h JOIN job_applications a"
         " ON a.id = h.application_id AND a.user_id = h.user_id WHERE h.user_id = :u", []),
        ("SELECT h.id FROM application_status_history h JOIN job_applications a"
         " ON a.id = h.application_id WHERE h.user_id = :u", ["job_applications"]),
        ("SELECT t.id FROM tags t JOIN application_tags l ON l.tag_id = t.id"
         " AND l.user_id = t.user_id WHERE t.user_id = :u", []),
    ],
)  # fmt: skip
def test_only_a_user_id_equality_or_a_join_on_user_id_pins_a_scan(
    db: DatabaseManager, schema: Schema, world: World, statement: str, unpinned: list[str]
) -> None:
    def read(session: Any) -> object:
        values = {"u": world.user_id, "a": world.application_id}
        return session.execute(text(statement), values).all()

    found = multi_shard_statements(db, schema.person_owned(), in_session(db, read))
    assert sorted({s.split(" as ")[0] for scans in found.values() for s in scans}) == unpinned
