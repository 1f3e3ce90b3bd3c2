"""Setting a database up: connect, then migrate. The one place both meet."""

from __future__ import annotations

import logging
import threading

from database.core.config import DatabaseConfig
from database.core.session import DatabaseManager, cleanup_database, install_manager
from database.migrations import MigrationManager

logger = logging.getLogger(__name__)
_setup_lock = threading.Lock()


def init_database(environment: str | None = None, drop_existing: bool = False) -> DatabaseManager:
    """Connect to ``environment`` and bring its schema to the latest migration.

    ``environment`` is ``"development"``, ``"testing"`` or ``"production"``;
    ``None`` reads ``$ENVIRONMENT`` (default ``development``). With
    ``drop_existing=True`` every table is dropped first (all data is lost).
    Returns the global :class:`DatabaseManager`.
    """
    with _setup_lock:
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
        install_manager(manager)
        logger.info("database ready: %s (%s)", manager.config.environment, manager.config.safe_url)
        return manager
