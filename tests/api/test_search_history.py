"""Search history over the API: each person records, lists and deletes only their own searches."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.support.profile_api import Headers, coach_of, read_only_key, signed_in

BASE = "/api/v1/search-history"
SEARCH = {"job_title": "Data Engineer", "location": "Berlin", "sources_searched": ["indeed"]}


def record(client: TestClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = client.post(BASE, json={**SEARCH, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_search_is_recorded_with_its_results_and_defaults(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    created = record(client, ada, total_results=40, filtered_results=12, search_duration=1.5)
    assert created["job_title"] == "Data Engineer"
    assert created["sources_searched"] == ["indeed"]
    assert (created["total_results"], created["filtered_results"]) == (40, 12)
    assert created["applications_made"] == 0
    assert created["search_date"] is not None
    assert "user_id" not in created
    assert client.get(BASE, headers=ada).json() == [created]


def test_listing_pages_newest_first_with_the_total_in_a_header(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    ids = [record(client, ada, search_date=f"2026-01-0{day}T10:00:00Z")["id"] for day in (1, 3, 2)]
    newest_first = [ids[1], ids[2], ids[0]]
    pages: list[int] = []
    for offset in (0, 2):
        response = client.get(BASE, params={"limit": 2, "offset": offset}, headers=ada)
        assert response.status_code == 200
        assert response.headers["x-total-count"] == "3"
        pages.extend(entry["id"] for entry in response.json())
    assert pages == newest_first


def test_bad_searches_and_paging_are_422_naming_the_field(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    for body, field in (
        ({"total_results": -1}, "total_results"),
        ({"search_duration": -2.0}, "search_duration"),
        ({"job_title": "x" * 201}, "job_title"),
        ({"user_id": 1}, "user_id"),
        ({"id": 5}, "id"),
    ):
        response = client.post(BASE, json=body, headers=ada)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == field
    for params, field in (({"limit": 201}, "limit"), ({"offset": -1}, "offset")):
        assert client.get(BASE, params=params, headers=ada).json()["field"] == field
    assert client.delete(f"{BASE}/0", headers=ada).json()["field"] == "search_id"
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "0"


def test_a_search_is_deleted_once(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    kept = record(client, ada)
    gone = record(client, ada)
    assert client.delete(f"{BASE}/{gone['id']}", headers=ada).status_code == 204
    assert client.delete(f"{BASE}/{gone['id']}", headers=ada).status_code == 404
    assert [entry["id"] for entry in client.get(BASE, headers=ada).json()] == [kept["id"]]


def test_another_person_and_even_a_coach_get_404_and_see_nothing(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    coach = coach_of(client, db, ada_id, "ada@example.com")
    created = record(client, ada)
    for headers in (bob, coach):
        refused = client.delete(f"{BASE}/{created['id']}", headers=headers)
        assert refused.status_code == 404
        assert refused.json() == client.delete(f"{BASE}/999999", headers=headers).json()
        assert client.get(BASE, headers=headers).json() == []
        assert client.get(BASE, headers=headers).headers["x-total-count"] == "0"
    assert client.get(BASE, headers=ada).json() == [created]


def test_a_read_only_api_key_lists_but_does_not_write(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    created = record(client, ada)
    key = read_only_key(db, ada_id)
    assert client.get(BASE, headers=key).json() == [created]
    assert client.post(BASE, json=SEARCH, headers=key).status_code == 403
    assert client.delete(f"{BASE}/{created['id']}", headers=key).status_code == 403
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "1"


def test_search_history_routes_refuse_a_request_without_credentials(client: TestClient) -> None:
    for method, url in (("GET", BASE), ("POST", BASE), ("DELETE", f"{BASE}/1")):
        assert client.request(method, url, json=SEARCH).status_code == 401
