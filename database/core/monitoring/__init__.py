"""Performance monitoring inside the process: statements, slow ones, pools and API routes.

:func:`install` (called by :func:`database.core.engine.build_engine`) times
every statement of an engine under its fingerprint and every checkout of its
pool, unless ``DATABASE_MONITORING=0``. :data:`STATEMENTS` and :data:`ROUTES`
hold the figures; the same figures feed the Prometheus metrics of
:mod:`database.core.monitoring.prometheus`.
"""

from __future__ import annotations

import atexit

from database.core.monitoring.hooks import install, is_monitored, pool_figures
from database.core.monitoring.prometheus import export_statements
from database.core.monitoring.routes import ROUTES, RouteStats
from database.core.monitoring.settings import MonitoringSettings, monitoring_settings
from database.core.monitoring.statements import STATEMENTS, StatementStats

export_statements(STATEMENTS)
# What a worker counted in its last second reaches the shared files when it exits.
atexit.register(STATEMENTS.flush)

__all__ = [
    "ROUTES",
    "STATEMENTS",
    "MonitoringSettings",
    "RouteStats",
    "StatementStats",
    "install",
    "is_monitored",
    "monitoring_settings",
    "pool_figures",
]
