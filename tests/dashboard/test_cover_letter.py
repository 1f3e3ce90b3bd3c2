"""The cover letter section of the application page under AppTest: text, file, download, removal."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.domain import cover_letters
from database.io import cover_letter_files
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.dashboard.hosted import account, signed_in
from tests.support.checks import existing

Start = Callable[..., AppTest]


def _save_text(at: AppTest, app_id: int, text: str) -> None:
    at.text_area(key=f"cover_letter_{app_id}.body").set_value(text)
    at.button(key=f"FormSubmitter:cover_letter_{app_id}.text-Save the text").click().run()


def _attach(at: AppTest, app_id: int, generation: int, name: str, content: bytes) -> None:
    key = f"cover_letter_{app_id}.file.{generation}"
    at.file_uploader(key=key).set_value((name, content, "text/plain"))
    at.button(key=f"FormSubmitter:cover_letter_{app_id}.upload-Attach").click().run()


def test_writing_the_text_saves_it_and_shows_it_again(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    _save_text(at, app_id, "Dear team,\nI would love to join.")
    no_exceptions(at)
    assert successes(at) == ["Cover letter saved."]
    assert (
        existing(DatabaseUtils.get_cover_letter(app_id)).body == "Dear team,\nI would love to join."
    )
    fresh = app(user_id)
    assert fresh.text_area(key=f"cover_letter_{app_id}.body").value == (
        "Dear team,\nI would love to join."
    )


def test_blank_text_is_reported_on_its_field(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    _save_text(at, app_id, "   ")
    no_exceptions(at)
    assert errors(at) == ["Body must not be empty"]
    assert DatabaseUtils.get_cover_letter(app_id) is None


def test_a_file_is_attached_once_the_uploader_empties_and_it_downloads_and_goes(
    app: Start, user_id: int, _private_data_dir: Path
) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    uploader = at.file_uploader(key=f"cover_letter_{app_id}.file.0")
    assert uploader.proto.max_upload_size_mb == cover_letter_files.MAX_BYTES // 2**20
    _attach(at, app_id, 0, "letter.txt", b"Dear team (file)")
    no_exceptions(at)
    assert successes(at) == ["Attached letter\\.txt."]
    letter = existing(DatabaseUtils.get_cover_letter(app_id))
    assert stat.S_IMODE(Path(existing(letter.file_path)).stat().st_mode) == 0o600
    # A new, empty uploader: clicking Attach again sends nothing.
    assert at.file_uploader(key=f"cover_letter_{app_id}.file.1").value is None
    at.button(key=f"FormSubmitter:cover_letter_{app_id}.upload-Attach").click().run()
    assert errors(at) == ["Choose a file first."]
    assert len(list((_private_data_dir / "cover_letters").rglob("*.txt"))) == 1
    assert at.get("download_button")[0].proto.label == "Download the file"
    at.button(key=f"cover_letter_{app_id}.remove_file").click().run()
    no_exceptions(at)
    assert DatabaseUtils.get_cover_letter(app_id) is None, "a letter with no text goes with it"
    assert list((_private_data_dir / "cover_letters").rglob("*.txt")) == []


def test_a_wrongly_named_file_is_reported_and_nothing_stored(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    _attach(at, app_id, 0, "letter.pdf", b"plain text")
    no_exceptions(at)
    assert errors(at) and "pdf" in errors(at)[0].lower()
    assert DatabaseUtils.get_cover_letter(app_id) is None


def test_deleting_the_letter_needs_the_confirmation(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    DatabaseUtils.set_cover_letter(app_id, "Dear team")
    at = app(user_id)
    assert at.button(key=f"cover_letter_{app_id}.delete").disabled
    at.checkbox(key=f"cover_letter_{app_id}.confirm").check().run()
    at.button(key=f"cover_letter_{app_id}.delete").click().run()
    no_exceptions(at)
    assert successes(at) == ["Cover letter deleted."]
    assert DatabaseUtils.get_cover_letter(app_id) is None


def test_in_hosted_mode_the_section_works_through_the_actor_scoped_services(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    ann = account(db, "ann@example.com")
    app_id = DatabaseUtils.add_job_application(ann, "Dev", "Co").id
    at = signed_in("ann@example.com")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the trusted local API was called in hosted mode")

    for name in dir(DatabaseUtils):
        if not name.startswith("_") and callable(getattr(DatabaseUtils, name)):
            monkeypatch.setattr(DatabaseUtils, name, staticmethod(refuse))
    _save_text(at, app_id, "Dear team")
    _attach(at, app_id, 0, "letter.txt", b"Dear team (file)")
    no_exceptions(at)
    with db.session_scope() as session:
        letter = existing(cover_letters.get(session, app_id))
        assert (letter.body, letter.filename, letter.user_id) == ("Dear team", "letter.txt", ann)
