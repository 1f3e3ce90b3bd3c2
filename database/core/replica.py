"""A streaming replica for read-only work: its engine, its state and when to use it.

``DATABASE_READ_URL`` (or ``DATABASE_READ_HOST`` and friends, see
:mod:`database.core.config`) names a hot standby of the primary. The
:class:`ReadReplica` of a manager decides, for each read, whether the replica
may serve it:

- **lag**: the replica's replay position is sampled (at most once per
  :data:`SAMPLE_EVERY` seconds, beside the primary's current position); while
  it is more than ``DATABASE_READ_MAX_LAG`` seconds behind, reads go to the
  primary;
- **failure**: a replica that refused a connection or failed a statement is
  left alone for ``DATABASE_READ_RETRY_SECONDS``, and the read that met the
  failure is served by the primary instead;
- **read-your-own-writes** is decided above, by the person's mark (see
  :mod:`database.services.reads`): this module only reports what happened.

Writes never reach the replica: it has no write path at all, and PostgreSQL
refuses them on a standby anyway. :data:`PRIMARY_ONLY` lets a unit of work
(a retried request) keep every read on the primary.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from database.core.config import DatabaseConfig, ReplicaConfig
from database.core.engine import build_engine

logger = logging.getLogger(__name__)

#: Seconds between two samples of the replica's lag.
SAMPLE_EVERY = 1.0
#: Why a read went where it went (the keys of :meth:`ReadReplica.status`'s ``reads``).
REPLICA = "replica"
LAGGING = "primary_replica_lagging"
DOWN = "primary_replica_down"
UNREPLAYED = "primary_own_write_not_replayed"
RETRIED = "retried_on_primary"


@dataclass
class ReadAttempt:
    """A unit of work's reads: kept on the primary? Did the replica fail them?"""

    primary_only: bool = False
    replica_failed: bool = False


#: The current unit of work's :class:`ReadAttempt` (``None``: no routing asked for).
READ_ATTEMPT: ContextVar[ReadAttempt | None] = ContextVar("auto_applyer_read_attempt", default=None)

_REPLICA_POSITION = text(
    "SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint,"
    " extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())"
)
_PRIMARY_POSITION = text("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")


@dataclass(frozen=True)
class LagSample:
    """How far the replica was behind the primary when last looked at."""

    reachable: bool
    lag_bytes: int | None = None
    lag_seconds: float | None = None
    in_recovery: bool | None = None
    taken_at: float = field(default_factory=time.monotonic)


class ReadReplica:
    """The replica of one :class:`~database.core.session.DatabaseManager` (PostgreSQL)."""

    def __init__(self, config: DatabaseConfig, replica: ReplicaConfig, primary: Engine) -> None:
        self.config = replica
        self.engine: Engine = build_engine(replace(config, url=replica.url, replica=None))
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._primary = primary
        self._lock = threading.Lock()
        self._sample: LagSample | None = None
        self._down_until = 0.0
        self._reads: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"ReadReplica(url={self.config.safe_url!r})"

    def usable(self) -> bool:
        """Whether a read may go to the replica now: not failed lately and not lagging."""
        if time.monotonic() < self._down_until:
            self.count(DOWN)
            return False
        sample = self.sample()
        if not sample.reachable:
            self.count(DOWN)
            return False
        if sample.lag_seconds is None or sample.lag_seconds > self.config.max_lag:
            self.count(LAGGING)
            return False
        return True

    def sample(self, *, fresh: bool = False) -> LagSample:
        """The replica's lag, sampled anew once the last sample is :data:`SAMPLE_EVERY` old."""
        sample = self._sample
        if not fresh and sample is not None and time.monotonic() - sample.taken_at < SAMPLE_EVERY:
            return sample
        with self._lock:
            sample = self._sample
            if fresh or sample is None or time.monotonic() - sample.taken_at >= SAMPLE_EVERY:
                sample = self._sample = self._measure()
        return sample

    def _measure(self) -> LagSample:
        try:
            with self.engine.connect() as conn:
                in_recovery, replayed, replay_age = conn.execute(_REPLICA_POSITION).one()
            with self._primary.connect() as conn:
                current = conn.scalar(_PRIMARY_POSITION)
        except DBAPIError as exc:
            self.failed(exc)
            return LagSample(reachable=False)
        if not in_recovery:  # promoted: it serves reads as well as any primary
            return LagSample(reachable=True, lag_bytes=0, lag_seconds=0.0, in_recovery=False)
        behind = max(0, int(current or 0) - int(replayed or 0))
        if behind == 0:
            seconds = 0.0
        else:
            seconds = math.inf if replay_age is None else max(0.0, float(replay_age))
        return LagSample(True, behind, seconds, True)

    def failed(self, exc: BaseException) -> None:
        """The replica failed a read: leave it alone for the retry interval."""
        self._down_until = time.monotonic() + self.config.retry_seconds
        self._sample = LagSample(reachable=False)
        logger.warning(
            "read replica %s failed (%s); reads go to the primary for %.0f s",
            self.config.safe_url, type(exc).__name__, self.config.retry_seconds,
        )  # fmt: skip

    def count(self, outcome: str) -> None:
        """Count one read's routing (one of the module's outcome names)."""
        with self._lock:
            self._reads[outcome] += 1

    def get_session(self) -> Session:
        """A new session on the replica; the caller must close it."""
        return self.session_factory()

    def status(self) -> dict[str, Any]:
        """The replica as the health report shows it: reachable, lag, and where reads went."""
        sample = self.sample()
        lag = sample.lag_seconds
        if not sample.reachable or time.monotonic() < self._down_until:
            state = "down"
        elif lag is None or lag > self.config.max_lag:
            state = "lagging"
        else:
            state = "ok"
        with self._lock:
            reads = dict(self._reads)
        return {
            "url": self.config.safe_url,
            "state": state,
            "lag_seconds": None if lag is None or math.isinf(lag) else round(lag, 3),
            "lag_bytes": sample.lag_bytes,
            "max_lag_seconds": self.config.max_lag,
            "reads": reads,
        }

    def close(self) -> None:
        """Release the replica's pooled connections."""
        self.engine.dispose()
