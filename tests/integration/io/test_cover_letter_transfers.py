"""A cover letter's text travels in the personal backup, checked like any letter on import."""

from __future__ import annotations

from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.io.personal_backup import export_personal
from database.io.personal_import import check_personal, import_personal
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

LETTER = "Dear Acme team,\n\nI would love to build your pipelines. 🚀\n"


def _letters_by_title(user_id: int) -> dict[str, str | None]:
    found = DatabaseUtils.find_applications(user_id, include_archived=True)
    letters = {a.job_title: DatabaseUtils.get_cover_letter(a.id) for a in found}
    return {title: None if letter is None else letter.body for title, letter in letters.items()}


def test_the_personal_backup_carries_each_letters_text_to_another_account(
    db: DatabaseManager, tmp_path: Path
) -> None:
    ann = DatabaseUtils.create_user(email="ann@example.com").id
    lettered = DatabaseUtils.add_job_application(ann, "Engineer", "Acme").id
    DatabaseUtils.add_job_application(ann, "Analyst", "Globex")
    DatabaseUtils.set_cover_letter(lettered, LETTER)
    bob = DatabaseUtils.create_user(email="bob@example.com").id
    with db.session_scope() as session:
        document = export_personal(session, ann, tmp_path)
        by_title = {a["job_title"]: a["cover_letter"] for a in document["applications"]}
        assert by_title == {"Engineer": LETTER, "Analyst": None}
        import_personal(session, bob, document, tmp_path / "resumes")
    assert _letters_by_title(bob) == {"Engineer": LETTER, "Analyst": None}


@pytest.mark.parametrize("value", ["   ", 42, "x" * 100_001])
def test_a_bad_letter_in_a_personal_backup_is_refused_naming_it(
    db: DatabaseManager, tmp_path: Path, value: object
) -> None:
    ann = DatabaseUtils.create_user(email="ann@example.com").id
    DatabaseUtils.add_job_application(ann, "Engineer", "Acme")
    with db.session_scope() as session:
        document = export_personal(session, ann, tmp_path)
    document["applications"][0]["cover_letter"] = value
    with pytest.raises(ValidationError) as info:
        check_personal(document)
    assert info.value.field == "backup.applications[0].cover_letter"
