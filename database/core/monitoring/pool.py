"""Connection-pool figures: size, checked out, overflow, and the waits for a connection.

A pool has no event before a checkout, so the monitored engine's pool gets a
subclass of its own class whose ``connect`` times the checkout (the class
survives ``engine.dispose()``, which makes a new pool of the same class). A
checkout *waits* when it cannot be served at once: a queue pool with no idle
connection and no overflow left, or the shared in-memory connection lent to
another holder. A queue pool counts its checked-out connections itself; for
the others a checkout and checkin listener does.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import ConnectionPoolEntry, Pool, PoolProxiedConnection, QueuePool


class PoolFigures:
    """The checkout figures of one engine's pool (every pool it is recreated as)."""

    def __init__(self, engine: Engine) -> None:
        #: The pool's own class name (``QueuePool``, ``SerializedStaticPool``...).
        self.kind = type(engine.pool).__name__
        self._engine = weakref.ref(engine)
        self.checkouts = 0
        self.waits = 0
        self.wait_seconds_total = 0.0
        self.wait_seconds_max = 0.0
        self.counted_out = 0
        self.exported = (0, 0, 0.0)
        self._lock = threading.Lock()

    def checkout(self, waited: bool, seconds: float) -> None:
        with self._lock:
            self.checkouts += 1
            if waited:
                self.waits += 1
                self.wait_seconds_total += seconds
                if seconds > self.wait_seconds_max:
                    self.wait_seconds_max = seconds

    def take_changes(self) -> tuple[int, int, float]:
        """Checkouts, waits and wait seconds since the last call (for the exporter)."""
        with self._lock:
            now = (self.checkouts, self.waits, self.wait_seconds_total)
            before, self.exported = self.exported, now
        return now[0] - before[0], now[1] - before[1], now[2] - before[2]

    def report(self) -> dict[str, Any]:
        """``size``, ``checked_out``, ``overflow``, ``checkouts``, ``waits``, ``wait_ms_*``."""
        engine = self._engine()
        pool: Pool | None = engine.pool if engine is not None else None
        if isinstance(pool, QueuePool):
            size, checked_out, overflow = pool.size(), pool.checkedout(), max(0, pool.overflow())
        else:
            size, checked_out, overflow = 1, self.counted_out, 0
        return {
            "kind": self.kind,
            "size": size,
            "checked_out": checked_out,
            "overflow": overflow,
            "checkouts": self.checkouts,
            "waits": self.waits,
            "wait_ms_total": round(self.wait_seconds_total * 1000, 3),
            "wait_ms_max": round(self.wait_seconds_max * 1000, 3),
        }


def _would_wait(pool: Any) -> bool:
    if isinstance(pool, QueuePool):
        limited = pool._max_overflow > -1
        return bool(pool.checkedin() == 0 and limited and pool._overflow >= pool._max_overflow)
    lent_elsewhere = getattr(pool, "lent_elsewhere", None)  # the shared in-memory connection
    return bool(lent_elsewhere()) if lent_elsewhere is not None else False


def time_checkouts(engine: Engine) -> PoolFigures:
    """Time every checkout of ``engine``'s pool from now on; its figures."""
    pool = engine.pool
    figures = PoolFigures(engine)
    base = type(pool)
    clock = time.perf_counter

    def connect(self: Pool) -> PoolProxiedConnection:
        waited = _would_wait(self)
        start = clock()
        connection = base.connect(self)
        figures.checkout(waited, clock() - start)
        return connection

    # A subclass with one base, so that the pool object can take it as its class.
    pool.__class__ = type(f"Timed{base.__name__}", (base,), {"connect": connect})
    if not isinstance(pool, QueuePool):

        def _out(_dbapi: Any, _record: ConnectionPoolEntry, _proxy: PoolProxiedConnection) -> None:
            figures.counted_out += 1

        def _in(_dbapi: Any, _record: ConnectionPoolEntry) -> None:
            figures.counted_out -= 1

        event.listen(pool, "checkout", _out)
        event.listen(pool, "checkin", _in)
    return figures


def unmonitored_report(engine: Engine) -> dict[str, Any]:
    """The pool figures of an engine without monitoring: its size and use, no waits."""
    pool = engine.pool
    if isinstance(pool, QueuePool):
        size, checked_out, overflow = pool.size(), pool.checkedout(), max(0, pool.overflow())
    else:
        size, checked_out, overflow = 1, 0, 0
    return {
        "kind": type(pool).__name__, "size": size, "checked_out": checked_out,
        "overflow": overflow, "checkouts": 0, "waits": 0, "wait_ms_total": 0.0,
        "wait_ms_max": 0.0,
    }  # fmt: skip
