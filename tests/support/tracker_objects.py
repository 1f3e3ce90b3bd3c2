"""Rows of the tracker's tables (contacts, tags, cover letters) for tests that need one of each."""

from __future__ import annotations

from sqlalchemy.orm import Session

from database.models import ApplicationContact, ApplicationTag, Contact, CoverLetter, ReadMark, Tag


def tracker_rows(session: Session, user_id: int, application_id: int) -> None:
    """A contact, a tag, a cover letter on the application and a read mark (a row of each table)."""
    contact = Contact(user_id=user_id, name="Ada Recruiter", company="Co", email="ada@co.example")
    tag = Tag(user_id=user_id, name="Remote")
    session.add_all([contact, tag])
    session.flush()
    session.add_all([
        ApplicationContact(application_id=application_id, contact_id=contact.id, user_id=user_id),
        ApplicationTag(application_id=application_id, tag_id=tag.id, user_id=user_id),
        CoverLetter(application_id=application_id, user_id=user_id, body="Dear team"),
        ReadMark(user_id=user_id, lsn=1),
    ])  # fmt: skip
