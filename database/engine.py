"""Engine construction: pools, SQLite pragmas and the transaction mode.

SQLite connections run with foreign keys on, WAL journaling (file databases), a
busy timeout, and every transaction opened with ``BEGIN IMMEDIATE``: a writer
takes the write lock up front and so waits for another writer (up to the busy
timeout) instead of failing later with "database is locked" when a read
transaction tries to upgrade. It also makes DDL transactional, which the
migrations rely on.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from database.config import DatabaseConfig, engine_options

logger = logging.getLogger(__name__)


class SerializedStaticPool(StaticPool):
    """One shared connection, lent to one thread at a time.

    An in-memory SQLite database lives inside a single connection, so every
    session must share it; this pool makes other threads wait for it rather than
    interleave their statements inside someone else's transaction.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lent = threading.Condition()
        self._holder: int | None = None
        self._depth = 0

    def _do_get(self) -> ConnectionPoolEntry:
        me = threading.get_ident()
        with self._lent:
            while self._holder not in (None, me):
                self._lent.wait()
            self._holder = me
            self._depth += 1
        return super()._do_get()

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        with self._lent:
            self._depth -= 1
            if self._depth <= 0:
                self._depth = 0
                self._holder = None
                self._lent.notify_all()


def build_engine(config: DatabaseConfig) -> Engine:
    """Create the engine of ``config``, with the SQLite settings applied."""
    options = engine_options(config)
    if config.database_type == "sqlite":
        if config.is_memory:
            options["poolclass"] = SerializedStaticPool
        else:
            _prepare_sqlite_file(config)
    engine = create_engine(config.url, echo=config.echo, **options)
    if config.database_type == "sqlite":
        _install_sqlite_hooks(engine, config)
    logger.debug("engine created for %s", config.safe_url)
    return engine


def _prepare_sqlite_file(config: DatabaseConfig) -> None:
    path = config.sqlite_file
    if path is None:
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        # Created here so it is readable by its owner only; SQLite gives its -wal
        # and -shm files the same mode as the database file.
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def _install_sqlite_hooks(engine: Engine, config: DatabaseConfig) -> None:
    busy_ms = config.timeout * 1000
    use_wal = not config.is_memory

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy's "begin" event open transactions, not the sqlite3 module.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            if use_wal:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute(f"PRAGMA synchronous = {config.sqlite_synchronous}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
