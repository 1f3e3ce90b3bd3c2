"""A person's records as files, for the one acting: exports, CSV import, personal backup.

Every function covers the actor's own data only; nobody else's row is ever
read into a file, and whatever a file names, what it imports becomes the
actor's. Reading (exports, a backup) needs any live credential; importing one
of ``write`` scope (:class:`~utils.errors.PermissionDeniedError` otherwise).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from database.core import files
from database.core.session import get_database_manager
from database.domain import contacts, cover_letters, listing, users
from database.domain.accounts import Actor
from database.io import csv_io, exports, personal_backup, personal_import
from database.models import ApplicationStatus, JobApplication
from database.services.tenancy.guards import require_write_scope
from utils.errors import ValidationError

#: Applications read at a time while a file is built.
EXPORT_CHUNK = 500
#: The largest CSV file imported, and the largest personal backup (resume files included).
MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_BACKUP_BYTES = 64 * 1024 * 1024


def _within(content: bytes, limit: int) -> bytes:
    if len(content) > limit:
        raise ValidationError("file", f"must be at most {limit // (1024 * 1024)} MB")
    return content


def _own_applications(
    session: Session, actor: Actor, filters: Mapping[str, Any] | None
) -> Iterator[JobApplication]:
    """The actor's applications matching ``filters``, newest first, read in chunks.

    The first chunk is read at once, so that a bad filter is refused before a
    file is begun. Archived applications are exported too.
    """
    criteria = dataclasses.replace(listing.as_filter(filters), include_archived=True)
    first = listing.page(session, actor.user_id, criteria, EXPORT_CHUNK, 0)
    return _chunks(session, actor, criteria, first)


def _chunks(
    session: Session, actor: Actor, criteria: listing.ApplicationFilter, chunk: list[JobApplication]
) -> Iterator[JobApplication]:
    offset = 0
    while True:
        yield from chunk
        if len(chunk) < EXPORT_CHUNK:
            return
        offset += EXPORT_CHUNK
        chunk = listing.page(session, actor.user_id, criteria, EXPORT_CHUNK, offset)


def export_csv(
    session: Session, actor: Actor, path: Path, status: ApplicationStatus | str | None = None
) -> int:
    """Write the actor's applications with their history to ``path`` (the import's format)."""
    return csv_io.export_csv(session, actor.user_id, path, status)


def export_xlsx(session: Session, actor: Actor, filters: Mapping[str, Any] | None = None) -> bytes:
    """An Excel workbook of the actor's applications matching ``filters`` (as the listing's).

    A second sheet lists all of the actor's contacts, a third the exported
    applications' cover letters.
    """
    own_contacts, _ = contacts.listing(session, actor.user_id, known_user=True)
    letters = cover_letters.texts_of(session, actor.user_id)
    return exports.applications_xlsx(
        _own_applications(session, actor, filters), own_contacts, cover_letters=letters
    )


def export_pdf(session: Session, actor: Actor, filters: Mapping[str, Any] | None = None) -> bytes:
    """The actor's job search record (PDF) over the applications matching ``filters``."""
    user = users.require(session, actor.user_id)
    rows = list(_own_applications(session, actor, filters))
    period = listing.as_filter(filters).describe()
    header = exports.ReportHeader(user.full_name, user.email, user.location, period)
    timelines = listing.histories(session, [a.id for a in rows])
    letters = cover_letters.texts_of(session, actor.user_id)
    return exports.applications_pdf(header, rows, timelines, letters)


def import_csv(
    session: Session, actor: Actor, content: bytes, on_duplicate: str = "skip"
) -> csv_io.ImportReport:
    """Import a CSV file's bytes into the actor's own applications; the report of each row."""
    require_write_scope(actor)
    _within(content, MAX_CSV_BYTES)
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / "import.csv"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        return csv_io.import_csv(session, actor.user_id, path, on_duplicate=on_duplicate)


def _document(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested too deep
        raise ValidationError("file", "must be a personal backup (a JSON document)") from None


def _data_dir() -> Path:
    return files.data_dir(get_database_manager().config)


def export_backup(session: Session, actor: Actor) -> dict[str, Any]:
    """Every record of the actor's own, as a personal backup document."""
    return personal_backup.export_personal(session, actor.user_id, _data_dir())


def import_backup(session: Session, actor: Actor, content: bytes) -> dict[str, int]:
    """Add a personal backup file to the actor's account; what it added, by kind."""
    require_write_scope(actor)
    document = _document(_within(content, MAX_BACKUP_BYTES))
    resume_root = _data_dir() / files.RESUMES_FOLDER
    return personal_import.import_personal(session, actor.user_id, document, resume_root)
