"""CSV import over the API: rows land in the actor's own account, with a report of each row."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import limits
from database.connection import DatabaseManager
from tests.support.records import account, add_application, companies, read_only_key

IMPORTS = "/api/v1/imports/applications"
CSV = (
    "job_title,company,status,application_date,salary_min\n"
    "Data Engineer,Acme,screening,2026-01-05,50000\n"
    "Analyst,Beta,applied,2026-01-06,not a number\n"
    ",Gamma,applied,2026-01-07,\n"
    "Engineer,Delta,interview_scheduled,2026-01-08,\n"
)


def test_a_csv_body_is_imported_with_a_report_of_each_rejected_row(client: TestClient) -> None:
    _, ann = account(client, "ann@example.com")
    _, bob = account(client, "bob@example.com")
    add_application(client, bob, job_title="Kept", company="Bobs Corp")

    response = client.post(
        IMPORTS, content=CSV.encode(), headers={**ann, "Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == 2
    assert report["skipped_duplicates"] == 0
    assert [(r["row"], r["field"]) for r in report["rejected"]] == [
        (3, "salary_min"),
        (4, "job_title"),
    ]
    assert companies(client, ann) == ["Acme", "Delta"]
    assert companies(client, bob) == ["Bobs Corp"]


def test_a_multipart_file_is_imported_and_a_repeat_skips_the_duplicates(
    client: TestClient,
) -> None:
    _, ann = account(client, "ann@example.com")
    files = {"file": ("applications.csv", CSV.encode(), "text/csv")}
    first = client.post(IMPORTS, files=files, headers=ann)
    assert first.status_code == 200, first.text
    again = client.post(IMPORTS, files=files, headers=ann)
    assert again.json()["added"] == 0
    assert again.json()["skipped_duplicates"] == 2
    assert companies(client, ann) == ["Acme", "Delta"]


def test_an_export_comes_back_in_with_its_history(client: TestClient) -> None:
    _, ann = account(client, "ann@example.com")
    client.post(IMPORTS, content=CSV.encode(), headers={**ann, "Content-Type": "text/csv"})
    exported = client.get("/api/v1/exports/applications.csv", headers=ann).content
    _, cid = account(client, "cid@example.com")
    response = client.post(IMPORTS, content=exported, headers={**cid, "Content-Type": "text/csv"})
    assert response.json()["added"] == 2
    listed = client.get("/api/v1/applications", headers=cid).json()
    delta = next(a for a in listed if a["company"] == "Delta")
    history = client.get(f"/api/v1/applications/{delta['id']}/history", headers=cid).json()
    assert history[-1]["to_status"] == "interview_scheduled"


def test_a_file_that_is_not_an_applications_csv_is_a_422_and_imports_nothing(
    client: TestClient,
) -> None:
    _, ann = account(client, "ann@example.com")
    for content in (b"name,age\nAnn,3\n", b"\xff\xfe\x00bad", b""):
        response = client.post(
            IMPORTS, content=content, headers={**ann, "Content-Type": "text/csv"}
        )
        assert response.status_code == 422, content
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["field"] == "file"
    refused = client.post(IMPORTS, files={"other": ("a.csv", CSV.encode())}, headers=ann)
    assert refused.status_code == 422
    assert companies(client, ann) == []


def test_fail_on_duplicates_refuses_the_whole_file(client: TestClient) -> None:
    _, ann = account(client, "ann@example.com")
    add_application(client, ann, job_title="Data Engineer", company="Acme")
    response = client.post(
        f"{IMPORTS}?on_duplicate=fail",
        content=CSV.encode(),
        headers={**ann, "Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert companies(client, ann) == ["Acme"]


def test_an_upload_over_the_default_limit_but_within_its_own_is_accepted(
    client: TestClient,
) -> None:
    _, ann = account(client, "ann@example.com")
    padding = "x" * (limits.MAX_BODY_BYTES + 1000)
    content = f"job_title,company,notes\nBig,Acme,{padding}\n".encode()
    response = client.post(IMPORTS, content=content, headers={**ann, "Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1


def test_an_upload_over_its_limit_is_a_413(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, ann = account(client, "ann@example.com")
    monkeypatch.setitem(limits.UPLOAD_LIMITS, ("POST", IMPORTS), 100)
    response = client.post(
        IMPORTS, content=CSV.encode(), headers={**ann, "Content-Type": "text/csv"}
    )
    assert response.status_code == 413
    assert companies(client, ann) == []


def test_a_read_only_key_may_not_import(client: TestClient, db: DatabaseManager) -> None:
    ann_id, ann = account(client, "ann@example.com")
    key = read_only_key(db, ann_id)
    response = client.post(
        IMPORTS, content=CSV.encode(), headers={**key, "Content-Type": "text/csv"}
    )
    assert response.status_code == 403
    assert companies(client, ann) == []
    assert client.post(IMPORTS, content=CSV.encode()).status_code == 401
