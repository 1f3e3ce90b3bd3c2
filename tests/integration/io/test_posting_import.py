"""``DatabaseUtils.import_job_posting``: a posting's page becomes an application, every engine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.support.posting_server import PostingServer, fixture_html, posting_server
from utils.errors import ValidationError


@pytest.fixture(scope="module")
def server() -> Iterator[PostingServer]:
    with posting_server() as running:
        yield running


@pytest.fixture
def ann(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user("ann@example.com").id


def test_pasted_html_becomes_a_pending_application_with_its_history_and_event(ann: int) -> None:
    imported = DatabaseUtils.import_job_posting(
        ann,
        url="https://boards.greenhouse.io/northwind/jobs/4012345",
        html=fixture_html("greenhouse"),
    )
    stored = DatabaseUtils.get_application(imported.id)
    assert stored is not None and stored.user_id == ann
    assert (stored.job_title, stored.company, stored.location) == (
        "Senior Data Engineer", "Northwind Analytics", "Austin, TX, US",
    )  # fmt: skip
    assert (stored.salary_min, stored.salary_max, stored.salary_currency) == (145000, 175000, "USD")
    assert (stored.job_type, stored.is_remote, stored.source) == ("full-time", False, "greenhouse")
    assert stored.job_url == "https://boards.greenhouse.io/northwind/jobs/4012345"
    assert stored.job_description is not None
    assert stored.job_description.startswith("About Northwind\n\nWe help 2,000 retailers")
    assert stored.status is ApplicationStatus.PENDING
    assert [h.to_status for h in stored.history] == [ApplicationStatus.PENDING]
    assert [e.kind.value for e in DatabaseUtils.get_events(ann)] == ["application.created"]


def test_a_url_is_fetched_and_the_posting_stored_with_the_remote_flag(
    ann: int, server: PostingServer
) -> None:
    imported = DatabaseUtils.import_job_posting(ann, server.url("/lever.html"), status="applied")
    stored = DatabaseUtils.get_application(imported.id)
    assert stored is not None
    assert (stored.job_title, stored.company) == ("Staff Backend Engineer", "Lumen Health")
    assert stored.is_remote and stored.location == "Remote (United States, Canada)"
    assert (stored.salary_min, stored.salary_max) == (176800, 219440)
    assert stored.notes == "Posted 2026-10-02. Salary as posted: 85 to 105.5 USD per hour."
    assert stored.job_url == server.url("/lever.html") and stored.source == "127.0.0.1"
    assert stored.status is ApplicationStatus.APPLIED


def test_the_same_posting_again_follows_the_duplicate_rule(ann: int, server: PostingServer) -> None:
    first = DatabaseUtils.import_job_posting(ann, server.url("/workday.html"))
    again = DatabaseUtils.import_job_posting(ann, server.url("/workday.html"), on_duplicate="skip")
    assert again.id == first.id
    with pytest.raises(ValidationError) as refused:
        DatabaseUtils.import_job_posting(ann, server.url("/workday.html"), on_duplicate="fail")
    assert refused.value.field == "job_url"
    assert len(DatabaseUtils.get_user_applications(ann)) == 1


def test_hosted_mode_refuses_a_private_address_and_stores_nothing(
    ann: int, server: PostingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    server.paths.clear()
    with pytest.raises(ValidationError) as refused:
        DatabaseUtils.import_job_posting(ann, server.url("/greenhouse.html"))
    assert refused.value.field == "url" and "public address" in refused.value.rule
    assert server.paths == [] and DatabaseUtils.get_user_applications(ann) == []


def test_a_page_without_a_posting_or_a_bad_argument_stores_nothing(
    ann: int, server: PostingServer
) -> None:
    with pytest.raises(ValidationError) as no_posting:
        DatabaseUtils.import_job_posting(ann, html="<html><body>Nothing</body></html>")
    assert no_posting.value.field == "html"
    with pytest.raises(ValidationError) as missing:
        DatabaseUtils.import_job_posting(ann, server.url("/status/404"))
    assert missing.value.rule == "could not be fetched: the site answered HTTP 404"
    lever = fixture_html("lever")
    bad_calls: list[tuple[dict[str, Any], str]] = [
        ({"user_id": 0, "html": lever}, "user_id"),
        ({"user_id": ann, "html": lever, "status": "x"}, "status"),
        ({"user_id": ann, "html": lever, "on_duplicate": "merge"}, "on_duplicate"),
        ({"user_id": ann}, "url"),
    ]
    for arguments, field in bad_calls:
        with pytest.raises(ValidationError) as refused:
            DatabaseUtils.import_job_posting(**arguments)
        assert refused.value.field == field
    assert DatabaseUtils.get_user_applications(ann) == []
