"""Resume uploads: checked by content, stored privately, text and skills extracted.

A file is accepted when its bytes are what its type claims (PDF header, DOCX
zip with a Word document, UTF-8 text) and it is at most :data:`MAX_BYTES`. It is
stored under ``<data dir>/resumes/<user id>/`` with a random name of our own and
mode 0600; the user's file name is kept only as a label.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from dashboard.skills import extract_skills
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 200_000
KINDS = ("pdf", "docx", "txt")


@dataclass(frozen=True)
class StoredResume:
    """A resume file written to disk, and what was read from it."""

    path: Path
    kind: str
    size: int
    text: str
    skills: list[str]


def detect_kind(content: bytes) -> str:
    """``"pdf"``, ``"docx"`` or ``"txt"`` from the bytes themselves, else ``ValidationError``."""
    if content.startswith(b"%PDF-"):
        return "pdf"
    if content.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if "word/document.xml" in archive.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        raise ValidationError("file", "is a zip archive but not a Word (.docx) document")
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
            return "txt"
        except UnicodeDecodeError:
            pass
    raise ValidationError("file", "must be a PDF, a Word (.docx) document or UTF-8 text")


def _pdf_text(content: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise ValidationError("file", f"is not a readable PDF ({type(exc).__name__})") from None


def _docx_text(content: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(content))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValidationError("file", f"is not a readable .docx ({type(exc).__name__})") from None
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs + cells)


def extract_text(content: bytes, kind: str) -> str:
    """The plain text of a resume of ``kind`` (NUL characters removed)."""
    if kind == "pdf":
        text = _pdf_text(content)
    elif kind == "docx":
        text = _docx_text(content)
    else:
        text = content.decode("utf-8")
    return text.replace("\x00", "")[:MAX_TEXT]


def _write_private(folder: Path, kind: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(16)}.{kind}"
    # O_EXCL: never follow or overwrite an existing file; 0600: owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def store(root: Path, user_id: int, content: bytes) -> StoredResume:
    """Check, store and read one uploaded resume for ``user_id``.

    Raises :class:`ValidationError` (field ``file``) for an empty, too large or
    unrecognised file; nothing is written then.
    """
    if not content:
        raise ValidationError("file", "is empty")
    if len(content) > MAX_BYTES:
        raise ValidationError("file", f"must be at most {MAX_BYTES // (1024 * 1024)} MB")
    kind = detect_kind(content)
    text = extract_text(content, kind)
    path = _write_private(root / "resumes" / str(int(user_id)), kind, content)
    logger.info("stored a %s resume of %d bytes for user %d", kind, len(content), user_id)
    return StoredResume(path, kind, len(content), text, extract_skills(text))


def remove(root: Path, stored_path: str) -> bool:
    """Delete a stored resume file if it lies inside ``root/resumes``; returns whether."""
    base = (root / "resumes").resolve()
    target = Path(stored_path).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return False
    target.unlink()
    return True
