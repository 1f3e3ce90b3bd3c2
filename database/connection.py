"""Connection management: the :class:`DatabaseManager` and the module-level API.

>>> from database.connection import init_database, db_session_scope
>>> manager = init_database("testing")
>>> with db_session_scope() as session:
...     ...

Every transaction goes through :meth:`DatabaseManager.session_scope`, which
commits on success, rolls back on error, always closes the session, and is the
one place where driver exceptions become the project's errors; or, for work
that needs no ORM objects, through :meth:`DatabaseManager.connection_scope`,
the same transaction on a Core connection without the cost of a session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from database.column_types import UTCDateTime, as_utc
from database.config import DatabaseConfig
from database.driver_errors import translate
from database.engine import READ_ONLY, build_engine
from database.models import SchemaMigration
from utils.errors import AutoApplyerError, DatabaseError, NotInitializedError

logger = logging.getLogger(__name__)


class DatabaseManager:
    """The engine and session factory of one environment."""

    def __init__(self, config: DatabaseConfig) -> None:
        self.config = config
        self.engine: Engine = build_engine(config)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._scoped = scoped_session(self.session_factory)

    def __repr__(self) -> str:
        config = self.config
        return f"DatabaseManager(environment={config.environment!r}, url={config.safe_url!r})"

    def get_session(self) -> Session:
        """A new session; the caller must close it (prefer :meth:`session_scope`)."""
        return self.session_factory()

    def get_scoped_session(self) -> scoped_session[Session]:
        """The thread-local session registry of this manager."""
        return self._scoped

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back and re-raise on error.

        Driver exceptions leave as :class:`DatabaseError` (or
        :class:`ValidationError` for a violated constraint), cause chained.
        """
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise translate(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connection_scope(self, read_only: bool = False) -> Iterator[Connection]:
        """One transaction on a Core connection: commit on success, else roll back.

        Errors leave as in :meth:`session_scope`. ``read_only=True`` promises
        the work only reads: SQLite then starts a read transaction, which waits
        for no writer.
        """
        engine = self._read_engine if read_only else self.engine
        try:
            with engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise translate(exc) from exc

    def check_connection(self) -> None:
        """Open a connection and run a trivial query, or raise :class:`DatabaseError`."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise DatabaseError(
                f"Cannot connect to the {self.config.database_type} database at "
                f"{self.config.safe_url}: {translate(exc)}"
            ) from exc

    def table_names(self) -> list[str]:
        """The names of the tables that exist in the database, sorted."""
        try:
            return sorted(inspect(self.engine).get_table_names())
        except SQLAlchemyError as exc:
            raise translate(exc) from exc

    def schema_version(self) -> str | None:
        """The latest applied migration version, or ``None`` on an empty database."""
        if SchemaMigration.__tablename__ not in self.table_names():
            return None
        with self.session_scope() as session:
            return session.scalar(
                select(SchemaMigration.version).order_by(SchemaMigration.version.desc()).limit(1)
            )

    def get_database_info(self) -> dict[str, Any]:
        """Status, environment, engine type, tables and schema version."""
        tables = self.table_names()
        return {
            "status": "connected",
            "environment": self.config.environment,
            "database_type": self.config.database_type,
            "url": self.config.safe_url,
            "tables": tables,
            "table_count": len(tables),
            "schema_version": self.schema_version(),
        }

    def close(self) -> None:
        """Release every pooled connection."""
        self._scoped.remove()
        self.engine.dispose()


def fetch_rows(conn: Connection, statement: str, parameters: Any) -> list[tuple[Any, ...]]:
    """Every row of a read ``statement`` in the driver's SQL, as plain tuples.

    For the hot reads whose cost is near that of the engine's own work: the
    statement goes through the connection's cursor-execution step, so events
    (statement capture, ``echo``) and the wrapping of driver errors are as for
    any statement, but no execution context or result object is built.
    ``tests/integration/test_query_plans.py`` sees these statements, so an
    SQLAlchemy upgrade that changed that step would fail there.
    """
    cursor = conn.connection.cursor()
    try:
        conn._cursor_execute(cursor, statement, parameters)
        try:
            return list(cursor.fetchall())
        except conn.dialect.loaded_dbapi.Error as exc:
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(statement, parameters, exc, dbapi_error) from exc
    finally:
        cursor.close()


class DriverStatement:
    """A Core statement compiled once for one dialect, run on the driver's cursor.

    For the hot writes: each value goes through the bind conversion of its
    column type for the dialect, as the engine would convert it, and the
    statement through the connection's cursor-execution step (see
    :func:`fetch_rows`), without an execution context or a result object.
    """

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self._positions = tuple(compiled.positiontup) if compiled.positiontup else None
        self._converters: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if isinstance(bind.type, UTCDateTime) and dialect.name == "sqlite":
                convert: Callable[[Any], Any] | None = _sqlite_time_or_none
            else:
                convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                self._converters[name] = convert

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """``values`` (one per bound name) converted, in the driver's parameter style."""
        converters = self._converters
        converted = {
            name: converters[name](value) if name in converters else value
            for name, value in values.items()
        }
        if self._positions is None:
            return converted
        return tuple(converted[name] for name in self._positions)

    def run(self, conn: Connection, values: Mapping[str, Any]) -> tuple[int | None, list[Any]]:
        """Execute with ``values``: the driver's last row id, and the rows it returned."""
        parameters = self.parameters(values)
        cursor = conn.connection.cursor()
        try:
            conn._cursor_execute(cursor, self.sql, parameters)
            rows = list(cursor.fetchall()) if cursor.description else []
            return getattr(cursor, "lastrowid", None), rows  # psycopg has none
        except conn.dialect.loaded_dbapi.Error as exc:
            dbapi_error = conn.dialect.loaded_dbapi.Error
            raise DBAPIError.instance(self.sql, parameters, exc, dbapi_error) from exc
        finally:
            cursor.close()


