"""Helpers of the API tests: sign-up, sign-in and credentials over a test client."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from database.domain.accounts import ThrottlePolicy

PASSWORD = "correct horse battery"
#: Strict enough that a test reaches the lock in a few attempts.
STRICT_POLICY = ThrottlePolicy(account_failures=2, address_failures=50, window=timedelta(minutes=5))


def register(client: TestClient, email: str = "ada@example.com", **profile: object) -> int:
    """Sign ``email`` up with :data:`PASSWORD`; the new account's id."""
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, **profile}
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def sign_in(client: TestClient, email: str = "ada@example.com", password: str = PASSWORD) -> str:
    """An access token for ``email``."""
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
