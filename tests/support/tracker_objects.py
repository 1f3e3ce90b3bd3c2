"""Rows of the tracker's tables (contacts, tags, cover letters) for tests that need one of each."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from database.models import (
    ApplicationContact,
    ApplicationTag,
    Contact,
    CoverLetter,
    RateLimit,
    ReadMark,
    Tag,
)


def tracker_rows(session: Session, user_id: int, application_id: int) -> None:
    """A contact, a tag, a cover letter on the application, a read mark and a rate limit."""
    contact = Contact(user_id=user_id, name="Ada Recruiter", company="Co", email="ada@co.example")
    tag = Tag(user_id=user_id, name="Remote")
    session.add_all([contact, tag])
    session.flush()
    session.add_all([
        ApplicationContact(application_id=application_id, contact_id=contact.id, user_id=user_id),
        ApplicationTag(application_id=application_id, tag_id=tag.id, user_id=user_id),
        CoverLetter(application_id=application_id, user_id=user_id, body="Dear team"),
        ReadMark(user_id=user_id, lsn=1),
        RateLimit(user_id=user_id, window_started_at=datetime(2024, 1, 1, tzinfo=UTC), granted=3),
    ])  # fmt: skip
