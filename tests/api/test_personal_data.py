"""``GET /me/export`` and ``DELETE /me``: one's own data out as a ZIP, and the account gone."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain import resumes
from database.models import Membership, OrganizationRole
from tests.support.organizations import found_organization, join
from tests.support.records import account, add_application, private_data_dir, read_only_key

ME = "/api/v1/me"
RESUMES = "/api/v1/resumes"


@pytest.fixture
def data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return private_data_dir(monkeypatch, tmp_path)


def _upload(client: TestClient, headers: dict[str, str], text: bytes) -> int:
    response = client.post(RESUMES, files={"file": ("cv.txt", text, "text/plain")}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _stored(db: DatabaseManager, resume_id: int) -> Path:
    with db.session_scope() as session:
        resume = resumes.get(session, resume_id)
        assert resume is not None
        return Path(resume.file_path)


def test_the_export_is_a_zip_attachment_of_ones_own_rows_and_files(
    client: TestClient, data_dir: Path
) -> None:
    ann_id, ann = account(client, "ann@example.com")
    _, bob = account(client, "bob@example.com")
    add_application(client, ann, job_title="Engineer", company="Acme")
    add_application(client, bob, job_title="Pilot", company="Bob Air")
    _upload(client, ann, b"Ann Example, Python")
    response = client.get(f"{ME}/export", headers=ann)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        applications = json.loads(archive.read("tables/job_applications.json"))
        (user,) = json.loads(archive.read("tables/users.json"))
        manifest = json.loads(archive.read("manifest.json"))
        (entry,) = manifest["files"]
        assert archive.read(entry["path"]) == b"Ann Example, Python"
        assert "README.md" in archive.namelist()
    assert [a["company"] for a in applications] == ["Acme"]
    assert user["id"] == ann_id and "password_hash" not in user
    assert b"Bob Air" not in response.content


def test_closing_the_account_erases_its_rows_and_files_and_ends_its_credentials(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    _, ann = account(client, "ann@example.com")
    _, bob = account(client, "bob@example.com")
    ann_file = _stored(db, _upload(client, ann, b"Ann Example, Python"))
    bob_file = _stored(db, _upload(client, bob, b"Bob Example, Go"))
    add_application(client, ann, job_title="Engineer", company="Acme")
    response = client.delete(ME, headers=ann)
    assert response.status_code == 204, response.text
    assert not ann_file.exists() and bob_file.read_bytes() == b"Bob Example, Go"
    assert client.get(ME, headers=ann).status_code == 401
    assert client.get(RESUMES, headers=bob).status_code == 200


def test_closing_the_account_hands_an_organization_to_its_admin(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    _, ann = account(client, "ann@example.com")
    organization = found_organization(client, ann)
    admin_id, _ = join(client, ann, organization, "ada@example.com", "admin")
    assert client.delete(ME, headers=ann).status_code == 204
    with db.session_scope() as session:
        (left,) = session.query(Membership).filter_by(organization_id=organization).all()
        assert (left.user_id, left.role) == (admin_id, OrganizationRole.OWNER)


def test_closing_the_account_of_a_last_owner_without_an_admin_is_422_and_keeps_it(
    client: TestClient, data_dir: Path
) -> None:
    _, ann = account(client, "ann@example.com")
    organization = found_organization(client, ann)
    join(client, ann, organization, "max@example.com", "member")
    response = client.delete(ME, headers=ann)
    assert response.status_code == 422, response.text
    assert "role" in response.text and "Career Lab" in response.text
    assert client.get(ME, headers=ann).status_code == 200


def test_a_read_only_key_exports_but_may_not_close_the_account(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    ann_id, ann = account(client, "ann@example.com")
    reader = read_only_key(db, ann_id)
    assert client.get(f"{ME}/export", headers=reader).status_code == 200
    assert client.delete(ME, headers=reader).status_code == 403
    assert client.get(ME, headers=ann).status_code == 200
