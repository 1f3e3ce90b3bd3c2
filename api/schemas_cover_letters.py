"""The bodies of the cover letter routes: the text a client writes, and the letter it reads."""

from __future__ import annotations

from datetime import datetime

from api.schemas import ReadModel, WriteModel


class CoverLetterWrite(WriteModel):
    """The text of an application's cover letter (non-blank, at most 100,000 characters)."""

    body: str


class CoverLetterRead(ReadModel):
    """An application's cover letter: its text, and its file's name, size and kind if it has one.

    The file itself downloads from ``.../cover-letter/file``.
    """

    id: int
    application_id: int
    body: str | None
    filename: str | None
    file_size: int | None
    file_type: str | None
    created_at: datetime
    updated_at: datetime
