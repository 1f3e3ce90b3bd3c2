"""Resume files for tests: sample PDF and Word documents, and the matrix's resume objects.

``stored_resume`` (an object of ``tests/support/api_world.py``) is a resume
whose file really lies in the configured data folder, so that its download
succeeds for the owner; it is stored by the same :mod:`database.io.resume_files`
the routes use.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import docx
from fpdf import FPDF
from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import resumes
from database.io import resume_files

CONTENT = b"Python developer; SQL and Docker."


def pdf_bytes(text: str) -> bytes:
    """A one-page PDF saying ``text``."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


def docx_bytes(text: str) -> bytes:
    """A Word document of one paragraph, ``text``."""
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _stored_resume(session: Session, user_id: int) -> int:
    folder = files.data_dir(get_database_manager().config)
    stored = resume_files.store(folder, user_id, CONTENT, "cv.txt")
    fields = {
        "filename": stored.label,
        "file_path": str(stored.path),
        "file_type": stored.kind,
        "file_size": stored.size,
    }
    return resumes.add(session, user_id, fields).id


#: Object name -> maker, merged into ``OBJECT_MAKERS``.
RESUME_MAKERS: dict[str, Callable[[Session, int], Any]] = {"stored_resume": _stored_resume}
