"""The test server's hot standby: its URL for a role, lagging, stopped, one test at a time."""

from __future__ import annotations

import fcntl
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from database.core.session import DatabaseManager
from tests.support.pg_server import server

__all__ = ["remove_standby", "replica_url_of", "server", "standby_held", "wait_until_caught_up"]

#: Held while a test owns the standby: tests that pause or stop it must not meet.
LOCK_FILE = Path(tempfile.gettempdir()) / "auto_applyer_replica_tests.lock"


def replica_url_of(url: str, replica_server_url: str) -> str:
    """``url`` (a role on this run's database) pointed at the standby instead."""
    standby = make_url(replica_server_url)
    moved = make_url(url).set(host=standby.host, port=standby.port)
    return moved.render_as_string(hide_password=False)


@contextmanager
def standby_held() -> Iterator[str]:
    """The standby for this test alone (across xdist workers), replaying and running: its URL."""
    with LOCK_FILE.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            url = server("replica")
            server("replica-resume")
            yield url
        finally:
            server("replica")
            server("replica-resume")
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_standby() -> None:
    """Stop the standby and drop it with its slot (the next :func:`standby_held` makes another)."""
    with LOCK_FILE.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            server("replica-remove")
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_until_caught_up(manager: DatabaseManager, timeout: float = 30.0) -> None:
    """Wait until ``manager``'s replica has replayed what the primary had written by now."""
    replica = manager.replica
    assert replica is not None
    with manager.engine.connect() as conn:
        target = conn.scalar(text("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint"))
    deadline = time.monotonic() + timeout
    replayed = None
    while time.monotonic() < deadline:
        with replica.engine.connect() as conn:
            replayed = conn.scalar(_REPLAYED)
        if replayed is not None and replayed >= target:
            replica.sample(fresh=True)
            return
        time.sleep(0.02)
    raise AssertionError(f"the replica replayed {replayed} of {target} in {timeout} s")


_REPLAYED = text("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
