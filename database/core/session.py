"""Sessions and transactions: the :class:`DatabaseManager` and the global one.

``database.bootstrap.init_database`` makes the global manager;
:func:`db_session_scope` and friends use it.

Every transaction goes through :meth:`DatabaseManager.session_scope`, which
commits on success, rolls back on error, always closes the session, and lets
driver exceptions leave only as the project's errors
(:func:`database.core.errors.translated`); or, for work that needs no ORM
objects, through :meth:`DatabaseManager.connection_scope`, the same
transaction on a Core connection without the cost of a session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import column, inspect, select, table, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

from database.core.config import DatabaseConfig
from database.core.engine import READ_ONLY, build_engine
from database.core.errors import translated
from database.core.keys import version_key
from database.core.replica import ReadReplica
from utils.errors import AutoApplyerError, DatabaseError, NotInitializedError

logger = logging.getLogger(__name__)

#: The migrations' ledger (``models.SchemaMigration``), as a bare table so that
#: sessions need not know the models.
LEDGER = table("schema_migrations", column("version"))


class DatabaseManager:
    """The engine and session factory of one environment."""

    def __init__(self, config: DatabaseConfig) -> None:
        self.config = config
        self.engine: Engine = build_engine(config)
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._scoped = scoped_session(self.session_factory)
        #: The streaming replica that serves read-only work, when one is configured.
        self.replica: ReadReplica | None = None
        if config.replica is not None:
            self.replica = ReadReplica(config, config.replica, self.engine)

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
            with translated():
                yield session
                session.commit()
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
        with translated(), engine.begin() as conn:
            yield conn

    def check_connection(self) -> None:
        """Open a connection and run a trivial query, or raise :class:`DatabaseError`."""
        with translated(self._unreachable), self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def _unreachable(self, cause: AutoApplyerError) -> DatabaseError:
        return DatabaseError(
            f"Cannot connect to the {self.config.database_type} database at "
            f"{self.config.safe_url}: {cause}"
        )

    def table_names(self) -> list[str]:
        """The names of the tables that exist in the database, sorted."""
        with translated():
            return sorted(inspect(self.engine).get_table_names())

    def has_table(self, name: str) -> bool:
        """Whether the table ``name`` exists (one lookup, not the whole list)."""
        with translated():
            return inspect(self.engine).has_table(name)

    def schema_version(self) -> str | None:
        """The latest applied migration version, or ``None`` on an empty database."""
        if not self.has_table(LEDGER.name):
            return None
        with self.session_scope() as session:
            versions = session.scalars(select(LEDGER.c.version)).all()
            return max(versions, key=version_key) if versions else None

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
        if self.replica is not None:
            self.replica.close()
        self.engine.dispose()


_manager: DatabaseManager | None = None
_lock = threading.RLock()


def install_manager(manager: DatabaseManager) -> None:
    """Make ``manager`` the global one, closing the one it replaces."""
    global _manager
    with _lock:
        if _manager is not None and _manager is not manager:
            _manager.close()
        _manager = manager


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
