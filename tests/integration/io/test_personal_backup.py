"""The personal backup file below the API: one account's records out, into another in."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.domain import applications, resumes, users
from database.io.personal_backup import FORMAT_NAME, export_personal
from database.io.personal_import import MISSING_FILE, check_personal, import_personal
from database.models import JobApplication, Resume
from utils.errors import ValidationError


@pytest.fixture
def owners(db: DatabaseManager, tmp_path: Path) -> tuple[int, int]:
    """Ann, with a resume whose file is gone and one application; Bob with nothing."""
    with db.session_scope() as session:
        ann = users.create(session, "ann@example.com", {"first_name": "Ann"})
        bob = users.create(session, "bob@example.com", {})
        gone = tmp_path / "gone.pdf"
        resume = resumes.add(session, ann.id, {"filename": "cv.pdf", "file_path": str(gone)})
        applications.add(
            session, ann.id, {"job_title": "Engineer", "company": "Acme", "resume_id": resume.id}
        )
        return ann.id, bob.id


def test_a_resume_whose_file_is_gone_comes_back_without_a_file(
    db: DatabaseManager, owners: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = owners
    with db.session_scope() as session:
        document = export_personal(session, ann, tmp_path)
        assert document["format"] == FORMAT_NAME
        assert document["resumes"][0]["content"] is None
        counts = import_personal(session, bob, document, tmp_path / "resumes")
    assert counts["resumes"] == 1 and counts["applications"] == 1
    assert not (tmp_path / "resumes").exists()
    with db.session_scope() as session:
        (resume,) = session.query(Resume).filter_by(user_id=bob).all()
        assert resume.file_path == MISSING_FILE
        (application,) = session.query(JobApplication).filter_by(user_id=bob).all()
        assert application.resume_id == resume.id
        assert application.posting_key is not None


def test_importing_twice_adds_the_records_twice_and_keeps_the_profile(
    db: DatabaseManager, owners: tuple[int, int], tmp_path: Path
) -> None:
    ann, _ = owners
    with db.session_scope() as session:
        document = export_personal(session, ann, tmp_path)
        import_personal(session, ann, document, tmp_path / "resumes")
    with db.session_scope() as session:
        assert session.query(JobApplication).filter_by(user_id=ann).count() == 2
        assert [
            r.is_active for r in session.query(Resume).filter_by(user_id=ann).order_by(Resume.id)
        ] == [False, True]
        user = users.get(session, ann)
        assert user is not None and user.email == "ann@example.com" and user.first_name == "Ann"


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "backup"),
        ({"format": FORMAT_NAME, "version": 1}, "backup.profile"),
        ({"format": FORMAT_NAME, "version": 1, "profile": {}, "resumes": {}}, "backup.resumes"),
        (
            {"format": FORMAT_NAME, "version": 1, "profile": {}, "resumes": [{"filename": "a"}]},
            "backup.resumes[0].id",
        ),
        (
            {"format": FORMAT_NAME, "version": 1, "profile": {"skills": "SQL"}},
            "backup.profile.skills",
        ),
    ],
)
def test_a_document_that_is_not_a_personal_backup_is_refused(document: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        check_personal(document)
    assert caught.value.field == field
