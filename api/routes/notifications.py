"""``/notifications`` and ``/calendar``: one's reminders, and one's interview calendar feed.

Who may do what is decided in :mod:`database.services.tenancy.notifications`:
another person's notification is a 404, a change with a read-only API key a
403. The feed (``GET /calendar/{secret}.ics``) needs no sign-in: calendar
clients cannot sign in, so the secret in its address is the credential; an
unknown secret is a 404.
"""

from __future__ import annotations

import logging
import re

from fastapi import APIRouter, Query, Request, Response, status
from starlette.exceptions import HTTPException

from api.deps import AnonymousSession, CurrentActor, Session
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.schemas_notifications import CalendarFeedCreated, MarkedRead, NotificationRead, UnreadCount
from database.io.calendar_ics import MEDIA_TYPE
from database.services.tenancy import notifications

router = APIRouter(tags=["notifications"])

NOT_FOUND = "no such notification"
NO_FEED = "no such calendar feed"
FEED_ROUTE = "calendar_feed"
#: A feed secret in a logged request line, kept to its tag and visible prefix.
_FEED_SECRET = re.compile(r"(/calendar/aacal_[0-9a-f]{8})_[^/.\s]+")


class FeedSecretFilter(logging.Filter):
    """Redacts calendar feed secrets from the server's access log (the secret is a credential)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _FEED_SECRET.sub(r"\1_…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


_ACCESS_LOG = logging.getLogger("uvicorn.access")
if not any(isinstance(f, FeedSecretFilter) for f in _ACCESS_LOG.filters):
    _ACCESS_LOG.addFilter(FeedSecretFilter())


@router.get("/notifications", response_model=list[NotificationRead])
def list_notifications(
    actor: CurrentActor,
    session: Session,
    response: Response,
    unread: bool = Query(False, description="only the unread ones"),
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[NotificationRead]:
    """One's notifications, unread first, newest first; how many match in ``X-Total-Count``."""
    found, total = notifications.list_notifications(
        session, actor, unread_only=unread, limit=limit, offset=offset
    )
    response.headers[TOTAL_HEADER] = str(total)
    return [NotificationRead.model_validate(entry) for entry in found]


@router.get("/notifications/unread-count", response_model=UnreadCount)
def unread_count(actor: CurrentActor, session: Session) -> UnreadCount:
    """How many of one's notifications are unread."""
    return UnreadCount(unread=notifications.unread_count(session, actor))


@router.post("/notifications/read-all", response_model=MarkedRead)
def mark_all_read(actor: CurrentActor, session: Session) -> MarkedRead:
    """Mark every unread notification of one's read."""
    return MarkedRead(marked=notifications.mark_all_read(session, actor))


@router.post("/notifications/{notification_id}/read", response_model=NotificationRead)
def mark_read(notification_id: int, actor: CurrentActor, session: Session) -> NotificationRead:
    """Mark one of one's notifications read (again: it keeps the time it was first read)."""
    marked = notifications.mark_read(session, actor, notification_id)
    if marked is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return NotificationRead.model_validate(marked)


@router.post(
    "/calendar/feed", response_model=CalendarFeedCreated, status_code=status.HTTP_201_CREATED
)
def create_calendar_feed(
    actor: CurrentActor, session: Session, request: Request
) -> CalendarFeedCreated:
    """A new address of one's interview calendar feed, shown once; any earlier one stops working."""
    secret = notifications.rotate_calendar_feed(session, actor)
    return CalendarFeedCreated(url=str(request.url_for(FEED_ROUTE, secret=secret)))


@router.get(
    "/calendar/{secret}.ics",
    name=FEED_ROUTE,
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPE: {}}, "description": "an RFC 5545 calendar"}},
)
def calendar_feed(secret: str, session: AnonymousSession) -> Response:
    """The upcoming interviews of the feed's owner as an iCalendar file (no sign-in)."""
    body = notifications.calendar_feed(session, secret)
    if body is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_FEED)
    return Response(body, media_type=MEDIA_TYPE, headers={"Cache-Control": "private, no-store"})
