"""Plain rows answered as a list of a read model: the bytes the model itself renders."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from api.responses import json_answer, rows_answer
from api.schemas_applications import ApplicationRead, SearchHit


def _application(**changes: Any) -> dict[str, Any]:
    moment = datetime(2024, 6, 1, 12, 0, 0, 123456, tzinfo=UTC)
    row: dict[str, Any] = {
        "id": 7, "user_id": 3, "resume_id": None, "job_title": "Engineer « senior »",
        "company": "Acme", "location": None, "job_description": "line\nbreak", "job_url": None,
        "source": "LinkedIn", "status": "applied", "application_date": moment,
        "salary_min": 50_000, "salary_max": None, "salary_currency": "EUR", "job_type": None,
        "is_remote": True, "match_score": 0.5, "notes": None, "interview_date": None,
        "interview_type": None, "status_changed_at": moment, "created_at": moment,
        "updated_at": moment, "archived_at": None, "tags": ["Alpha", "Émigré"],
    }  # fmt: skip
    return {**row, **changes}


def test_rows_render_as_their_validated_read_models() -> None:
    rows = [_application(), _application(id=8, tags=[], match_score=None)]
    validated = [ApplicationRead.model_validate(row) for row in rows]
    mine = rows_answer(ApplicationRead, rows, headers={"X-Total-Count": "2"})
    assert mine.body == json_answer(list[ApplicationRead], validated).body
    assert mine.headers["x-total-count"] == "2"
    assert mine.media_type == "application/json"


def test_keys_that_are_no_field_are_left_out() -> None:
    body = rows_answer(ApplicationRead, [_application(url_key="secret", posting_key="k")]).body
    assert set(json.loads(bytes(body))[0]) == set(ApplicationRead.model_fields)


def test_search_hits_render_as_their_model() -> None:
    hit = {"id": 1, "job_title": "Engineer", "company": "Acme", "location": None,
           "status": "applied", "application_date": datetime(2024, 1, 2, tzinfo=UTC),
           "archived": False, "score": 0.25, "snippet": "**engineer**"}  # fmt: skip
    expected = json_answer(list[SearchHit], [SearchHit.model_validate(hit)]).body
    assert rows_answer(SearchHit, [hit]).body == expected
