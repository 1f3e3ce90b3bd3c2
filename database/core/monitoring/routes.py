"""API request figures of this process: count and latency percentiles per route template."""

from __future__ import annotations

import threading
from typing import Any

from database.core.monitoring.statements import RESERVOIR, percentile

#: Routes remembered (a route is a template, so there are only as many as the API has).
MAX_ROUTES = 500


class _Route:
    __slots__ = ("count", "errors", "next", "samples")

    def __init__(self) -> None:
        self.count = 0
        self.errors = 0
        self.samples: list[float] = []
        self.next = 0


class RouteStats:
    """Requests per ``(method, route template)``: count, server errors, recent latencies."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], _Route] = {}
        self._lock = threading.Lock()

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request of ``method`` on ``route`` (a template) answered ``status``."""
        key = (method, route)
        with self._lock:
            entry = self._routes.get(key)
            if entry is None:
                if len(self._routes) >= MAX_ROUTES:
                    return
                entry = self._routes[key] = _Route()
            entry.count += 1
            if status >= 500:
                entry.errors += 1
            if len(entry.samples) < RESERVOIR:
                entry.samples.append(seconds)
            else:
                entry.samples[entry.next] = seconds
                entry.next = (entry.next + 1) % RESERVOIR

    def routes(self) -> list[dict[str, Any]]:
        """Each route's figures, the most requested first."""
        with self._lock:
            items = [(key, e.count, e.errors, sorted(e.samples)) for key, e in self._routes.items()]
        items.sort(key=lambda item: (-item[1], item[0][1], item[0][0]))
        return [
            {
                "method": method,
                "route": route,
                "count": count,
                "server_errors": errors,
                "p50_ms": round(percentile(ordered, 0.50) * 1000, 3),
                "p95_ms": round(percentile(ordered, 0.95) * 1000, 3),
                "p99_ms": round(percentile(ordered, 0.99) * 1000, 3),
            }
            for (method, route), count, errors, ordered in items
        ]

    def reset(self) -> None:
        """Forget every figure."""
        with self._lock:
            self._routes.clear()


#: The process's request figures.
ROUTES = RouteStats()
