"""The profile over the API: ``/me`` and ``/me/preferences``, read and changed by the owner only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain import users
from tests.support.api import PASSWORD
from tests.support.profile_api import read_only_key, signed_in

ME = "/api/v1/me"
PREFERENCES = "/api/v1/me/preferences"


def test_a_person_changes_their_own_profile(client: TestClient) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    response = client.patch(
        ME,
        json={"first_name": "Ada", "skills": ["Python", "SQL"], "experience_years": 7},
        headers=ada,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["first_name"], body["skills"]) == (user_id, "Ada", ["Python", "SQL"])
    assert body["experience_years"] == 7
    assert client.get(ME, headers=ada).json() == body
    cleared = client.patch(ME, json={"first_name": None}, headers=ada)
    assert cleared.json()["first_name"] is None
    assert cleared.json()["skills"] == ["Python", "SQL"]


def test_the_email_changes_only_to_one_no_other_account_has(
    client: TestClient, db: DatabaseManager
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    signed_in(client, "bob@example.com")
    confirmed = {"current_password": PASSWORD}
    taken = client.patch(ME, json={"email": "BOB@Example.com", **confirmed}, headers=ada)
    assert taken.status_code == 422
    assert taken.headers["content-type"] == "application/problem+json"
    assert taken.json()["field"] == "email"
    assert client.get(ME, headers=ada).json()["email"] == "ada@example.com"

    moved = client.patch(ME, json={"email": "ada.lovelace@example.com", **confirmed}, headers=ada)
    assert moved.status_code == 200
    with db.session_scope() as session:
        assert users.find_by_email(session, "ADA.LOVELACE@example.com") is not None
        assert users.find_by_email(session, "ada@example.com") is None
        assert users.get(session, user_id) is not None


def test_a_body_cannot_set_the_accounts_state_role_or_secrets(client: TestClient) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    before = client.get(ME, headers=ada).json()
    for field, value in (
        ("is_server_admin", True),
        ("is_active", False),
        ("password_hash", "x"),
        ("email_key", "bob@example.com"),
        ("id", user_id + 1),
        ("created_at", "2020-01-01T00:00:00Z"),
    ):
        response = client.patch(ME, json={field: value}, headers=ada)
        assert response.status_code == 422, field
        assert response.json()["field"] == field
    assert client.get(ME, headers=ada).json() == before


def test_bad_profile_values_are_422_naming_the_field(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    for body, field in (
        ({"email": "not-an-email"}, "email"),
        ({"experience_years": 200}, "experience_years"),
        ({"first_name": "x" * 101}, "first_name"),
        ({"skills": "Python"}, "skills"),
    ):
        response = client.patch(ME, json=body, headers=ada)
        assert response.status_code == 422
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field


def test_preferences_read_change_and_replace(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    initial = client.get(PREFERENCES, headers=ada)
    assert initial.status_code == 200
    assert initial.json()["preferred_job_titles"] == []
    assert initial.json()["email_notifications"] is True

    changed = client.patch(
        PREFERENCES,
        json={"preferred_locations": ["Berlin"], "salary_min": 50000, "salary_currency": "EUR"},
        headers=ada,
    )
    assert changed.status_code == 200
    assert changed.json()["preferred_locations"] == ["Berlin"]
    assert changed.json()["salary_min"] == 50000
    assert client.get(PREFERENCES, headers=ada).json() == changed.json()

    replaced = client.put(PREFERENCES, json={"preferred_job_titles": ["SRE"]}, headers=ada)
    assert replaced.status_code == 200
    body = replaced.json()
    assert body["preferred_job_titles"] == ["SRE"]
    assert (body["preferred_locations"], body["salary_min"], body["salary_currency"]) == (
        [],
        None,
        None,
    )


def test_missing_preferences_read_as_the_defaults(client: TestClient, db: DatabaseManager) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    with db.session_scope() as session:
        preferences = users.get_preferences(session, user_id)
        assert preferences is not None
        session.delete(preferences)
    response = client.get(PREFERENCES, headers=ada)
    assert response.status_code == 200
    assert response.json()["updated_at"] is None
    assert response.json()["remote_work_preference"] is False
    created = client.patch(PREFERENCES, json={"remote_work_preference": True}, headers=ada)
    assert created.json()["remote_work_preference"] is True
    assert created.json()["updated_at"] is not None


def test_bad_preferences_are_422_and_change_nothing(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    client.patch(PREFERENCES, json={"salary_max": 60000}, headers=ada)
    before = client.get(PREFERENCES, headers=ada).json()
    for body, field in (
        ({"salary_min": 70000}, "salary_min"),
        ({"salary_currency": "euros"}, "salary_currency"),
        ({"user_id": 1}, "user_id"),
        ({"email_notifications": None}, "email_notifications"),
    ):
        response = client.patch(PREFERENCES, json=body, headers=ada)
        assert response.status_code == 422, body
        assert response.json()["field"] == field
    assert client.put(PREFERENCES, json={"salary_min": -1}, headers=ada).json()["field"] == (
        "salary_min"
    )
    assert client.get(PREFERENCES, headers=ada).json() == before


def test_each_person_sees_only_their_own_preferences(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    client.patch(PREFERENCES, json={"preferred_companies": ["Acme"]}, headers=ada)
    assert client.get(PREFERENCES, headers=bob).json()["preferred_companies"] == []
    client.patch(PREFERENCES, json={"preferred_companies": ["Globex"]}, headers=bob)
    assert client.get(PREFERENCES, headers=ada).json()["preferred_companies"] == ["Acme"]


def test_a_read_only_api_key_reads_the_profile_but_changes_nothing(
    client: TestClient, db: DatabaseManager
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    key = read_only_key(db, user_id)
    assert client.get(ME, headers=key).status_code == 200
    assert client.get(PREFERENCES, headers=key).status_code == 200
    refused = [
        client.patch(ME, json={"first_name": "Eve"}, headers=key),
        client.patch(PREFERENCES, json={"salary_min": 1}, headers=key),
        client.put(PREFERENCES, json={}, headers=key),
    ]
    assert [response.status_code for response in refused] == [403] * 3
    assert refused[0].headers["content-type"] == "application/problem+json"
    assert client.get(ME, headers=ada).json()["first_name"] is None
    assert client.get(PREFERENCES, headers=ada).json()["salary_min"] is None


def test_profile_routes_refuse_a_request_without_credentials(client: TestClient) -> None:
    for method in ("GET", "PATCH"):
        assert client.request(method, ME, json={}).status_code == 401
    for method in ("GET", "PATCH", "PUT"):
        assert client.request(method, PREFERENCES, json={}).status_code == 401


def test_a_body_over_the_limit_is_413_outside_uploads(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    response = client.patch(ME, json={"summary": "x" * (1024 * 1024 + 1)}, headers=ada)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
