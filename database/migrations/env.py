"""Alembic environment of Auto Applyer.

Each migration runs in its own transaction together with its row in
``schema_migrations`` (written by :func:`record_version`), on SQLite as on
PostgreSQL: the engine opens SQLite transactions itself, so DDL is transactional.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from database.core.config import DatabaseConfig
from database.core.engine import build_engine
from database.migrations.compare import include_object
from database.migrations.recording import record_version
from database.models import Base

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        transaction_per_migration=True,
        transactional_ddl=True,
        compare_type=True,
        include_object=include_object,
        on_version_apply=record_version,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    # Called from the alembic command line: use the configured environment.
    engine = build_engine(DatabaseConfig.for_environment())
    try:
        with engine.connect() as conn:
            run_migrations(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them online.")
run_online()
