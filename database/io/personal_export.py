"""A person's data as one ZIP archive: every row of theirs as JSON, their files, a README.

The right of access and of portability (GDPR articles 15 and 20). Unlike the
personal backup (:mod:`database.io.personal_backup`, made to be imported into
an account) this archive is complete and plain: one JSON file per table, each
row with its columns as stored, less secrets. Layout (format version 1)::

    README.md                    what follows, with each table's fields
    manifest.json                format, version, exported_at, user_id, the row count of
                                 each table, the files and the columns left out
    tables/<table>.json          a list of row objects, by id
    files/resumes/<id>/<name>    the file of resume <id>, under its uploaded name
    files/cover_letters/<id>/<name>  the file of cover letter <id>, under its uploaded name

:data:`PARTS` says which rows of each table are the person's. Every table of
the schema is either a part or listed in :data:`NOT_PERSONAL` with the reason;
the tests fail for a table that is neither.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, or_, select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.io.backup.columns import TableCodec
from database.io.backup.files import read_stored_file
from database.io.personal_export_readme import readme
from database.io.resume_files import safe_label
from database.models import TABLES, Invitation, Membership, User
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

FORMAT_NAME = "auto-applyer-personal-export"
FORMAT_VERSION = 1
MEDIA_TYPE = "application/zip"
_TABLES = {table.name: table for table in TABLES}


@dataclass(frozen=True)
class Subject:
    """The person an archive is about: their id and their email identity."""

    user_id: int
    email_key: str | None


Selection = Callable[[Table, Subject], ColumnElement[bool]]


@dataclass(frozen=True)
class Part:
    """The rows of one table that are the person's, and the columns never exported."""

    table: str
    about: str
    rows: Selection
    omitted: frozenset[str] = frozenset()


def _owned(table: Table, subject: Subject) -> ColumnElement[bool]:
    return table.c.user_id == subject.user_id


def _own_account(table: Table, subject: Subject) -> ColumnElement[bool]:
    return table.c.id == subject.user_id


def _invitations(table: Table, subject: Subject) -> ColumnElement[bool]:
    return or_(
        table.c.user_id == subject.user_id,
        table.c.accepted_by == subject.user_id,
        table.c.email_key == subject.email_key,
    )


def _organizations(table: Table, subject: Subject) -> ColumnElement[bool]:
    joined = select(Membership.organization_id).where(Membership.user_id == subject.user_id)
    invited = select(Invitation.organization_id).where(
        _invitations(_TABLES["invitations"], subject)
    )
    return or_(
        table.c.id.in_(joined), table.c.id.in_(invited), table.c.created_by == subject.user_id
    )


#: Hashes of tokens and the webhook signing secret: never part of an archive.
_TOKEN = frozenset({"token_hash"})
PARTS: tuple[Part, ...] = (
    Part("users", "your account and profile", _own_account,
         frozenset({"password_hash", "email_key"})),
    Part("user_preferences", "what you are looking for", _owned),
    Part("resumes", "your resumes (their files are under files/resumes/)", _owned,
         frozenset({"file_path"})),
    Part("job_applications", "your applications", _owned, frozenset({"url_key", "posting_key"})),
    Part("application_status_history", "every status your applications entered", _owned),
    Part("application_notes", "the dated notes of your applications", _owned),
    Part("tags", "your own tags", _owned),
    Part("application_tags", "which of your tags are on which application", _owned),
    Part("cover_letters", "your cover letters (their files are under files/cover_letters/)",
         _owned, frozenset({"file_path"})),
    Part("contacts", "the people you deal with at companies", _owned),
    Part("application_contacts", "which of your contacts are on which application", _owned),
    Part("search_history", "the job searches you ran", _owned),
    Part("notifications", "your reminders and their e-mail delivery", _owned),
    Part("calendar_feeds", "your calendar feed (its secret is not included)", _owned, _TOKEN),
    Part("events", "the changes recorded about your data", _owned),
    Part("organizations", "the organizations you belong to, founded or were invited to",
         _organizations),
    Part("memberships", "your roles in organizations", _owned),
    Part("invitations", "invitations you sent, received or accepted", _invitations,
         _TOKEN | {"email_key"}),
    Part("auth_tokens", "your access tokens and API keys (metadata only)", _owned, _TOKEN),
    Part("webhook_endpoints", "your webhook endpoints (their secrets are not included)", _owned,
         frozenset({"secret"})),
    Part("webhook_deliveries", "the deliveries of events to your webhook endpoints", _owned),
    Part("idempotency_keys", "your recent requests sent with an Idempotency-Key "
         "(the stored responses are not included)", _owned, frozenset({"response_body"})),
    Part("read_marks", "when you last wrote, as the server's log position (it decides "
         "whether your reads wait for a read replica)", _owned),
    Part("rate_limits", "how many API requests of the current rate-limit window you used",
         _owned),
)  # fmt: skip

#: Tables that hold nobody's data, and why.
NOT_PERSONAL: dict[str, str] = {
    "ai_analysis_cache": "cached analyses keyed by content, shared by everyone",
    "system_settings": "the server's settings",
    "schema_migrations": "the schema's history",
    "sign_in_throttle": "failure counters keyed by a one-way hash (removed on erasure)",
    "maintenance_runs": "the server's maintenance log",
    "maintenance_locks": "the server's locks",
    "metric_samples": "database health figures",
    "alert_states": "database health alerts",
}


