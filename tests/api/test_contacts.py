"""``/contacts``: one's own contacts, listed, searched, changed and linked to applications."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from tests.support.api import bearer, register, sign_in

API = "/api/v1"


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def new_contact(client: TestClient, headers: dict[str, str], **fields: object) -> int:
    response = client.post(f"{API}/contacts", json=fields, headers=headers)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{API}/contacts/{response.json()['id']}"
    return int(response.json()["id"])


def new_application(client: TestClient, headers: dict[str, str], company: str) -> int:
    body = {"job_title": "Engineer", "company": company}
    response = client.post(f"{API}/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_one_adds_lists_changes_and_deletes_ones_own_contacts(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    first = new_contact(client, ann, name="Émile", company="Acme", role="Recruiter")
    new_contact(client, ann, name="bob", company="Globex", email="bob@globex.example")
    new_contact(client, ann, name="Carla", company="ACME", notes="met at the fair")

    listed = client.get(f"{API}/contacts", headers=ann)
    assert listed.headers["X-Total-Count"] == "3"
    assert [c["name"] for c in listed.json()] == ["bob", "Carla", "Émile"]
    by_company = client.get(f"{API}/contacts", params={"company": "acme", "limit": 1}, headers=ann)
    assert by_company.headers["X-Total-Count"] == "2"
    assert [c["name"] for c in by_company.json()] == ["Carla"]
    found = client.get(f"{API}/contacts", params={"q": "ÉMILE"}, headers=ann).json()
    assert [c["name"] for c in found] == ["Émile"]

    changed = client.patch(
        f"{API}/contacts/{first}", json={"role": None, "phone": "+33 1 23 45 67 89"}, headers=ann
    )
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["phone"]) == (None, "+33 1 23 45 67 89")
    contacted = client.post(f"{API}/contacts/{first}/contacted", headers=ann)
    assert contacted.status_code == 200 and contacted.json()["last_contacted_at"] is not None
    assert client.delete(f"{API}/contacts/{first}", headers=ann).status_code == 204
    assert client.get(f"{API}/contacts/{first}", headers=ann).status_code == 404


def test_bad_fields_are_422_problems_naming_the_field(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    for body, field in (
        ({"name": "Ann", "linkedin_url": "javascript:alert(1)"}, "linkedin_url"),
        ({"name": "Ann", "email": "ann-at-example"}, "email"),
        ({"name": " "}, "name"),
        ({"name": "Ann", "last_contacted_at": "2999-01-01T00:00:00Z"}, "last_contacted_at"),
    ):
        response = client.post(f"{API}/contacts", json=body, headers=ann)
        assert response.status_code == 422, body
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
    assert (
        client.post(f"{API}/contacts", json={"name": "A", "user_id": 1}, headers=ann).status_code
        == 422
    )
    assert client.get(f"{API}/contacts", headers=ann).headers["X-Total-Count"] == "0"


def test_links_are_idempotent_listed_both_ways_and_only_between_ones_own(
    client: TestClient,
) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    application = new_application(client, ann, "Acme")
    contact = new_contact(client, ann, name="Ada")
    bobs_contact = new_contact(client, bob, name="Bob's friend")
    link = f"{API}/applications/{application}/contacts/{contact}"

    assert client.put(link, headers=ann).json()["created"] is True
    assert client.put(link, headers=ann).json()["created"] is False
    listed = client.get(f"{API}/applications/{application}/contacts", headers=ann).json()
    assert [c["name"] for c in listed] == ["Ada"]
    apps = client.get(f"{API}/contacts/{contact}/applications", headers=ann).json()
    assert [a["id"] for a in apps] == [application]

    foreign = f"{API}/applications/{application}/contacts/{bobs_contact}"
    assert client.put(foreign, headers=ann).status_code == 404
    assert client.put(foreign, headers=bob).status_code == 404
    assert client.get(f"{API}/applications/{application}/contacts", headers=bob).status_code == 404
    assert client.delete(link, headers=ann).status_code == 204
    assert client.delete(link, headers=ann).status_code == 204  # nothing left to remove
    assert client.get(f"{API}/applications/{application}/contacts", headers=ann).json() == []


def test_search_finds_ones_own_contacts_by_any_detail_or_note(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    new_contact(client, ann, name="Zoë", notes="Knows the hiring manager at Straße GmbH")
    new_contact(client, ann, name="Yuri", company="Strasse Labs")
    new_contact(client, bob, name="Strasse Bob")
    hits = client.get(f"{API}/search/contacts", params={"q": "STRASSE"}, headers=ann)
    assert hits.status_code == 200
    assert [c["name"] for c in hits.json()] == ["Yuri", "Zoë"]
    blank = client.get(f"{API}/search/contacts", params={"q": "  "}, headers=ann)
    assert blank.status_code == 422


def test_the_contacts_export_is_a_csv_of_ones_own_and_a_sheet_of_the_workbook(
    client: TestClient,
) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    new_contact(client, ann, name="=Ada", company="Acme")
    new_contact(client, bob, name="Bob's")
    response = client.get(f"{API}/exports/contacts.csv", headers=ann)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("id,name,company,role,email")
    assert len(lines) == 2 and ",'=Ada,Acme," in lines[1]  # never a formula
    workbook = client.get(f"{API}/exports/applications.xlsx", headers=ann)
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames == ["Applications", "Cover letters", "Contacts"]
    assert [row[1] for row in book["Contacts"].iter_rows(min_row=2, values_only=True)] == ["=Ada"]
