"""Cover letters over the API: owner-only text and file, uploads checked as resumes are.

Uploads go to this test's own data folder (``AUTO_APPLYER_DATA_DIR``). Who
gets a 404 is the authorization matrix's (``tests/api/access_rules.py``);
these tests follow one person's letter through its life.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain import applications
from database.io import cover_letter_files
from tests.support.profile_api import Headers, coach_of, read_only_key, signed_in
from tests.support.resume_objects import pdf_bytes


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "api-data"
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(folder))
    yield folder


def _application(db: DatabaseManager, user_id: int) -> str:
    """The cover letter address of a new application of ``user_id``'s."""
    with db.session_scope() as session:
        application = applications.add(session, user_id, {"job_title": "Dev", "company": "Acme"})
        return f"/api/v1/applications/{application.id}/cover-letter"


def _upload(client: TestClient, url: str, headers: Headers, name: str, content: bytes) -> Any:
    files = {"file": (name, content, "application/octet-stream")}
    return client.put(f"{url}/file", files=files, headers=headers)


def _files(data_dir: Path) -> list[Path]:
    folder = data_dir / "cover_letters"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_letter_is_written_read_replaced_and_deleted(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    assert client.get(url, headers=ada).status_code == 404, "no letter yet"
    written = client.put(url, json={"body": "Dear team"}, headers=ada)
    assert written.status_code == 200, written.text
    assert written.json()["body"] == "Dear team" and written.json()["filename"] is None
    replaced = client.put(url, json={"body": "Second draft"}, headers=ada).json()
    assert replaced["id"] == written.json()["id"]
    assert client.get(url, headers=ada).json()["body"] == "Second draft"
    assert client.delete(url, headers=ada).status_code == 204
    assert client.get(url, headers=ada).status_code == 404
    assert client.delete(url, headers=ada).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"), [({"body": "  "}, 422), ({"body": "x" * 100_001}, 422), ({}, 422),
                         ({"body": "ok", "user_id": 2}, 422)],
)  # fmt: skip
def test_bad_text_is_a_422(
    client: TestClient, db: DatabaseManager, body: dict[str, Any], status: int
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    assert client.put(url, json=body, headers=ada).status_code == status
    assert client.get(url, headers=ada).status_code == 404


def test_a_file_uploads_privately_and_downloads_under_its_original_name(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    client.put(url, json={"body": "Dear team"}, headers=ada)
    content = pdf_bytes("Dear team")
    response = _upload(client, url, ada, "Lettre d'été.pdf", content)
    assert response.status_code == 200, response.text
    letter = response.json()
    assert (letter["body"], letter["file_type"], letter["file_size"]) == (
        "Dear team", "pdf", len(content),
    )  # fmt: skip
    assert "file_path" not in letter, "where the server keeps it is its own business"
    [stored] = _files(data_dir)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    download = client.get(f"{url}/file", headers=ada)
    assert download.status_code == 200 and download.content == content
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["x-content-type-options"] == "nosniff"
    disposition = download.headers["content-disposition"]
    assert disposition == (
        "attachment; filename=\"Lettre d'_t_.pdf\"; filename*=UTF-8''Lettre%20d%27%C3%A9t%C3%A9.pdf"
    )


def test_removing_the_file_keeps_the_text(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    client.put(url, json={"body": "Dear team"}, headers=ada)
    assert _upload(client, url, ada, "l.txt", b"Dear team").status_code == 200
    assert client.delete(f"{url}/file", headers=ada).status_code == 204
    assert client.get(url, headers=ada).json()["filename"] is None
    assert client.get(url, headers=ada).json()["body"] == "Dear team"
    assert client.get(f"{url}/file", headers=ada).status_code == 404
    assert client.delete(f"{url}/file", headers=ada).status_code == 404
    assert _files(data_dir) == []


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [("l.exe", b"text", "must be named"), ("l.pdf", b"plain text", "is named .pdf"),
     ("l.txt", b"", "is empty")],
)  # fmt: skip
def test_a_file_a_resume_upload_refuses_is_a_422_naming_file(
    client: TestClient, db: DatabaseManager, data_dir: Path, name: str, content: bytes, rule: str
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    response = _upload(client, url, ada, name, content)
    assert response.status_code == 422
    assert response.json()["field"] == "file" and response.json()["rule"].startswith(rule)
    assert _files(data_dir) == []


def test_a_file_over_the_upload_limit_is_413_and_uploads_may_exceed_other_bodies(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    limit = cover_letter_files.MAX_BYTES
    for size in (limit + 1, limit * 2):
        assert _upload(client, url, ada, "l.txt", b"a" * size).status_code == 413
    assert _files(data_dir) == []
    assert _upload(client, url, ada, "l.txt", b"b" * (2 * 1024 * 1024)).status_code == 200


def test_a_coach_and_a_read_only_key_cannot_change_or_a_coach_see_the_letter(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    url = _application(db, ada_id)
    client.put(url, json={"body": "Dear team"}, headers=ada)
    coach = coach_of(client, db, ada_id, "ada@example.com")
    assert client.get(url.removesuffix("/cover-letter"), headers=coach).status_code == 200
    assert client.get(url, headers=coach).status_code == 404
    reader = read_only_key(db, ada_id)
    assert client.get(url, headers=reader).status_code == 200
    assert client.put(url, json={"body": "x"}, headers=reader).status_code == 403
    assert client.get(url, headers=ada).json()["body"] == "Dear team"
