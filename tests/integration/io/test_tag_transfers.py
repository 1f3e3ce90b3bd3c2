"""Tags out and back: the CSV round trip, the exports, the personal backup, export and erasure."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from database.connection import DatabaseManager
from database.io import exports
from database.io.personal_backup import export_personal
from database.io.personal_import import check_personal, import_personal
from database.models import ApplicationTag, Tag, User
from database.utilities import DatabaseUtils
from utils.errors import ValidationError


@pytest.fixture
def ann(db: DatabaseManager) -> User:
    """Ann with a tagged application, an untagged one and an unused tag."""
    user = DatabaseUtils.create_user(email="ann@example.com")
    tagged = DatabaseUtils.add_job_application(user.id, "Engineer", "Acme").id
    DatabaseUtils.add_job_application(user.id, "Analyst", "Globex")
    DatabaseUtils.set_application_tags(tagged, ["Remote", "=formula-like", "Unused"])
    DatabaseUtils.remove_application_tag(tagged, "unused")
    return user


def _tags_by_title(user_id: int) -> dict[str, list[str]]:
    found = DatabaseUtils.find_applications(user_id, include_archived=True)
    return {a.job_title: [t.name for t in a.tags] for a in found}


def test_the_csv_export_carries_the_tags_and_its_import_brings_them_back(
    ann: User, tmp_path: Path
) -> None:
    path = tmp_path / "out.csv"
    DatabaseUtils.export_applications_csv(ann.id, str(path))
    with path.open(encoding="utf-8") as handle:
        rows = {r["job_title"]: r["tags"] for r in csv.DictReader(handle)}
    assert rows == {"Engineer": "'=formula-like, Remote", "Analyst": ""}
    bob = DatabaseUtils.create_user(email="bob@example.com")
    report = DatabaseUtils.import_applications_csv(bob.id, str(path))
    assert report.added == 2 and not report.rejected
    assert _tags_by_title(bob.id) == {"Engineer": ["=formula-like", "Remote"], "Analyst": []}


def test_a_bad_tags_cell_rejects_its_row_only(db: DatabaseManager, tmp_path: Path) -> None:
    user = DatabaseUtils.create_user(email="cat@example.com")
    path = tmp_path / "in.csv"
    long = "x" * 51
    path.write_text(f'job_title,company,tags\nA,Co,"remote, referral"\nB,Co,{long}\n')
    report = DatabaseUtils.import_applications_csv(user.id, str(path))
    assert report.added == 1
    assert [(r.row, r.field) for r in report.rejected] == [(3, "tags[0]")]
    assert _tags_by_title(user.id) == {"A": ["referral", "remote"]}


def test_a_skipped_duplicate_keeps_its_own_tags(ann: User, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("job_title,company,tags\nEngineer,Acme,Other\n")
    report = DatabaseUtils.import_applications_csv(ann.id, str(path))
    assert report.skipped_duplicates == 1
    assert _tags_by_title(ann.id)["Engineer"] == ["=formula-like", "Remote"]


def test_the_spreadsheet_exports_have_a_tags_column(ann: User) -> None:
    found = DatabaseUtils.find_applications(ann.id)
    text = exports.applications_csv(found).decode("utf-8")
    rows = {r["job_title"]: r["tags"] for r in csv.DictReader(io.StringIO(text))}
    assert rows == {"Engineer": "'=formula-like, Remote", "Analyst": ""}


def test_the_personal_backup_carries_the_vocabulary_and_the_links(
    db: DatabaseManager, ann: User, tmp_path: Path
) -> None:
    bob = DatabaseUtils.create_user(email="bob@example.com")
    with db.session_scope() as session:
        document = export_personal(session, ann.id, tmp_path)
        assert document["tags"] == ["=formula-like", "Remote", "Unused"]
        tagged = {a["job_title"]: a["tags"] for a in document["applications"]}
        assert tagged == {"Engineer": ["=formula-like", "Remote"], "Analyst": []}
        counts = import_personal(session, bob.id, document, tmp_path / "resumes")
    assert counts["tags"] == 3
    assert _tags_by_title(bob.id) == {"Engineer": ["=formula-like", "Remote"], "Analyst": []}
    assert {t["name"]: t["applications"] for t in DatabaseUtils.list_tags(bob.id)} == {
        "=formula-like": 1,
        "Remote": 1,
        "Unused": 0,
    }


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        ("top", ["ok", ""], "backup.tags[1]"),
        ("top", "Remote", "backup.tags"),
        ("application", ["a,b"], "backup.applications[0].tags[0]"),
    ],
)
def test_bad_tags_in_a_personal_backup_are_refused_naming_them(
    db: DatabaseManager, ann: User, tmp_path: Path, where: str, value: object, field: str
) -> None:
    with db.session_scope() as session:
        document = export_personal(session, ann.id, tmp_path)
    if where == "top":
        document["tags"] = value
    else:
        document["applications"][0]["tags"] = value
    with pytest.raises(ValidationError) as info:
        check_personal(document)
    assert info.value.field == field


def test_the_personal_export_holds_the_tags_and_erasure_removes_them(
    db: DatabaseManager, ann: User
) -> None:
    archive = DatabaseUtils.export_user_data(ann.id)
    assert isinstance(archive, bytes)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = [row["name"] for row in json.loads(opened.read("tables/tags.json"))]
        links = json.loads(opened.read("tables/application_tags.json"))
    assert sorted(names) == ["=formula-like", "Remote", "Unused"]
    assert len(links) == 2 and {link["user_id"] for link in links} == {ann.id}
    assert DatabaseUtils.erase_user(ann.id) is True
    with db.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Tag)) == 0
        assert session.scalar(select(func.count()).select_from(ApplicationTag)) == 0
