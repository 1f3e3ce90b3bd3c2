"""Dropping every object of the project's schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

#: Prefix of the PostgreSQL functions the migrations create (search triggers).
FUNCTION_PREFIX = "aa_"


def drop_everything(conn: Connection) -> None:
    """Drop all tables, views and triggers (and our PostgreSQL functions) in one go.

    Object names come from the database catalog, never from user input, and are
    quoted by the dialect.
    """
    if conn.dialect.name == "sqlite":
        _drop_sqlite(conn)
    else:
        _drop_postgresql(conn)


def _drop_sqlite(conn: Connection) -> None:
    quote = conn.dialect.identifier_preparer.quote
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        with conn.begin():
            objects = conn.execute(
                text(
                    "SELECT type, name, sql FROM sqlite_master "
                    "WHERE type IN ('table', 'view', 'trigger') AND name NOT LIKE 'sqlite_%'"
                )
            ).fetchall()
            for kind in ("view", "trigger"):
                for row in objects:
                    if row.type == kind:
                        conn.exec_driver_sql(f"DROP {kind.upper()} IF EXISTS {quote(row.name)}")
            virtual = [r for r in objects if (r.sql or "").upper().startswith("CREATE VIRTUAL")]
            plain = [r for r in objects if r.type == "table" and r not in virtual]
            for row in [*virtual, *plain]:
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(row.name)}")
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _drop_postgresql(conn: Connection) -> None:
    quote = conn.dialect.identifier_preparer.quote
    with conn.begin():
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        ).scalars()
        for name in list(tables):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(name)} CASCADE")
        functions = conn.execute(
            text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND starts_with(p.proname, :prefix)"
            ),
            {"prefix": FUNCTION_PREFIX},
        ).scalars()
        for signature in list(functions):
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature} CASCADE")
