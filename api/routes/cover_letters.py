"""``/applications/{id}/cover-letter``: an application's cover letter, its text and its file.

Cover letters are owner-only (:mod:`database.services.tenancy.cover_letters`):
the letter of another person's application is a 404 to everyone, coaches
included; a write with a read-only API key is a 403. A file upload is checked
exactly as a resume upload is (size, content, extension) and may be up to
:data:`database.io.resume_files.MAX_BYTES` (see :mod:`api.limits`); a bigger
file is a 413.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Response, UploadFile, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.routes.resumes import content_disposition
from api.schemas_cover_letters import CoverLetterRead, CoverLetterWrite
from database.io.cover_letter_files import MAX_BYTES
from database.models import CoverLetter
from database.services.tenancy import cover_letters as tenancy

router = APIRouter(tags=["cover letters"])

LETTER = "/applications/{application_id}/cover-letter"
FILE = "/applications/{application_id}/cover-letter/file"
NOT_FOUND = "no such application or cover letter"
FILE_TOO_LARGE = f"the file must not exceed {MAX_BYTES} bytes"


def _found(letter: CoverLetter | None) -> CoverLetterRead:
    if letter is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return CoverLetterRead.model_validate(letter)


def _no_content(done: bool) -> Response:
    if not done:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(LETTER, response_model=CoverLetterRead)
def read_cover_letter(
    application_id: int, actor: CurrentActor, session: Session
) -> CoverLetterRead:
    """The cover letter of one's own application (404 when it has none)."""
    return _found(tenancy.get_cover_letter(session, actor, application_id))


@router.put(LETTER, response_model=CoverLetterRead)
def write_cover_letter(
    application_id: int, body: CoverLetterWrite, actor: CurrentActor, session: Session
) -> CoverLetterRead:
    """Write the letter's text: creates the letter, or replaces its text (a file it has stays)."""
    return _found(tenancy.set_cover_letter(session, actor, application_id, body.body))


@router.delete(LETTER, status_code=status.HTTP_204_NO_CONTENT)
def delete_cover_letter(application_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete the letter, its text and its file."""
    return _no_content(tenancy.delete_cover_letter(session, actor, application_id))


@router.put(FILE, response_model=CoverLetterRead)
def upload_cover_letter_file(
    application_id: int,
    file: Annotated[UploadFile, File(description="A PDF, Word (.docx) or UTF-8 text file.")],
    actor: CurrentActor,
    session: Session,
) -> CoverLetterRead:
    """Upload the letter's file (multipart field ``file``), replacing the one it had.

    Its text stays. The same content again changes nothing, so a retry is harmless.
    """
    # One byte more than allowed tells "too large" apart without reading it all.
    content = file.file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, FILE_TOO_LARGE)
    letter = tenancy.attach_cover_letter_file(
        session, actor, application_id, file.filename, content
    )
    return _found(letter)


@router.get(
    FILE,
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}},
)
def download_cover_letter_file(
    application_id: int, actor: CurrentActor, session: Session
) -> Response:
    """The letter's stored file, as uploaded, under its original name."""
    stored = tenancy.read_cover_letter_file(session, actor, application_id)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    headers = {
        "Content-Disposition": content_disposition(stored.filename),
        "X-Content-Type-Options": "nosniff",
    }
    return Response(stored.content, media_type=stored.media_type, headers=headers)


@router.delete(FILE, status_code=status.HTTP_204_NO_CONTENT)
def delete_cover_letter_file(
    application_id: int, actor: CurrentActor, session: Session
) -> Response:
    """Remove the letter's file; its text stays (a letter with no text goes with it)."""
    return _no_content(tenancy.remove_cover_letter_file(session, actor, application_id))
