"""Cover letters: one per application, its text and its file, the events, and the files on disk."""

from __future__ import annotations

import io
import json
import stat
import threading
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from database.connection import DatabaseManager, db_session_scope
from database.core.files import DATA_DIR_VARIABLE
from database.domain import cover_letters
from database.io import cover_letter_files, exports, personal_erasure
from database.io.backup import BackupManager
from database.models import CoverLetter, Event, EventKind, JobApplication, User
from database.utilities import DatabaseUtils
from tests.support.backup_files import Document, edited
from tests.support.checks import existing
from tests.support.resume_objects import pdf_bytes
from utils.errors import ValidationError

PDF = pdf_bytes("Dear hiring team")
TEXT = "Dear hiring team,\n\nI would love to join.  \n"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com")


@pytest.fixture
def application(user: User, data: Path) -> JobApplication:
    return DatabaseUtils.add_job_application(user.id, "Dev", "Co")


def _letter_events(application_id: int) -> list[dict[str, str]]:
    with db_session_scope() as session:
        query = select(Event.payload).where(
            Event.kind == EventKind.APPLICATION_UPDATED, Event.entity_id == application_id
        )
        payloads = [json.loads(p) for p in session.scalars(query.order_by(Event.id))]
    return [p for p in payloads if "cover_letter" in p]


def _files(data: Path) -> list[Path]:
    folder = data / "cover_letters"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_text_is_created_then_replaced_and_belongs_to_the_applications_owner(
    application: JobApplication,
) -> None:
    first = DatabaseUtils.set_cover_letter(application.id, TEXT)
    assert (first.body, first.user_id, first.file_path) == (TEXT, application.user_id, None)
    second = DatabaseUtils.set_cover_letter(application.id, "Second draft")
    assert second.id == first.id and second.body == "Second draft"
    assert existing(DatabaseUtils.get_cover_letter(application.id)).body == "Second draft"
    assert _letter_events(application.id) == [{"cover_letter": "saved"}] * 2


@pytest.mark.parametrize(
    ("text", "rule"),
    [("   ", "must not be empty"), ("x" * (cover_letters.MAX_BODY + 1), "at most"),
     ("a\x00b", "NUL"), (42, "must be text")],
)  # fmt: skip
def test_bad_text_is_refused_naming_body_and_nothing_is_written(
    application: JobApplication, text: object, rule: str
) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.set_cover_letter(application.id, text)  # type: ignore[arg-type]
    assert info.value.field == "body" and rule in str(info.value)
    assert DatabaseUtils.get_cover_letter(application.id) is None


def test_an_unknown_application_is_refused(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.set_cover_letter(999, TEXT)
    assert info.value.field == "application_id"
    assert DatabaseUtils.get_cover_letter(999) is None


def test_a_file_is_stored_owner_only_inside_its_folder_and_reads_back(
    application: JobApplication, data: Path
) -> None:
    DatabaseUtils.set_cover_letter(application.id, TEXT)
    letter = DatabaseUtils.attach_cover_letter_file(application.id, "../../Letter.pdf", PDF)
    path = Path(existing(letter.file_path))
    assert path.parent == (data / "cover_letters" / str(application.user_id)).resolve()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert (letter.filename, letter.file_type, letter.file_size) == ("Letter.pdf", "pdf", len(PDF))
    assert letter.body == TEXT, "the text stays"
    assert DatabaseUtils.read_cover_letter_file(application.id) == PDF


def test_the_same_file_again_stores_nothing_new_and_a_new_one_replaces_the_old_after_commit(
    application: JobApplication, data: Path
) -> None:
    first = DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    again = DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    assert again.file_path == first.file_path and len(_files(data)) == 1
    replaced = DatabaseUtils.attach_cover_letter_file(application.id, "b.txt", b"two")
    assert _files(data) == [Path(existing(replaced.file_path))]
    assert DatabaseUtils.read_cover_letter_file(application.id) == b"two"


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [("a.pdf", b"", "is empty"), ("a.exe", PDF, "must be named"),
     ("a.txt", PDF, "its content is pdf"), ("a.pdf", b"\x00\xff" * 10, "must be a PDF"),
     ("a.txt", b"x" * (cover_letter_files.MAX_BYTES + 1), "at most 5 MB")],
)  # fmt: skip
def test_a_file_a_resume_upload_would_refuse_is_refused_and_nothing_is_stored(
    application: JobApplication, data: Path, name: str, content: bytes, rule: str
) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.attach_cover_letter_file(application.id, name, content)
    assert info.value.field == "file" and rule in str(info.value)
    assert DatabaseUtils.get_cover_letter(application.id) is None and _files(data) == []


