"""Engine construction: pools, SQLite pragmas and the transaction mode.

SQLite connections run with foreign keys on, WAL journaling (file databases), a
busy timeout, and every transaction opened with ``BEGIN IMMEDIATE``: a writer
takes the write lock up front and so waits for another writer (up to the busy
timeout) instead of failing later with "database is locked" when a read
transaction tries to upgrade. It also makes DDL transactional, which the
migrations rely on. A connection with the execution option ``READ_ONLY``
(see :data:`READ_ONLY`) opens a plain ``BEGIN`` instead: a read-only
transaction that never waits for a writer in WAL mode.

With ``pool_pre_ping`` a pooled connection is pinged at checkout only when it
sat unused for :data:`PING_AFTER_IDLE` seconds: one that was in use a moment
ago is alive, and pinging it would add a round trip to every call. A dropped
connection found that way invalidates the pool, as the pre-ping does.

Behind a transaction-pooling proxy (PgBouncer in ``pool_mode = transaction``)
consecutive transactions of one client connection may run on different server
sessions, so nothing may outlive a transaction: the psycopg connections then
prepare no statements (``prepare_threshold = None``). ``DATABASE_POOLER``
says whether there is such a proxy; ``auto`` (the default) finds out on the
first connection: a server whose own port is not the one connected to sits
behind a proxy (see :func:`behind_pooler`).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from contextvars import ContextVar
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool

from database.core import monitoring
from database.core.config import DatabaseConfig, engine_options

logger = logging.getLogger(__name__)

#: Execution option: the transaction only reads (SQLite opens it with plain ``BEGIN``).
READ_ONLY = "auto_applyer_read_only"
#: Seconds a pooled connection may sit unused before checkout pings it.
PING_AFTER_IDLE = 1.0


#: Who borrows the shared in-memory connection, when not the current thread: a
#: unit of work whose steps run on several threads (an API request, whose
#: dependencies and route each take a threadpool thread, and a thread may serve
#: another request in between) sets an object of its own here.
CONNECTION_HOLDER: ContextVar[object | None] = ContextVar(
    "auto_applyer_connection_holder", default=None
)


def _current_holder() -> object:
    holder = CONNECTION_HOLDER.get()
    return threading.get_ident() if holder is None else holder


class SerializedStaticPool(StaticPool):
    """One shared connection, lent to one holder at a time.

    An in-memory SQLite database lives inside a single connection, so every
    session must share it; this pool makes other holders wait for it rather than
    interleave their statements inside someone else's transaction. The holder
    is the thread, or the unit of work set in :data:`CONNECTION_HOLDER`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lent = threading.Condition()
        self._holder: object | None = None
        self._depth = 0

    def _do_get(self) -> ConnectionPoolEntry:
        me = _current_holder()
        with self._lent:
            while self._holder is not None and self._holder != me:
                self._lent.wait()
            self._holder = me
            self._depth += 1
        return super()._do_get()

    def lent_elsewhere(self) -> bool:
        """Whether another holder has the connection now (a checkout would wait)."""
        holder = self._holder
        return holder is not None and holder != _current_holder()

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
    ping_idle = bool(options.pop("pool_pre_ping", False))
    if config.database_type == "sqlite":
        if config.is_memory:
            options["poolclass"] = SerializedStaticPool
        else:
            _prepare_sqlite_file(config)
    engine = create_engine(config.url, echo=config.echo, **options)
    if config.database_type == "sqlite":
        _install_sqlite_hooks(engine, config)
    else:
        _install_pooler_hook(engine, config)
        _install_utc_sessions(engine)
    if ping_idle:
        _install_idle_ping(engine)
    monitoring.install(engine)
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
        command = "BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
        # Straight to the driver: a statement through the engine costs more than
        # the BEGIN itself. Its errors are wrapped as the engine would wrap them.
        try:
            conn.connection.driver_connection.execute(command)  # type: ignore[union-attr]
        except sqlite3.Error as exc:
            raise DBAPIError.instance(command, (), exc, sqlite3.Error) from exc


#: Engine -> whether it reaches PostgreSQL through a transaction-pooling proxy.
_POOLED: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()
_SERVER_PORT = "SELECT current_setting('port')"


def behind_pooler(engine: Engine) -> bool:
    """Whether ``engine`` reaches PostgreSQL through a transaction-pooling proxy.

    Known once the engine made its first connection (made here if need be);
    always ``False`` for SQLite.
    """
    if engine.dialect.name != "postgresql":
        return False
    if engine not in _POOLED:
        with engine.connect():
            pass
    return _POOLED.get(engine, False)


def _install_pooler_hook(engine: Engine, config: DatabaseConfig) -> None:
    if config.pooler != "auto":
        _POOLED[engine] = config.pooler == "transaction"
    connected_port = config.url.port or 5432

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        pooled = _POOLED.get(engine)
        if pooled is None:
            cursor = dbapi_conn.execute(_SERVER_PORT)
            pooled = _POOLED[engine] = int(cursor.fetchone()[0]) != connected_port
            dbapi_conn.rollback()
            if pooled:
                logger.info("%s is a pooling proxy: no prepared statements", config.safe_url)
        if pooled:
            dbapi_conn.prepare_threshold = None


def _install_utc_sessions(engine: Engine) -> None:
    """Sessions in UTC whatever the server's default time zone.

    Date arithmetic in SQL is then UTC, as on SQLite, and timestamps come back
    in UTC as stored, with nothing to convert. PgBouncer keeps each client's
    time zone on whichever server connection serves it.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_conn.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()


def _install_idle_ping(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(
        dbapi_conn: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        since = record.info.get("idle_since")  # none yet: a new connection
        if since is None or time.monotonic() - since < PING_AFTER_IDLE:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise InvalidatePoolError(f"connection lost while idle: {exc}") from exc
