"""The ``DatabaseUtils`` calls about cover letters: one per application, text or a file."""

from __future__ import annotations

from pathlib import Path

from database.core import files
from database.core.session import get_database_manager
from database.domain import cover_letters
from database.io import cover_letter_files
from database.models import CoverLetter
from database.services.calls import run


def _data_dir() -> Path:
    return files.data_dir(get_database_manager().config)


class CoverLetterCalls:
    """The ``DatabaseUtils`` calls about cover letters: one per application, text or a file."""

    @staticmethod
    def set_cover_letter(application_id: int, text: str) -> CoverLetter:
        """Write the application's cover letter text (created, or replacing the old text).

        ``text`` is non-blank, at most 100,000 characters; a file it has stays.
        """
        return run(lambda s: cover_letters.set_body(s, application_id, text))

    @staticmethod
    def attach_cover_letter_file(application_id: int, filename: str, content: bytes) -> CoverLetter:
        """Store ``content`` (a PDF, .docx or UTF-8 text of at most 5 MB) as the letter's file.

        Checked as a resume upload is; ``filename`` is the sender's name, kept as a
        label, whose extension must match the content. Replaces the file the letter
        had (removed once the change is committed); its text stays. The same
        content again changes nothing.
        """
        root = _data_dir()
        return run(lambda s: cover_letter_files.attach(s, root, application_id, filename, content))

    @staticmethod
    def get_cover_letter(application_id: int) -> CoverLetter | None:
        """The application's cover letter, or ``None``."""
        return run(lambda s: cover_letters.get(s, application_id))

    @staticmethod
    def get_cover_letter_texts(user_id: int) -> dict[int, str]:
        """The text of each of the user's cover letters, by application id (for the exports)."""
        return run(lambda s: cover_letters.texts_of(s, user_id))

    @staticmethod
    def read_cover_letter_file(application_id: int) -> bytes | None:
        """The bytes of the letter's stored file; ``None`` without one (or if it is gone)."""
        root = _data_dir()
        return run(lambda s: cover_letter_files.read_file(s, root, application_id))

    @staticmethod
    def delete_cover_letter(application_id: int) -> bool:
        """Delete the application's letter (text and file); whether there was one."""
        root = _data_dir()
        return run(lambda s: cover_letter_files.delete(s, root, application_id))

    @staticmethod
    def remove_cover_letter_file(application_id: int) -> bool:
        """Remove the letter's file, keeping its text; whether it had a file.

        A letter with no text goes with its file.
        """
        root = _data_dir()
        return run(lambda s: cover_letter_files.remove_file(s, root, application_id))
