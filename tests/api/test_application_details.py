"""Notes, timeline, bulk creation, the duplicates check and sources over the API.

Whoever reads an application (its owner, their coach) reads its notes and
timeline; only the owner writes notes; strangers get 404 for all of it.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from tests.api.test_applications import create, join, signed_in
from tests.api.test_concurrency import data

BASE = "/api/v1/applications"
JOB = {"job_title": "Data Engineer", "company": "Acme", "location": "Berlin"}


def notes_url(application: dict[str, Any]) -> str:
    return f"{BASE}/{application['id']}/notes"


def test_notes_are_added_listed_changed_and_deleted_by_the_owner(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    application = create(client, ada)
    url = notes_url(application)
    first = client.post(url, json={"body": "  called the recruiter "}, headers=ada)
    assert first.status_code == 201
    note = first.json()
    assert note["body"] == "  called the recruiter "
    assert first.headers["location"] == f"{url}/{note['id']}"
    client.post(url, json={"body": "sent portfolio"}, headers=ada)
    listed = client.get(url, headers=ada).json()
    assert [n["body"] for n in listed] == ["  called the recruiter ", "sent portfolio"]

    changed = client.patch(f"{url}/{note['id']}", json={"body": "called twice"}, headers=ada)
    assert changed.status_code == 200 and changed.json()["body"] == "called twice"
    assert client.get(url, headers=ada).json()[0]["body"] == "called twice"
    assert client.delete(f"{url}/{note['id']}", headers=ada).status_code == 204
    assert [n["body"] for n in client.get(url, headers=ada).json()] == ["sent portfolio"]
    assert client.delete(f"{url}/{note['id']}", headers=ada).status_code == 404


def test_a_blank_note_or_a_body_with_other_fields_is_a_422(
    client: TestClient, db: DatabaseManager
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    url = notes_url(create(client, ada))
    before = data()
    for body in ({"body": "   "}, {"body": "x", "user_id": 9}, {}):
        response = client.post(url, json=body, headers=ada)
        assert response.status_code == 422, body
    assert data() == before


def test_a_note_of_another_application_is_not_found_through_this_one(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    one, two = create(client, ada), create(client, ada, job_title="Analyst")
    note = client.post(notes_url(one), json={"body": "x"}, headers=ada).json()
    wrong = f"{notes_url(two)}/{note['id']}"
    assert client.patch(wrong, json={"body": "y"}, headers=ada).status_code == 404
    assert client.delete(wrong, headers=ada).status_code == 404
    assert client.get(notes_url(one), headers=ada).json()[0]["body"] == "x"


def test_the_timeline_merges_status_moves_and_notes_in_time_order(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    application = create(client, ada)
    url = f"{BASE}/{application['id']}"
    client.post(f"{url}/notes", json={"body": "applied online"}, headers=ada)
    client.post(f"{url}/status", json={"status": "screening", "notes": "call"}, headers=ada)
    timeline = client.get(f"{url}/timeline", headers=ada).json()
    assert [(e["kind"], e["to_status"], e["body"]) for e in timeline] == [
        ("status", "applied", None),
        ("note", None, "applied online"),
        ("status", "screening", None),
    ]
    assert timeline[2]["notes"] == "call" and timeline[2]["from_status"] == "applied"


def test_a_coach_reads_notes_and_timeline_but_writes_no_note(
    client: TestClient, db: DatabaseManager
) -> None:
    owner_id, _ = signed_in(client, "owner@example.com")
    coach_id, coach = signed_in(client, "coach@example.com")
    ada_id, ada = signed_in(client, "ada@example.com")
    people = {coach_id: ("coach@example.com", "coach"), ada_id: ("ada@example.com", "member")}
    join(db, owner_id, people)
    application = create(client, ada)
    url = notes_url(application)
    note = client.post(url, json={"body": "mine"}, headers=ada).json()
    assert client.get(url, headers=coach).json() == client.get(url, headers=ada).json()
    assert client.get(f"{BASE}/{application['id']}/timeline", headers=coach).status_code == 200
    refused = [
        client.post(url, json={"body": "coach"}, headers=coach),
        client.patch(f"{url}/{note['id']}", json={"body": "coach"}, headers=coach),
        client.delete(f"{url}/{note['id']}", headers=coach),
    ]
    assert [r.status_code for r in refused] == [403] * 3
    assert [n["body"] for n in client.get(url, headers=ada).json()] == ["mine"]


def test_a_stranger_gets_404_for_notes_and_timeline(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    application = create(client, ada)
    url = notes_url(application)
    note = client.post(url, json={"body": "mine"}, headers=ada).json()
    attempts = [
        client.get(url, headers=bob),
        client.post(url, json={"body": "x"}, headers=bob),
        client.patch(f"{url}/{note['id']}", json={"body": "x"}, headers=bob),
        client.delete(f"{url}/{note['id']}", headers=bob),
        client.get(f"{BASE}/{application['id']}/timeline", headers=bob),
    ]
    assert [r.status_code for r in attempts] == [404] * 5
    assert [n["body"] for n in client.get(url, headers=ada).json()] == ["mine"]


def test_bulk_create_adds_every_row_and_reports(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    rows = [JOB, {"job_title": "Analyst", "company": "Beta", "status": "screening"}]
    response = client.post(f"{BASE}/bulk", json={"rows": rows}, headers=ada)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["added"] == 2 and report["skipped"] == report["updated"] == 0
    listed = client.get(BASE, headers=ada).json()
    assert sorted(a["id"] for a in listed) == sorted(report["ids"])
    assert {a["status"] for a in listed} == {"applied", "screening"}


def test_bulk_create_with_one_bad_row_adds_nothing_and_names_the_row(
    client: TestClient, db: DatabaseManager
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    before = data()
    rows = [JOB, {**JOB, "match_score": 101}]
    response = client.post(f"{BASE}/bulk", json={"rows": rows}, headers=ada)
    assert response.status_code == 422
    assert response.json()["field"].startswith("rows[1]")
    assert data() == before


def test_bulk_create_skips_postings_already_tracked_when_asked(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    existing = create(client, ada)
    body = {"rows": [JOB, {**JOB, "job_title": "New"}], "on_duplicate": "skip"}
    report = client.post(f"{BASE}/bulk", json=body, headers=ada).json()
    assert report["ids"][0] == existing["id"]
    assert (report["added"], report["skipped"]) == (1, 1)


def test_bulk_create_needs_a_write_credential_and_a_list(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    assert client.post(f"{BASE}/bulk", json={"rows": JOB}, headers=ada).status_code == 422
    assert client.post(f"{BASE}/bulk", json={"rows": [JOB]}).status_code == 401


def test_the_duplicates_check_finds_the_same_posting_of_ones_own_only(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    by_url = create(client, ada, job_url="https://jobs.example.com/42?utm_source=x")
    by_posting = create(client, ada, job_title="Analyst", company="Beta", location="Paris")
    create(client, bob, job_title="Analyst", company="Beta", location="Paris")
    url = client.get(
        f"{BASE}/duplicates", params={"job_url": "https://JOBS.example.com/42"}, headers=ada
    )
    assert url.status_code == 200
    assert [a["id"] for a in url.json()] == [by_url["id"]]
    same = client.get(
        f"{BASE}/duplicates",
        params={"company": " beta ", "job_title": "ANALYST", "location": "paris"},
        headers=ada,
    )
    assert [a["id"] for a in same.json()] == [by_posting["id"]]
    assert client.get(f"{BASE}/duplicates", headers=ada).json() == []


def test_sources_are_the_actors_own_distinct_sources(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    for source in ("referral", "linkedin", "referral"):
        create(client, ada, source=source)
    create(client, bob, source="indeed")
    response = client.get(f"{BASE}/sources", headers=ada)
    assert response.status_code == 200
    assert response.json() == ["linkedin", "referral"]
