"""The bodies of the notification and calendar feed routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas import ReadModel
from database.models import NotificationKind


class NotificationRead(ReadModel):
    """One reminder of the signed-in person; ``read_at`` is ``null`` while unread."""

    id: int
    kind: NotificationKind
    application_id: int | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class UnreadCount(BaseModel):
    """How many of one's notifications are unread."""

    unread: int


class MarkedRead(BaseModel):
    """How many notifications a "mark all read" marked."""

    marked: int


class CalendarFeedCreated(BaseModel):
    """The address of one's interview calendar feed, shown this once.

    The address holds the feed's secret: anyone who has it reads the feed, so
    it is not stored in clear and cannot be shown again; creating a new one
    makes the old address stop working.
    """

    url: str = Field(repr=False)
