"""Schema migrations: the spec's ``MigrationManager`` over Alembic."""

from database.migrations.manager import Migration, MigrationManager, builtin_migrations

__all__ = ["Migration", "MigrationManager", "builtin_migrations"]
