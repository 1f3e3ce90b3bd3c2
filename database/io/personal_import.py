"""Bringing a personal backup into an account: checked in full first, then all or nothing.

The document (see :mod:`database.io.personal_backup`) is read into a plan
before anything is written, so a bad file is a :class:`ValidationError`
naming where it is wrong (``backup.applications[3].status``) and nothing
changes. Whatever ids or owners the file names, everything becomes the
account's: the owner columns are the importing user, ids are new, and an id in
the file only links an application to a resume of the same file.

The records are added to the account (importing twice adds them twice); its
profile and preferences take the file's values; its email, password, tokens,
keys and memberships are never touched. Resume files are written under
``<resume folder>/<user id>/`` with random names, readable by their owner only,
and removed again if the import fails. A resume whose file the backup does not
hold keeps its details and points at no file (:data:`MISSING_FILE`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Column, update
from sqlalchemy.orm import Session

from database.core.column_types import JSONValue
from database.core.errors import translated
from database.core.time_zones import check_zone
from database.domain import cover_letters, events, users
from database.io import personal_contacts, personal_tags
from database.io.backup.columns import DERIVED, BadValue
from database.io.backup.files import MAX_FILE_BYTES
from database.io.backup.writer import DIR_MODE, create_private
from database.io.personal_backup import (
    APPLICATIONS,
    CHILD_KEYS,
    CONTACTS,
    COVER_LETTER,
    FILE_KEYS,
    FORMAT_NAME,
    HISTORY,
    NOTES,
    PREFERENCES,
    PROFILE,
    RESUMES,
    SEARCHES,
    SUPPORTED_VERSIONS,
    TOP_LEVEL_KEYS,
    Section,
)
from database.models import EventKind, Resume
from utils.errors import ValidationError

logger = logging.getLogger(__name__)

ROOT = "backup"
#: The ``file_path`` of a resume whose file was not in the backup: relative, so it names
#: no file anywhere a download could find (a resume's path is never blank).
MISSING_FILE = "missing-from-backup"
_FILE_TYPE = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass
class _Resume:
    ref: int
    values: dict[str, Any]
    content: bytes | None


@dataclass
class _Application:
    resume_ref: int | None
    values: dict[str, Any]
    history: list[dict[str, Any]]
    notes: list[dict[str, Any]]
    contact_refs: list[int] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    cover_letter: str | None = None


@dataclass
class Plan:
    """A checked personal backup, ready to be written."""

    profile: dict[str, Any]
    preferences: dict[str, Any] | None
    resumes: list[_Resume] = field(default_factory=list)
    applications: list[_Application] = field(default_factory=list)
    searches: list[dict[str, Any]] = field(default_factory=list)
    contacts: list[personal_contacts.ContactEntry] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many records of each kind the plan adds."""
        return {
            RESUMES.name: len(self.resumes),
            APPLICATIONS.name: len(self.applications),
            HISTORY.name: sum(len(a.history) for a in self.applications),
            NOTES.name: sum(len(a.notes) for a in self.applications),
            SEARCHES.name: len(self.searches),
            CONTACTS.name: len(self.contacts),
            personal_tags.KEY: len(self.tags),
        }


# -- checking -----------------------------------------------------------------