def sqlite_time(value: datetime) -> str:
    """A timestamp as SQLite stores a ``UTCDateTime``: the UTC wall time as text.

    The same text as the engine's own conversion, at a tenth of its cost.
    """
    return as_utc(value).replace(tzinfo=None).isoformat(" ", "microseconds")


def _sqlite_time_or_none(value: datetime | None) -> str | None:
    return None if value is None else sqlite_time(value)


_manager: DatabaseManager | None = None
_lock = threading.RLock()


def init_database(environment: str | None = None, drop_existing: bool = False) -> DatabaseManager:
    """Connect to ``environment`` and bring its schema to the latest migration.

    ``environment`` is ``"development"``, ``"testing"`` or ``"production"``;
    ``None`` reads ``$ENVIRONMENT`` (default ``development``). With
    ``drop_existing=True`` every table is dropped first (all data is lost).
    Returns the global :class:`DatabaseManager`.
    """
    from database.migrations import MigrationManager  # the migrations build on this module

    global _manager
    with _lock:
        cleanup_database()
        manager = DatabaseManager(DatabaseConfig.for_environment(environment))
        try:
            manager.check_connection()
            migrations = MigrationManager(manager)
            if drop_existing:
                migrations.drop_everything()
            migrations.migrate_to_latest()
        except BaseException:
            manager.close()
            raise
        _manager = manager
        logger.info("database ready: %s (%s)", manager.config.environment, manager.config.safe_url)
        return manager


def get_database_manager() -> DatabaseManager:
    """The global manager, or :class:`NotInitializedError` before ``init_database``."""
    manager = _manager
    if manager is None:
        raise NotInitializedError()
    return manager


def get_db_session() -> Session:
    """A new session of the global manager; the caller must close it."""
    return get_database_manager().get_session()


@contextmanager
def db_session_scope() -> Iterator[Session]:
    """A transaction on the global database (see :meth:`DatabaseManager.session_scope`)."""
    with get_database_manager().session_scope() as session:
        yield session


@contextmanager
def db_connection_scope(read_only: bool = False) -> Iterator[Connection]:
    """A Core transaction on the global database (see :meth:`DatabaseManager.connection_scope`)."""
    with get_database_manager().connection_scope(read_only) as conn:
        yield conn


def cleanup_database() -> None:
    """Close the global manager's connections and forget it. Safe to call twice."""
    global _manager
    with _lock:
        if _manager is not None:
            _manager.close()
            _manager = None


__all__ = [
    "AutoApplyerError",
    "DatabaseManager",
    "DriverStatement",
    "cleanup_database",
    "db_connection_scope",
    "db_session_scope",
    "fetch_rows",
    "get_database_manager",
    "get_db_session",
    "init_database",
    "sqlite_time",
]