def test_removing_the_file_keeps_the_text_and_the_file_goes(
    application: JobApplication, data: Path
) -> None:
    DatabaseUtils.set_cover_letter(application.id, TEXT)
    DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    assert DatabaseUtils.remove_cover_letter_file(application.id)
    letter = existing(DatabaseUtils.get_cover_letter(application.id))
    assert (letter.body, letter.filename, letter.file_path) == (TEXT, None, None)
    assert _files(data) == []
    assert not DatabaseUtils.remove_cover_letter_file(application.id)
    assert DatabaseUtils.read_cover_letter_file(application.id) is None


def test_removing_the_file_of_a_letter_without_text_deletes_the_letter(
    application: JobApplication, data: Path
) -> None:
    DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    assert DatabaseUtils.remove_cover_letter_file(application.id)
    assert DatabaseUtils.get_cover_letter(application.id) is None
    assert _letter_events(application.id)[-1] == {"cover_letter": "removed"}


def test_deleting_the_letter_removes_its_row_and_file_and_records_the_change(
    application: JobApplication, data: Path
) -> None:
    DatabaseUtils.set_cover_letter(application.id, TEXT)
    DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    assert DatabaseUtils.delete_cover_letter(application.id)
    assert DatabaseUtils.get_cover_letter(application.id) is None and _files(data) == []
    assert not DatabaseUtils.delete_cover_letter(application.id)
    assert _letter_events(application.id)[-1] == {"cover_letter": "removed"}


def test_a_rolled_back_change_keeps_the_old_file_and_removes_the_new_one(
    application: JobApplication, data: Path
) -> None:
    old = DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"old")
    with pytest.raises(RuntimeError), db_session_scope() as session:
        cover_letter_files.attach(session, data, application.id, "b.txt", b"new")
        assert len(_files(data)) == 2
        raise RuntimeError("the transaction fails after the file was written")
    assert _files(data) == [Path(existing(old.file_path))]
    assert DatabaseUtils.read_cover_letter_file(application.id) == b"old"


# In-memory SQLite has one connection, so two writers cannot overlap there.
@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"], indirect=True)
def test_two_writers_creating_the_same_letter_at_once_both_succeed_with_one_row(
    db: DatabaseManager, application: JobApplication
) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def write(text: str) -> None:
        try:
            barrier.wait()
            DatabaseUtils.set_cover_letter(application.id, text)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(t,)) for t in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db_session_scope() as session:
        count = session.scalar(select(func.count(CoverLetter.id)))
    assert count == 1
    assert existing(DatabaseUtils.get_cover_letter(application.id)).body in ("one", "two")


def test_erasing_the_person_removes_their_letter_files_after_the_commit(
    user: User, application: JobApplication, data: Path
) -> None:
    DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    assert DatabaseUtils.erase_user(user.id)
    assert _files(data) == []


def test_the_orphan_sweep_keeps_named_letter_files_and_removes_unnamed_ones(
    application: JobApplication, data: Path
) -> None:
    letter = DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"one")
    orphan = data / "cover_letters" / "77" / "lost.txt"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"lost")
    with db_session_scope() as session:
        found = personal_erasure.remove_orphan_files(session, data, min_age_seconds=0)
    assert found == [orphan.resolve()]
    assert _files(data) == [Path(existing(letter.file_path))]