@cache
def _codec(name: str) -> TableCodec:
    return TableCodec(_TABLES[name])


def _rows(session: Session, part: Part, subject: Subject) -> list[dict[str, Any]]:
    table = _TABLES[part.table]
    query = select(table).where(part.rows(table, subject)).order_by(*table.primary_key)
    codec = _codec(part.table)
    return [codec.encode(tuple(values)) for values in session.execute(query)]


def _public(part: Part, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in part.omitted} for row in rows]


class _Archive:
    """The ZIP being written, every entry stamped with the export's time."""

    def __init__(self, target: io.BytesIO, moment: datetime) -> None:
        self.zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED)
        self.stamp = moment.timetuple()[:6]

    def add(self, name: str, content: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        self.zip.writestr(info, content)

    def add_json(self, name: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=False)
        self.add(name, text.encode("utf-8"))


def _letter_files(
    archive: _Archive, letters: list[dict[str, Any]], root: Path
) -> list[dict[str, Any]]:
    """Add each cover letter's file; the manifest's entries (``path`` ``null`` when unreadable)."""
    entries = []
    for letter in letters:
        if not letter["file_path"]:
            continue
        content = read_stored_file(letter["file_path"], root)
        entry: dict[str, Any] = {"cover_letter_id": letter["id"], "path": None}
        if content is None:
            logger.warning("cover letter %d: its file cannot be read", letter["id"])
        else:
            name = safe_label(letter["filename"], letter["file_type"] or "bin", "cover_letter")
            entry["path"] = f"files/cover_letters/{letter['id']}/{name}"
            entry["size"] = len(content)
            entry["sha256"] = hashlib.sha256(content).hexdigest()
            archive.add(entry["path"], content)
        entries.append(entry)
    return entries


def _files(archive: _Archive, resumes: list[dict[str, Any]], root: Path) -> list[dict[str, Any]]:
    """Add each resume's file; the manifest's entries (``path`` ``null`` when unreadable)."""
    entries = []
    for resume in resumes:
        content = read_stored_file(resume["file_path"], root) if resume["file_path"] else None
        entry: dict[str, Any] = {"resume_id": resume["id"], "path": None}
        if content is None:
            logger.warning("resume %d: its file cannot be read; exported without it", resume["id"])
        else:
            name = safe_label(resume["filename"], resume["file_type"] or "bin")
            entry["path"] = f"files/resumes/{resume['id']}/{name}"
            entry["size"] = len(content)
            entry["sha256"] = hashlib.sha256(content).hexdigest()
            archive.add(entry["path"], content)
        entries.append(entry)
    return entries


def build_archive(session: Session, user_id: int, data_root: Path) -> bytes | None:
    """The person's archive as ZIP bytes (see the module docstring); ``None`` if there is none.

    ``data_root`` is the folder relative resume paths are read from.
    """
    user = session.get(User, user_id)
    if user is None:
        return None
    subject = Subject(user.id, user.email_key)
    moment = utcnow().replace(microsecond=0)
    buffer = io.BytesIO()
    archive = _Archive(buffer, moment)
    counts: dict[str, int] = {}
    resumes: list[dict[str, Any]] = []
    letters: list[dict[str, Any]] = []
    for part in PARTS:
        rows = _rows(session, part, subject)
        counts[part.table] = len(rows)
        archive.add_json(f"tables/{part.table}.json", _public(part, rows))
        if part.table == "resumes":
            resumes = rows
        if part.table == "cover_letters":
            letters = rows
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": moment.isoformat(),
        "user_id": user.id,
        "tables": counts,
        "files": _files(archive, resumes, data_root) + _letter_files(archive, letters, data_root),
        "omitted_columns": {p.table: sorted(p.omitted) for p in PARTS if p.omitted},
    }
    archive.add_json("manifest.json", manifest)
    archive.add("README.md", readme(PARTS, NOT_PERSONAL, FORMAT_VERSION).encode("utf-8"))
    archive.zip.close()
    logger.info("exported the data of user %d (%d rows)", user.id, sum(counts.values()))
    return buffer.getvalue()


def writable_target(path: Any) -> Path:
    """``path`` as a file an archive may be written to, or :class:`ValidationError` on ``path``."""
    if not isinstance(path, str | os.PathLike) or not str(path):
        raise ValidationError("path", "must be a file path", path)
    target = Path(path)
    if not target.parent.is_dir():
        raise ValidationError("path", "must be in an existing folder", str(target))
    if target.is_dir():
        raise ValidationError("path", "must name a file, not a folder", str(target))
    return target


def write_private(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` atomically with mode 0600; the path.

    A temporary file beside it is renamed over ``path`` once complete, so a
    reader never sees half an archive. A file that cannot be written is a
    :class:`ValidationError` on ``path``, and nothing is left behind.
    """
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".export-", suffix=".zip", dir=path.parent)
    except OSError as exc:
        raise ValidationError("path", f"cannot be written ({exc.strerror})", str(path)) from None
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            reason = f"cannot be written ({exc.strerror})"
            raise ValidationError("path", reason, str(path)) from None
        raise
    return path
