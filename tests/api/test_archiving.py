"""Archiving over the API: one's own applications only; listings, search and preferences."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from tests.support.api import bearer, register, sign_in

API = "/api/v1"


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def new_application(
    client: TestClient, headers: dict[str, str], company: str, status: str = "applied"
) -> int:
    body = {"job_title": "Engineer", "company": company, "status": status}
    response = client.post(f"{API}/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def listed_ids(client: TestClient, headers: dict[str, str], **params: object) -> list[int]:
    response = client.get(f"{API}/applications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["X-Total-Count"] == str(len(response.json()))
    return [a["id"] for a in response.json()]


def test_archive_and_unarchive_move_an_application_out_of_and_back_into_the_list(
    client: TestClient,
) -> None:
    ann = signed_in(client, "ann@example.com")
    kept = new_application(client, ann, "Initech")
    gone = new_application(client, ann, "Initrode", "rejected")

    archived = client.post(f"{API}/applications/{gone}/archive", headers=ann)
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived_at"] is not None and archived.json()["status"] == "rejected"
    assert "ETag" in archived.headers
    assert listed_ids(client, ann) == [kept]
    assert sorted(listed_ids(client, ann, include_archived="true")) == sorted([kept, gone])
    assert listed_ids(client, ann, archived_only="true") == [gone]
    read = client.get(f"{API}/applications/{gone}", headers=ann).json()
    assert read["archived_at"] == archived.json()["archived_at"]

    hits = client.get(f"{API}/search/applications", params={"q": "engineer"}, headers=ann)
    assert {h["id"]: h["archived"] for h in hits.json()} == {kept: False, gone: True}
    active = client.get(
        f"{API}/search/applications",
        params={"q": "engineer", "include_archived": "false"},
        headers=ann,
    )
    assert [h["id"] for h in active.json()] == [kept]
    figures = client.get(f"{API}/statistics", headers=ann).json()
    assert figures["total_applications"] == 2
    active_figures = client.get(
        f"{API}/statistics", params={"include_archived": "false"}, headers=ann
    ).json()
    assert active_figures["total_applications"] == 1

    restored = client.post(f"{API}/applications/{gone}/unarchive", headers=ann)
    assert restored.status_code == 200 and restored.json()["archived_at"] is None
    assert sorted(listed_ids(client, ann)) == sorted([kept, gone])
    notes = [
        h["notes"] for h in client.get(f"{API}/applications/{gone}/history", headers=ann).json()
    ]
    assert notes[-2:] == ["Archived", "Restored"]


def test_another_persons_application_is_not_found(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    anns = new_application(client, ann, "Initech", "rejected")
    for action in ("archive", "unarchive"):
        response = client.post(f"{API}/applications/{anns}/{action}", headers=bob)
        assert response.status_code == 404, response.text
    assert client.post(f"{API}/applications/999999/archive", headers=ann).status_code == 404
    assert client.post(f"{API}/applications/archive", headers=bob).json() == {"archived": 0}
    assert listed_ids(client, ann) == [anns]


def test_bulk_archive_takes_the_statuses_asked_for(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    rejected = [new_application(client, ann, f"R{i}", "rejected") for i in range(2)]
    withdrawn = new_application(client, ann, "W", "withdrawn")
    still = new_application(client, ann, "Open")

    first = client.post(f"{API}/applications/archive", headers=ann)
    assert first.status_code == 200 and first.json() == {"archived": 2}
    assert sorted(listed_ids(client, ann, archived_only="true")) == sorted(rejected)
    body = {"statuses": ["withdrawn", "rejected"]}
    second = client.post(f"{API}/applications/archive", json=body, headers=ann)
    assert second.json() == {"archived": 1}
    assert listed_ids(client, ann) == [still]
    assert withdrawn in listed_ids(client, ann, archived_only="true")
    refused = client.post(f"{API}/applications/archive", json={"statuses": ["lost"]}, headers=ann)
    assert refused.status_code == 422


def test_the_archiving_preference_is_read_set_and_turned_off(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    assert client.get(f"{API}/me/preferences", headers=ann).json()["archive_after_days"] == 90
    changed = client.patch(f"{API}/me/preferences", json={"archive_after_days": 30}, headers=ann)
    assert changed.status_code == 200 and changed.json()["archive_after_days"] == 30
    off = client.patch(f"{API}/me/preferences", json={"archive_after_days": None}, headers=ann)
    assert off.status_code == 200 and off.json()["archive_after_days"] is None
    too_long = client.patch(f"{API}/me/preferences", json={"archive_after_days": 3651}, headers=ann)
    assert too_long.status_code == 422


def test_exports_keep_the_archived_applications(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    new_application(client, ann, "Active Co")
    gone = new_application(client, ann, "Archived Co", "rejected")
    client.post(f"{API}/applications/{gone}/archive", headers=ann)
    workbook = client.get(f"{API}/exports/applications.xlsx", headers=ann)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["Applications"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert sorted(str(row[header.index("company")]) for row in rows) == [
        "Active Co",
        "Archived Co",
    ]
    csv_text = client.get(f"{API}/exports/applications.csv", headers=ann).text
    assert "Archived Co" in csv_text and "Active Co" in csv_text
