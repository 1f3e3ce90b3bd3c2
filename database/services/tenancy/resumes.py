"""A person's resumes as the API may read and change them: owner-only, files included.

No organization role reaches a resume (coaches read applications, status
history and analytics, never the files): a resume of somebody else's is
"not found" (``None`` / ``False``) for everyone but its owner, who changes it
only with a credential of scope ``write``.

Files are checked, stored and read by :mod:`database.io.resume_files`, the
dashboard's implementation too, under the configured data folder
(:func:`database.core.files.data_dir`) unless a ``root`` is given.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import resumes
from database.domain.accounts import Actor
from database.io import resume_files
from database.models import Resume
from database.services.tenancy.guards import require_write_scope

logger = logging.getLogger(__name__)

#: What a stored file of no known kind is served as (downloaded, never shown inline).
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class ResumeFile:
    """The stored bytes of a resume, with what a download needs to label them."""

    content: bytes
    media_type: str
    filename: str


def _root(root: Path | None) -> Path:
    return root if root is not None else files.data_dir(get_database_manager().config)


def readable(session: Session, actor: Actor, resume_id: int) -> Resume | None:
    """The resume if it is the actor's own, else ``None`` (also when there is none)."""
    resume = resumes.get(session, resume_id)
    if resume is None or resume.user_id != actor.user_id:
        return None
    return resume


def writable(session: Session, actor: Actor, resume_id: int) -> Resume | None:
    """The actor's own resume if their credential may change it; ``None`` if it is not theirs."""
    resume = readable(session, actor, resume_id)
    if resume is not None:
        require_write_scope(actor)
    return resume


def list_resumes(
    session: Session,
    actor: Actor,
    active_only: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[Resume], int]:
    """One page of the actor's own resumes (newest upload first) and how many there are in all."""
    found = resumes.list_for_user(session, actor.user_id, active_only, limit, offset)
    return found, resumes.count_for_user(session, actor.user_id, active_only)


def upload_resume(
    session: Session,
    actor: Actor,
    filename: str | None,
    content: bytes,
    is_active: bool = True,
    root: Path | None = None,
) -> Resume:
    """Check and store an uploaded file as a new resume of the actor's own.

    The checks are the dashboard's (:func:`database.io.resume_files.store`):
    a bad file is a :class:`~utils.errors.ValidationError` on ``file`` and
    nothing is written. If the row cannot be added the stored file is removed.
    The same content uploaded again is the resume stored the first time (made
    the active one when ``is_active``), not a duplicate.
    """
    require_write_scope(actor)
    folder = _root(root)
    owned = resumes.list_for_user(session, actor.user_id, active_only=False)
    same = resume_files.same_content(folder, owned, content)
    if same is not None:
        return resumes.set_active(session, same.id) if is_active and not same.is_active else same
    stored = resume_files.store(folder, actor.user_id, content, filename)
    try:
        return resumes.add(
            session,
            actor.user_id,
            {
                "filename": stored.label,
                "file_path": str(stored.path),
                "file_size": stored.size,
                "file_type": stored.kind,
                "parsed_text": stored.text,
                "skills_extracted": stored.skills,
                "is_active": is_active,
            },
        )
    except BaseException:
        resume_files.remove(folder, str(stored.path))
        raise


def get_resume(session: Session, actor: Actor, resume_id: int) -> Resume | None:
    """The actor's own resume, else ``None``."""
    return readable(session, actor, resume_id)


def read_resume_file(
    session: Session, actor: Actor, resume_id: int, root: Path | None = None
) -> ResumeFile | None:
    """The stored file of the actor's own resume; ``None`` if it is not theirs or the file is gone.

    Only a file inside the data folder's ``resumes`` is ever read, whatever
    path the row holds.
    """
    resume = readable(session, actor, resume_id)
    if resume is None:
        return None
    content = resume_files.read(_root(root), resume.file_path)
    if content is None:
        logger.warning("the file of resume %d is missing", resume.id)
        return None
    media_type = resume_files.MEDIA_TYPES.get(resume.file_type or "", UNKNOWN_MEDIA_TYPE)
    return ResumeFile(content, media_type, resume.filename)


def activate_resume(session: Session, actor: Actor, resume_id: int) -> Resume | None:
    """Make the actor's own resume their one active resume; ``None`` if it is not theirs."""
    if writable(session, actor, resume_id) is None:
        return None
    return resumes.set_active(session, resume_id)


def delete_resume(session: Session, actor: Actor, resume_id: int, root: Path | None = None) -> bool:
    """Delete the actor's own resume and its file; ``False`` if it is not theirs.

    The row goes first, then the file: should the transaction still fail,
    a row without its file is left (its download is a 404), never a file
    the person believes deleted.
    """
    resume = writable(session, actor, resume_id)
    if resume is None:
        return False
    stored_path = resume.file_path
    resumes.remove(session, resume_id)
    resume_files.remove(_root(root), stored_path)
    return True
