"""A person's cover letters as the API may read and change them: owner-only, files included.

A cover letter is the applicant's own writing: no organization role reaches it
(a coach reads the application, not its letter). The letter of an application
that is not the actor's is "not found" (``None`` / ``False``) for everyone but
its owner, who changes it only with a credential of scope ``write``.

Files are checked, stored and read by :mod:`database.io.cover_letter_files`,
the dashboard's implementation too, under the configured data folder unless a
``root`` is given.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import cover_letters
from database.domain.accounts import Actor
from database.domain.schemas import require_id
from database.io import cover_letter_files
from database.models import CoverLetter, JobApplication
from database.services.tenancy.guards import require_write_scope

logger = logging.getLogger(__name__)

#: What a stored file of no known kind is served as (downloaded, never shown inline).
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class CoverLetterFile:
    """The stored bytes of a cover letter file, with what a download needs to label them."""

    content: bytes
    media_type: str
    filename: str


def _root(root: Path | None) -> Path:
    return root if root is not None else files.data_dir(get_database_manager().config)


def _own(session: Session, actor: Actor, application_id: int) -> JobApplication | None:
    """The application if it is the actor's own, else ``None``."""
    application = session.get(JobApplication, require_id(application_id, "application_id"))
    if application is None or application.user_id != actor.user_id:
        return None
    return application


def _own_writable(session: Session, actor: Actor, application_id: int) -> JobApplication | None:
    application = _own(session, actor, application_id)
    if application is not None:
        require_write_scope(actor)
    return application


def get_cover_letter(session: Session, actor: Actor, application_id: int) -> CoverLetter | None:
    """The letter of the actor's own application; ``None`` if there is none or it is not theirs."""
    if _own(session, actor, application_id) is None:
        return None
    return cover_letters.get(session, application_id)


def set_cover_letter(
    session: Session, actor: Actor, application_id: int, body: str
) -> CoverLetter | None:
    """Write the letter text of the actor's own application; ``None`` if it is not theirs."""
    if _own_writable(session, actor, application_id) is None:
        return None
    return cover_letters.set_body(session, application_id, body)


def attach_cover_letter_file(
    session: Session,
    actor: Actor,
    application_id: int,
    filename: str | None,
    content: bytes,
    root: Path | None = None,
) -> CoverLetter | None:
    """Store an uploaded file as the letter's file; ``None`` if the application is not theirs.

    The checks are a resume upload's: a bad file is a
    :class:`~utils.errors.ValidationError` on ``file`` and nothing is written.
    """
    if _own_writable(session, actor, application_id) is None:
        return None
    return cover_letter_files.attach(session, _root(root), application_id, filename, content)


def read_cover_letter_file(
    session: Session, actor: Actor, application_id: int, root: Path | None = None
) -> CoverLetterFile | None:
    """The letter's stored file; ``None`` if not theirs, without a file, or the file is gone."""
    if _own(session, actor, application_id) is None:
        return None
    letter = cover_letters.get(session, application_id)
    if letter is None or letter.filename is None or letter.file_path is None:
        return None
    content = cover_letter_files.read(_root(root), letter.file_path)
    if content is None:
        logger.warning("the file of the cover letter of application %d is missing", application_id)
        return None
    media_type = cover_letter_files.MEDIA_TYPES.get(letter.file_type or "", UNKNOWN_MEDIA_TYPE)
    return CoverLetterFile(content, media_type, letter.filename)


def remove_cover_letter_file(
    session: Session, actor: Actor, application_id: int, root: Path | None = None
) -> bool:
    """Remove the letter's file (the text stays); ``False`` if not theirs or it had none."""
    if _own_writable(session, actor, application_id) is None:
        return False
    return cover_letter_files.remove_file(session, _root(root), application_id)


def delete_cover_letter(
    session: Session, actor: Actor, application_id: int, root: Path | None = None
) -> bool:
    """Delete the letter of the actor's own application; ``False`` if not theirs or none."""
    if _own_writable(session, actor, application_id) is None:
        return False
    return cover_letter_files.delete(session, _root(root), application_id)
