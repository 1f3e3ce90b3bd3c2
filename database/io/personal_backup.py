"""A person's own backup: every record of one account in one JSON file, and nothing else.

Unlike the whole-database backup (:mod:`database.io.backup`), this file holds
one person's data, so that a hosted user can take it away or bring it into
another account. The format (``version`` 1)::

    {"format": "auto-applyer-personal-backup", "version": 1,
     "exported_at": "2026-01-15T10:30:00+00:00",
     "profile": {"email": "ann@example.com", "first_name": "Ann", ..., "created_at": "..."},
     "preferences": {"preferred_job_titles": [...], ...} | null,
     "resumes": [{"id": 3, "filename": "cv.pdf", "file_type": "pdf", ...,
                  "content": "<base64 of the file>" | null, "sha256": "<hex>" | null}],
     "applications": [{"id": 7, "resume_id": 3 | null, "job_title": "...", ...,
                       "status_history": [{"from_status", "to_status", "changed_at", "notes"}],
                       "notes_log": [{"body", "created_at", "updated_at"}],
                       "contact_ids": [5, ...], "tags": ["Remote", ...],
                       "cover_letter": "Dear ..." or null}],
     "search_history": [{"job_title": ..., "search_date": ..., ...}],
     "tags": ["Referral", "Remote", ...],
     "contacts": [{"id": 5, "name": "Ada", "company": ..., "last_contacted_at": ..., ...}]}

Each object holds the columns of its table as the whole-database backup writes
them (timestamps as ISO 8601 text with a UTC offset, statuses as their value),
less those that belong to the server rather than to the person: ids (an
``id`` in ``resumes``, ``applications`` and ``contacts`` only links an
application to its resume and its contacts within the file), the owner,
password hashes, tokens, the server administrator flag, derived keys and
resume file paths. ``content`` is ``null`` for a resume whose file could not
be read when the backup was taken.
Memberships, invitations, API keys and access tokens are never part of it.

Reading one back is :mod:`database.io.personal_import`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Table, select
from sqlalchemy.orm import Session

from database.core.base import Base
from database.core.column_types import utcnow
from database.domain import cover_letters, users
from database.io import personal_tags
from database.io.backup.columns import ColumnCodec, TableCodec
from database.io.backup.files import read_stored_file
from database.models import (
    ApplicationContact,
    ApplicationNote,
    ApplicationStatusHistory,
    Contact,
    JobApplication,
    Resume,
    SearchHistory,
    User,
    UserPreferences,
)

logger = logging.getLogger(__name__)

FORMAT_NAME = "auto-applyer-personal-backup"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = frozenset({FORMAT_VERSION})
#: Columns of the server, never written to nor taken from a personal backup.
SERVER_COLUMNS = frozenset({"user_id", "url_key", "posting_key", "email_key"})


@dataclass(frozen=True)
class Section:
    """One kind of record in the file: its table and the columns it carries.

    ``omitted`` columns are neither written nor read; ``informative`` ones are
    written but never imported (the account keeps its own).
    """

    name: str
    model: type[Base]
    omitted: frozenset[str] = frozenset()
    informative: frozenset[str] = frozenset()

    @cached_property
    def table(self) -> Table:
        """The section's table."""
        table = self.model.__table__
        assert isinstance(table, Table)
        return table

    @cached_property
    def exported(self) -> tuple[ColumnCodec, ...]:
        """The codecs of the columns written, in table order."""
        skipped = self.omitted | SERVER_COLUMNS
        return tuple(c for c in TableCodec(self.table).columns if c.name not in skipped)

    @cached_property
    def imported(self) -> tuple[tuple[ColumnCodec, Column[Any]], ...]:
        """The columns an import takes, each with its table column."""
        return tuple(
            (codec, self.table.c[codec.name])
            for codec in self.exported
            if codec.name not in self.informative and codec.name != "id"
        )

    @cached_property
    def ignored(self) -> frozenset[str]:
        """Names an import accepts and leaves alone: the server's columns, any id or owner."""
        names = frozenset(c.name for c in self.table.columns) | {"id", "user_id"}
        return names - {c.name for c, _ in self.imported}

    def encode(self, row: Base) -> dict[str, Any]:
        """The row as a JSON-ready object of the exported columns."""
        encoded: dict[str, Any] = {}
        for codec in self.exported:
            value = getattr(row, codec.name)
            if value is not None and codec.encode is not None:
                value = codec.encode(value)
            encoded[codec.name] = value
        return encoded


