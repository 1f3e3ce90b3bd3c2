"""Maintenance: archiving, retention, backup rotation and optimisation, one run at a time.

- :mod:`.run`: :func:`run_maintenance` (one run under the ``maintenance`` lock, recorded)
  and :func:`run_scheduled_maintenance` (the API scheduler's pass, once per interval).
- :mod:`.optimise`: SQLite ``PRAGMA optimize``, WAL checkpoint and FTS5 ``optimize``;
  PostgreSQL ``ANALYZE`` of the tables that changed.
"""

from database.services.maintenance.run import (
    STEPS,
    TRIGGERS,
    MaintenanceSettings,
    MaintenanceSummary,
    load_settings,
    run_maintenance,
    run_scheduled_maintenance,
)

__all__ = [
    "STEPS",
    "TRIGGERS",
    "MaintenanceSettings",
    "MaintenanceSummary",
    "load_settings",
    "run_maintenance",
    "run_scheduled_maintenance",
]
