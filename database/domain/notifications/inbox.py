"""A person's notifications: listed unread first, counted, marked read. Functions take a session."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.paging import Page
from database.domain import users
from database.domain.schemas import require_id
from database.models import Notification


def list_for_user(
    session: Session,
    user_id: int,
    *,
    unread_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Notification]:
    """The user's notifications, unread first, newest first within each, one page of them."""
    page = Page.of(limit, offset)
    users.ensure_exists(session, user_id)
    query = (
        select(Notification)
        .where(*_filters(user_id, unread_only))
        .order_by(Notification.read_at.is_not(None), Notification.id.desc())
    )
    return list(session.scalars(page.apply(query)))


def count(session: Session, user_id: int, *, unread_only: bool = False) -> int:
    """How many notifications the user has (only the unread ones with ``unread_only``)."""
    users.ensure_exists(session, user_id)
    query = select(func.count()).select_from(Notification).where(*_filters(user_id, unread_only))
    return int(session.scalar(query) or 0)


def get(session: Session, notification_id: int) -> Notification | None:
    """The notification with ``notification_id``, or ``None``."""
    return session.get(Notification, require_id(notification_id, "notification_id"))


def mark_read(
    session: Session, user_id: int, notification_id: int, now: datetime | None = None
) -> Notification | None:
    """Mark one of the user's notifications read (once: a read one keeps its time).

    ``None`` when there is no such notification or it is somebody else's.
    """
    require_id(user_id, "user_id")
    notification = get(session, notification_id)
    if notification is None or notification.user_id != user_id:
        return None
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        session.flush()
    return notification


def mark_all_read(session: Session, user_id: int, now: datetime | None = None) -> int:
    """Mark every unread notification of the user read; how many were unread."""
    users.ensure_exists(session, user_id)
    result = session.execute(
        update(Notification)
        .where(*_filters(user_id, unread_only=True))
        .values(read_at=now or utcnow()),
        execution_options={"synchronize_session": "fetch"},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _filters(user_id: int, unread_only: bool) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = [Notification.user_id == user_id]
    if unread_only:
        filters.append(Notification.read_at.is_(None))
    return filters
