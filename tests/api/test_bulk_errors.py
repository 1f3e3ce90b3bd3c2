"""A refused bulk create names the bad field as ``rows[i].field``, whoever found it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.test_applications import signed_in
from tests.api.test_concurrency import data

BULK = "/api/v1/applications/bulk"
JOB = {"job_title": "Data Engineer", "company": "Acme"}


def _refused(client: TestClient, rows: list[Any]) -> dict[str, Any]:
    _, ada = signed_in(client, "ada@example.com")
    before = data()
    response = client.post(BULK, json={"rows": rows}, headers=ada)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert data() == before
    body: dict[str, Any] = response.json()
    return body


def test_a_row_the_body_model_refuses_is_named_with_brackets(client: TestClient) -> None:
    problem = _refused(client, [JOB, {"job_title": "Analyst"}, {**JOB, "salary_min": "lots"}])
    assert problem["field"] == "rows[1].company"
    assert [e["field"] for e in problem["errors"]] == ["rows[1].company", "rows[2].salary_min"]
    assert problem["detail"].startswith("rows[1].company: ")


def test_a_row_the_domain_refuses_is_named_with_brackets(client: TestClient) -> None:
    problem = _refused(client, [JOB, {**JOB, "match_score": 101}])
    assert problem["field"] == "rows[1].match_score"


def test_a_row_that_is_no_object_is_named_by_its_index(client: TestClient) -> None:
    problem = _refused(client, [JOB, "not a row"])
    assert problem["field"] == "rows[1]"
