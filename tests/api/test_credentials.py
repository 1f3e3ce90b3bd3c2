"""Password change and reset, and personal API keys, through the API on every engine."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from database.domain.accounts import SmtpMailSender
from tests.support.api import PASSWORD, STRICT_POLICY, bearer, register, sign_in
from tests.support.smtp import Inbox, smtp_server

NEW_PASSWORD = "a brand new passphrase"
RESET_CODE = re.compile(r"usable once\): (\S+)")


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def client(db: DatabaseManager, inbox: Inbox) -> Iterator[TestClient]:
    """The API sending its mail to the local SMTP server of ``inbox``."""
    app = create_app(
        throttle_policy=STRICT_POLICY, mailer=SmtpMailSender(host=inbox.host, port=inbox.port)
    )
    with TestClient(app) as test_client:
        yield test_client


def reset_code(client: TestClient, inbox: Inbox, email: str = "ada@example.com") -> str:
    """Ask for a reset of ``email`` and read the code from the mail that arrives."""
    before = len(inbox.messages)
    response = client.post("/api/v1/auth/password-reset", json={"email": email})
    assert response.status_code == 202
    message = inbox.wait_for(before + 1)[-1]
    assert message["To"] == email
    found = RESET_CODE.search(message.get_content())
    assert found is not None
    return found.group(1)


def new_key(client: TestClient, token: str, **body: object) -> dict[str, object]:
    response = client.post("/api/v1/api-keys", json={"name": "ci", **body}, headers=bearer(token))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_password_change_ends_the_token_and_the_new_password_signs_in(
    client: TestClient,
) -> None:
    register(client)
    token = sign_in(client)
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    fresh = sign_in(client, password=NEW_PASSWORD)
    assert client.get("/api/v1/me", headers=bearer(fresh)).status_code == 200
    form = {"username": "ada@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 401


def test_a_wrong_current_password_is_401_and_changes_nothing(client: TestClient) -> None:
    register(client)
    token = sign_in(client)
    body = {"current_password": "not my password", "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    sign_in(client)


def test_a_weak_new_password_names_new_password(client: TestClient) -> None:
    register(client)
    body = {"current_password": PASSWORD, "new_password": "short"}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(sign_in(client)))
    assert response.status_code == 422
    assert response.json()["field"] == "new_password"
    assert "short" not in response.text


def test_the_mailed_reset_code_resets_the_password_once(client: TestClient, inbox: Inbox) -> None:
    register(client)
    old_token = sign_in(client)
    code = reset_code(client, inbox)
    confirm = {"token": code, "new_password": NEW_PASSWORD}
    assert client.post("/api/v1/auth/password-reset/confirm", json=confirm).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(old_token)).status_code == 401
    sign_in(client, password=NEW_PASSWORD)

    again = client.post(
        "/api/v1/auth/password-reset/confirm", json={**confirm, "new_password": "yet another one!"}
    )
    assert again.status_code == 422
    assert again.json()["field"] == "token"
    sign_in(client, password=NEW_PASSWORD)


def test_an_unknown_reset_code_is_422_naming_token(client: TestClient) -> None:
    confirm = {"token": "aa_unknown", "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password-reset/confirm", json=confirm)
    assert response.status_code == 422
    assert response.json()["field"] == "token"


def test_an_unknown_email_gets_202_and_no_mail(client: TestClient, inbox: Inbox) -> None:
    register(client)
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    assert unknown.status_code == 202
    assert unknown.content == b""
    reset_code(client, inbox)  # a known one does get its mail, after the unknown one
    assert len(inbox.messages) == 1


def test_an_api_key_signs_in_is_listed_without_secret_and_ends_when_revoked(
    client: TestClient,
) -> None:
    user_id = register(client)
    token = sign_in(client)
    created = new_key(client, token, scopes=["read", "write"])
    key = str(created["key"])
    assert created["scopes"] == ["read", "write"]
    assert created["revoked"] is False
    me = client.get("/api/v1/me", headers=bearer(key))
    assert me.status_code == 200
    assert me.json()["id"] == user_id

    listed = client.get("/api/v1/api-keys", headers=bearer(token))
    assert listed.status_code == 200
    [shown] = listed.json()
    assert shown["id"] == created["id"]
    assert shown["name"] == "ci"
    assert shown["prefix"] == created["prefix"]
    assert shown["last_used_at"] is not None
    assert not {"key", "token", "token_hash"} & shown.keys()
    assert key not in listed.text

    revoked = client.delete(f"/api/v1/api-keys/{created['id']}", headers=bearer(token))
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=bearer(key)).status_code == 401
    assert client.get("/api/v1/api-keys", headers=bearer(token)).json() == []


def test_deleting_someone_elses_key_is_404_and_the_key_still_works(client: TestClient) -> None:
    register(client)
    register(client, "bob@example.com")
    key = new_key(client, sign_in(client))
    bob = bearer(sign_in(client, "bob@example.com"))
    assert client.delete(f"/api/v1/api-keys/{key['id']}", headers=bob).status_code == 404
    assert client.delete("/api/v1/api-keys/999999", headers=bob).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(str(key["key"]))).status_code == 200
    assert client.get("/api/v1/api-keys", headers=bob).json() == []


def test_a_read_only_key_cannot_create_keys(client: TestClient) -> None:
    register(client)
    read_only = bearer(str(new_key(client, sign_in(client), scopes=["read"])["key"]))
    response = client.post("/api/v1/api-keys", json={"name": "more"}, headers=read_only)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/api-keys", headers=read_only).status_code == 200
    assert len(client.get("/api/v1/api-keys", headers=read_only).json()) == 1


def test_a_key_body_refuses_unknown_fields_and_bad_scopes(client: TestClient) -> None:
    register(client)
    headers = bearer(sign_in(client))
    for body, field in (
        ({"name": "ci", "user_id": 2}, "user_id"),
        ({"name": "ci", "scopes": ["admin"]}, "scopes[0]"),
        ({"name": "ci", "scopes": ["write"]}, "scopes"),
        ({"name": "ci", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
    ):
        response = client.post("/api/v1/api-keys", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["field"] == field
