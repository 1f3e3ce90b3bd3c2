"""Exports over the API: each file holds the actor's own applications and nobody else's."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.support.records import account, add_application

EXPORTS = "/api/v1/exports/applications"


@pytest.fixture
def two_accounts(client: TestClient) -> dict[str, dict[str, str]]:
    """Ann with two applications (one moved on), Bob with one: the headers of each."""
    _, ann = account(client, "ann@example.com", first_name="Ann", location="Porto")
    first = add_application(client, ann, job_title="Data Engineer", company="Insight Co")
    moved = client.post(
        f"/api/v1/applications/{first['id']}/status",
        json={"status": "screening", "notes": "Recruiter called"},
        headers=ann,
    )
    assert moved.status_code == 200
    add_application(client, ann, job_title="Analyst", company="Évora Ltd", source="linkedin")
    _, bob = account(client, "bob@example.com")
    add_application(client, bob, job_title="Secret Role", company="Bobs Corp")
    return {"ann": ann, "bob": bob}


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_csv_export_is_the_import_format_with_only_ones_own_rows(
    client: TestClient, two_accounts: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{EXPORTS}.csv", headers=two_accounts["ann"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="')
    rows = _csv_rows(response.content)
    assert sorted(r["company"] for r in rows) == ["Insight Co", "Évora Ltd"]
    moved = next(r for r in rows if r["company"] == "Insight Co")
    history = json.loads(moved["status_history"])
    assert [h["status"] for h in history] == ["applied", "screening"]
    assert history[1]["notes"] == "Recruiter called"


def test_csv_export_filters_by_status(
    client: TestClient, two_accounts: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{EXPORTS}.csv?status=screening", headers=two_accounts["ann"])
    assert [r["company"] for r in _csv_rows(response.content)] == ["Insight Co"]
    refused = client.get(f"{EXPORTS}.csv?status=hired", headers=two_accounts["ann"])
    assert refused.status_code == 422
    assert refused.json()["field"] == "status"


def test_excel_export_has_one_typed_row_per_own_application(
    client: TestClient, two_accounts: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{EXPORTS}.xlsx", headers=two_accounts["ann"])
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Applications"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    companies = [row[header.index("company")] for row in rows]
    assert sorted(str(c) for c in companies) == ["Insight Co", "Évora Ltd"]
    assert all(isinstance(row[header.index("id")], int) for row in rows)


def test_excel_export_takes_the_listing_filters(
    client: TestClient, two_accounts: dict[str, dict[str, str]]
) -> None:
    ann = two_accounts["ann"]
    for query, expected in (
        ("?q=nothing", []),
        ("?q=ANALYST", ["Évora Ltd"]),
        ("?source=linkedin", ["Évora Ltd"]),
        ("?status=screening&status=applied", ["Insight Co", "Évora Ltd"]),
    ):
        response = client.get(f"{EXPORTS}.xlsx{query}", headers=ann)
        assert response.status_code == 200, query
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Applications"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert sorted(str(r[2]) for r in rows) == expected, query
    refused = client.get(f"{EXPORTS}.xlsx?status=nope", headers=ann)
    assert refused.status_code == 422
    assert refused.json()["field"] == "status"


def test_pdf_export_is_the_job_search_record_of_the_actor(
    client: TestClient, two_accounts: dict[str, dict[str, str]]
) -> None:
    response = client.get(f"{EXPORTS}.pdf", headers=two_accounts["ann"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Job search record" in text
    assert "ann@example.com" in text
    assert "Insight Co - Data Engineer" in text
    assert "Bobs Corp" not in text and "bob@example.com" not in text


def test_exports_need_credentials(client: TestClient) -> None:
    for suffix in ("csv", "xlsx", "pdf"):
        response = client.get(f"{EXPORTS}.{suffix}")
        assert response.status_code == 401
