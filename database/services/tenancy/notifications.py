"""A person's notifications and interview calendar feed, as the API may read and change them.

Owner-only, like the profile: no organization role reaches another person's
notifications (a coach reads a member's applications, not their reminders).
Somebody else's notification is "not found" (``None``); marking one's own read
or rotating one's feed secret needs a credential of scope ``write``. The feed
itself is read without signing in: its secret is the credential.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.tenant import bind_actor, bind_credential
from database.core.time_zones import DEFAULT_ZONE
from database.domain import users
from database.domain.accounts import Actor
from database.domain.notifications import calendar, inbox
from database.io.calendar_ics import interview_calendar
from database.models import Notification
from database.services.tenancy.guards import require_write_scope


def list_notifications(
    session: Session,
    actor: Actor,
    *,
    unread_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Notification], int]:
    """One page of the actor's notifications (unread first) and how many match in all."""
    found = inbox.list_for_user(
        session, actor.user_id, unread_only=unread_only, limit=limit, offset=offset
    )
    return found, inbox.count(session, actor.user_id, unread_only=unread_only)


def unread_count(session: Session, actor: Actor) -> int:
    """How many of the actor's notifications are unread."""
    return inbox.count(session, actor.user_id, unread_only=True)


def mark_read(session: Session, actor: Actor, notification_id: int) -> Notification | None:
    """Mark one of the actor's notifications read; ``None`` when it is not theirs or not there."""
    notification = inbox.get(session, notification_id)
    if notification is None or notification.user_id != actor.user_id:
        return None
    require_write_scope(actor)
    return inbox.mark_read(session, actor.user_id, notification_id)


def mark_all_read(session: Session, actor: Actor) -> int:
    """Mark every unread notification of the actor's read; how many there were."""
    require_write_scope(actor)
    return inbox.mark_all_read(session, actor.user_id)


def rotate_calendar_feed(session: Session, actor: Actor) -> str:
    """A new secret for the actor's calendar feed (the old one stops working); shown once."""
    require_write_scope(actor)
    return calendar.rotate_secret(session, actor.user_id)


def calendar_feed(session: Session, secret: str, now: datetime | None = None) -> bytes | None:
    """The ``.ics`` of the upcoming interviews of the person whose feed ``secret`` opens.

    ``None`` for an unknown secret. ``session`` is bound to nobody: the
    transaction claims the secret (so that row-level security shows it that
    feed), then binds the feed's owner to read their interviews.
    """
    if not isinstance(secret, str) or not secret:
        return None
    bind_credential(session, secret)
    owner = calendar.owner_of(session, secret)
    if owner is None:
        return None
    bind_actor(session, owner)
    moment = now or utcnow()
    preferences = users.get_preferences(session, owner)
    zone = preferences.time_zone if preferences is not None else DEFAULT_ZONE
    return interview_calendar(calendar.upcoming_interviews(session, owner, moment), moment, zone)
