"""The job searches a user ran. Functions take a session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.core.paging import Page
from database.domain import users
from database.domain.schemas import SearchHistoryCreate, require_id, validate
from database.models import SearchHistory


def add(session: Session, user_id: int, fields: Mapping[str, Any]) -> SearchHistory:
    """Record one search."""
    data = validate(SearchHistoryCreate, fields)
    users.ensure_exists(session, user_id)
    entry = SearchHistory(user_id=user_id, **data.model_dump(exclude_none=True))
    session.add(entry)
    session.flush()
    return entry


def list_for_user(
    session: Session, user_id: int, limit: int | None = None, offset: int = 0
) -> list[SearchHistory]:
    """The user's searches, newest first, ``limit`` at a time from ``offset``."""
    page = Page.of(limit, offset)
    users.ensure_exists(session, user_id)
    query = (
        select(SearchHistory)
        .where(SearchHistory.user_id == user_id)
        .order_by(SearchHistory.search_date.desc(), SearchHistory.id.desc())
    )
    return list(session.scalars(page.apply(query)))


def count(session: Session, user_id: int) -> int:
    """How many searches the user has recorded."""
    users.ensure_exists(session, user_id)
    query = select(func.count()).select_from(SearchHistory).where(SearchHistory.user_id == user_id)
    return int(session.scalar(query) or 0)


def get(session: Session, entry_id: int) -> SearchHistory | None:
    """The recorded search with ``entry_id``, or ``None``."""
    return session.get(SearchHistory, require_id(entry_id, "search_id"))


def remove(session: Session, entry_id: int) -> bool:
    """Delete one recorded search; ``False`` when there is none with ``entry_id``."""
    entry = get(session, entry_id)
    if entry is None:
        return False
    session.delete(entry)
    session.flush()
    return True
