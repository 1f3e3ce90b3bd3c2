"""The job searches a user ran. Functions take a session."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.paging import Page
from database.domain import users
from database.domain.schemas import SearchHistoryCreate, validate
from database.models import SearchHistory


def add(session: Session, user_id: int, fields: Mapping[str, Any]) -> SearchHistory:
    """Record one search."""
    data = validate(SearchHistoryCreate, fields)
    users.ensure_exists(session, user_id)
    entry = SearchHistory(user_id=user_id, **data.model_dump(exclude_none=True))
    session.add(entry)
    session.flush()
    return entry


def list_for_user(session: Session, user_id: int, limit: int | None = None) -> list[SearchHistory]:
    """The user's searches, newest first."""
    page = Page.of(limit)
    users.ensure_exists(session, user_id)
    query = (
        select(SearchHistory)
        .where(SearchHistory.user_id == user_id)
        .order_by(SearchHistory.search_date.desc(), SearchHistory.id.desc())
    )
    return list(session.scalars(page.apply(query)))
