"""Connection management: the :class:`DatabaseManager` and the module-level API.

>>> from database.connection import init_database, db_session_scope
>>> manager = init_database("testing")
>>> with db_session_scope() as session:
...     ...

Every transaction goes through :meth:`DatabaseManager.session_scope`, which
commits on success, rolls back on error, always closes the session, and is the
one place where driver exceptions become the project's errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from database.config import DatabaseConfig
from database.driver_errors import translate
from database.engine import build_engine
from database.models import SchemaMigration
from utils.errors import AutoApplyerError, DatabaseError, NotInitializedError

logger = logging.getLogger(__name__)


class DatabaseManager:
    """The engine and session factory of one environment."""

    def __init__(self, config: DatabaseConfig) -> None:
        self.config = config
        self.engine: Engine = build_engine(config)
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
    "cleanup_database",
    "db_session_scope",
    "get_database_manager",
    "get_db_session",
    "init_database",
]
