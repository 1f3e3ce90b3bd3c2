"""API rate limits that hold across every worker and machine of the service.

``API_RATE_LIMIT`` requests per person per ``API_RATE_LIMIT_WINDOW`` seconds
(fixed windows aligned on the epoch; unset or ``0``: no limit). The count
lives in the database (:mod:`database.domain.rate_limits`), so N workers admit
what one would. Counting every request there would add a write to every
request, so a worker takes a person's allowance in chunks of a twentieth of
the limit and spends it locally: the database sees one write per chunk, and
the workers never admit more than the limit together. What a worker took and
did not spend before the window ended is lost, so a person spread over N busy
workers may be refused up to (N - 1) chunks early; a refused request waits for
the next window (``Retry-After``).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import event
from sqlalchemy.orm import Session

from database.core.config import load_settings
from database.domain import rate_limits
from utils.errors import ThrottledError

#: A chunk is this share of the limit (at least one request).
CHUNKS_PER_WINDOW = 20
#: What a refusal says there were too many of.
REQUESTS = "requests for this account"
#: Leases kept before those of past windows are dropped.
MAX_LEASES = 10_000


class RateLimitSettings(BaseSettings):
    """``API_RATE_LIMIT`` and ``API_RATE_LIMIT_WINDOW``, typed and checked."""

    model_config = SettingsConfigDict(env_prefix="API_", extra="ignore")

    rate_limit: int = Field(default=0, ge=0)
    rate_limit_window: int = Field(default=60, ge=1)


@dataclass(frozen=True)
class RateLimitPolicy:
    """``requests`` per person per ``window_seconds``; ``requests == 0``: no limit."""

    requests: int = 0
    window_seconds: int = 60

    @classmethod
    def from_environment(cls) -> RateLimitPolicy:
        """The policy of ``API_RATE_LIMIT`` and ``API_RATE_LIMIT_WINDOW`` (their checks)."""
        settings = load_settings(RateLimitSettings, "API_")
        return cls(settings.rate_limit, settings.rate_limit_window)

    @property
    def chunk(self) -> int:
        """How many requests a worker takes from the database at a time."""
        return max(1, self.requests // CHUNKS_PER_WINDOW)


@dataclass
class _Lease:
    window: int  # the window's start, in seconds since the epoch
    left: int
    used_up: bool = False


class RateLimiter:
    """One process's view of the shared limits: its leases of each person's allowance."""

    def __init__(self, policy: RateLimitPolicy, clock: Callable[[], float] = time.time) -> None:
        self.policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._leases: dict[int, _Lease] = {}

    @property
    def enabled(self) -> bool:
        """Whether requests are limited at all."""
        return self.policy.requests > 0

    def admit(self, session: Session, user_id: int) -> None:
        """Count one request of ``user_id``; :class:`ThrottledError` when their window is used up.

        ``session`` is the request's transaction on the primary, bound to the
        person; it is written to only when this worker needs a new chunk, and
        a chunk taken by a transaction that then rolls back is dropped here too.
        """
        if not self.enabled:
            return
        now = self._clock()
        window = int(now // self.policy.window_seconds) * self.policy.window_seconds
        with self._lock:
            lease = self._leases.get(user_id)
            if lease is not None and lease.window == window:
                if lease.left > 0:
                    lease.left -= 1
                    return
                if lease.used_up:
                    raise ThrottledError(self._retry_after(now, window), REQUESTS)
        started = datetime.fromtimestamp(window, UTC)
        taken = rate_limits.take(session, user_id, started, self.policy.chunk, self.policy.requests)
        if taken:  # a chunk rolled back with the request was never taken: spend it no more
            event.listen(session, "after_rollback", lambda _: self._forget(user_id), once=True)
        with self._lock:
            self._keep(user_id, window, taken)
        if taken == 0:
            raise ThrottledError(self._retry_after(now, window), REQUESTS)

    def _keep(self, user_id: int, window: int, taken: int) -> None:
        lease = self._leases.get(user_id)
        if lease is not None and lease.window == window:
            lease.left += max(0, taken - 1)
            lease.used_up = taken == 0
            return
        if len(self._leases) >= MAX_LEASES:
            self._leases = {k: v for k, v in self._leases.items() if v.window == window}
        self._leases[user_id] = _Lease(window, max(0, taken - 1), used_up=taken == 0)

    def _forget(self, user_id: int) -> None:
        with self._lock:
            self._leases.pop(user_id, None)

    def _retry_after(self, now: float, window: int) -> int:
        return max(1, math.ceil(window + self.policy.window_seconds - now))
