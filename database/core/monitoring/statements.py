"""Statement figures of this process: count, time and percentiles per fingerprint, slow ones.

:data:`STATEMENTS` is the process's one collector; the engine hooks
(:mod:`database.core.monitoring.hooks`) feed it. A statement's text maps to its
fingerprint entry through a dictionary, so the normalisation runs once per
distinct text. Memory is bounded: at most :data:`MAX_FINGERPRINTS` entries (the
rest are counted under :data:`OTHER`), :data:`RESERVOIR` recent durations each
for the percentiles, and the last :data:`SLOW_LOG` slow statements. Parameters
are never seen here: only the statement's text and its duration.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from database.core.monitoring.fingerprint import fingerprint

slow_log = logging.getLogger("database.slow_query")

MAX_FINGERPRINTS = 500
#: Distinct statement texts remembered (beyond, a text is normalised at each run).
MAX_TEXTS = 5000
#: Durations kept per fingerprint: the percentiles are of its latest runs.
RESERVOIR = 256
SLOW_LOG = 100
#: How often, at most, the figures are handed to the exporter (Prometheus).
FLUSH_SECONDS = 1.0
OTHER = "<other statements>"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """The nearest-rank ``fraction`` percentile of ascending ``sorted_values`` (0 if empty)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, math.ceil(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


class Entry:
    """The figures of one fingerprint."""

    __slots__ = (
        "count", "dirty", "exported_count", "exported_total", "fingerprint", "max", "next",
        "samples", "total",
    )  # fmt: skip

    def __init__(self, text: str) -> None:
        self.fingerprint = text
        self.count = 0
        self.total = 0.0
        self.max = 0.0
        self.samples: array[float] = array("d")
        self.next = 0
        #: What :meth:`StatementStats.flush` has handed to the exporter so far.
        self.exported_count = 0
        self.exported_total = 0.0
        self.dirty = False

    def report(self) -> dict[str, Any]:
        ordered = sorted(self.samples)
        return {
            "fingerprint": self.fingerprint,
            "count": self.count,
            "total_ms": round(self.total * 1000, 3),
            "p50_ms": round(percentile(ordered, 0.50) * 1000, 3),
            "p95_ms": round(percentile(ordered, 0.95) * 1000, 3),
            "p99_ms": round(percentile(ordered, 0.99) * 1000, 3),
            "max_ms": round(self.max * 1000, 3),
        }


@dataclass(frozen=True)
class SlowStatement:
    """One statement that ran longer than the threshold."""

    fingerprint: str
    duration_ms: float
    at: datetime

    def report(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "duration_ms": round(self.duration_ms, 3),
            "at": self.at.isoformat(),
        }


class StatementStats:
    """Every statement's figures, by fingerprint, and the recent slow ones."""

    def __init__(self, slow_query_ms: float = 200.0) -> None:
        self.slow_seconds = slow_query_ms / 1000
        self._texts: dict[str, Entry] = {}
        self._entries: dict[str, Entry] = {}
        self._slow: deque[SlowStatement] = deque(maxlen=SLOW_LOG)
        self._lock = threading.Lock()
        self._dirty: list[Entry] = []
        self._flush_at = 0.0
        #: Called by :meth:`flush` with each changed entry, its new runs and their seconds
        #: (the Prometheus counters).
        self.exporter: Callable[[Entry, int, float], None] | None = None
        #: Called at the end of each flush (the pool figures' export).
        self.after_flush: Callable[[], None] | None = None
        #: Called once per slow statement.
        self.on_slow: Callable[[], None] | None = None

    @property
    def slow_query_ms(self) -> float:
        """The slow-statement threshold in milliseconds."""
        return self.slow_seconds * 1000

    def record(self, statement: str, seconds: float, now: float | None = None) -> None:
        """Count one run of ``statement`` that took ``seconds`` (ended at ``now``, perf_counter).

        The hot path: with ``now`` given, the exporter is fed at most every
        :data:`FLUSH_SECONDS` rather than at every statement.
        """
        entry = self._texts.get(statement) or self._entry_for(statement)
        with self._lock:
            entry.count += 1
            entry.total += seconds
            if seconds > entry.max:
                entry.max = seconds
            samples = entry.samples
            if len(samples) < RESERVOIR:
                samples.append(seconds)
            else:
                samples[entry.next] = seconds
                entry.next = (entry.next + 1) % RESERVOIR
            if not entry.dirty:
                entry.dirty = True
                self._dirty.append(entry)
        if seconds > self.slow_seconds:
            self._slow_statement(entry.fingerprint, seconds)
        if now is not None and now >= self._flush_at:
            self.flush(now)

    def flush_if_due(self, now: float) -> None:
        """:meth:`flush` if the last one is :data:`FLUSH_SECONDS` old (``now``: perf_counter)."""
        if now >= self._flush_at:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        """Hand the runs counted since the last flush to the exporter."""
        with self._lock:
            dirty, self._dirty = self._dirty, []
            changes = []
            for entry in dirty:
                entry.dirty = False
                changes.append(
                    (entry, entry.count - entry.exported_count, entry.total - entry.exported_total)
                )
                entry.exported_count, entry.exported_total = entry.count, entry.total
            self._flush_at = (time.perf_counter() if now is None else now) + FLUSH_SECONDS
        exporter = self.exporter
        if exporter is not None:
            for entry, runs, seconds in changes:
                exporter(entry, runs, seconds)
        if self.after_flush is not None:
            self.after_flush()

    def _entry_for(self, statement: str) -> Entry:
        text = fingerprint(statement)
        with self._lock:
            entry = self._entries.get(text)
            if entry is None:
                if len(self._entries) >= MAX_FINGERPRINTS:
                    text = OTHER
                entry = self._entries.get(text)
                if entry is None:
                    entry = self._entries[text] = Entry(text)
            if len(self._texts) < MAX_TEXTS:
                self._texts[statement] = entry
        return entry

    def _slow_statement(self, text: str, seconds: float) -> None:
        slow = SlowStatement(text, seconds * 1000, datetime.now(UTC))
        self._slow.append(slow)
        slow_log.warning(
            "slow statement: %.1f ms (over %.0f ms): %s", slow.duration_ms, self.slow_query_ms, text
        )
        if self.on_slow is not None:
            self.on_slow()

    def statements(self) -> list[dict[str, Any]]:
        """Every fingerprint's figures, the largest total time first."""
        with self._lock:
            reports = [entry.report() for entry in self._entries.values()]
        reports.sort(key=lambda r: r["total_ms"], reverse=True)
        return reports

    def slow_statements(self) -> list[dict[str, Any]]:
        """The recent slow statements, oldest first."""
        return [slow.report() for slow in list(self._slow)]

    def reset(self) -> None:
        """Forget every figure (tests, or an operator starting a fresh window)."""
        with self._lock:
            self._texts.clear()
            self._entries.clear()
            self._slow.clear()
            self._dirty.clear()


#: The process's statement figures.
STATEMENTS = StatementStats()
