"""Test helpers: sample data, and backup files edited the way an attacker or a bad disk would."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from database.connection import DatabaseManager, get_database_manager
from database.io.backup.format import BACKUP_TABLES, DataDigest, canonical_json
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils

Document = dict[str, Any]


def fill_sample_data() -> dict[str, int]:
    """A little of everything, through the public API: returns the ids made."""
    ann = DatabaseUtils.create_user(
        email="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        skills=["Python", "SQL"],
        experience_years=4,
        password="correct horse battery",
    )
    bob = DatabaseUtils.create_user(email="bob@example.com", location="Durban")
    DatabaseUtils.update_user_preferences(
        ann.id, preferred_locations=["Remote"], salary_min=50_000, salary_max=90_000
    )
    resume = DatabaseUtils.add_resume(
        ann.id, "ann.pdf", "/r/ann.pdf", file_size=1234, parsed_text="Python developer"
    )
    first = DatabaseUtils.add_job_application(
        ann.id,
        "Backend Developer",
        "TechCorp",
        location="Cape Town",
        job_description="Python and PostgreSQL",
        resume_id=resume.id,
        salary_min=60_000,
        salary_max=80_000,
        match_score=87.25,
        application_date=datetime(2024, 1, 15, 10, 30, 0, 123456, tzinfo=UTC),
    )
    DatabaseUtils.update_application_status(
        first.id, ApplicationStatus.INTERVIEW_SCHEDULED, notes="Monday 10:00"
    )
    second = DatabaseUtils.add_job_application(bob.id, "Analyst", "DataWorks", is_remote=True)
    DatabaseUtils.add_search_history(
        ann.id, job_title="Python", sources_searched=["linkedin"], total_results=12
    )
    DatabaseUtils.cache_ai_analysis("job:1", "match", {"score": 0.8, "tags": ["a", "b"]})
    DatabaseUtils.set_setting("theme", "dark")
    return {"ann": ann.id, "bob": bob.id, "first": first.id, "second": second.id}


def row_counts(manager: DatabaseManager | None = None) -> dict[str, int]:
    """Rows per backed-up table."""
    manager = manager or get_database_manager()
    with manager.engine.connect() as conn:
        return {
            t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
            for t in BACKUP_TABLES
        }


def load(path: str | Path) -> Document:
    """A (small) backup file as a JSON document."""
    document: Document = json.loads(Path(path).read_bytes())
    return document


def save(document: Document, path: Path, *, reseal: bool = True) -> Path:
    """Write ``document``; with ``reseal`` its counts and checksum are made to match."""
    if reseal:
        document["metadata"]["row_counts"] = {t: len(r) for t, r in document["data"].items()}
        if "files" in document:
            files = document["files"]
            document["metadata"]["files"]["count"] = len(files)
            document["metadata"]["files"]["bytes"] = sum(f["size"] for f in files)
        document["metadata"]["sha256"] = checksum(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def checksum(document: Document) -> str:
    """The format's SHA-256 of ``document``'s data, files and missing files."""
    digest = DataDigest()
    for table, rows in document["data"].items():
        for row in rows:
            digest.add(table, canonical_json(row))
    for entry in document.get("files", []):
        digest.add_file(entry["path"], entry["size"], entry["sha256"])
    for missing in document["metadata"].get("files", {}).get("missing", []):
        digest.add_missing(missing)
    return digest.hexdigest()


def edited(source: str | Path, target: Path, edit: Callable[[Document], None], **kw: Any) -> Path:
    """A copy of the backup ``source`` with ``edit`` applied, written to ``target``."""
    document = load(source)
    edit(document)
    return save(document, target, **kw)
