"""Text of any length the API accepts is stored exactly and searchable on every engine.

PostgreSQL's ``tsvector`` holds at most 1 MB, so its search vector covers the
first 65,536 characters of each text column (SQLite's FTS5 indexes all of it);
a word in that prefix is found on every engine. Words are made distinct on
purpose: that is what makes a search vector large.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from database.connection import DatabaseManager
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError

SEARCHABLE_PREFIX = 65_536


def distinct_words(characters: int, seed: str = "w") -> str:
    """Text of about ``characters`` characters in which no word repeats."""
    words, size, i = [], 0, 0
    while size < characters:
        word = f"{seed}{i:x}q{i * 7919 % 100003:x}"
        words.append(word)
        size += len(word) + 1
        i += 1
    return " ".join(words)


@pytest.fixture
def user_id(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(email="long@example.com").id


@pytest.mark.parametrize("megabytes", [1, 3])
def test_a_very_long_description_is_stored_exactly_and_searchable(
    user_id: int, megabytes: int
) -> None:
    description = "zephyrine " + distinct_words(megabytes * 1_000_000) + " \n trailing"
    notes = "kestrelwing " + distinct_words(500_000, seed="n")
    app = DatabaseUtils.add_job_application(
        user_id, "Archivist", "Big Text Ltd", job_description=description, notes=notes
    )
    stored = existing(DatabaseUtils.get_application(app.id))
    assert stored.job_description == description
    assert stored.notes == notes
    assert [h["id"] for h in DatabaseUtils.search_applications(user_id, "zephyrine")] == [app.id]
    assert [h["id"] for h in DatabaseUtils.search_applications(user_id, "kestrelwing")] == [app.id]
    # A word well inside the indexed prefix, too.
    inside = description[: SEARCHABLE_PREFIX - 100].split()[-2]
    assert [h["id"] for h in DatabaseUtils.search_applications(user_id, inside)] == [app.id]


def test_updating_to_a_very_long_text_works(user_id: int) -> None:
    app = DatabaseUtils.add_job_application(user_id, "Archivist", "Big Text Ltd")
    description = "quillfeather " + distinct_words(2_000_000)
    DatabaseUtils.update_application(app.id, job_description=description)
    assert existing(DatabaseUtils.get_application(app.id)).job_description == description
    assert DatabaseUtils.search_applications(user_id, "quillfeather")[0]["id"] == app.id


def test_a_very_long_resume_text_is_stored_and_searchable(user_id: int) -> None:
    text = "marzipanic " + distinct_words(2_000_000)
    resume = DatabaseUtils.add_resume(user_id, "long.txt", "/dev/null", parsed_text=text)
    assert existing(DatabaseUtils.get_resume(resume.id)).parsed_text == text
    assert [h["id"] for h in DatabaseUtils.search_resumes(user_id, "marzipanic")] == [resume.id]


def test_a_csv_import_of_very_long_cells_is_stored_and_searchable(
    user_id: int, tmp_path: Path
) -> None:
    import csv

    path = tmp_path / "long.csv"
    description = "obsidianite " + distinct_words(900_000)  # the CSV cell limit is 1,000,000
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["job_title", "company", "job_description"])
        writer.writerow(["Archivist", "Big Text Ltd", description])
    report = DatabaseUtils.import_applications_csv(user_id, path)
    assert report.added == 1
    (app,) = DatabaseUtils.get_user_applications(user_id)
    assert app.job_description == description
    assert DatabaseUtils.search_applications(user_id, "obsidianite")[0]["id"] == app.id


def test_a_value_the_database_refuses_is_input_error_not_outage(
    db: DatabaseManager, user_id: int
) -> None:
    # A word longer than any index entry, NUL-free, huge: never "unavailable or busy".
    try:
        app = DatabaseUtils.add_job_application(
            user_id, "Archivist", "Big Text Ltd", job_description="x" * 5_000_000
        )
    except ValidationError as exc:  # a documented limit is fine; an outage is not
        assert exc.field
    else:
        assert existing(DatabaseUtils.get_application(app.id)).job_description == "x" * 5_000_000


@pytest.mark.parametrize("engine_name", ["postgresql"])
def test_a_program_limit_exceeded_by_input_is_a_validation_error(db: DatabaseManager) -> None:
    from sqlalchemy import text

    from database.connection import db_session_scope

    with pytest.raises(ValidationError) as info, db_session_scope() as session:
        session.execute(text("SELECT to_tsvector('simple', :t)"), {"t": distinct_words(1_500_000)})
    assert "too long for tsvector" in str(info.value)
    assert info.value.__cause__ is not None
