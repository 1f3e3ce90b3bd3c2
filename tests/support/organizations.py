"""Helpers of the organization and analytics API tests: people, organizations, pipelines."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support.api import bearer, register, sign_in

API = "/api/v1"
ORGS = f"{API}/organizations"

Headers = dict[str, str]


def signed_in(client: TestClient, email: str) -> tuple[int, Headers]:
    """Register ``email``; its id and the headers of a fresh access token."""
    user_id = register(client, email)
    return user_id, bearer(sign_in(client, email))


def found_organization(client: TestClient, headers: Headers, name: str = "Career Lab") -> int:
    """A new organization founded by the holder of ``headers``; its id."""
    response = client.post(ORGS, json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def invitation_token(
    client: TestClient, headers: Headers, organization_id: int, email: str, role: str = "member"
) -> str:
    """The token of a new invitation of ``email`` as ``role``."""
    response = client.post(
        f"{ORGS}/{organization_id}/invitations",
        json={"email": email, "role": role},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


def join(
    client: TestClient, manager: Headers, organization_id: int, email: str, role: str = "member"
) -> tuple[int, Headers]:
    """Sign ``email`` up and have them join with ``role``; their id and headers."""
    user_id, headers = signed_in(client, email)
    accept(client, headers, invitation_token(client, manager, organization_id, email, role))
    return user_id, headers


def accept(client: TestClient, headers: Headers, token: str) -> None:
    """The holder of ``headers`` accepts the invitation ``token``."""
    accepted = client.post(f"{API}/invitations/accept", json={"token": token}, headers=headers)
    assert accepted.status_code == 200, accepted.text


def apply(
    client: TestClient, headers: Headers, statuses: tuple[str, ...] = (), **fields: Any
) -> int:
    """A new application moved through ``statuses`` in turn; its id."""
    body = {"job_title": "Engineer", "company": "Acme", **fields}
    response = client.post(f"{API}/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    application_id = int(response.json()["id"])
    for status in statuses:
        moved = client.post(
            f"{API}/applications/{application_id}/status", json={"status": status}, headers=headers
        )
        assert moved.status_code == 200, moved.text
    return application_id
