"""Read marks: where on the primary's WAL a person last wrote (PostgreSQL with a read replica).

:func:`record` runs inside the writing transaction, so the mark commits with
the write; the replica then holds that very row exactly when it has replayed
the write, which :func:`replayed` asks it. Positions are WAL byte offsets
(``pg_lsn - '0/0'``), which only ever grow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

_RECORD = text(
    "INSERT INTO read_marks (user_id, lsn, marked_at)"
    " VALUES (:user_id, (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint, now())"
    " ON CONFLICT (user_id) DO UPDATE SET lsn = excluded.lsn, marked_at = excluded.marked_at"
)
_LATEST = text(
    "SELECT lsn, extract(epoch FROM now() - marked_at) FROM read_marks WHERE user_id = :user_id"
)
_REPLAYED = text("SELECT lsn FROM read_marks WHERE user_id = :user_id")


@dataclass(frozen=True)
class ReadMark:
    """A person's latest write: its WAL position and how many seconds ago it was made."""

    lsn: int
    age_seconds: float


def record(session: Session, user_id: int) -> None:
    """Mark that ``user_id`` writes in the current transaction (the primary, PostgreSQL)."""
    session.execute(_RECORD, {"user_id": user_id})


def latest(session: Session, user_id: int) -> ReadMark | None:
    """``user_id``'s latest mark on the primary, or ``None`` when they never wrote."""
    row = session.execute(_LATEST, {"user_id": user_id}).one_or_none()
    if row is None:
        return None
    return ReadMark(lsn=int(row[0]), age_seconds=float(row[1]))


def replayed(session: Session, user_id: int, mark: ReadMark) -> bool:
    """Whether the database of ``session`` (the replica) has replayed the write of ``mark``."""
    lsn = session.scalar(_REPLAYED, {"user_id": user_id})
    return lsn is not None and int(lsn) >= mark.lsn
