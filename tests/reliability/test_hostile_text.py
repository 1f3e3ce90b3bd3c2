"""Hostile text in every text field and filter: stored and read back verbatim, or rejected.

SQL fragments, quotes, NUL, 1 MB strings, emoji, right-to-left marks and more go
into every text field the API writes and every text filter it reads with. A
write either stores the text exactly (read back through the API) or raises
ValidationError with the database unchanged; a filter either answers or raises
ValidationError, and never matches rows it should not. Finally all of it goes
through a backup and a restore unchanged.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.io.backup import BackupManager
from database.io.backup.format import BACKUP_TABLES
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.reliability import report
from tests.support.snapshot import snapshot, table_fingerprint
from utils.errors import ValidationError

HOSTILE = {
    "SQL": "'; DROP TABLE users; --",
    "SQL 2": "1 OR 1=1; SELECT * FROM users WHERE 'a'='a",
    "quotes": "O'Brien \"the\" `x` ''",
    "NUL": "a\x00b",
    "1 MB": "Ab1 é" * 200_000,
    "emoji": "👩‍💻🇿🇦😀 \U0001f4a9",
    "RTL marks": "\u202eabc\u202c \u200f\u200e\u2067x\u2069",
    "combining": "Z̴̡a̶l̷g̵o",
    "format strings": "%s %(x)s {0} $1 \\n \\",
    "LIKE wildcards": "%_[]^*?",
    "FTS syntax": 'NEAR("a" "b") AND NOT c* OR "',
    "newlines": "line1\nline2\r\n\tend",
    "HTML": "<script>alert(1)</script>",
    "spaces": "  padded  ",
}
Store = Callable[[str], Callable[[], Any]]
_emails = itertools.count()


def _email() -> str:
    return f"hostile{next(_emails)}@example.com"


def _user(field: str, as_list: bool = False) -> Store:
    def store(text: str) -> Callable[[], Any]:
        value = [text] if as_list else text
        user = DatabaseUtils.create_user(email=_email(), **{field: value})
        return lambda: getattr(DatabaseUtils.get_user_by_id(user.id), field)

    return store


def _preferences(field: str, owner: dict[str, int]) -> Store:
    def store(text: str) -> Callable[[], Any]:
        DatabaseUtils.update_user_preferences(owner["id"], **{field: [text]})
        return lambda: getattr(DatabaseUtils.get_user_preferences(owner["id"]), field)

    return store


def _resume(field: str, owner: dict[str, int], as_list: bool = False) -> Store:
    def store(text: str) -> Callable[[], Any]:
        values: dict[str, Any] = {"filename": "cv.pdf", "file_path": "/r/cv.pdf"}
        values[field] = [text] if as_list else text
        resume = DatabaseUtils.add_resume(owner["id"], **values)
        return lambda: getattr(DatabaseUtils.get_resume(resume.id), field)

    return store


def _application(field: str, owner: dict[str, int]) -> Store:
    def store(text: str) -> Callable[[], Any]:
        values: dict[str, Any] = {"job_title": "Dev", "company": "Co", field: text}
        application = DatabaseUtils.add_job_application(owner["id"], **values)
        return lambda: getattr(DatabaseUtils.get_application(application.id), field)

    return store


def _status_note(owner: dict[str, int]) -> Store:
    application = DatabaseUtils.add_job_application(owner["id"], "Dev", "Co")

    def store(text: str) -> Callable[[], Any]:
        # A move to another status, so that the note goes into a new history row.
        current = existing(DatabaseUtils.get_application(application.id)).status
        move = ApplicationStatus.SCREENING
        if current == ApplicationStatus.SCREENING:
            move = ApplicationStatus.APPLIED
        DatabaseUtils.update_application_status(application.id, move, notes=text)
        return lambda: (
            max(DatabaseUtils.get_application_history(application.id), key=lambda h: h.id).notes
        )

    return store


def _note(owner: dict[str, int], rewrite: bool = False) -> Store:
    application = DatabaseUtils.add_job_application(owner["id"], "Noted", "Co")
    draft = DatabaseUtils.add_application_note(application.id, "draft")

    def store(text: str) -> Callable[[], Any]:
        if rewrite:
            note = DatabaseUtils.update_application_note(draft.id, text)
        else:
            note = DatabaseUtils.add_application_note(application.id, text)
        return lambda: existing(DatabaseUtils.get_application_note(note.id)).body

    return store


def _search(field: str, owner: dict[str, int], as_list: bool = False) -> Store:
    def store(text: str) -> Callable[[], Any]:
        value: Any = [text] if as_list else text
        row = DatabaseUtils.add_search_history(owner["id"], **{field: value})
        return lambda: next(
            getattr(s, field)
            for s in DatabaseUtils.get_search_history(owner["id"])
            if s.id == row.id
        )

    return store


def _cache(part: str) -> Store:
    def store(text: str) -> Callable[[], Any]:
        key = text if part == "key" else f"key-{next(_emails)}"
        kind = text if part == "type" else "match"
        results = {"text": text, "list": [text]} if part == "results" else {"ok": True}
        DatabaseUtils.cache_ai_analysis(key, kind, results)
        if part == "results":
            return lambda: DatabaseUtils.get_cached_analysis(key)
        if part == "key":
            return lambda: text if DatabaseUtils.get_cached_analysis(key) == results else None
        return lambda: kind

    return store


def _setting(part: str) -> Store:
    def store(text: str) -> Callable[[], Any]:
        key = text if part == "key" else f"setting-{next(_emails)}"
        DatabaseUtils.set_setting(key, text if part == "value" else "v")
        if part == "key":
            return lambda: text if DatabaseUtils.get_setting(key) == "v" else None
        return lambda: DatabaseUtils.get_setting(key)

    return store


def writers(owner: dict[str, int]) -> dict[str, Store]:
    fields: dict[str, Store] = {}
    for field in ("first_name", "last_name", "phone", "location", "job_title", "summary",
                  "linkedin_url"):  # fmt: skip
        fields[f"users.{field}"] = _user(field)
    fields["users.skills[]"] = _user("skills", as_list=True)
    for field in ("preferred_job_titles", "preferred_locations", "preferred_companies",
                  "preferred_job_types"):  # fmt: skip
        fields[f"user_preferences.{field}[]"] = _preferences(field, owner)
    for field in ("filename", "file_path", "file_type", "parsed_text", "experience_level"):
        fields[f"resumes.{field}"] = _resume(field, owner)
    fields["resumes.skills_extracted[]"] = _resume("skills_extracted", owner, as_list=True)
    for field in ("job_title", "company", "location", "job_description", "job_url", "source",
                  "job_type", "notes", "interview_type"):  # fmt: skip
        fields[f"job_applications.{field}"] = _application(field, owner)
    fields["application_status_history.notes"] = _status_note(owner)
    fields["application_notes.body"] = _note(owner)
    fields["application_notes.body (update)"] = _note(owner, rewrite=True)
    for field in ("job_title", "location", "keywords"):
        fields[f"search_history.{field}"] = _search(field, owner)
    fields["search_history.sources_searched[]"] = _search("sources_searched", owner, True)
    for part in ("key", "type", "results"):
        fields[f"ai_analysis_cache.{part}"] = _cache(part)
    for part in ("key", "value"):
        fields[f"system_settings.{part}"] = _setting(part)
    return fields


def _unwrap(value: Any) -> Any:
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    if isinstance(value, dict) and "text" in value:
        return value["text"] if value.get("list") == [value["text"]] else value
    return value


def filters(owner: dict[str, int]) -> dict[str, Callable[[str], Any]]:
    uid = owner["id"]
    return {
        "get_user_by_email": DatabaseUtils.get_user_by_email,
        "get_user_applications(status)": lambda t: DatabaseUtils.get_user_applications(uid, t),
        "find_applications(text)": lambda t: DatabaseUtils.find_applications(uid, {"text": t}),
        "count_applications(text)": lambda t: DatabaseUtils.count_applications(uid, {"text": t}),
        "search_applications": lambda t: DatabaseUtils.search_applications(uid, t),
        "search_resumes": lambda t: DatabaseUtils.search_resumes(uid, t),
        "get_setting": lambda t: DatabaseUtils.get_setting(t, "default"),
        "get_cached_analysis": DatabaseUtils.get_cached_analysis,
    }


def test_hostile_text_is_stored_verbatim_or_rejected(
    rdb: DatabaseManager, reliability_engine: str, tmp_path: Path
) -> None:
    owner = {"id": DatabaseUtils.create_user(email="owner@example.com").id}
    outsider = DatabaseUtils.create_user(email="outsider@example.com")
    DatabaseUtils.add_job_application(outsider.id, "Secret job", "Hidden Co")

    def fingerprint() -> tuple[Any, ...]:
        with rdb.engine.connect() as conn:
            return table_fingerprint(conn)

    stored = rejected = 0
    fields = writers(owner)
    for field, store in fields.items():
        for label, text in HOSTILE.items():
            before = fingerprint()
            try:
                read = store(text)
            except ValidationError:
                rejected += 1
                assert fingerprint() == before, f"{field} <- {label}: rejected but changed"
                continue
            assert _unwrap(read()) == text, f"{field} <- {label}: not read back verbatim"
            stored += 1
    answered = refused = 0
    for name, query in filters(owner).items():
        for label, text in HOSTILE.items():
            try:
                result = query(text)
            except ValidationError:
                refused += 1
                continue
            answered += 1
            assert "Secret job" not in repr(result), f"{name} <- {label} leaked another user's row"
    assert DatabaseUtils.get_user_by_email("outsider@example.com") is not None
    # Events are not in backups (a restore removes the restored people's events).
    before_backup = snapshot(BACKUP_TABLES)
    backups = BackupManager(tmp_path / "backups")
    path = backups.create_backup("hostile.json.gz")
    DatabaseUtils.delete_user(owner["id"])
    backups.restore_backup(path, confirm=True)
    restored = snapshot(BACKUP_TABLES)
    assert restored == before_backup, "hostile text changed through backup and restore"
    report(
        f"hostile text [{reliability_engine}]: {len(HOSTILE)} kinds x {len(fields)} "
        f"text fields: {stored} stored verbatim, {rejected} rejected (database unchanged); "
        f"{len(filters(owner))} filters: {answered} answered, {refused} refused, 0 leaks; "
        "all of it identical after backup and restore"
    )


def test_a_job_url_that_is_not_a_web_address_is_refused_naming_the_field(
    rdb: DatabaseManager,
) -> None:
    user = DatabaseUtils.create_user(email="urls@example.com")
    for url in (
        "%_[]^*?", "http://[::1", "https://example.com:99999/job", "example.com/job",
        "javascript:alert(1)", "data:text/html,x", "ftp://example.com/f", "https://",
    ):  # fmt: skip
        with pytest.raises(ValidationError, match="job_url"):
            DatabaseUtils.add_job_application(user.id, "Dev", "Co", job_url=url)
    assert DatabaseUtils.get_user_applications(user.id) == []
    kept = DatabaseUtils.add_job_application(user.id, "Dev", "Co", job_url="https://x.org/j?id=1")
    assert existing(DatabaseUtils.get_application(kept.id)).job_url == "https://x.org/j?id=1"


def test_a_text_filter_longer_than_any_column_is_a_validation_error(rdb: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="filters@example.com")
    for call in (
        lambda: DatabaseUtils.find_applications(user.id, {"text": "x" * 100_000}),
        lambda: DatabaseUtils.count_applications(user.id, {"sources": ["y" * 100_000]}),
    ):
        with pytest.raises(ValidationError):
            call()
