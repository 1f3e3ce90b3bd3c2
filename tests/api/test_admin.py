"""The server administrator's routes: settings and whole-database backups, for them only.

Everyone else is a 403 (anonymous a 401); a backup name never leaves the
backup folder; nothing shows the database URL or a secret setting's value.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.support.records import (
    account,
    add_application,
    companies,
    make_server_admin,
    private_data_dir,
    read_only_key,
)

ADMIN = "/api/v1/admin"
#: Every administrator route: (method, path, JSON body).
ROUTES: tuple[tuple[str, str, object], ...] = (
    ("GET", f"{ADMIN}/settings", None),
    ("PUT", f"{ADMIN}/settings/site_name", {"value": "x"}),
    ("GET", f"{ADMIN}/backups", None),
    ("POST", f"{ADMIN}/backups", {}),
    ("GET", f"{ADMIN}/backups/some_backup.json", None),
    ("POST", f"{ADMIN}/backups/some_backup.json/restore", {"confirm": True}),
)


@pytest.fixture
def backup_dir(client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    private_data_dir(monkeypatch, tmp_path)
    folder = tmp_path / "backups"
    client.app.state.backup_dir = folder  # type: ignore[attr-defined]
    return folder


@pytest.fixture
def admin(client: TestClient, db: DatabaseManager, backup_dir: Path) -> dict[str, str]:
    user_id, headers = account(client, "root@example.com")
    make_server_admin(db, user_id)
    return headers


def test_everyone_but_a_server_administrator_is_refused(
    client: TestClient, backup_dir: Path, db: DatabaseManager
) -> None:
    _, ann = account(client, "ann@example.com")
    for method, path, body in ROUTES:
        assert client.request(method, path, json=body, headers=ann).status_code == 403, path
        assert client.request(method, path, json=body).status_code == 401, path
    assert not backup_dir.exists()


def test_an_administrator_reads_and_writes_settings(
    client: TestClient, admin: dict[str, str]
) -> None:
    written = client.put(f"{ADMIN}/settings/max_results", json={"value": 50}, headers=admin)
    assert written.status_code == 200, written.text
    assert written.json()["value"] == 50 and written.json()["setting_type"] == "integer"
    client.put(
        f"{ADMIN}/settings/smtp_password", json={"value": "hunter2", "description": "mail"},
        headers=admin,
    )  # fmt: skip
    listed = client.get(f"{ADMIN}/settings", headers=admin)
    assert listed.status_code == 200
    settings = {s["key"]: s for s in listed.json()}
    assert settings["max_results"]["value"] == 50
    assert settings["smtp_password"]["secret"] is True
    assert "hunter2" not in listed.text
    refused = client.put(
        f"{ADMIN}/settings/max_results", json={"value": "many", "setting_type": "integer"},
        headers=admin,
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["field"] == "value"
    unknown = client.put(f"{ADMIN}/settings/x", json={"value": 1, "id": 3}, headers=admin)
    assert unknown.status_code == 422


def test_an_administrator_backs_up_lists_downloads_and_restores(
    client: TestClient, admin: dict[str, str], backup_dir: Path, db: DatabaseManager
) -> None:
    _, ann = account(client, "ann@example.com")
    add_application(client, ann, job_title="Engineer", company="Acme")
    created = client.post(f"{ADMIN}/backups", json={"name": "before"}, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["filename"] == "before.json"
    assert (backup_dir / "before.json").is_file()

    listed = client.get(f"{ADMIN}/backups?verify=true", headers=admin)
    (entry,) = listed.json()
    assert entry["filename"] == "before.json" and entry["verified"] is True
    assert str(backup_dir) not in listed.text

    downloaded = client.get(f"{ADMIN}/backups/before.json", headers=admin)
    assert downloaded.status_code == 200
    assert json.loads(downloaded.content)["metadata"]["format"] == "auto-applyer-backup"

    add_application(client, ann, job_title="Later", company="Beta")
    unconfirmed = client.post(f"{ADMIN}/backups/before.json/restore", json={}, headers=admin)
    assert unconfirmed.status_code == 422
    restored = client.post(
        f"{ADMIN}/backups/before.json/restore", json={"confirm": True}, headers=admin
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["safety_backup"].startswith("pre-restore-")
    assert str(backup_dir) not in restored.text
    assert companies(client, ann) == ["Acme"]


@pytest.mark.parametrize("name", ["..%2Fx", "%2E%2E", "..x", ".hidden", "a%5Cb", "%2Fetc%2Fpasswd"])
def test_a_backup_name_never_leaves_the_backup_folder(
    client: TestClient, admin: dict[str, str], backup_dir: Path, name: str
) -> None:
    secret = backup_dir.parent / "x.json"
    secret.write_text("{}")
    for method, suffix, body in (("GET", "", None), ("POST", "/restore", {"confirm": True})):
        response = client.request(
            method, f"{ADMIN}/backups/{name}{suffix}", json=body, headers=admin
        )
        assert response.status_code in {404, 422}, (name, response.text)
        assert response.content != b"{}"


def test_an_unknown_backup_is_a_404(client: TestClient, admin: dict[str, str]) -> None:
    assert client.get(f"{ADMIN}/backups/nope.json", headers=admin).status_code == 404
    restore = client.post(f"{ADMIN}/backups/nope/restore", json={"confirm": True}, headers=admin)
    assert restore.status_code == 404


def test_a_read_only_key_of_an_administrator_only_reads(
    client: TestClient, db: DatabaseManager, backup_dir: Path
) -> None:
    user_id, _ = account(client, "root@example.com")
    make_server_admin(db, user_id)
    key = read_only_key(db, user_id)
    assert client.get(f"{ADMIN}/settings", headers=key).status_code == 200
    assert client.get(f"{ADMIN}/backups", headers=key).status_code == 200
    assert client.post(f"{ADMIN}/backups", json={}, headers=key).status_code == 403
    assert client.put(f"{ADMIN}/settings/a", json={"value": 1}, headers=key).status_code == 403


def test_no_answer_shows_the_database_url(
    client: TestClient, admin: dict[str, str], db: DatabaseManager
) -> None:
    url = db.config.url.render_as_string(hide_password=False)
    client.post(f"{ADMIN}/backups", json={}, headers=admin)
    for path in ("settings", "backups"):
        response = client.get(f"{ADMIN}/{path}", headers=admin)
        assert url not in response.text
        if db.config.url.password:
            assert db.config.url.password not in response.text
