"""Changing one's email over ``PATCH /me`` needs the account's password again; nothing else does."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.api.test_concurrency import data
from tests.support.api import PASSWORD, STRICT_POLICY
from tests.support.profile_api import read_only_key, signed_in

ME = "/api/v1/me"


def profile_data() -> dict[str, Any]:
    """Every row but the credentials' and the failed-attempt counts (a wrong password is one)."""
    return {name: rows for name, rows in data().items() if name != "sign_in_throttle"}


NEW_EMAIL = "ada.lovelace@example.com"


def test_an_email_change_without_the_current_password_is_422_and_changes_nothing(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    before = profile_data()
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
    assert profile_data() == before
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


def test_guessing_the_current_password_locks_the_account_like_failed_sign_ins(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    guesses = [
        client.patch(ME, json={"email": NEW_EMAIL, "current_password": f"guess {i}"}, headers=ada)
        for i in range(STRICT_POLICY.account_failures)
    ]
    assert [g.status_code for g in guesses] == [422] * STRICT_POLICY.account_failures
    locked = client.patch(ME, json={"email": NEW_EMAIL, "current_password": PASSWORD}, headers=ada)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0
    sign_in = client.post(
        "/api/v1/auth/token", data={"username": "ada@example.com", "password": PASSWORD}
    )
    assert sign_in.status_code == 429
    assert client.get(ME, headers=ada).json()["email"] == "ada@example.com"


def test_wrong_current_passwords_on_a_password_change_count_toward_the_same_lock(
    client: TestClient,
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    change = "/api/v1/auth/password"
    for i in range(STRICT_POLICY.account_failures):
        body = {"current_password": f"guess {i}", "new_password": "a-new-long-password"}
        assert client.post(change, json=body, headers=ada).status_code == 401
    body = {"current_password": PASSWORD, "new_password": "a-new-long-password"}
    assert client.post(change, json=body, headers=ada).status_code == 429


def test_a_right_current_password_clears_earlier_wrong_ones(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    emails = [NEW_EMAIL, "ada@example.com"] * STRICT_POLICY.account_failures
    for email in emails:
        for _ in range(STRICT_POLICY.account_failures - 1):
            wrong = {"email": email, "current_password": "guess"}
            assert client.patch(ME, json=wrong, headers=ada).status_code == 422
        right = {"email": email, "current_password": PASSWORD}
        assert client.patch(ME, json=right, headers=ada).status_code == 200
    assert client.get(ME, headers=ada).json()["email"] == emails[-1]
