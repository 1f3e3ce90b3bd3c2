"""Every per-user query of the API uses an index: no full scan of a user's tables.

The statements an API call really sends are captured from the engine and
explained with the same parameters: ``EXPLAIN QUERY PLAN`` on SQLite, and on
PostgreSQL ``EXPLAIN (FORMAT JSON)`` with sequential scans disabled, so the
planner can only fall back to a full scan when no index fits.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.support.statements import statements_sent

# The per-user table: a full scan of it grows with every user's data. (How the small
# history table is joined is the planner's call at test sizes.)
WATCHED = ("job_applications",)


@pytest.fixture
def dataset(db: DatabaseManager) -> int:
    # Each user holds a small share of the rows, as in real use, and the planner
    # gets fresh statistics: a per-user query must then probe indexes.
    users = [DatabaseUtils.create_user(email=f"u{i}@example.com").id for i in range(20)]
    for user in users:
        resume = DatabaseUtils.add_resume(user, "cv.pdf", "/cv.pdf", parsed_text="python sql").id
        DatabaseUtils.bulk_add_job_applications(
            user,
            [{"job_title": f"Python Developer {i}", "company": f"Co {i % 17}",
              "job_description": "Django, PostgreSQL and data pipelines " * 5,
              "source": ("linkedin", "indeed", None)[i % 3], "resume_id": resume}
             for i in range(60)],
        )  # fmt: skip
    apps = DatabaseUtils.get_user_applications(users[0], limit=10)
    for app in apps[:5]:
        DatabaseUtils.update_application_status(app.id, "screening")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return users[0]


def captured(db: DatabaseManager, call: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECT statements (and their parameters) that ``call()`` sends."""
    statements = [
        (statement, parameters)
        for statement, parameters in statements_sent(db.engine, call)
        if re.match(r"\s*(SELECT|WITH)\b", statement, re.IGNORECASE)
    ]
    assert statements
    return statements


def sqlite_full_scans(raw: Any, statement: str, parameters: Any) -> list[str]:
    aliases = set(WATCHED)
    for table in WATCHED:
        aliases |= set(re.findall(rf"\b{table}\s+AS\s+(\w+)", statement, re.IGNORECASE))
    plan = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    details = [row[-1] for row in plan]
    return [
        d
        for d in details
        if (m := re.match(r"SCAN (\w+)", d)) and m.group(1) in aliases and "VIRTUAL" not in d
    ]


def pg_full_scans(raw: Any, statement: str, parameters: Any) -> list[str]:
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
        (plan,) = cursor.fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    bad = []
    stack = [plan[0]["Plan"]]
    while stack:
        node = stack.pop()
        stack.extend(node.get("Plans", []))
        if node.get("Relation Name") not in WATCHED:
            continue
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind.startswith("Index") and "Index Cond" not in node):
            bad.append(f"{kind} on {node['Relation Name']}")
    return bad


def full_scans(db: DatabaseManager, statements: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    raw = db.engine.raw_connection()
    try:
        sqlite = db.config.database_type == "sqlite"
        found = []
        for statement, parameters in statements:
            explain = sqlite_full_scans if sqlite else pg_full_scans
            for scan in explain(raw.driver_connection, statement, parameters):
                found.append((scan, statement))
        return found
    finally:
        raw.rollback()
        raw.close()


CALLS: dict[str, Callable[[int], object]] = {
    "statistics": lambda u: DatabaseUtils.get_application_statistics(u, days=30),
    "listing": lambda u: DatabaseUtils.get_user_applications(u, limit=50),
    "listing_by_status": lambda u: DatabaseUtils.get_user_applications(u, "screening", limit=50),
    "funnel": lambda u: DatabaseUtils.get_application_funnel(u),
    "by_source": lambda u: DatabaseUtils.get_conversion_by_source(u),
    "by_resume": lambda u: DatabaseUtils.get_conversion_by_resume(u),
    "time_in_stage": lambda u: DatabaseUtils.get_time_in_stage(u),
    "per_week": lambda u: DatabaseUtils.get_applications_per_week(u),
    "responses": lambda u: DatabaseUtils.get_response_stats(u, days=90),
    "stale": lambda u: DatabaseUtils.get_stale_applications(u, days=1),
    "search_common": lambda u: DatabaseUtils.search_applications(u, "python developer"),
    "search_rare": lambda u: DatabaseUtils.search_applications(u, '"developer 7"'),
    "duplicate_check": lambda u: DatabaseUtils.add_job_application(
        u, "Python Developer 3", "Co 3", on_duplicate="skip"
    ),
}


def test_per_user_queries_use_an_index(db: DatabaseManager, dataset: int) -> None:
    problems = {}
    for name, call in CALLS.items():
        scans = full_scans(db, captured(db, functools.partial(call, dataset)))
        if scans:
            problems[name] = scans
    assert problems == {}


def test_the_check_sees_a_full_scan(db: DatabaseManager, dataset: int) -> None:
    from sqlalchemy import text

    from database.connection import db_session_scope

    def unindexed() -> None:
        with db_session_scope() as session:
            session.execute(
                text("SELECT count(*) FROM job_applications WHERE job_title = :t"), {"t": "x"}
            )

    assert full_scans(db, captured(db, unindexed))
