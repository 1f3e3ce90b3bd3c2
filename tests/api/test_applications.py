"""Applications over the API, per actor: owners write, their coaches read, others see nothing.

A coach who can read a member's application but PATCHes it gets a 403, not a
404: the application is visible to them, so refusing the change reveals
nothing they could not already read.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain.accounts import create_api_key
from database.domain.organizations import accept_invitation, create_organization, invite
from tests.support.api import bearer, register, sign_in

BASE = "/api/v1/applications"
JOB = {"job_title": "Data Engineer", "company": "Acme", "location": "Berlin"}


def signed_in(client: TestClient, email: str) -> tuple[int, dict[str, str]]:
    """Register ``email``; its id and the headers of a fresh access token."""
    user_id = register(client, email)
    return user_id, bearer(sign_in(client, email))


def create(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = client.post(BASE, json={**JOB, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def join(db: DatabaseManager, owner_id: int, people: dict[int, tuple[str, str]]) -> None:
    """An organization founded by ``owner_id``, joined by ``{user_id: (email, role)}``."""
    with db.session_scope() as session:
        organization = create_organization(session, owner_id, "Career Lab")
        for user_id, (email, role) in people.items():
            invited = invite(session, owner_id, organization.id, email, role)
            assert invited is not None
            accept_invitation(session, user_id, invited[1])


def test_create_read_change_move_and_delete_round_trip(client: TestClient) -> None:
    _, headers = signed_in(client, "ada@example.com")
    response = client.post(BASE, json={**JOB, "salary_min": 50000}, headers=headers)
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"{BASE}/{created['id']}"
    assert created["status"] == "applied"
    assert created["salary_min"] == 50000

    url = response.headers["location"]
    assert client.get(url, headers=headers).json() == created

    changed = client.patch(url, json={"company": "Acme GmbH"}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["company"] == "Acme GmbH"
    assert changed.json()["job_title"] == "Data Engineer"

    moved = client.post(
        f"{url}/status", json={"status": "screening", "notes": "call"}, headers=headers
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "screening"
    history = client.get(f"{url}/history", headers=headers).json()
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "applied"),
        ("applied", "screening"),
    ]
    assert history[1]["notes"] == "call"

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    assert client.delete(url, headers=headers).status_code == 404


def test_listing_pages_in_a_stable_order_with_the_total_in_a_header(client: TestClient) -> None:
    _, headers = signed_in(client, "ada@example.com")
    ids = [create(client, headers, job_title=f"Role {n}")["id"] for n in range(5)]
    pages = []
    for offset in (0, 2, 4):
        response = client.get(BASE, params={"limit": 2, "offset": offset}, headers=headers)
        assert response.status_code == 200
        assert response.headers["x-total-count"] == "5"
        pages.append([row["id"] for row in response.json()])
    assert [len(page) for page in pages] == [2, 2, 1]
    paged = [row_id for page in pages for row_id in page]
    assert sorted(paged) == sorted(ids)
    default = client.get(BASE, headers=headers).json()
    assert [row["id"] for row in default] == paged


def test_listing_filters_by_status_and_text(client: TestClient) -> None:
    _, headers = signed_in(client, "ada@example.com")
    create(client, headers, company="Acme")
    wanted = create(client, headers, company="Globex", status="interviewed")
    by_status = client.get(BASE, params={"status": "interviewed"}, headers=headers)
    assert [row["id"] for row in by_status.json()] == [wanted["id"]]
    assert by_status.headers["x-total-count"] == "1"
    by_text = client.get(BASE, params={"q": "glob"}, headers=headers)
    assert [row["id"] for row in by_text.json()] == [wanted["id"]]


def test_bad_paging_and_bad_values_are_422_naming_the_field(client: TestClient) -> None:
    _, headers = signed_in(client, "ada@example.com")
    for params, field in (({"limit": 201}, "limit"), ({"offset": -1}, "offset")):
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 422
        assert response.json()["field"] == field
    bad_status = client.get(BASE, params={"status": "sleeping"}, headers=headers)
    assert bad_status.status_code == 422
    assert bad_status.json()["field"] == "status"
    blank = client.post(BASE, json={**JOB, "company": "  "}, headers=headers)
    assert blank.status_code == 422
    assert blank.json()["field"] == "company"


def test_a_body_cannot_set_id_owner_or_timestamps(client: TestClient) -> None:
    user_id, headers = signed_in(client, "ada@example.com")
    for field, value in (
        ("user_id", user_id + 1),
        ("id", 99),
        ("created_at", "2020-01-01T00:00:00Z"),
    ):
        response = client.post(BASE, json={**JOB, field: value}, headers=headers)
        assert response.status_code == 422
        assert response.json()["field"] == field
    created = create(client, headers)
    url = f"{BASE}/{created['id']}"
    for field, value in (("user_id", user_id + 1), ("id", 99), ("status", "rejected")):
        response = client.patch(url, json={field: value}, headers=headers)
        assert response.status_code == 422
        assert response.json()["field"] == field
    assert client.get(url, headers=headers).json() == created
    assert client.get(BASE, headers=headers).headers["x-total-count"] == "1"


def test_another_person_gets_404_and_the_owners_data_stays(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    created = create(client, ada)
    url = f"{BASE}/{created['id']}"
    attempts = [
        client.get(url, headers=bob),
        client.patch(url, json={"company": "Evil"}, headers=bob),
        client.delete(url, headers=bob),
        client.post(f"{url}/status", json={"status": "rejected"}, headers=bob),
        client.get(f"{url}/history", headers=bob),
    ]
    assert [response.status_code for response in attempts] == [404] * 5
    assert attempts[0].json() == client.get(f"{BASE}/999999", headers=bob).json()
    assert client.get(url, headers=ada).json() == created
    assert len(client.get(f"{url}/history", headers=ada).json()) == 1
    assert client.get(BASE, headers=bob).headers["x-total-count"] == "0"


def test_a_coach_reads_a_members_application_but_may_not_change_it(
    client: TestClient, db: DatabaseManager
) -> None:
    owner_id, _ = signed_in(client, "owner@example.com")
    coach_id, coach = signed_in(client, "coach@example.com")
    ada_id, ada = signed_in(client, "ada@example.com")
    join(
        db,
        owner_id,
        {coach_id: ("coach@example.com", "coach"), ada_id: ("ada@example.com", "member")},
    )
    created = create(client, ada)
    url = f"{BASE}/{created['id']}"

    assert client.get(url, headers=coach).json() == created
    assert client.get(f"{url}/history", headers=coach).status_code == 200
    refused = [
        client.patch(url, json={"company": "Other"}, headers=coach),
        client.post(f"{url}/status", json={"status": "rejected"}, headers=coach),
        client.delete(url, headers=coach),
    ]
    assert [response.status_code for response in refused] == [403] * 3
    assert client.get(url, headers=ada).json() == created
    # The coach's own listing, statistics and search stay their own.
    assert client.get(BASE, headers=coach).headers["x-total-count"] == "0"


def test_a_read_only_api_key_reads_but_does_not_write(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    created = create(client, ada)
    with db.session_scope() as session:
        key = bearer(create_api_key(session, ada_id, "reader", {"read"}).token)
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=key).json() == created
    assert client.get(BASE, headers=key).status_code == 200
    assert client.post(BASE, json=JOB, headers=key).status_code == 403
    assert client.patch(url, json={"company": "X"}, headers=key).status_code == 403
    assert client.delete(url, headers=key).status_code == 403
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "1"


def test_statistics_and_search_cover_only_the_actors_own_applications(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    mine = create(client, ada, job_title="Python Developer")
    create(client, bob, job_title="Python Developer")
    create(client, bob, job_title="Rust Developer")

    stats = client.get("/api/v1/statistics", params={"days": 7}, headers=ada)
    assert stats.status_code == 200
    assert stats.json()["total_applications"] == 1
    assert stats.json()["period_days"] == 7
    assert client.get("/api/v1/statistics", headers=bob).json()["total_applications"] == 2

    hits = client.get("/api/v1/search/applications", params={"q": "python"}, headers=ada)
    assert hits.status_code == 200
    assert [hit["id"] for hit in hits.json()] == [mine["id"]]
    assert client.get("/api/v1/search/applications", params={"q": "rust"}, headers=ada).json() == []


def test_routes_refuse_a_request_without_credentials(client: TestClient) -> None:
    for method, url in (("GET", BASE), ("POST", BASE), ("GET", "/api/v1/statistics")):
        assert client.request(method, url).status_code == 401