_TIMESTAMPS = frozenset({"created_at", "updated_at"})
PROFILE = Section(
    "profile",
    User,
    omitted=frozenset({"id", "password_hash", "is_active", "is_server_admin", "last_login"}),
    informative=frozenset({"email"}) | _TIMESTAMPS,
)
PREFERENCES = Section("preferences", UserPreferences, omitted=frozenset({"id"}))
RESUMES = Section("resumes", Resume, omitted=frozenset({"file_path"}))
APPLICATIONS = Section("applications", JobApplication)
HISTORY = Section("status_history", ApplicationStatusHistory, frozenset({"id", "application_id"}))
NOTES = Section("notes_log", ApplicationNote, omitted=frozenset({"id", "application_id"}))
SEARCHES = Section("search_history", SearchHistory, omitted=frozenset({"id"}))
#: A contact's ``id`` links it to the applications of the file that name it.
CONTACTS = Section("contacts", Contact)
#: The key of an application that lists the ids of its contacts in the file.
CONTACT_LINKS = "contact_ids"
#: The key of an application's cover letter text (its file, if any, is in the ZIP export only).
COVER_LETTER = "cover_letter"
#: Keys of a resume beside its columns: the file itself.
FILE_KEYS = frozenset({"content", "sha256"})
#: Keys of an application beside its columns: its child records (``notes`` is a column:
#: the application's own note; ``notes_log`` its dated notes).
CHILD_KEYS = frozenset({HISTORY.name, NOTES.name, CONTACT_LINKS, COVER_LETTER, personal_tags.KEY})
TOP_LEVEL_KEYS = frozenset(
    {"format", "version", "exported_at"}
    | {s.name for s in (PROFILE, PREFERENCES, RESUMES, APPLICATIONS, SEARCHES, CONTACTS)}
    | {personal_tags.KEY}
)


def _resume(resume: Resume, data_root: Path) -> dict[str, Any]:
    entry = RESUMES.encode(resume)
    content = read_stored_file(resume.file_path, data_root) if resume.file_path else None
    if content is None and resume.file_path:
        logger.warning("resume %d: its file cannot be read; backed up without it", resume.id)
    entry["content"] = base64.b64encode(content).decode("ascii") if content is not None else None
    entry["sha256"] = hashlib.sha256(content).hexdigest() if content is not None else None
    return entry


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        groups[row.application_id].append(row)
    return groups


def _children(session: Session, user_id: int) -> tuple[dict[int, list[Any]], dict[int, list[Any]]]:
    """The status history and the own notes of each of the user's applications."""
    own = select(JobApplication.id).where(JobApplication.user_id == user_id)
    history = session.scalars(
        select(ApplicationStatusHistory)
        .where(ApplicationStatusHistory.application_id.in_(own))
        .order_by(
            ApplicationStatusHistory.application_id,
            ApplicationStatusHistory.changed_at,
            ApplicationStatusHistory.id,
        )
    )
    notes = session.scalars(
        select(ApplicationNote)
        .where(ApplicationNote.application_id.in_(own), ApplicationNote.user_id == user_id)
        .order_by(ApplicationNote.application_id, ApplicationNote.id)
    )
    return _grouped(history), _grouped(notes)


def _contact_links(session: Session, user_id: int) -> dict[int, list[int]]:
    """The ids of each of the user's applications' contacts, in id order."""
    query = (
        select(ApplicationContact.application_id, ApplicationContact.contact_id)
        .where(ApplicationContact.user_id == user_id)
        .order_by(ApplicationContact.application_id, ApplicationContact.contact_id)
    )
    links: dict[int, list[int]] = defaultdict(list)
    for application_id, contact_id in session.execute(query):
        links[application_id].append(contact_id)
    return links


def _owned(session: Session, model: type[Any], user_id: int) -> Sequence[Any]:
    return session.scalars(select(model).where(model.user_id == user_id).order_by(model.id)).all()


def export_personal(session: Session, user_id: int, data_root: Path) -> dict[str, Any]:
    """Every record of the user as a personal backup document (see the module docstring).

    ``data_root`` is the folder relative resume paths are read from.
    """
    user = users.require(session, user_id)
    preferences = users.get_preferences(session, user_id)
    history, notes = _children(session, user_id)
    links = _contact_links(session, user_id)
    tag_names = personal_tags.by_application(session, user_id)
    letters = cover_letters.texts_of(session, user_id)
    applications = []
    for application in _owned(session, JobApplication, user_id):
        entry = APPLICATIONS.encode(application)
        entry[HISTORY.name] = [HISTORY.encode(h) for h in history.get(application.id, ())]
        entry[NOTES.name] = [NOTES.encode(n) for n in notes.get(application.id, ())]
        entry[CONTACT_LINKS] = links.get(application.id, [])
        entry[personal_tags.KEY] = tag_names.get(application.id, [])
        entry[COVER_LETTER] = letters.get(application.id)
        applications.append(entry)
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(timespec="seconds"),
        PROFILE.name: PROFILE.encode(user),
        PREFERENCES.name: PREFERENCES.encode(preferences) if preferences is not None else None,
        RESUMES.name: [_resume(r, data_root) for r in _owned(session, Resume, user_id)],
        APPLICATIONS.name: applications,
        SEARCHES.name: [SEARCHES.encode(s) for s in _owned(session, SearchHistory, user_id)],
        CONTACTS.name: [CONTACTS.encode(c) for c in _owned(session, Contact, user_id)],
        personal_tags.KEY: personal_tags.vocabulary(session, user_id),
    }
