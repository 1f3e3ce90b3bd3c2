"""``/resumes``: the signed-in person's resumes, uploaded, downloaded, activated, deleted.

Resumes are owner-only (:mod:`database.services.tenancy.resumes`): another
person's resume is a 404 to everyone, coaches included; a write with a
read-only API key is a 403. An upload is checked exactly as the dashboard
checks it (size, content, extension) and may be larger than other bodies,
up to :data:`database.io.resume_files.MAX_BYTES` of file (see
:mod:`api.limits`); a bigger file is a 413.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.idempotency import Created, UploadIdempotency, respond
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.responses import location_of
from api.schemas_profile import ResumeDetail, ResumeRead
from database.io.resume_files import MAX_BYTES
from database.models import Resume
from database.services.tenancy import resumes as tenancy

router = APIRouter(prefix="/resumes", tags=["resumes"])

NOT_FOUND = "no such resume"
FILE_TOO_LARGE = f"the file must not exceed {MAX_BYTES} bytes"
_UNSAFE_IN_QUOTES = frozenset('"\\')


def _found(resume: Resume | None) -> Resume:
    if resume is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return resume


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` as an ASCII fallback and as RFC 5987 UTF-8."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in _UNSAFE_IN_QUOTES else "_"
        for c in filename
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get("", response_model=list[ResumeRead])
def list_resumes(
    actor: CurrentActor,
    session: Session,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
    active_only: bool = False,
) -> list[ResumeRead]:
    """One's own resumes, newest upload first; how many in ``X-Total-Count``."""
    found, total = tenancy.list_resumes(session, actor, active_only, limit, offset)
    response.headers[TOTAL_HEADER] = str(total)
    return [ResumeRead.model_validate(resume) for resume in found]


@router.post("", response_model=ResumeDetail, status_code=status.HTTP_201_CREATED)
def upload_resume(
    file: Annotated[UploadFile, File(description="A PDF, Word (.docx) or UTF-8 text file.")],
    actor: CurrentActor,
    session: Session,
    request: Request,
    idempotency: UploadIdempotency,
    is_active: Annotated[bool, Form()] = True,
) -> Response:
    """Upload a resume (multipart field ``file``); its text and skills are read from it.

    ``is_active`` (default true) makes it one's one active resume. Its
    address is in ``Location``. With an ``Idempotency-Key``, a retry gets the
    first answer and stores nothing more.
    """
    # One byte more than allowed tells "too large" apart without reading it all.
    content = file.file.read(MAX_BYTES + 1)
    if len(content) > MAX_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, FILE_TOO_LARGE)

    def create() -> Created:
        resume = tenancy.upload_resume(session, actor, file.filename, content, is_active)
        location = location_of(request, "read_resume", resume_id=str(resume.id))
        return Created(ResumeDetail.model_validate(resume), location=location)

    fingerprint = idempotency.request(content, (file.filename or "").encode(), b"%d" % is_active)
    return respond(session, actor, fingerprint, create)


@router.get("/{resume_id}", response_model=ResumeDetail)
def read_resume(resume_id: int, actor: CurrentActor, session: Session) -> ResumeDetail:
    """One's own resume: its metadata and the text read from it."""
    return ResumeDetail.model_validate(_found(tenancy.get_resume(session, actor, resume_id)))


@router.get(
    "/{resume_id}/file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The file."}},
)
def download_resume(resume_id: int, actor: CurrentActor, session: Session) -> Response:
    """The stored file of one's own resume, as uploaded."""
    stored = tenancy.read_resume_file(session, actor, resume_id)
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    headers = {
        "Content-Disposition": content_disposition(stored.filename),
        "X-Content-Type-Options": "nosniff",
    }
    return Response(stored.content, media_type=stored.media_type, headers=headers)


@router.post("/{resume_id}/activate", response_model=ResumeRead)
def activate_resume(resume_id: int, actor: CurrentActor, session: Session) -> ResumeRead:
    """Make the resume one's one active resume (the others become inactive)."""
    return ResumeRead.model_validate(_found(tenancy.activate_resume(session, actor, resume_id)))


@router.delete("/{resume_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_resume(resume_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete one's own resume and its stored file; applications keep their data."""
    if not tenancy.delete_resume(session, actor, resume_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
