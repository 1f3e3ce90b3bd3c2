"""The personal backup over the API: all of one's own data, nothing of anyone else's.

Brought into a fresh account it gives the same records (ids aside); whatever
owner or ids the file names, what it imports becomes the importing account's;
a bad file is a 422 naming what is wrong, and changes nothing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api import limits
from database.connection import DatabaseManager
from database.domain import notes, resumes, search_history, users
from database.models import JobApplication, Resume
from tests.support.records import (
    account,
    add_application,
    companies,
    private_data_dir,
    read_only_key,
)

BACKUP = "/api/v1/me/backup"
RESUME_TEXT = b"Ann Example\nPython, SQL\n"


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return private_data_dir(monkeypatch, tmp_path)


def _resume(db: DatabaseManager, data_dir: Path, user_id: int, content: bytes) -> int:
    path = data_dir / "resumes" / f"{user_id}.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    with db.session_scope() as session:
        fields = {"filename": "cv.txt", "file_path": str(path), "file_type": "txt"}
        return resumes.add(session, user_id, {**fields, "file_size": len(content)}).id


def _fill(
    client: TestClient, db: DatabaseManager, data_dir: Path, user_id: int, headers: dict[str, str]
) -> None:
    """Every kind of record for the account: resume, applications, history, notes, searches."""
    resume_id = _resume(db, data_dir, user_id, RESUME_TEXT)
    first = add_application(
        client, headers, job_title="Data Engineer", company="Acme", resume_id=resume_id,
        job_url="https://jobs.example.com/1", salary_min=50000, salary_max=60000,
    )  # fmt: skip
    client.post(
        f"/api/v1/applications/{first['id']}/status",
        json={"status": "screening", "notes": "call"},
        headers=headers,
    )
    add_application(client, headers, job_title="Analyst", company="Beta", is_remote=True)
    with db.session_scope() as session:
        notes.add(session, first["id"], "Ask about the team")
        search_history.add(session, user_id, {"job_title": "Engineer", "total_results": 12})
        users.update_preferences(
            session, user_id, {"preferred_locations": ["Porto"], "salary_min": 40000}
        )


@pytest.fixture
def ann(client: TestClient, db: DatabaseManager, data_dir: Path) -> dict[str, str]:
    user_id, headers = account(client, "ann@example.com", first_name="Ann", skills=["SQL"])
    _fill(client, db, data_dir, user_id, headers)
    bob_id, bob = account(client, "bob@example.com", first_name="Bob")
    add_application(client, bob, job_title="Secret", company="Bobs Corp")
    with db.session_scope() as session:
        search_history.add(session, bob_id, {"job_title": "Bobs search"})
    return headers


def _exported(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    response = client.get(BACKUP, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment;")
    document: dict[str, Any] = response.json()
    return document


def _post(client: TestClient, headers: dict[str, str], document: Any) -> Any:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return client.post(
        BACKUP, content=body, headers={**headers, "Content-Type": "application/json"}
    )


def _without_ids(document: dict[str, Any]) -> dict[str, Any]:
    """The document with what differs between accounts left out: ids, email, export time."""
    shown = copy.deepcopy(document)
    del shown["exported_at"]
    for name in ("email", "created_at", "updated_at"):
        del shown["profile"][name]
    positions = {r.pop("id"): i for i, r in enumerate(shown["resumes"])}
    for application in shown["applications"]:
        del application["id"]
        resume_id = application.pop("resume_id")
        application["resume"] = positions.get(resume_id)
    return shown


def test_the_backup_holds_all_of_ones_own_data_and_nothing_of_anyone_else(
    client: TestClient, ann: dict[str, str]
) -> None:
    document = _exported(client, ann)
    assert document["format"] == "auto-applyer-personal-backup"
    assert document["version"] == 1
    assert document["profile"]["email"] == "ann@example.com"
    assert sorted(a["company"] for a in document["applications"]) == ["Acme", "Beta"]
    acme = next(a for a in document["applications"] if a["company"] == "Acme")
    assert [h["to_status"] for h in acme["status_history"]] == ["applied", "screening"]
    assert [n["body"] for n in acme["notes_log"]] == ["Ask about the team"]
    assert [s["job_title"] for s in document["search_history"]] == ["Engineer"]
    assert document["preferences"]["preferred_locations"] == ["Porto"]
    (resume,) = document["resumes"]
    assert resume["content"] is not None and resume["sha256"]
    text = json.dumps(document)
    for secret in (
        "Bobs",
        "bob@example.com",
        "password",
        "token",
        "is_server_admin",
        "file_path",
        "user_id",
    ):
        assert secret not in text, secret


def test_a_backup_brought_into_a_fresh_account_gives_the_same_records(
    client: TestClient, ann: dict[str, str], db: DatabaseManager, data_dir: Path
) -> None:
    original = _exported(client, ann)
    cid_id, cid = account(client, "cid@example.com")
    response = _post(client, cid, original)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "resumes": 1, "applications": 2, "status_history": 3, "notes_log": 1, "search_history": 1,
    }  # fmt: skip
    copied = _exported(client, cid)
    assert _without_ids(copied) == _without_ids(original)
    assert copied["profile"]["email"] == "cid@example.com"
    with db.session_scope() as session:
        (resume,) = session.query(Resume).filter_by(user_id=cid_id).all()
        stored = Path(resume.file_path)
        assert stored.read_bytes() == RESUME_TEXT
        assert stored.is_relative_to(data_dir / "resumes" / str(cid_id))
        assert stored.stat().st_mode & 0o077 == 0


def test_a_forged_owner_or_id_in_the_file_lands_in_the_importing_account(
    client: TestClient, ann: dict[str, str], db: DatabaseManager
) -> None:
    document = _exported(client, ann)
    with db.session_scope() as session:
        ann_user = users.find_by_email(session, "ann@example.com")
        bob_user = users.find_by_email(session, "bob@example.com")
        assert ann_user is not None and bob_user is not None
        ann_id, bob_id = ann_user.id, bob_user.id
        bob_application = session.query(JobApplication).filter_by(user_id=bob_id).one().id
    document["profile"].update(is_server_admin=True, user_id=bob_id, id=bob_id, password_hash="x")
    for application in document["applications"]:
        application.update(user_id=bob_id, id=bob_application)
        for entry in application["status_history"]:
            entry["user_id"] = bob_id
    cid_id, cid = account(client, "cid@example.com")
    assert _post(client, cid, document).status_code == 200
    assert companies(client, cid) == ["Acme", "Beta"]
    assert companies(client, ann) == ["Acme", "Beta"]
    with db.session_scope() as session:
        owners = {a.user_id for a in session.query(JobApplication).filter_by(company="Acme")}
        assert owners == {ann_id, cid_id}
        cid_user = session.get(type(ann_user), cid_id)
        assert cid_user is not None and not cid_user.is_server_admin
    me = client.get("/api/v1/me", headers=cid).json()
    assert me["email"] == "cid@example.com" and me["first_name"] == "Ann"
    bob = client.get("/api/v1/applications", headers=account(client, "x@example.com")[1])
    assert bob.json() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(format="other"), "backup.format"),
        (lambda d: d.update(version=99), "backup.version"),
        (lambda d: d.update(extra=1), "backup.extra"),
        (lambda d: d["applications"][1].update(status="hired"), "backup.applications[1].status"),
        (lambda d: d["applications"][0].pop("company"), "backup.applications[0].company"),
        (lambda d: d["applications"][0].update(resume_id=999), "backup.applications[0].resume_id"),
        (lambda d: d["applications"][0].update(colour="red"), "backup.applications[0].colour"),
        (lambda d: d["resumes"][0].update(content="not base64!"), "backup.resumes[0].content"),
        (lambda d: d["resumes"][0].update(sha256="0" * 64), "backup.resumes[0].sha256"),
        (
            lambda d: d["applications"][0]["status_history"][0].update(changed_at="yesterday"),
            "backup.applications[0].status_history[0].changed_at",
        ),
    ],
)
def test_a_bad_file_is_a_422_naming_what_is_wrong_and_changes_nothing(
    client: TestClient, ann: dict[str, str], change: Any, field: str, data_dir: Path
) -> None:
    document = _exported(client, ann)
    document["applications"].sort(key=lambda a: a["company"])
    change(document)
    _, cid = account(client, "cid@example.com")
    before = _exported(client, cid)
    files_before = sorted(data_dir.rglob("*"))
    response = _post(client, cid, document)
    assert response.status_code == 422, response.text
    assert response.json()["field"] == field
    assert _without_ids(_exported(client, cid)) == _without_ids(before)
    assert sorted(data_dir.rglob("*")) == files_before


def test_a_file_the_database_refuses_changes_nothing(
    client: TestClient, ann: dict[str, str], data_dir: Path
) -> None:
    document = _exported(client, ann)
    document["applications"][0].update(salary_min=90000, salary_max=10)
    _, cid = account(client, "cid@example.com")
    files_before = sorted(data_dir.rglob("*"))
    response = _post(client, cid, document)
    assert response.status_code == 422, response.text
    assert companies(client, cid) == []
    assert sorted(data_dir.rglob("*")) == files_before


def test_not_json_is_a_422_and_a_multipart_file_is_read(
    client: TestClient, ann: dict[str, str]
) -> None:
    _, cid = account(client, "cid@example.com")
    for content in (b"not json", b"[1, 2]", b"\xff"):
        response = _post(client, cid, content)
        assert response.status_code == 422
        assert response.json()["field"] in {"file", "backup"}
    document = json.dumps(_exported(client, ann)).encode()
    files = {"file": ("backup.json", document, "application/json")}
    assert client.post(BACKUP, files=files, headers=cid).status_code == 200
    assert companies(client, cid) == ["Acme", "Beta"]


def test_a_backup_over_its_limit_is_a_413(
    client: TestClient, ann: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(limits.UPLOAD_LIMITS, ("POST", BACKUP), 1000)
    _, cid = account(client, "cid@example.com")
    assert _post(client, cid, _exported(client, ann)).status_code == 413
    assert companies(client, cid) == []


def test_a_read_only_key_exports_but_may_not_import(
    client: TestClient, ann: dict[str, str], db: DatabaseManager
) -> None:
    with db.session_scope() as session:
        ann_user = users.find_by_email(session, "ann@example.com")
        assert ann_user is not None
        ann_id = ann_user.id
    key = read_only_key(db, ann_id)
    document = _exported(client, key)
    assert _post(client, key, document).status_code == 403
    assert client.get(BACKUP).status_code == 401
    assert companies(client, ann) == ["Acme", "Beta"]
