"""Dropping the project's own schema objects, on SQLite and PostgreSQL.

A SQLite file or a PostgreSQL schema may hold other applications' tables too, so
a reset drops only what this project creates: its tables (those of the models),
their full-text tables (``<table>_fts``, with their shadow tables) and triggers,
the PostgreSQL search-vector functions (``aa_<table>_search_vector``), the
row-level security helpers (``auto_applyer_*``, policies go with their tables)
and Alembic's version table. Nothing that depends on another application's objects
is dropped by cascade: if another application's object depends on one of ours
(a foreign key, a view), PostgreSQL refuses and nothing is dropped.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

from database.models import TABLES

VERSION_TABLE = "alembic_version"
#: Prefix of the PostgreSQL functions the migrations create (search triggers).
FUNCTION_PREFIX = "aa_"
#: The row-level security helpers of revision 003.5 (the acting user, their organizations).
ROW_SECURITY_FUNCTIONS = (
    "auto_applyer_actor",
    "auto_applyer_subject",
    "auto_applyer_organizations",
    "auto_applyer_staff_readable",
    "auto_applyer_invited_organizations",
)


def project_tables() -> list[str]:
    """The project's tables, each after the tables that reference it."""
    return [*(t.name for t in reversed(TABLES)), VERSION_TABLE]


def full_text_tables() -> list[str]:
    """The names the project's full-text tables would have (SQLite)."""
    return [f"{t.name}_fts" for t in TABLES]


def search_functions() -> list[str]:
    """The names of the project's search-vector functions (PostgreSQL)."""
    return [f"{FUNCTION_PREFIX}{t.name}_search_vector" for t in TABLES]


def project_functions() -> list[str]:
    """The names of every PostgreSQL function the migrations create: search and row security."""
    return [*search_functions(), *ROW_SECURITY_FUNCTIONS]


def drop_everything(conn: Connection) -> None:
    """Drop the project's tables, search indexes, triggers and functions in one transaction.

    Object names come from the models and the catalog, never from user input,
    and are quoted by the dialect.
    """
    if conn.dialect.name == "sqlite":
        _drop_sqlite(conn)
    else:
        _drop_postgresql(conn)


def _existing(conn: Connection, query: str, names: list[str]) -> list[str]:
    found = set(conn.execute(text(query)).scalars())
    return [name for name in names if name in found]


def _drop_sqlite(conn: Connection) -> None:
    quote = conn.dialect.identifier_preparer.quote
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        with conn.begin():
            catalog = "SELECT name FROM sqlite_master WHERE type = 'table'"
            # A virtual table takes its shadow tables and a table its triggers along.
            for name in _existing(conn, catalog, [*full_text_tables(), *project_tables()]):
                conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(name)}")
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _drop_postgresql(conn: Connection) -> None:
    quote = conn.dialect.identifier_preparer.quote
    with conn.begin():
        catalog = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        tables = _existing(conn, catalog, project_tables())
        if tables:
            # One statement drops tables that reference each other; no CASCADE.
            conn.exec_driver_sql(f"DROP TABLE {', '.join(quote(n) for n in tables)}")
        functions = conn.execute(
            text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p "
                "JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND p.proname = ANY(:names)"
            ),
            {"names": project_functions()},
        ).scalars()
        for signature in list(functions):
            conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {signature}")
