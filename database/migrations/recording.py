"""The ``schema_migrations`` record, kept in the migration's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, insert, inspect, text
from sqlalchemy.engine import Connection

from database.core.column_types import utcnow
from database.models import SchemaMigration
from utils.errors import MigrationError

_TABLE: Table = SchemaMigration.__table__  # type: ignore[assignment]


def record_version(ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
    """Alembic ``on_version_apply`` hook: add or remove the version's record."""
    connection: Connection = ctx.connection
    if step.is_upgrade:
        version = step.up_revision_id
        description = (step.up_revision.doc or "").strip()
        mark_applied(connection, version, description)
    else:
        for version in step.source_revision_ids:
            mark_rolled_back(connection, version)
    check_foreign_keys(connection)


def mark_applied(connection: Connection, version: str, description: str) -> None:
    """Record ``version`` as applied now."""
    connection.execute(
        insert(_TABLE).values(version=version, description=description[:255], applied_at=utcnow())
    )


def mark_rolled_back(connection: Connection, version: str) -> None:
    """Forget ``version``; a no-op once the rollback dropped the table itself."""
    if inspect(connection).has_table(_TABLE.name):
        connection.execute(delete(_TABLE).where(_TABLE.c.version == version))


def check_foreign_keys(connection: Connection) -> None:
    """On SQLite, fail the migration if it left a dangling reference."""
    if connection.dialect.name != "sqlite":
        return
    problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
    if problems:
        table, rowid, parent = problems[0][0], problems[0][1], problems[0][2]
        raise MigrationError(
            f"Migration left {len(problems)} dangling reference(s), "
            f"first: {table} row {rowid} -> {parent}"
        )
