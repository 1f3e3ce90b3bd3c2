"""Bad requests are problem+json, never a 500; the body limit; the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.limits import MAX_BODY_BYTES

PROBLEM = "application/problem+json"


def test_malformed_json_is_422_problem(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register",
        content=b'{"email": "ada@example.com", "password": ',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert {"type", "title", "status", "detail", "field", "rule"} <= problem.keys()
    assert problem["status"] == 422


def test_a_missing_field_is_named(client: TestClient) -> None:
    response = client.post("/api/v1/auth/register", json={"email": "ada@example.com"})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["field"] == "password"


def test_a_wrongly_typed_field_is_named_without_its_value(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "ada@example.com", "password": "secret-value-123", "skills": "python"},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "skills"
    assert "secret-value-123" not in response.text


def test_a_body_over_the_limit_is_413(client: TestClient) -> None:
    body = b'{"email": "' + b"a" * MAX_BODY_BYTES + b'"}'
    response = client.post(
        "/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)


def test_a_streamed_body_over_the_limit_is_413(client: TestClient) -> None:
    chunk = b"a" * 65536

    def chunks() -> object:
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            yield chunk

    response = client.post(
        "/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


def test_an_unknown_route_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM)


def test_openapi_is_3_1_and_lists_the_routes(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Auto Applyer"
    assert {
        "/api/v1/health",
        "/api/v1/auth/register",
        "/api/v1/auth/token",
        "/api/v1/auth/logout",
        "/api/v1/me",
    } <= document["paths"].keys()
    assert client.get("/docs").status_code == 200