def _object(raw: Any, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationError(where, "must be an object")
    return raw


def _list(raw: Any, where: str) -> list[Any]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationError(where, "must be a list")
    return raw


def _values(
    section: Section, raw: Any, where: str, extra: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """The importable columns of one record, decoded; absent ones are left out."""
    row = _object(raw, where)
    unknown = set(row) - section.ignored - extra - {c.name for c, _ in section.imported}
    if unknown:
        raise ValidationError(f"{where}.{sorted(unknown)[0]}", f"is not a field of {section.name}")
    values: dict[str, Any] = {}
    for codec, column in section.imported:
        value = row.get(codec.name)
        if value is None:
            has_default = column.default is not None or column.server_default is not None
            if not codec.nullable and not has_default:
                rule = "is required" if codec.name not in row else "must not be null"
                raise ValidationError(f"{where}.{codec.name}", rule)
            if codec.nullable and codec.name in row:
                values[codec.name] = None
            continue
        try:
            values[codec.name] = _list_of_text(codec.decode(value), column)
        except BadValue as bad:
            raise ValidationError(f"{where}.{codec.name}", bad.rule) from None
    return values


def _list_of_text(value: Any, column: Column[Any]) -> Any:
    """``value``; every JSON column of a person's records is a list of strings."""
    if isinstance(column.type, JSONValue) and not (
        isinstance(value, list) and all(isinstance(item, str) for item in value)
    ):
        raise BadValue("must be a list of strings")
    return value


def _reference(raw: Any, where: str) -> int:
    if type(raw) is not int or raw < 1:
        raise ValidationError(where, "must be a positive integer")
    return raw


def _content(raw: dict[str, Any], where: str) -> bytes | None:
    text = raw.get("content")
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > (MAX_FILE_BYTES // 3 + 1) * 4:
        raise ValidationError(f"{where}.content", "must be a base64 string of at most 50 MB")
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"{where}.content", "must be valid base64") from None
    expected = raw.get("sha256")
    if expected is not None and expected != hashlib.sha256(content).hexdigest():
        raise ValidationError(f"{where}.sha256", "does not match the content")
    return content


def _resumes(raw: Any) -> list[_Resume]:
    found: list[_Resume] = []
    for index, item in enumerate(_list(raw, f"{ROOT}.{RESUMES.name}")):
        where = f"{ROOT}.{RESUMES.name}[{index}]"
        values = _values(RESUMES, item, where, FILE_KEYS)
        ref = _reference(item.get("id"), f"{where}.id")
        if any(r.ref == ref for r in found):
            raise ValidationError(f"{where}.id", "is the id of an earlier resume of the file")
        found.append(_Resume(ref, values, _content(item, where)))
    return found


def _application(item: Any, where: str, resume_refs: set[int]) -> _Application:
    values = _values(APPLICATIONS, item, where, CHILD_KEYS)
    resume_ref = values.pop("resume_id", None)
    if resume_ref is not None and resume_ref not in resume_refs:
        raise ValidationError(f"{where}.resume_id", "must be the id of a resume in this file")
    history = [
        _values(HISTORY, entry, f"{where}.{HISTORY.name}[{i}]")
        for i, entry in enumerate(_list(item.get(HISTORY.name), f"{where}.{HISTORY.name}"))
    ]
    notes = [
        _values(NOTES, entry, f"{where}.{NOTES.name}[{i}]")
        for i, entry in enumerate(_list(item.get(NOTES.name), f"{where}.{NOTES.name}"))
    ]
    return _Application(resume_ref, values, history, notes)


def check_personal(document: Any) -> Plan:
    """The plan of a personal backup document; :class:`ValidationError` if it is not one."""
    top = _object(document, ROOT)
    if top.get("format") != FORMAT_NAME:
        raise ValidationError(f"{ROOT}.format", f"must be {FORMAT_NAME!r}")
    version = top.get("version")
    if type(version) is not int or version not in SUPPORTED_VERSIONS:
        allowed = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        raise ValidationError(f"{ROOT}.version", f"must be one of: {allowed}")
    unknown = set(top) - TOP_LEVEL_KEYS
    if unknown:
        raise ValidationError(
            f"{ROOT}.{sorted(unknown)[0]}", "is not a section of a personal backup"
        )
    preferences = top.get(PREFERENCES.name)
    plan = Plan(
        profile=_values(PROFILE, top.get(PROFILE.name), f"{ROOT}.{PROFILE.name}"),
        preferences=(
            None
            if preferences is None
            else _values(PREFERENCES, preferences, f"{ROOT}.{PREFERENCES.name}")
        ),
        resumes=_resumes(top.get(RESUMES.name)),
    )
    if plan.preferences is not None and "time_zone" in plan.preferences:
        check_zone(plan.preferences["time_zone"], f"{ROOT}.{PREFERENCES.name}.time_zone")
    refs = {r.ref for r in plan.resumes}
    applications = _list(top.get(APPLICATIONS.name), f"{ROOT}.{APPLICATIONS.name}")
    plan.applications = [
        _application(item, f"{ROOT}.{APPLICATIONS.name}[{i}]", refs)
        for i, item in enumerate(applications)
    ]
    plan.contacts = personal_contacts.check_contacts(
        top.get(CONTACTS.name), f"{ROOT}.{CONTACTS.name}", _values
    )
    contact_refs = {c.ref for c in plan.contacts}
    for i, (entry, item) in enumerate(zip(plan.applications, applications, strict=True)):
        where = f"{ROOT}.{APPLICATIONS.name}[{i}]"
        entry.contact_refs = personal_contacts.check_links(item, where, contact_refs)
        entry.tags = personal_tags.check_application(item, where)
        letter = item.get(COVER_LETTER)
        if letter is not None:
            entry.cover_letter = cover_letters.check_body(letter, f"{where}.{COVER_LETTER}")
    plan.tags = personal_tags.check_vocabulary(
        top.get(personal_tags.KEY), f"{ROOT}.{personal_tags.KEY}"
    )
    plan.searches = [
        _values(SEARCHES, item, f"{ROOT}.{SEARCHES.name}[{i}]")
        for i, item in enumerate(_list(top.get(SEARCHES.name), f"{ROOT}.{SEARCHES.name}"))
    ]
    return plan


# -- writing ------------------------------------------------------------------


def _derived(section: Section, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the columns derived from them computed again (never from the file)."""
    for (table, column), (sources, derive) in DERIVED.items():
        if table == section.table.name:
            values[column] = derive(*(values.get(name) for name in sources))
    return values


def _owned(section: Section, values: Mapping[str, Any], user_id: int, **links: Any) -> Any:
    """A new row of ``section`` owned by ``user_id`` (the owner column, where it has one)."""
    row = dict(values, **links)
    if "user_id" in section.table.c:
        row["user_id"] = user_id
    return section.model(**_derived(section, row))


class _WrittenFiles:
    """Resume files written by one import, removed again unless it succeeds."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: list[Path] = []
        self.created_folder = False

    def write(self, content: bytes, file_type: Any) -> str:
        suffix = str(file_type or "").lower()
        suffix = suffix if suffix and len(suffix) <= 10 and set(suffix) <= _FILE_TYPE else "bin"
        if not self.folder.is_dir():
            self.folder.mkdir(mode=DIR_MODE, parents=True)
            self.created_folder = True
        path = self.folder / f"{secrets.token_hex(16)}.{suffix}"
        with create_private(path) as handle:
            self.paths.append(path)
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        return str(path)

    def discard(self) -> None:
        for path in self.paths:
            path.unlink(missing_ok=True)
        if self.created_folder:
            with suppress(OSError):  # something else was put there meanwhile: leave it
                self.folder.rmdir()


@contextmanager
def _files_kept_on_success(folder: Path) -> Iterator[_WrittenFiles]:
    files = _WrittenFiles(folder)
    try:
        yield files
    except BaseException:
        files.discard()
        raise


def _apply_profile(session: Session, user_id: int, plan: Plan) -> None:
    user = users.require(session, user_id)
    for name, value in plan.profile.items():
        setattr(user, name, value)
    if plan.preferences is not None:
        preferences = users.get_preferences(session, user_id)
        if preferences is None:
            session.add(_owned(PREFERENCES, plan.preferences, user_id))
        else:
            for name, value in plan.preferences.items():
                setattr(preferences, name, value)


def _add_resumes(
    session: Session, user_id: int, plan: Plan, files: _WrittenFiles
) -> dict[int, int]:
    if any(r.values.get("is_active", True) for r in plan.resumes):
        # One active resume per person: the file's active one takes over.
        session.execute(
            update(Resume)
            .where(Resume.user_id == user_id, Resume.is_active.is_(True))
            .values(is_active=False)
        )
    ids: dict[int, int] = {}
    for resume in plan.resumes:
        content, kind = resume.content, resume.values.get("file_type")
        path = files.write(content, kind) if content is not None else MISSING_FILE
        row = _owned(RESUMES, resume.values, user_id, file_path=path)
        session.add(row)
        session.flush()
        ids[resume.ref] = row.id
    return ids


def import_personal(
    session: Session, user_id: int, document: Any, resume_root: Path
) -> dict[str, int]:
    """Add a personal backup to the user's account; how many records of each kind it added.

    Checked in full before anything is written (:class:`ValidationError`, the
    database and the resume folder unchanged); ``resume_root`` is the resume
    folder, under which the files go into ``<user id>/``.
    """
    users.ensure_exists(session, user_id)
    plan = check_personal(document)
    folder = resume_root / str(int(user_id))
    with translated(), _files_kept_on_success(folder) as files:
        _apply_profile(session, user_id, plan)
        resume_ids = _add_resumes(session, user_id, plan, files)
        contact_ids = personal_contacts.add_contacts(session, user_id, plan.contacts)
        for entry in plan.applications:
            resume_id = resume_ids[entry.resume_ref] if entry.resume_ref is not None else None
            application = _owned(APPLICATIONS, entry.values, user_id, resume_id=resume_id)
            session.add(application)
            session.flush()
            links = {"application_id": application.id}
            session.add_all(_owned(HISTORY, h, user_id, **links) for h in entry.history)
            session.add_all(_owned(NOTES, n, user_id, **links) for n in entry.notes)
            session.add_all(
                personal_contacts.links(application.id, user_id, entry.contact_refs, contact_ids)
            )
            session.flush()
            personal_tags.tag_application(session, application.id, entry.tags)
            if entry.cover_letter is not None:
                cover_letters.set_body(session, application.id, entry.cover_letter)
        session.add_all(_owned(SEARCHES, s, user_id) for s in plan.searches)
        personal_tags.add_vocabulary(session, user_id, plan.tags)
        session.flush()
    counts = plan.counts()
    events.record(
        session, EventKind.IMPORT_FINISHED, "import", None, user_id=user_id,
        payload={"source": "personal_backup", **counts},
    )  # fmt: skip
    logger.info("personal backup imported for user %d: %s", user_id, counts)
    return counts
