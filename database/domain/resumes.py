"""Resumes. Functions take a session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from database.domain import users
from database.domain.schemas import ResumeCreate, require_id, validate
from database.models import Resume
from utils.errors import ValidationError


def add(session: Session, user_id: int, fields: Mapping[str, Any]) -> Resume:
    """Store a resume; an active one deactivates the user's other resumes."""
    data = validate(ResumeCreate, fields)
    users.ensure_exists(session, user_id)
    if data.is_active:
        session.execute(
            update(Resume)
            .where(Resume.user_id == user_id, Resume.is_active.is_(True))
            .values(is_active=False)
        )
    resume = Resume(user_id=user_id, **data.model_dump(exclude_none=True))
    session.add(resume)
    session.flush()
    return resume


#: What a returned resume has loaded: its user (one join). Not its applications, which
#: are unbounded; ``DatabaseUtils.find_applications`` pages through them.
_LOADED = [joinedload(Resume.user)]


def get(session: Session, resume_id: int) -> Resume | None:
    """The resume with ``resume_id`` (its user loaded), or ``None``."""
    return session.get(Resume, require_id(resume_id, "resume_id"), options=_LOADED)


def require_owned(session: Session, resume_id: int, user_id: int) -> Resume:
    """The resume, which must belong to ``user_id``; else :class:`ValidationError`."""
    resume = session.get(Resume, require_id(resume_id, "resume_id"))
    if resume is None or resume.user_id != user_id:
        raise ValidationError(
            "resume_id", f"no resume with id {resume_id} for this user", resume_id
        )
    return resume


def list_for_user(session: Session, user_id: int, active_only: bool = True) -> list[Resume]:
    """The user's resumes, newest upload first (each with its user loaded)."""
    users.ensure_exists(session, user_id)
    query = select(Resume).where(Resume.user_id == user_id).options(*_LOADED)
    if active_only:
        query = query.where(Resume.is_active.is_(True))
    return list(session.scalars(query.order_by(Resume.upload_date.desc(), Resume.id.desc())))


def set_active(session: Session, resume_id: int) -> Resume:
    """Make ``resume_id`` the user's one active resume."""
    resume = get(session, resume_id)
    if resume is None:
        raise ValidationError("resume_id", f"no resume with id {resume_id}", resume_id)
    session.execute(
        update(Resume)
        .where(Resume.user_id == resume.user_id, Resume.id != resume.id)
        .values(is_active=False)
    )
    resume.is_active = True
    session.flush()
    return resume


def remove(session: Session, resume_id: int) -> None:
    """Delete a resume; its applications keep their data and lose the link."""
    resume = get(session, resume_id)
    if resume is None:
        raise ValidationError("resume_id", f"no resume with id {resume_id}", resume_id)
    session.delete(resume)
    session.flush()
