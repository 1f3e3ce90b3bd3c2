"""A consistent, non-blocking read of every table, streamed in batches.

A backup must see all tables at one moment, without stopping the application:

* PostgreSQL: one ``REPEATABLE READ, READ ONLY`` transaction, rows fetched
  through a server-side cursor;
* a SQLite file: a private connection whose transaction is a plain (deferred)
  ``BEGIN``: in WAL mode a reader sees one snapshot while writers go on. The
  application's engine opens every transaction with ``BEGIN IMMEDIATE`` (right
  for writers), which would hold the write lock for the whole backup;
* in-memory SQLite: the one shared connection (nobody else can write meanwhile).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from database.core.session import DatabaseManager

FETCH_BATCH = 2000


def _sqlite_reader_engine(manager: DatabaseManager) -> Engine:
    config = manager.config
    engine = create_engine(
        config.url,
        poolclass=NullPool,
        connect_args={"check_same_thread": False, "timeout": config.timeout},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below, deferred
        dbapi_conn.execute("PRAGMA query_only = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


@contextmanager
def read_snapshot(manager: DatabaseManager) -> Iterator[Connection]:
    """A connection inside one read transaction that sees a single moment."""
    config = manager.config
    if config.database_type == "postgresql":
        with manager.engine.connect() as conn:
            snapshot = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            with snapshot.begin():
                yield snapshot
        return
    if config.is_memory:
        with manager.engine.connect() as conn, conn.begin():
            yield conn
        return
    engine = _sqlite_reader_engine(manager)
    try:
        with engine.connect() as conn, conn.begin():
            yield conn
    finally:
        engine.dispose()


def count_rows(conn: Connection, tables: Sequence[Table]) -> dict[str, int]:
    """Rows per table, as the snapshot sees them."""
    return {
        table.name: int(conn.scalar(select(func.count()).select_from(table)) or 0)
        for table in tables
    }


def stream_rows(conn: Connection, table: Table) -> Iterator[Sequence[Any]]:
    """Every row of ``table`` in primary-key order, fetched a batch at a time."""
    query = select(*table.columns).order_by(*table.primary_key.columns)
    result = conn.execution_options(yield_per=FETCH_BATCH).execute(query)
    for partition in result.partitions():
        yield from partition
