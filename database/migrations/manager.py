"""The spec's ``MigrationManager``: a façade over Alembic.

Built-in migrations are Alembic revisions (``versions/``). Custom migrations can
be registered at run time as :class:`Migration` objects with upgrade/downgrade
functions taking a :class:`~sqlalchemy.orm.Session`, as the spec shows. Every
migration, built-in or custom, runs in one transaction together with its row in
``schema_migrations``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from database.core.errors import translated
from database.core.keys import version_key
from database.core.session import DatabaseManager, get_database_manager
from database.migrations.recording import mark_applied, mark_rolled_back
from database.migrations.schema_reset import drop_everything
from database.models import SchemaMigration
from utils.errors import MigrationError, ValidationError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent
MigrationFunction = Callable[[Session], None]


@dataclass
class Migration:
    """One schema version.

    Built-in migrations are Alembic revisions and have no functions here; a
    custom one supplies ``upgrade`` and ``downgrade``, each given a session
    whose transaction also records the migration.
    """

    version: str
    description: str
    upgrade: MigrationFunction | None = None
    downgrade: MigrationFunction | None = None

    @property
    def is_builtin(self) -> bool:
        """Whether Alembic runs this migration (no functions of its own)."""
        return self.upgrade is None


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for this project's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def builtin_migrations() -> list[Migration]:
    """The Alembic revisions, oldest first."""
    return [Migration(version, description) for version, description in _revisions()]


@cache
def _revisions() -> tuple[tuple[str, str], ...]:
    """Each revision's version and description, read once per process.

    Alembic compiles every revision file to read them; the files ship with the
    code and never change while it runs.
    """
    scripts = ScriptDirectory.from_config(alembic_config())
    found = ((rev.revision, (rev.doc or "").strip()) for rev in scripts.walk_revisions())
    return tuple(sorted(found, key=lambda pair: version_key(pair[0])))


class MigrationManager:
    """Apply, inspect and roll back schema migrations.

    With no argument it works on the global database of
    :func:`database.connection.init_database`.
    """

    def __init__(self, database_manager: DatabaseManager | None = None) -> None:
        self.db = database_manager or get_database_manager()
        self.migrations: list[Migration] = builtin_migrations()

    # -- inspection ---------------------------------------------------------

    def _ordered(self) -> list[Migration]:
        versions = [m.version for m in self.migrations]
        duplicates = {v for v in versions if versions.count(v) > 1}
        if duplicates:
            raise MigrationError(f"Migration versions registered twice: {sorted(duplicates)}")
        return sorted(self.migrations, key=lambda m: version_key(m.version))

    def _applied(self) -> dict[str, datetime]:
        if not self.db.has_table(SchemaMigration.__tablename__):
            return {}
        with self.db.session_scope() as session:
            rows = session.execute(select(SchemaMigration.version, SchemaMigration.applied_at))
            return {version: applied_at for version, applied_at in rows}

    def get_migration_status(self) -> dict[str, Any]:
        """Applied and pending migrations.

        Returns ``current_version``, ``latest_version``, ``applied_count``,
        ``pending_count``, ``total_count``, ``applied_versions``,
        ``pending_versions`` and ``migrations`` (each with ``version``,
        ``description``, ``applied``, ``applied_at``).
        """
        applied = self._applied()
        ordered = self._ordered()
        rows = [
            {
                "version": m.version,
                "description": m.description,
                "applied": m.version in applied,
                "applied_at": applied.get(m.version),
            }
            for m in ordered
        ]
        applied_versions = [r["version"] for r in rows if r["applied"]]
        pending_versions = [r["version"] for r in rows if not r["applied"]]
        return {
            "current_version": applied_versions[-1] if applied_versions else None,
            "latest_version": ordered[-1].version if ordered else None,
            "applied_count": len(applied_versions),
            "pending_count": len(pending_versions),
            "total_count": len(rows),
            "applied_versions": applied_versions,
            "pending_versions": pending_versions,
            "migrations": rows,
        }

    # -- moving between versions --------------------------------------------

    def migrate_to_latest(self) -> list[str]:
        """Apply every pending migration, oldest first; returns the versions applied."""
        ordered = self._ordered()
        return self._move_to(ordered[-1].version) if ordered else []

    def migrate_to_version(self, version: str) -> list[str]:
        """Upgrade or downgrade so that ``version`` is the newest applied migration.

        Returns the versions applied or rolled back, in the order it did them.
        """
        self._get(version)
        return self._move_to(version)

    def rollback_migration(self, version: str) -> list[str]:
        """Roll back ``version`` and every migration applied after it.

        Returns the versions rolled back, newest first; ``[]`` when ``version``
        is not applied (there is nothing to undo).
        """
        self._get(version)
        if version not in self._applied():
            logger.info("migration %s is not applied; nothing to roll back", version)
            return []
        ordered = [m.version for m in self._ordered()]
        index = ordered.index(version)
        return self._move_to(ordered[index - 1] if index > 0 else None)

    def reset_database(self, confirm: bool = False) -> list[str]:
        """Drop every table and migrate from scratch. All data is lost.

        Refuses (:class:`ValidationError` on ``confirm``) unless ``confirm=True``.
        """
        if confirm is not True:
            raise ValidationError(
                "confirm", "must be True to reset the database (this deletes all data)"
            )
        self.drop_everything()
        return self.migrate_to_latest()

    def drop_everything(self) -> None:
        """Drop every table, view, trigger and search index of the project."""
        with translated(), self.db.engine.connect() as conn:
            drop_everything(conn)

    # -- internals ----------------------------------------------------------

    def _get(self, version: str) -> Migration:
        for migration in self.migrations:
            if migration.version == version:
                return migration
        known = ", ".join(m.version for m in self._ordered())
        raise ValidationError("version", f"must be a known migration version ({known})", version)

    def _move_to(self, target: str | None) -> list[str]:
        """Make ``target`` the newest applied version (``None``: nothing applied)."""
        ordered = self._ordered()
        applied = self._applied()
        position = -1 if target is None else [m.version for m in ordered].index(target)
        wanted = {m.version for m in ordered[: position + 1]}
        done: list[str] = []
        for migration in reversed(ordered):
            if migration.version in applied and migration.version not in wanted:
                self._run(migration, upgrade=False, builtins=ordered)
                done.append(migration.version)
        for migration in ordered:
            if migration.version in wanted and migration.version not in applied:
                self._run(migration, upgrade=True, builtins=ordered)
                done.append(migration.version)
        return done

    def _run(self, migration: Migration, *, upgrade: bool, builtins: list[Migration]) -> None:
        verb = "apply" if upgrade else "roll back"
        logger.info("%s migration %s: %s", verb, migration.version, migration.description)

        def failed(cause: BaseException) -> MigrationError:
            return MigrationError(f"Migration {migration.version} failed to {verb}: {cause}")

        try:
            with translated(failed):
                if migration.is_builtin:
                    self._run_builtin(migration, upgrade, builtins)
                else:
                    self._run_custom(migration, upgrade)
        except MigrationError:
            raise
        except Exception as exc:  # a migration's own code may raise anything
            raise failed(exc) from exc

    def _run_builtin(self, migration: Migration, upgrade: bool, ordered: list[Migration]) -> None:
        with self._migration_connection() as conn:
            cfg = alembic_config(conn)
            if upgrade:
                command.upgrade(cfg, migration.version)
            else:
                chain = [m.version for m in ordered if m.is_builtin]
                index = chain.index(migration.version)
                command.downgrade(cfg, chain[index - 1] if index > 0 else "base")

    def _run_custom(self, migration: Migration, upgrade: bool) -> None:
        function = migration.upgrade if upgrade else migration.downgrade
        if function is None:
            raise MigrationError(f"Migration {migration.version} has no downgrade function")
        with self.db.session_scope() as session:
            function(session)
            conn = session.connection()
            if upgrade:
                mark_applied(conn, migration.version, migration.description)
            else:
                mark_rolled_back(conn, migration.version)

    @contextmanager
    def _migration_connection(self) -> Iterator[Connection]:
        """A connection for Alembic; on SQLite with foreign keys off meanwhile.

        SQLite rebuilds a table to alter it ("batch" mode); with foreign keys on,
        dropping the old copy would cascade into the rows that reference it.
        Dangling references are checked before each migration commits instead.
        """
        with self.db.engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            raw = conn.connection.dbapi_connection if sqlite else None
            if raw is not None:
                raw.execute("PRAGMA foreign_keys = OFF")
            try:
                yield conn
                if conn.in_transaction():
                    conn.commit()
            finally:
                if raw is not None:
                    raw.execute("PRAGMA foreign_keys = ON")
