"""The interview calendar feed: one secret per person, and the interviews it shows.

The secret is the feed's only credential (calendar clients cannot sign in):
256 random bits from :mod:`database.core.tokens`, shown once, stored only as
its SHA-256. Rotating it replaces the stored hash, so the old address stops
working at once. On PostgreSQL a transaction without an actor reads a feed
only by claiming its secret (see revision 003.7).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.tokens import digest, is_candidate, mint
from database.domain import users
from database.models import CalendarFeed, JobApplication

#: The tag of a feed secret (``aacal_<prefix>_<secret>``).
FEED_TAG = "aacal"
#: The most interviews one feed lists (the soonest).
MAX_INTERVIEWS = 500


def rotate_secret(session: Session, user_id: int) -> str:
    """A new feed secret for the user, replacing any earlier one; the raw secret (shown once)."""
    users.ensure_exists(session, user_id)
    token = mint(FEED_TAG)
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
    if feed is None:
        session.add(CalendarFeed(user_id=user_id, token_hash=token.digest))
    else:
        feed.token_hash = token.digest
    session.flush()
    return token.raw


def owner_of(session: Session, secret: object) -> int | None:
    """The id of the person whose feed ``secret`` opens, or ``None`` (unknown or malformed)."""
    if not is_candidate(secret, FEED_TAG):
        return None
    query = select(CalendarFeed.user_id).where(CalendarFeed.token_hash == digest(secret))
    found = session.scalar(query)
    return None if found is None else int(found)


def upcoming_interviews(
    session: Session, user_id: int, now: datetime | None = None
) -> list[JobApplication]:
    """The user's applications with an interview from ``now`` on, soonest first."""
    query = (
        select(JobApplication)
        .where(
            JobApplication.user_id == user_id,
            JobApplication.interview_date >= (now or utcnow()),
        )
        .order_by(JobApplication.interview_date, JobApplication.id)
        .limit(MAX_INTERVIEWS)
    )
    return list(session.scalars(query))
