"""Resumes. Functions take a session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, joinedload

from database.core.paging import Page
from database.domain import events, users
from database.domain.schemas import ResumeCreate, require_id, validate
from database.models import EventKind, Resume
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
    events.record(
        session, EventKind.RESUME_ADDED, "resume", resume.id, user_id=user_id,
        payload={"is_active": resume.is_active},
    )  # fmt: skip
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


def list_for_user(
    session: Session,
    user_id: int,
    active_only: bool = True,
    limit: int | None = None,
    offset: int = 0,
) -> list[Resume]:
    """The user's resumes, newest upload first, ``limit`` at a time from ``offset``.

    Each comes with its user loaded.
    """
    window = Page.of(limit, offset)
    users.ensure_exists(session, user_id)
    query = _owned(user_id, active_only).options(*_LOADED)
    query = query.order_by(Resume.upload_date.desc(), Resume.id.desc())
    return list(session.scalars(window.apply(query)))


def count_for_user(session: Session, user_id: int, active_only: bool = True) -> int:
    """How many resumes the user has (active ones only, by default)."""
    users.ensure_exists(session, user_id)
    query = _owned(user_id, active_only).with_only_columns(func.count(Resume.id))
    return int(session.scalar(query) or 0)


def _owned(user_id: int, active_only: bool) -> Select[Resume]:
    query = select(Resume).where(Resume.user_id == user_id)
    return query.where(Resume.is_active.is_(True)) if active_only else query


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
