"""Timing, peak memory and statement capture for the benchmark."""

from __future__ import annotations

import re
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Result:
    """One line of the table."""

    engine: str
    rows: int
    operation: str
    api: float  # seconds per operation, or rows per second for throughput lines
    raw: float | None
    unit: str  # "ms", "us" or "rows/s"
    peak_kib: float | None = None
    goal: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """API cost relative to raw (for throughput: raw / API, so > 1 means slower)."""
        if not self.raw or not self.api:
            return None
        return self.raw / self.api if self.unit == "rows/s" else self.api / self.raw


def median_seconds(work: Callable[[], Any], repeat: int, warmup: int = 2) -> float:
    """Median wall time of ``work()`` over ``repeat`` runs, after ``warmup`` runs."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def paired_medians(
    api: Callable[[int], Any], raw: Callable[[int], Any], repeat: int, warmup: int = 2
) -> tuple[float, float]:
    """Median wall times of ``api(i)`` and ``raw(i)``, run alternately.

    Alternating gives both the same conditions (checkpoints, caches, the load of
    other processes) instead of measuring one after the other.
    """
    for i in range(warmup):
        api(i)
        raw(i)
    api_times, raw_times = [], []
    for i in range(warmup, warmup + repeat):
        start = time.perf_counter()
        api(i)
        middle = time.perf_counter()
        raw(i)
        api_times.append(middle - start)
        raw_times.append(time.perf_counter() - middle)
    return statistics.median(api_times), statistics.median(raw_times)


def peak_kib(work: Callable[[], Any]) -> float:
    """Peak Python heap allocated while ``work()`` runs, in KiB (tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024


_EXISTENCE_CHECK = re.compile(r"^\s*SELECT users\.id\s+FROM users\s+WHERE users\.id =", re.I)


def captured_reads(engine: Engine, work: Callable[[], Any]) -> list[tuple[str, Any]]:
    """The read statements ``work()`` sends, minus the user-existence probe."""
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if re.match(r"\s*(SELECT|WITH)\b", statement, re.I) and not _EXISTENCE_CHECK.match(
            statement
        ):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements
