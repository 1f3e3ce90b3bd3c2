"""Helpers of the record-file tests: accounts with applications, administrators, data folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.core.files import DATA_DIR_VARIABLE
from database.domain.accounts import create_api_key
from database.models import User
from tests.support.api import bearer, register, sign_in

APPLICATIONS = "/api/v1/applications"


def account(client: TestClient, email: str, **profile: object) -> tuple[int, dict[str, str]]:
    """Register ``email``; its id and the headers of a fresh access token."""
    user_id = register(client, email, **profile)
    return user_id, bearer(sign_in(client, email))


def add_application(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    """A new application through the API; its body."""
    response = client.post(APPLICATIONS, json=fields, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def make_server_admin(db: DatabaseManager, user_id: int) -> None:
    """Make the account a server administrator (only the database can)."""
    with db.session_scope() as session:
        user = session.get(User, user_id)
        assert user is not None
        user.is_server_admin = True


def private_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A data folder of the test's own (resume files go under it), never the project's."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(folder))
    return folder


def read_only_key(db: DatabaseManager, user_id: int) -> dict[str, str]:
    """The headers of a new read-only API key of the account."""
    with db.session_scope() as session:
        return bearer(create_api_key(session, user_id, "reader", {"read"}).token)


def companies(client: TestClient, headers: dict[str, str]) -> list[str]:
    """The companies of the account's applications, sorted."""
    response = client.get(APPLICATIONS, params={"limit": 200}, headers=headers)
    assert response.status_code == 200, response.text
    return sorted(a["company"] for a in response.json())
