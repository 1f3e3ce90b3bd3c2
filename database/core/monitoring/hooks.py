"""Installing the monitoring on an engine: statement timing and pool checkouts.

Two engine events time each statement on the driver's cursor
(``before_cursor_execute`` and ``after_cursor_execute``, which also see the
hot paths of :mod:`database.core.statements`); the start time is kept per
thread, as a statement starts and ends on one. Their work is a clock read, a
dictionary look-up of the statement's text and a few additions: the
statement's parameters are never looked at.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from database.core.monitoring.pool import PoolFigures, time_checkouts, unmonitored_report
from database.core.monitoring.prometheus import export_pool
from database.core.monitoring.settings import MonitoringSettings, monitoring_settings
from database.core.monitoring.statements import STATEMENTS

_pools: weakref.WeakKeyDictionary[Engine, PoolFigures] = weakref.WeakKeyDictionary()


def install(engine: Engine, settings: MonitoringSettings | None = None) -> bool:
    """Monitor ``engine`` unless monitoring is off; whether it is now monitored."""
    settings = settings if settings is not None else monitoring_settings()
    if not settings.monitoring:
        return False
    STATEMENTS.slow_seconds = settings.slow_query_ms / 1000
    started = threading.local()
    clock = time.perf_counter
    record = STATEMENTS.record

    def before(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any
    ) -> tuple[str, Any]:
        started.at = clock()
        return statement, parameters  # retval=True spares SQLAlchemy's wrapper call

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        now = clock()
        record(statement, now - started.at, now)

    event.listen(engine, "before_cursor_execute", before, retval=True)
    event.listen(engine, "after_cursor_execute", after)
    figures = time_checkouts(engine)
    export_pool(figures)
    _pools[engine] = figures
    return True


def is_monitored(engine: Engine) -> bool:
    """Whether :func:`install` monitors ``engine``."""
    return engine in _pools


def pool_figures(engine: Engine) -> dict[str, Any]:
    """The pool figures of ``engine`` (zeros for the waits of an unmonitored one)."""
    figures = _pools.get(engine)
    return figures.report() if figures is not None else unmonitored_report(engine)
