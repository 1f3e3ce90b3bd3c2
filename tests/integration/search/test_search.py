"""Full-text search over applications and resumes, on every engine."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from database.connection import DatabaseManager
from database.domain.search import MARK
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

DESCRIPTION = (
    "We build data pipelines in Python and Django on PostgreSQL. "
    "You will mentor junior engineers and review node.js services."
)


@pytest.fixture
def owner(db: DatabaseManager) -> int:
    user = DatabaseUtils.create_user(email="owner@example.com")
    return user.id


@pytest.fixture
def apps(owner: int) -> dict[str, int]:
    add = DatabaseUtils.add_job_application
    return {
        "python": add(owner, "Senior Python Developer", "TechCorp", location="Cape Town",
                      job_description=DESCRIPTION).id,
        "java": add(owner, "Java Engineer", "Acme", job_description="Spring Boot services",
                    notes="Recruiter mentioned Python later").id,
        "designer": add(owner, "Product Designer", "Studio", location="Remote",
                        job_description="Figma, research and senior stakeholders").id,
    }  # fmt: skip


def ids(hits: list[dict[str, Any]]) -> list[int]:
    return [hit["id"] for hit in hits]


def test_every_word_must_match(owner: int, apps: dict[str, int]) -> None:
    assert ids(DatabaseUtils.search_applications(owner, "django postgresql")) == [apps["python"]]
    assert DatabaseUtils.search_applications(owner, "django figma") == []


def test_title_match_ranks_above_notes_match(owner: int, apps: dict[str, int]) -> None:
    hits = DatabaseUtils.search_applications(owner, "python")
    assert ids(hits) == [apps["python"], apps["java"]]
    assert hits[0]["score"] > hits[1]["score"]


def test_quoted_phrase_needs_adjacent_words(owner: int, apps: dict[str, int]) -> None:
    assert ids(DatabaseUtils.search_applications(owner, '"senior python"')) == [apps["python"]]
    assert DatabaseUtils.search_applications(owner, '"python senior"') == []


def test_prefix_term_matches_word_beginnings(owner: int, apps: dict[str, int]) -> None:
    assert ids(DatabaseUtils.search_applications(owner, "pyth*")) == [apps["python"], apps["java"]]
    assert ids(DatabaseUtils.search_applications(owner, "desig*")) == [apps["designer"]]


def test_stemming_matches_other_word_forms(owner: int, apps: dict[str, int]) -> None:
    assert ids(DatabaseUtils.search_applications(owner, "pipeline")) == [apps["python"]]


def test_hit_has_fields_and_highlighted_snippet(owner: int, apps: dict[str, int]) -> None:
    (hit,) = DatabaseUtils.search_applications(owner, "mentor")
    assert hit["id"] == apps["python"]
    assert hit["job_title"] == "Senior Python Developer"
    assert hit["company"] == "TechCorp"
    assert hit["status"] == "applied"
    assert hit["application_date"].tzinfo is not None
    assert f"{MARK}mentor{MARK}" in hit["snippet"]


def test_user_only_sees_own_rows(owner: int, apps: dict[str, int]) -> None:
    other = DatabaseUtils.create_user(email="other@example.com").id
    DatabaseUtils.add_job_application(other, "Senior Python Developer", "TechCorp",
                                      job_description=DESCRIPTION)  # fmt: skip
    assert set(ids(DatabaseUtils.search_applications(owner, "python"))) == {
        apps["python"],
        apps["java"],
    }
    assert len(DatabaseUtils.search_applications(other, "python")) == 1


def test_status_filter(owner: int, apps: dict[str, int]) -> None:
    DatabaseUtils.update_application_status(apps["java"], "interview_scheduled")
    hits = DatabaseUtils.search_applications(owner, "python", status="interview_scheduled")
    assert ids(hits) == [apps["java"]]


def test_index_follows_updates_and_deletes(owner: int, apps: dict[str, int]) -> None:
    DatabaseUtils.update_application(apps["designer"], job_title="Rust Developer")
    assert ids(DatabaseUtils.search_applications(owner, "rust")) == [apps["designer"]]
    assert DatabaseUtils.search_applications(owner, "product") == []
    DatabaseUtils.delete_application(apps["designer"])
    assert DatabaseUtils.search_applications(owner, "rust") == []


def test_status_change_keeps_the_row_searchable(owner: int, apps: dict[str, int]) -> None:
    DatabaseUtils.update_application_status(apps["python"], "screening", notes="call")
    assert apps["python"] in ids(DatabaseUtils.search_applications(owner, "django"))


def test_limit_and_offset_page_through_hits(owner: int, apps: dict[str, int]) -> None:
    first = DatabaseUtils.search_applications(owner, "python", limit=1)
    second = DatabaseUtils.search_applications(owner, "python", limit=1, offset=1)
    assert ids(first + second) == [apps["python"], apps["java"]]


@pytest.mark.parametrize(
    "query",
    ['python OR java', "NOT python", "job_title:python", "NEAR(python java)", '"unbalanced',
     "python AND", "(python", "python)", "^python", "python -java", "'; DROP TABLE users; --",
     "python:*", "a & b | !c", "user_id : 1"],
)  # fmt: skip
def test_engine_syntax_is_taken_literally(owner: int, apps: dict[str, int], query: str) -> None:
    hits = DatabaseUtils.search_applications(owner, query)
    assert isinstance(hits, list)
    assert DatabaseUtils.get_user_by_id(owner) is not None


@pytest.mark.parametrize("query", ["", "   ", '""', "***", "!!! ???", "\x00"])
def test_query_without_words_is_a_validation_error(owner: int, query: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.search_applications(owner, query)
    assert caught.value.field == "query"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"query": "x" * 501}, "query"), ({"query": 5}, "query"),
     ({"query": "a", "limit": 0}, "limit"), ({"query": "a", "offset": -1}, "offset"),
     ({"query": "a", "status": "bogus"}, "status"),
     ({"query": " ".join(["w"] * 17)}, "query")],
)  # fmt: skip
def test_bad_arguments_name_their_field(owner: int, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.search_applications(owner, **kwargs)
    assert caught.value.field == field


def test_unknown_user_is_a_validation_error(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.search_applications(999, "python")
    assert caught.value.field == "user_id"


def test_search_resumes_by_text_and_file_name(owner: int) -> None:
    cv = DatabaseUtils.add_resume(owner, "backend_cv.pdf", "/cv/backend.pdf",
                                  parsed_text="Kubernetes operator and Go developer")  # fmt: skip
    other = DatabaseUtils.create_user(email="other@example.com").id
    DatabaseUtils.add_resume(other, "x.pdf", "/cv/x.pdf", parsed_text="Kubernetes expert")
    (hit,) = DatabaseUtils.search_resumes(owner, "kubernetes")
    assert hit["id"] == cv.id
    assert hit["filename"] == "backend_cv.pdf"
    assert f"{MARK}Kubernetes{MARK}" in hit["snippet"]
    assert ids(DatabaseUtils.search_resumes(owner, "backend")) == [cv.id]


_queries = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(['"', "*", "python", "senior", "OR", "NOT", "(", ")", ":", "^", "-",
                         "NEAR", "{", "}", "'", "\\", "&", "|", "!", "<->", "é", "node.js"]),
        max_size=8,
    ).map(" ".join),
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=_queries)
def test_any_text_is_a_query_or_a_validation_error(
    owner: int, apps: dict[str, int], query: str
) -> None:
    other_rows = set(apps.values())
    try:
        hits = DatabaseUtils.search_applications(owner, query)
    except ValidationError as exc:
        assert exc.field == "query"
    else:
        assert set(ids(hits)) <= other_rows
