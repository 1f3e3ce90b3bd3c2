"""Resume files: checked by content, stored privately, read back, text and skills extracted.

The one implementation behind the dashboard's upload and the API's. A file is
accepted when it is at most :data:`MAX_BYTES`, its bytes are what a resume is
(PDF header, DOCX zip with a Word document, UTF-8 text) and, when the sender
named it, the name's extension agrees with the bytes. It is stored under
``<data dir>/resumes/<user id>/`` with a random name of our own and mode 0600;
the sender's file name is kept only as a label (:func:`safe_label`), so it can
never choose where the file goes.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol, TypeVar

import docx
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from database.core.files import RESUMES_FOLDER
from database.io.skills import extract_skills
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 200_000
MAX_LABEL = 255
KINDS = ("pdf", "docx", "txt")
#: The media type each kind is served with.
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "txt": "text/plain; charset=utf-8",
}
FIELD = "file"


@dataclass(frozen=True)
class StoredResume:
    """A resume file written to disk, and what was read from it."""

    path: Path
    kind: str
    size: int
    text: str
    skills: list[str]
    label: str


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
        raise ValidationError(FIELD, "is a zip archive but not a Word (.docx) document")
    if b"\x00" not in content:
        try:
            content.decode("utf-8")
            return "txt"
        except UnicodeDecodeError:
            pass
    raise ValidationError(FIELD, "must be a PDF, a Word (.docx) document or UTF-8 text")


def safe_label(filename: str | None, kind: str, stem: str = "resume") -> str:
    """The sender's file name as a harmless label: no folders, no control characters.

    Only the last component of a ``/`` or ``\\`` path is kept; an empty result
    becomes ``<stem>.<kind>`` (``resume.<kind>`` by default).
    """
    base = PurePosixPath((filename or "").replace("\\", "/")).name
    printable = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if printable in ("", ".", ".."):
        return f"{stem}.{kind}"
    return printable[:MAX_LABEL]


def check_name(label: str, kind: str) -> None:
    """:class:`ValidationError` unless ``label`` ends in an allowed extension matching ``kind``."""
    extension = label.rpartition(".")[2].lower() if "." in label else ""
    if extension not in KINDS:
        *others, last = (f".{k}" for k in KINDS)
        raise ValidationError(FIELD, f"must be named {', '.join(others)} or {last}", label)
    if extension != kind:
        raise ValidationError(FIELD, f"is named .{extension} but its content is {kind}", label)


def _pdf_text(content: bytes) -> str:
    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise ValidationError(FIELD, f"is not a readable PDF ({type(exc).__name__})") from None


def _docx_text(content: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(content))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ValidationError(FIELD, f"is not a readable .docx ({type(exc).__name__})") from None
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


def write_private(folder: Path, kind: str, content: bytes) -> Path:
    """Write ``content`` under a new random name in ``folder`` (made 0700), mode 0600; its path."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(16)}.{kind}"
    # O_EXCL: never follow or overwrite an existing file; 0600: owner only.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def check_upload(content: bytes, filename: str | None, stem: str = "resume") -> tuple[str, str]:
    """The kind and label of an upload that passes the checks every stored file passes.

    Not empty, at most :data:`MAX_BYTES`, a PDF, Word document or UTF-8 text by
    its bytes and, when ``filename`` is given, named with the matching
    extension; else :class:`ValidationError` on ``file``. Cover letter files
    (:mod:`database.io.cover_letter_files`) pass the same checks.
    """
    if not content:
        raise ValidationError(FIELD, "is empty")
    if len(content) > MAX_BYTES:
        raise ValidationError(FIELD, f"must be at most {MAX_BYTES // (1024 * 1024)} MB")
    kind = detect_kind(content)
    label = safe_label(filename, kind, stem)
    if filename is not None:
        check_name(label, kind)
    return kind, label


def store(root: Path, user_id: int, content: bytes, filename: str | None = None) -> StoredResume:
    """Check, store and read one uploaded resume for ``user_id``.

    ``filename`` is the name the sender gave; when given, its extension must
    agree with the content. Raises :class:`ValidationError` (field ``file``)
    for an empty, too large, misnamed or unrecognised file; nothing is written then.
    """
    kind, label = check_upload(content, filename)
    text = extract_text(content, kind)
    path = write_private(root / RESUMES_FOLDER / str(int(user_id)), kind, content)
    logger.info("stored a %s resume of %d bytes for user %d", kind, len(content), user_id)
    return StoredResume(path, kind, len(content), text, extract_skills(text), label)


class StoredFile(Protocol):
    """What :func:`same_content` reads of a resume row."""

    file_path: str
    file_size: int | None


File = TypeVar("File", bound=StoredFile)


def same_content(root: Path, resumes: Iterable[File], content: bytes) -> File | None:
    """The first of ``resumes`` whose stored file holds exactly ``content``, else ``None``.

    Uploading the same file twice (a second click, a retried request) finds the
    resume stored the first time instead of adding a duplicate. Only rows of the
    same size are read, and only files inside ``root/resumes``.
    """
    for resume in resumes:
        if resume.file_size == len(content) and read(root, resume.file_path) == content:
            return resume
    return None


def _inside(root: Path, stored_path: str, folder: str) -> Path | None:
    """The stored file if it lies inside ``root/<folder>`` and exists, else ``None``."""
    base = (root / folder).resolve()
    target = Path(stored_path).resolve()
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


def read(root: Path, stored_path: str, folder: str = RESUMES_FOLDER) -> bytes | None:
    """The bytes of a stored file, or ``None`` when it is missing or outside ``root/<folder>``.

    ``folder`` is ``resumes`` unless told (cover letters keep theirs in another).
    """
    target = _inside(root, stored_path, folder)
    return None if target is None else target.read_bytes()


def remove(root: Path, stored_path: str, folder: str = RESUMES_FOLDER) -> bool:
    """Delete a stored file if it lies inside ``root/<folder>`` (``resumes``); returns whether."""
    target = _inside(root, stored_path, folder)
    if target is None:
        return False
    target.unlink()
    return True