def test_deleting_the_application_deletes_its_letter(
    application: JobApplication, data: Path
) -> None:
    DatabaseUtils.set_cover_letter(application.id, TEXT)
    DatabaseUtils.delete_application(application.id)
    with db_session_scope() as session:
        assert session.scalar(select(func.count(CoverLetter.id))) == 0


def test_the_personal_export_holds_the_letter_and_its_file_under_its_name(
    user: User, application: JobApplication
) -> None:
    letter = DatabaseUtils.attach_cover_letter_file(application.id, "Mon CV/letter.txt", b"one")
    content = DatabaseUtils.export_user_data(user.id)
    assert isinstance(content, bytes)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        [row] = json.loads(archive.read("tables/cover_letters.json"))
        [entry] = [e for e in manifest["files"] if "cover_letter_id" in e]
        assert entry["path"] == f"files/cover_letters/{letter.id}/letter.txt"
        assert archive.read(entry["path"]) == b"one"
    assert row["filename"] == "letter.txt" and "file_path" not in row


def test_the_excel_export_has_a_cover_letters_sheet_with_long_text_clipped_to_a_cell(
    user: User, application: JobApplication
) -> None:
    other = DatabaseUtils.add_job_application(user.id, "Analyst", "Initech")
    long_text = "Dear team, " + "x" * cover_letters.MAX_BODY
    DatabaseUtils.set_cover_letter(application.id, long_text[: cover_letters.MAX_BODY])
    DatabaseUtils.set_cover_letter(other.id, "=SUM(A1) is not a formula here")
    letters = DatabaseUtils.get_cover_letter_texts(user.id)
    rows = DatabaseUtils.find_applications(user.id)
    workbook = openpyxl.load_workbook(
        io.BytesIO(exports.applications_xlsx(rows, cover_letters=letters))
    )
    sheet = list(workbook["Cover letters"].values)
    assert sheet[0] == ("application_id", "company", "job_title", "cover_letter")
    by_id = {row[0]: row for row in sheet[1:]}
    assert by_id[other.id][1:] == ("Initech", "Analyst", "=SUM(A1) is not a formula here")
    clipped = by_id[application.id][3]
    assert isinstance(clipped, str)
    assert len(clipped) <= exports.XLSX_CELL_CHARS and clipped.startswith("Dear team, x")
    assert clipped.endswith("more characters in the application]")


def test_the_pdf_record_prints_each_letter_under_its_application(
    user: User, application: JobApplication
) -> None:
    DatabaseUtils.set_cover_letter(application.id, "Dear team,\n\nI build data platforms.")
    header = exports.ReportHeader("Ann", "ann@example.com", None, "all time")
    rows = DatabaseUtils.find_applications(user.id)
    letters = DatabaseUtils.get_cover_letter_texts(user.id)
    content = exports.applications_pdf(header, rows, {}, letters)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Cover letter" in text and "I build data platforms." in text


def test_a_backup_restores_the_letter_file_and_refuses_a_letter_whose_file_it_lacks(
    application: JobApplication, data: Path, tmp_path: Path
) -> None:
    DatabaseUtils.attach_cover_letter_file(application.id, "a.txt", b"kept")
    backups = BackupManager(tmp_path / "backups")
    good = backups.create_backup("good")

    def drop_file(document: Document) -> None:
        document["files"] = []
        document["metadata"]["files"].update(count=0, bytes=0)

    bad = edited(good, tmp_path / "bad.json", drop_file)
    with pytest.raises(ValidationError) as info:
        backups.restore_backup(bad, confirm=True)
    assert info.value.field == "backup.data.cover_letters[0].file_path"
    backups.restore_backup(good, confirm=True, safety_backup=False)
    restored = existing(DatabaseUtils.get_cover_letter(application.id))
    assert (
        Path(existing(restored.file_path)).parent
        == (data / "cover_letters" / str(application.user_id)).resolve()
    )
    assert DatabaseUtils.read_cover_letter_file(application.id) == b"kept"
