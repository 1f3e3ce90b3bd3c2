"""Rate limits: a person's API requests of the current window, taken in chunks by the workers.

:func:`take` hands a worker up to a chunk of a person's allowance for the window
that began at a given moment, and never more than the window's limit in all:
whatever the number of workers, the requests they admit in one window add up
to at most the limit. The row is locked while a chunk is taken (``FOR UPDATE``
on PostgreSQL; SQLite's write transactions run one at a time).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from database.core.upsert import conflict_insert
from database.models import RateLimit


def take(
    session: Session, user_id: int, window_started_at: datetime, wanted: int, limit: int
) -> int:
    """Take up to ``wanted`` of ``user_id``'s ``limit`` requests of the window; how many were taken.

    ``0`` when the window is used up. A row of an older window starts the
    new one; one of a newer window (a worker whose clock is ahead) is taken from.
    """
    start = conflict_insert(session, RateLimit).values(
        user_id=user_id, window_started_at=window_started_at, granted=0
    )
    session.execute(start.on_conflict_do_nothing(index_elements=[RateLimit.user_id]))
    current = session.execute(
        select(RateLimit.window_started_at, RateLimit.granted)
        .where(RateLimit.user_id == user_id)
        .with_for_update()
    ).one()
    window, granted = window_started_at, 0
    if current.window_started_at >= window_started_at:  # this window, or a worker's clock ahead
        window, granted = current.window_started_at, current.granted
    taken = max(0, min(wanted, limit - granted))
    session.execute(
        update(RateLimit)
        .where(RateLimit.user_id == user_id)
        .values(window_started_at=window, granted=granted + taken)
    )
    return taken
