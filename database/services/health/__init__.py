"""The database health report: every figure of the monitoring, as JSON-ready values.

:func:`get_database_health` gathers the process's statement, slow-statement,
pool and route figures (:mod:`database.core.monitoring`), the engine's own
(:mod:`.postgresql`, :mod:`.sqlite`), the disk, the backups and the last
maintenance run. The alert rules and the "Database health" page read its
top-level keys: ``engine``, ``monitoring``, ``statements``, ``slow_queries``,
``slow_query_ms``, ``pool``, ``routes``, ``database``, ``disk``, ``backups``,
``maintenance``, ``replica`` (``None`` without a read replica) and
``generated_at``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from database.core import monitoring
from database.core.session import DatabaseManager, get_database_manager
from database.core.tenant import trusted_manager
from database.io.backup.manager import BackupManager
from database.services.health.postgresql import postgresql_figures
from database.services.health.sqlite import sqlite_figures
from database.services.health.storage import backup_figures, disk_figures, maintenance_figures

#: Statements in the report (the fingerprints with the largest total time).
TOP_STATEMENTS = 50


def engine_figures(manager: DatabaseManager, long_transaction_seconds: float) -> dict[str, Any]:
    """The engine-specific figures of ``manager``'s database."""
    if manager.config.database_type == "postgresql":
        return postgresql_figures(manager, long_transaction_seconds)
    return sqlite_figures(manager)


def get_database_health(
    backup_dir: str | os.PathLike[str] | None = None,
    *,
    statement_limit: int = TOP_STATEMENTS,
) -> dict[str, Any]:
    """The health report of the global database and of this process's work on it.

    ``backup_dir``: the backup folder to look at (default: the
    :class:`BackupManager`'s). Statements, slow statements and routes are this
    process's since it started (see ``/metrics`` for every worker's).
    """
    serving = get_database_manager()
    owner = trusted_manager()
    settings = monitoring.monitoring_settings()
    return {
        "engine": serving.config.database_type,
        "monitoring": monitoring.is_monitored(serving.engine),
        "generated_at": datetime.now(UTC).isoformat(),
        "statements": monitoring.STATEMENTS.statements()[:statement_limit],
        "slow_queries": monitoring.STATEMENTS.slow_statements(),
        "slow_query_ms": monitoring.STATEMENTS.slow_query_ms,
        "pool": monitoring.pool_figures(serving.engine),
        "routes": monitoring.ROUTES.routes(),
        "database": engine_figures(owner, settings.long_transaction_seconds),
        "replica": None if serving.replica is None else serving.replica.status(),
        "disk": disk_figures(serving),
        "backups": backup_figures(BackupManager(backup_dir, owner)),
        "maintenance": maintenance_figures(owner),
    }


__all__ = ["get_database_health"]
