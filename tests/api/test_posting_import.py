"""``POST /applications/import-posting``: a posting's address or HTML becomes an application."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.support.posting_server import PostingServer, fixture_html, posting_server
from tests.support.profile_api import read_only_key, signed_in

ROUTE = "/api/v1/applications/import-posting"


@pytest.fixture(scope="module")
def server() -> Iterator[PostingServer]:
    with posting_server() as running:
        yield running


def test_pasted_html_is_a_201_with_the_application_and_its_location(client: TestClient) -> None:
    _, ann = signed_in(client, "ann@example.com")
    response = client.post(ROUTE, json={"html": fixture_html("linkedin")}, headers=ann)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["job_title"], body["company"], body["location"]) == (
        "Machine Learning Engineer", "Acme Robotics", "Munich, Bavaria, DE",
    )  # fmt: skip
    assert body["status"] == "pending" and body["job_type"] == "full-time"
    assert "warehouse robots 🤖" in body["job_description"]
    assert response.headers["Location"] == f"/api/v1/applications/{body['id']}"
    assert client.get(response.headers["Location"], headers=ann).json()["id"] == body["id"]


def test_a_url_is_fetched_and_imported_with_the_status_given(
    client: TestClient, server: PostingServer
) -> None:
    _, ann = signed_in(client, "ann@example.com")
    response = client.post(
        ROUTE, json={"url": server.url("/graph.html"), "status": "applied"}, headers=ann
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["company"], body["location"], body["status"]) == (
        "Atelier Numérique", "Lyon, FR; Paris, FR", "applied",
    )  # fmt: skip
    assert body["job_url"] == "https://atelier.example/carrieres/fullstack/"


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "body"), ({"url": None}, "body"), ({"html": "<p>x</p>", "job_title": "x"}, "job_title")],
)
def test_a_body_without_url_or_html_is_a_422(
    client: TestClient, payload: dict[str, object], field: str
) -> None:
    _, ann = signed_in(client, "ann@example.com")
    response = client.post(ROUTE, json=payload, headers=ann)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_an_unfetchable_or_empty_page_is_a_422_naming_its_field(
    client: TestClient, server: PostingServer
) -> None:
    _, ann = signed_in(client, "ann@example.com")
    missing = client.post(ROUTE, json={"url": server.url("/status/404")}, headers=ann)
    assert missing.status_code == 422
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert (missing.json()["field"], missing.json()["rule"]) == (
        "url", "could not be fetched: the site answered HTTP 404",
    )  # fmt: skip
    empty = client.post(ROUTE, json={"html": "<html><p>Hi</p></html>"}, headers=ann)
    assert empty.status_code == 422 and empty.json()["field"] == "html"
    assert client.get("/api/v1/applications", headers=ann).json() == []


def test_hosted_mode_refuses_a_private_address_without_fetching(
    client: TestClient, server: PostingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ann = signed_in(client, "ann@example.com")
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    server.paths.clear()
    response = client.post(ROUTE, json={"url": server.url("/lever.html")}, headers=ann)
    assert response.status_code == 422 and response.json()["field"] == "url"
    assert "public address" in response.json()["rule"]
    assert server.paths == []


def test_a_read_only_key_is_refused_before_anything_is_fetched(
    client: TestClient, db: DatabaseManager, server: PostingServer
) -> None:
    ann_id, _ = signed_in(client, "ann@example.com")
    server.paths.clear()
    response = client.post(
        ROUTE, json={"url": server.url("/lever.html")}, headers=read_only_key(db, ann_id)
    )
    assert response.status_code == 403
    assert server.paths == []


def test_a_retry_with_the_same_idempotency_key_adds_nothing(client: TestClient) -> None:
    _, ann = signed_in(client, "ann@example.com")
    headers = {**ann, "Idempotency-Key": "import-1"}
    payload = {"html": fixture_html("workday")}
    first = client.post(ROUTE, json=payload, headers=headers)
    again = client.post(ROUTE, json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/applications", headers=ann).json()) == 1
