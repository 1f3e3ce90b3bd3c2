"""Changing one's email over ``PATCH /me`` needs the account's password again; nothing else does."""

from __future__ import annotations

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.api.test_concurrency import data
from tests.support.api import PASSWORD
from tests.support.profile_api import read_only_key, signed_in

ME = "/api/v1/me"
NEW_EMAIL = "ada.lovelace@example.com"


def test_an_email_change_without_the_current_password_is_422_and_changes_nothing(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    before = data()
    for body in (
        {"email": NEW_EMAIL},
        {"email": NEW_EMAIL, "current_password": None},
        {"email": NEW_EMAIL, "current_password": "not my password", "first_name": "Ada"},
    ):
        refused = client.patch(ME, json=body, headers=ada)
        assert refused.status_code == 422, body
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["field"] == "current_password"
        assert "not my password" not in refused.text
    assert data() == before
    assert client.get(ME, headers=ada).json()["email"] == "ada@example.com"


def test_the_current_password_is_checked_before_whether_the_email_is_taken(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    signed_in(client, "bob@example.com")
    refused = client.patch(ME, json={"email": "bob@example.com"}, headers=ada)
    assert refused.status_code == 422
    assert refused.json()["field"] == "current_password"


def test_the_email_changes_with_the_current_password_and_signs_in_under_it(
    client: TestClient,
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    body = {"email": NEW_EMAIL, "current_password": PASSWORD, "first_name": "Ada"}
    moved = client.patch(ME, json=body, headers=ada)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["email"], moved.json()["first_name"]) == (NEW_EMAIL, "Ada")
    assert "current_password" not in moved.json()
    form = {"username": NEW_EMAIL, "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 200
    assert client.get(ME, headers=ada).json()["id"] == user_id


def test_other_fields_and_the_unchanged_email_need_no_password(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    body = {"email": "ada@example.com", "first_name": "Ada", "location": "London"}
    changed = client.patch(ME, json=body, headers=ada)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["first_name"], changed.json()["location"]) == ("Ada", "London")


def test_a_read_only_key_cannot_change_the_email_even_with_the_password(
    client: TestClient, db: DatabaseManager
) -> None:
    user_id, _ = signed_in(client, "ada@example.com")
    body = {"email": NEW_EMAIL, "current_password": PASSWORD}
    refused = client.patch(ME, json=body, headers=read_only_key(db, user_id))
    assert refused.status_code == 403
