"""Where an acting person's read-only work runs: the read replica or the primary.

With a read replica configured (``DATABASE_READ_URL``, see
:mod:`database.core.replica`), a person's read goes to the replica unless

- the replica failed lately or lags more than ``DATABASE_READ_MAX_LAG``;
- the person wrote less than ``DATABASE_READ_YOUR_WRITES_SECONDS`` ago and the
  replica has not replayed that write yet: their latest write's mark (written
  in the same transaction as the write, :func:`mark_write`) is read on the
  primary and compared with the replica's copy of it (an LSN comparison), so
  a person always reads what they wrote;
- the unit of work asked for the primary (:data:`~database.core.replica.READ_ATTEMPT`).

A replica that fails before the read's first statement is skipped for that
read; one that fails during it marks the attempt (``replica_failed``), so that
the caller can run the read again on the primary (the API does, see
``api.replica_retry``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from database.core import replica as replicas
from database.core.errors import translated
from database.core.session import DatabaseManager
from database.core.tenant import bind_actor
from database.domain import read_marks
from database.domain.read_marks import ReadMark
from utils.errors import AutoApplyerError, DatabaseError

log = logging.getLogger(__name__)

#: The SQLSTATE of a write refused by a standby (read_only_sql_transaction).
READ_ONLY_TRANSACTION = "25006"


def routes_reads(manager: DatabaseManager) -> bool:
    """Whether ``manager`` has a read replica to route reads to."""
    return manager.replica is not None


def mark_write(manager: DatabaseManager, session: Session, user_id: int) -> None:
    """Record in ``session``'s transaction that ``user_id`` writes (only with a read replica)."""
    if manager.replica is not None:
        read_marks.record(session, user_id)


def latest_mark(manager: DatabaseManager, session: Session, user_id: int) -> ReadMark | None:
    """``user_id``'s latest write mark, read on the primary (``None``: no replica)."""
    if manager.replica is None:
        return None
    return read_marks.latest(session, user_id)


@contextmanager
def read_scope(manager: DatabaseManager, user_id: int, mark: ReadMark | None) -> Iterator[Session]:
    """One read-only transaction bound to ``user_id``, on the replica when it may serve it."""
    session = _replica_session(manager, user_id, mark)
    if session is None:
        with manager.session_scope() as primary:
            bind_actor(primary, user_id)
            yield primary
        return
    replica = manager.replica
    assert replica is not None
    try:
        with translated():
            yield session
            session.commit()
    except DatabaseError as exc:
        session.rollback()
        _replica_failed(replica, exc)
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _replica_session(
    manager: DatabaseManager, user_id: int, mark: ReadMark | None
) -> Session | None:
    """A replica session bound to ``user_id``, or ``None`` when the primary must serve the read."""
    replica = manager.replica
    attempt = replicas.READ_ATTEMPT.get()
    if replica is None or (attempt is not None and attempt.primary_only):
        return None
    if not replica.usable():
        return None
    session = replica.get_session()
    try:
        bind_actor(session, user_id)
        window = replica.config.read_your_writes_seconds
        if (
            mark is not None
            and mark.age_seconds < window
            and not read_marks.replayed(session, user_id, mark)
        ):
            replica.count(replicas.UNREPLAYED)
            session.close()
            return None
    except DBAPIError as exc:
        session.close()
        replica.failed(exc)
        replica.count(replicas.DOWN)
        return None
    except BaseException:
        session.close()
        raise
    replica.count(replicas.REPLICA)
    return session


def _replica_failed(replica: replicas.ReadReplica, exc: AutoApplyerError) -> None:
    """Note the replica's failure of a read under way: the caller may retry it on the primary."""
    attempt = replicas.READ_ATTEMPT.get()
    if attempt is not None:
        attempt.replica_failed = True
    if (
        getattr(exc.__cause__, "sqlstate", None) == READ_ONLY_TRANSACTION
        or getattr(getattr(exc.__cause__, "orig", None), "sqlstate", None) == READ_ONLY_TRANSACTION
    ):
        # A read-only route that writes is a bug of that route, not of the replica.
        log.error("a read routed to the replica tried to write; retried on the primary")
        return
    replica.failed(exc)
