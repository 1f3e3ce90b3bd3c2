"""The API's rate limit: a person's requests over it are a 429 with Retry-After, nobody else's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.services.rate_limits import RateLimiter, RateLimitPolicy
from tests.support.api import bearer, register, sign_in

LIMIT = 6
WINDOW = 10**8  # seconds: no window ends while the test runs


def limit(client: TestClient, requests: int = LIMIT) -> None:
    """Give the app a rate limit of ``requests`` per :data:`WINDOW` (as ``API_RATE_LIMIT`` does)."""
    client.app.state.rate_limiter = RateLimiter(RateLimitPolicy(requests, WINDOW))  # type: ignore[attr-defined]


def test_requests_over_the_limit_are_a_429_problem_with_retry_after(
    client: TestClient, db: DatabaseManager
) -> None:
    register(client)
    headers = bearer(sign_in(client))
    limit(client)
    reads = [client.get("/api/v1/me", headers=headers) for _ in range(LIMIT)]
    assert [r.status_code for r in reads] == [200] * LIMIT
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW
    assert "too many requests" in refused.json()["detail"]
    write = client.post(
        "/api/v1/applications", headers=headers, json={"job_title": "Dev", "company": "Co"}
    )
    assert write.status_code == 429
    assert client.get("/api/v1/applications", headers=headers).status_code == 429


def test_a_refused_write_changes_nothing(client: TestClient, db: DatabaseManager) -> None:
    register(client)
    headers = bearer(sign_in(client))
    limit(client, 1)
    body = {"job_title": "Dev", "company": "Co"}
    assert client.post("/api/v1/applications", headers=headers, json=body).status_code == 201
    assert client.post("/api/v1/applications", headers=headers, json=body).status_code == 429
    limit(client, 10)
    listed = client.get("/api/v1/applications", headers=headers)
    assert [a["company"] for a in listed.json()] == ["Co"]


def test_one_persons_limit_leaves_others_served(client: TestClient, db: DatabaseManager) -> None:
    register(client, "ann@example.com")
    register(client, "bob@example.com")
    ann, bob = (
        bearer(sign_in(client, "ann@example.com")),
        bearer(sign_in(client, "bob@example.com")),
    )
    limit(client)
    for _ in range(LIMIT):
        client.get("/api/v1/me", headers=ann)
    assert client.get("/api/v1/me", headers=ann).status_code == 429
    assert client.get("/api/v1/me", headers=bob).status_code == 200


def test_without_a_limit_nothing_is_refused(client: TestClient, db: DatabaseManager) -> None:
    register(client)
    headers = bearer(sign_in(client))
    statuses = {client.get("/api/v1/me", headers=headers).status_code for _ in range(30)}
    assert statuses == {200}
