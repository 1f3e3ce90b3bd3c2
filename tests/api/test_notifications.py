"""``/notifications``: one's reminders, unread first, paged, marked read; nobody else's."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.services.reminders import create_reminders
from tests.support.api import bearer, register, sign_in

API = "/api/v1"


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def interviews(client: TestClient, headers: dict[str, str], *companies: str) -> list[int]:
    """Applications with an interview in two hours, one per company."""
    soon = (utcnow() + timedelta(hours=2)).isoformat()
    ids = []
    for company in companies:
        response = client.post(
            f"{API}/applications",
            json={"job_title": "Engineer", "company": company, "interview_date": soon},
            headers=headers,
        )
        assert response.status_code == 201, response.text
        ids.append(int(response.json()["id"]))
    return ids


def test_one_lists_counts_and_marks_read_ones_own_notifications(
    client: TestClient, db: DatabaseManager
) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    interviews(client, ann, "Initech", "Globex", "Hooli")
    interviews(client, bob, "Umbrella")
    assert create_reminders(db) == 4
    listed = client.get(f"{API}/notifications", headers=ann)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "3"
    newest_first = [n["title"] for n in listed.json()]
    assert newest_first == [
        f"Interview soon: {c} — Engineer" for c in ("Hooli", "Globex", "Initech")
    ]
    assert {n["kind"] for n in listed.json()} == {"interview"}
    assert client.get(f"{API}/notifications/unread-count", headers=ann).json() == {"unread": 3}

    oldest = listed.json()[-1]["id"]
    marked = client.post(f"{API}/notifications/{oldest}/read", headers=ann)
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    again = client.post(f"{API}/notifications/{oldest}/read", headers=ann)
    assert again.json()["read_at"] == marked.json()["read_at"]
    assert client.get(f"{API}/notifications/unread-count", headers=ann).json() == {"unread": 2}
    unread = client.get(f"{API}/notifications", params={"unread": "true"}, headers=ann)
    assert unread.headers["X-Total-Count"] == "2" and oldest not in [n["id"] for n in unread.json()]
    page = client.get(f"{API}/notifications", params={"limit": 2, "offset": 2}, headers=ann)
    assert [n["id"] for n in page.json()] == [oldest]  # the read one comes after the unread

    bobs = client.get(f"{API}/notifications", headers=bob).json()
    assert [n["title"] for n in bobs] == ["Interview soon: Umbrella — Engineer"]
    assert client.post(f"{API}/notifications/{bobs[0]['id']}/read", headers=ann).status_code == 404
    assert client.post(f"{API}/notifications/999999/read", headers=ann).status_code == 404

    assert client.post(f"{API}/notifications/read-all", headers=ann).json() == {"marked": 2}
    assert client.get(f"{API}/notifications/unread-count", headers=ann).json() == {"unread": 0}
    assert client.get(f"{API}/notifications/unread-count", headers=bob).json() == {"unread": 1}


def test_a_bad_page_is_a_422_problem(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    response = client.get(f"{API}/notifications", params={"limit": 0}, headers=ann)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_follow_up_wait_is_a_preference_of_1_to_365_days(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    assert client.get(f"{API}/me/preferences", headers=ann).json()["follow_up_days"] == 14
    refused = client.patch(f"{API}/me/preferences", json={"follow_up_days": 0}, headers=ann)
    assert refused.status_code == 422 and "follow_up_days" in refused.text
    changed = client.patch(f"{API}/me/preferences", json={"follow_up_days": 30}, headers=ann)
    assert changed.status_code == 200 and changed.json()["follow_up_days"] == 30
