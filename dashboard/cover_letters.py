"""The cover letter calls of the application page, as the person using the dashboard may make them.

Local mode calls ``DatabaseUtils``; hosted mode goes through
:mod:`database.services.tenancy.cover_letters` for the signed-in person, so
the letter of an application that is not theirs is reported like a missing
application (as :mod:`dashboard.scope` does for the rest of the page).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from dashboard import auth, mode, state
from database.domain.accounts import Actor
from database.io.cover_letter_files import KINDS, MAX_BYTES
from database.models import CoverLetter
from database.services.tenancy import cover_letters as tenancy
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "attach_file",
    "delete",
    "file_content",
    "get",
    "remove_file",
    "set_text",
]

T = TypeVar("T")


def _as_actor(work: Callable[[Session, Actor], T]) -> T:
    actor = auth.require_actor()
    with state.ensure_database().session_scope() as session:
        return work(session, actor)


def _missing(application_id: int) -> ValidationError:
    return ValidationError(
        "application_id", f"no application with id {application_id}", application_id
    )


def get(application_id: int) -> CoverLetter | None:
    """The application's cover letter, or ``None``."""
    if not mode.is_hosted():
        return DatabaseUtils.get_cover_letter(application_id)
    return _as_actor(lambda s, a: tenancy.get_cover_letter(s, a, application_id))


def set_text(application_id: int, text: str) -> CoverLetter:
    """Write the letter's text (created, or replacing the old text)."""
    if not mode.is_hosted():
        return DatabaseUtils.set_cover_letter(application_id, text)
    letter = _as_actor(lambda s, a: tenancy.set_cover_letter(s, a, application_id, text))
    if letter is None:
        raise _missing(application_id)
    return letter


def attach_file(application_id: int, filename: str, content: bytes) -> CoverLetter:
    """Store an uploaded file as the letter's file (checked as a resume upload is)."""
    if not mode.is_hosted():
        return DatabaseUtils.attach_cover_letter_file(application_id, filename, content)
    letter = _as_actor(
        lambda s, a: tenancy.attach_cover_letter_file(s, a, application_id, filename, content)
    )
    if letter is None:
        raise _missing(application_id)
    return letter


def file_content(application_id: int) -> bytes | None:
    """The letter's stored file as uploaded; ``None`` without one or when it is gone."""
    if not mode.is_hosted():
        return DatabaseUtils.read_cover_letter_file(application_id)
    found = _as_actor(lambda s, a: tenancy.read_cover_letter_file(s, a, application_id))
    return None if found is None else found.content


def remove_file(application_id: int) -> bool:
    """Remove the letter's file (its text stays); whether it had one."""
    if not mode.is_hosted():
        return DatabaseUtils.remove_cover_letter_file(application_id)
    return _as_actor(lambda s, a: tenancy.remove_cover_letter_file(s, a, application_id))


def delete(application_id: int) -> bool:
    """Delete the letter, text and file; whether there was one."""
    if not mode.is_hosted():
        return DatabaseUtils.delete_cover_letter(application_id)
    return _as_actor(lambda s, a: tenancy.delete_cover_letter(s, a, application_id))
