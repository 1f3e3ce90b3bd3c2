"""The INSERT that can say what to do ``ON CONFLICT``, for the session's engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def conflict_insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """``INSERT INTO table`` in the dialect of ``session``, with ``on_conflict_do_*``.

    PostgreSQL and SQLite spell ``ON CONFLICT`` alike, but SQLAlchemy builds it
    from each dialect's own insert.
    """
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
