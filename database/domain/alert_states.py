"""The state of each alert rule in ``alert_states``: firing or not, since when, its episodes.

An episode starts when a rule that is not firing is found breached, and ends
when the rule is found clear again. Both moves are conditional updates
(``... WHERE firing = false`` and ``... WHERE firing = true``) whose row count
says whether this transaction made the move: when two workers evaluate at
once, the second waits for the first one's row (PostgreSQL re-reads the
condition after the first commits; SQLite runs one writer at a time) and finds
nothing to change, so an episode starts, and is announced, exactly once.
Functions take the session first and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from database.core.upsert import conflict_insert
from database.models import AlertState

MAX_MESSAGE_CHARS = 500


def ensure(session: Session, rules: Iterable[str]) -> None:
    """Give every rule in ``rules`` a row (not firing, no episodes) if it has none yet."""
    names = sorted(set(rules))
    if not names:
        return
    session.execute(
        conflict_insert(session, AlertState)
        .values([{"rule": name, "firing": False, "episodes": 0} for name in names])
        .on_conflict_do_nothing(index_elements=["rule"])
    )


def start_episode(
    session: Session,
    rule: str,
    *,
    value: float | None,
    threshold: float | None,
    message: str,
    now: datetime,
) -> int | None:
    """Mark ``rule`` firing if it is not: the new episode's number (``None``: it already was)."""
    statement = (
        update(AlertState)
        .where(AlertState.rule == rule, AlertState.firing.is_(False))
        .values(
            firing=True,
            since=now,
            episodes=AlertState.episodes + 1,
            **_reading(value, threshold, message, now),
        )
        .returning(AlertState.episodes)
        .execution_options(synchronize_session=False)
    )
    episode = session.execute(statement).scalar()
    return None if episode is None else int(episode)


def end_episode(
    session: Session,
    rule: str,
    *,
    value: float | None,
    threshold: float | None,
    message: str,
    now: datetime,
) -> bool:
    """Mark ``rule`` clear if it is firing; whether this call ended its episode."""
    statement = (
        update(AlertState)
        .where(AlertState.rule == rule, AlertState.firing.is_(True))
        .values(firing=False, since=now, **_reading(value, threshold, message, now))
        .execution_options(synchronize_session=False)
    )
    return bool(session.execute(statement).rowcount)  # type: ignore[attr-defined]


def record_reading(
    session: Session,
    rule: str,
    *,
    firing: bool,
    value: float | None,
    threshold: float | None,
    message: str,
    now: datetime,
) -> None:
    """Store the latest reading of ``rule`` while it stays ``firing`` (or stays clear)."""
    session.execute(
        update(AlertState)
        .where(AlertState.rule == rule, AlertState.firing.is_(firing))
        .values(**_reading(value, threshold, message, now))
        .execution_options(synchronize_session=False)
    )


def list_states(session: Session) -> list[AlertState]:
    """Every rule's state, by rule name."""
    return list(session.scalars(select(AlertState).order_by(AlertState.rule)))


def _reading(
    value: float | None, threshold: float | None, message: str, now: datetime
) -> dict[str, object]:
    return {
        "value": value,
        "threshold": threshold,
        "message": message[:MAX_MESSAGE_CHARS],
        "evaluated_at": now,
    }
