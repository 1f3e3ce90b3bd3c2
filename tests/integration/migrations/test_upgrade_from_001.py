"""Upgrading a database with data from revision 001 to the latest gives today's result.

A database at 001 is filled with the fixed data set of :mod:`seed_001` (plain
SQL), migrated to the latest revision, and dumped: every table's rows ordered by
id (timestamps as ISO 8601 UTC text, enums as values, JSON as JSON), the
migration records (without the moment they were applied), and what the search
index finds. The dump must equal the committed golden file
``golden/upgrade_from_001.json`` on every engine, so a revision that changes what
it writes (for instance because it calls live code whose rules moved on) fails here.

After a deliberate change to what a revision writes, regenerate the golden file
on one engine, review its diff, then run the test on all engines without the flag::

    AUTO_APPLYER_REGENERATE_GOLDEN=1 AUTO_APPLYER_TEST_ENGINES=sqlite_memory \\
        .venv/bin/pytest -p no:cacheprovider tests/integration/migrations/test_upgrade_from_001.py
"""

from __future__ import annotations

import enum
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from database.connection import DatabaseManager
from database.migrations import MigrationManager, builtin_migrations
from database.models import TABLES
from database.utilities import DatabaseUtils
from tests.integration.migrations.seed_001 import seed

GOLDEN = Path(__file__).parent / "golden" / "upgrade_from_001.json"
REGENERATE = os.environ.get("AUTO_APPLYER_REGENERATE_GOLDEN") == "1"
#: Columns set to the moment the migration ran.
VOLATILE = {"schema_migrations": {"id", "applied_at"}}
#: (user id, query) pairs whose hits show what the search index holds.
APPLICATION_SEARCHES = [(1, "engineer"), (1, "referral"), (1, "board"), (1, "zürich"), (2, "qa")]
RESUME_SEARCHES = [(1, "backend"), (1, "kafka")]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _rows(conn: Connection, table: Any) -> list[dict[str, Any]]:
    skipped = VOLATILE.get(table.name, set())
    order = [table.c.version] if table.name == "schema_migrations" else table.primary_key.columns
    return [
        {name: _plain(value) for name, value in row.items() if name not in skipped}
        for row in conn.execute(select(table).order_by(*order)).mappings()
    ]


def _hits(rows: list[dict[str, Any]]) -> list[int]:
    return sorted(row["id"] for row in rows)


def dump(db: DatabaseManager) -> dict[str, Any]:
    """The whole database as engine-independent JSON values."""
    with db.engine.connect() as conn:
        tables = {table.name: _rows(conn, table) for table in sorted(TABLES, key=lambda t: t.name)}
        alembic = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    search = {
        "applications": {
            f"{user}:{query}": _hits(DatabaseUtils.search_applications(user, query))
            for user, query in APPLICATION_SEARCHES
        },
        "resumes": {
            f"{user}:{query}": _hits(DatabaseUtils.search_resumes(user, query))
            for user, query in RESUME_SEARCHES
        },
    }
    # One JSON round trip: tuples become lists and the dump compares like the file.
    result: dict[str, Any] = json.loads(
        json.dumps({"tables": tables, "alembic_version": alembic, "search": search})
    )
    return result


def test_upgrading_a_001_database_with_data_gives_the_golden_result(db: DatabaseManager) -> None:
    manager = MigrationManager()
    try:
        manager.migrate_to_version("001")
        with db.engine.begin() as conn:
            seed(conn)
        applied = manager.migrate_to_latest()
        assert applied == [m.version for m in builtin_migrations()[1:]]
        result = dump(db)
    finally:
        manager.migrate_to_latest()
    if REGENERATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(result, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for table in golden["tables"]:
        assert result["tables"][table] == golden["tables"][table], table
    assert result == golden
