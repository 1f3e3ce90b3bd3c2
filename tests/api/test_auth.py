"""Sign-up, sign-in, the profile and sign-out through the API, on every engine."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import PASSWORD, bearer, register, sign_in

PROBLEM = "application/problem+json"


def test_health_answers_without_credentials(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_register_returns_the_profile_without_secrets(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "password": PASSWORD, "first_name": "Ada"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "ada@example.com"
    assert body["first_name"] == "Ada"
    assert body["is_server_admin"] is False
    assert not {"password", "password_hash", "email_key"} & body.keys()
    assert PASSWORD not in response.text


def test_register_refuses_fields_nobody_may_set_themselves(client: TestClient) -> None:
    for field, value in (("is_server_admin", True), ("id", 7), ("password_hash", "x")):
        response = client.post(
            "/api/v1/auth/register",
            json={"email": "eve@example.com", "password": PASSWORD, field: value},
        )
        assert response.status_code == 422
        assert response.json()["field"] == field
    form = {"username": "eve@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/token", data=form).status_code == 401


def test_register_twice_is_a_validation_problem(client: TestClient) -> None:
    register(client)
    response = client.post(
        "/api/v1/auth/register", json={"email": "ADA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["field"] == "email"


def test_a_short_password_names_field_and_rule(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "ada@example.com", "password": "short"}
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["field"] == "password"
    assert problem["rule"]
    assert "short" not in response.text


def test_token_me_logout_then_the_token_is_refused(client: TestClient) -> None:
    user_id = register(client, first_name="Ada")
    response = client.post(
        "/api/v1/auth/token", data={"username": "ada@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    issued = response.json()
    assert issued["token_type"] == "bearer"
    assert issued["expires_at"]
    headers = bearer(issued["access_token"])

    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["id"] == user_id
    assert me.json()["first_name"] == "Ada"
    assert me.json()["last_login"] is not None

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"
    assert after.headers["content-type"].startswith(PROBLEM)


def test_me_without_or_with_a_bad_token_is_401(client: TestClient) -> None:
    for headers in ({}, bearer("aa_not_a_token"), {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["status"] == 401


def test_wrong_password_and_unknown_email_look_the_same(client: TestClient) -> None:
    register(client)
    wrong = client.post(
        "/api/v1/auth/token", data={"username": "ada@example.com", "password": "wrong password"}
    )
    unknown = client.post(
        "/api/v1/auth/token", data={"username": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


def test_repeated_failures_are_throttled_with_retry_after(client: TestClient) -> None:
    register(client)
    form = {"username": "ada@example.com", "password": "wrong password"}
    statuses = [client.post("/api/v1/auth/token", data=form).status_code for _ in range(2)]
    assert statuses == [401, 401]
    locked = client.post("/api/v1/auth/token", data={**form, "password": PASSWORD})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert locked.headers["content-type"].startswith(PROBLEM)


def test_sign_in_refuses_a_missing_form_field(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", data={"username": "ada@example.com"})
    assert response.status_code == 422
    assert response.json()["field"] == "password"


def test_a_new_token_still_works_after_another_is_revoked(client: TestClient) -> None:
    register(client)
    first, second = sign_in(client), sign_in(client)
    assert client.post("/api/v1/auth/logout", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200
