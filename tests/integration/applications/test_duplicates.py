"""Duplicate postings: normalisation, and the caller's choice on add and in bulk."""

from __future__ import annotations

import pytest

from database.connection import DatabaseManager
from database.core.keys import normalise_url, posting_key, url_key
from database.domain.duplicates import parse_on_duplicate
from database.models import JobApplication
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError


@pytest.mark.parametrize(
    "variant",
    ["https://www.jobs.example/view/42", "http://jobs.example/view/42/",
     "jobs.example/view/42?utm_source=linkedin&utm_medium=x", "HTTPS://JOBS.EXAMPLE/view/42#apply",
     "https://jobs.example:443/view/42?trk=abc&ref=feed"],
)  # fmt: skip
def test_url_variants_of_one_posting_share_a_key(variant: str) -> None:
    assert url_key(variant) == url_key("https://jobs.example/view/42")


def test_meaningful_query_parameters_are_kept() -> None:
    assert normalise_url("https://x.example/job?id=1&b=2") == "x.example/job?b=2&id=1"
    assert url_key("https://x.example/job?id=1") != url_key("https://x.example/job?id=2")
    assert url_key("https://x.example/a") != url_key("https://x.example/b")
    assert url_key("  ") is None and url_key(None) is None


def test_posting_key_ignores_case_accents_punctuation_and_spacing() -> None:
    assert posting_key("ACME, Inc.", "Senior  Dev", "Zürich") == posting_key(
        "acme inc", "senior dev", "zurich"
    )
    assert posting_key("Acme", "Dev", "Berlin") != posting_key("Acme", "Dev", "Paris")
    assert posting_key("Acme", "Dev", None) == posting_key("Acme", "Dev", "")


def test_unknown_policy_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_on_duplicate("merge")
    assert caught.value.field == "on_duplicate"


@pytest.fixture
def user(db: DatabaseManager) -> int:
    return DatabaseUtils.create_user(email="dup@example.com").id


@pytest.fixture
def first(user: int) -> JobApplication:
    return DatabaseUtils.add_job_application(
        user, "Backend Developer", "Acme", location="Berlin",
        job_url="https://www.acme.example/jobs/7?utm_source=x", salary_min=50000,
    )  # fmt: skip


def count(user: int) -> int:
    return len(DatabaseUtils.get_user_applications(user))


def test_default_adds_duplicates_as_before(user: int, first: JobApplication) -> None:
    DatabaseUtils.add_job_application(user, "Backend Developer", "Acme", location="Berlin")
    assert count(user) == 2


def test_fail_names_the_url_for_the_same_address(user: int, first: JobApplication) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.add_job_application(
            user, "Other title", "Other Co", job_url="acme.example/jobs/7", on_duplicate="fail"
        )
    assert caught.value.field == "job_url"
    assert count(user) == 1


def test_fail_names_the_title_for_same_company_title_location(
    user: int, first: JobApplication
) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.add_job_application(user, "backend developer", "ACME", location="berlin",
                                          on_duplicate="fail")  # fmt: skip
    assert caught.value.field == "job_title"


def test_skip_returns_the_existing_application_unchanged(user: int, first: JobApplication) -> None:
    again = DatabaseUtils.add_job_application(
        user, "Backend Developer", "Acme", location="Berlin", salary_min=1, on_duplicate="skip"
    )
    assert again.id == first.id and again.salary_min == 50000
    assert count(user) == 1


def test_update_writes_new_values_and_records_a_status_change(
    user: int, first: JobApplication
) -> None:
    again = DatabaseUtils.add_job_application(
        user, "Backend Developer", "Acme", location="Berlin", salary_min=60000,
        notes="recruiter called", status="screening", on_duplicate="update",
    )  # fmt: skip
    assert again.id == first.id
    stored = existing(DatabaseUtils.get_application(first.id))
    assert (stored.salary_min, stored.notes, stored.status.value) == (
        60000, "recruiter called", "screening",
    )  # fmt: skip
    statuses = [h.to_status.value for h in DatabaseUtils.get_application_history(first.id)]
    assert statuses == ["applied", "screening"]
    assert count(user) == 1


def test_other_users_postings_are_not_duplicates(user: int, first: JobApplication) -> None:
    other = DatabaseUtils.create_user(email="else@example.com").id
    DatabaseUtils.add_job_application(other, "Backend Developer", "Acme", location="Berlin",
                                      on_duplicate="fail")  # fmt: skip
    assert count(other) == 1


def test_editing_a_posting_updates_its_keys(user: int, first: JobApplication) -> None:
    DatabaseUtils.update_application(first.id, company="Globex", job_url=None)
    DatabaseUtils.add_job_application(user, "Backend Developer", "Acme", location="Berlin",
                                      on_duplicate="fail")  # fmt: skip
    with pytest.raises(ValidationError):
        DatabaseUtils.add_job_application(user, "Backend Developer", "Globex",
                                          location="Berlin", on_duplicate="fail")  # fmt: skip


def test_bulk_skip_resolves_existing_and_in_batch_duplicates(
    user: int, first: JobApplication
) -> None:
    ids = DatabaseUtils.bulk_add_job_applications(
        user,
        [{"job_title": "Data Engineer", "company": "Initech"},
         {"job_title": "Backend Developer", "company": "acme", "location": "Berlin"},
         {"job_title": "data engineer", "company": "INITECH"}],
        on_duplicate="skip",
    )  # fmt: skip
    assert ids[1] == first.id and ids[2] == ids[0] and ids[0] != first.id
    assert count(user) == 2


def test_bulk_fail_rejects_the_whole_batch(user: int, first: JobApplication) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.bulk_add_job_applications(
            user,
            [{"job_title": "New", "company": "Co"},
             {"job_title": "Other", "company": "X", "job_url": "http://acme.example/jobs/7"}],
            on_duplicate="fail",
        )  # fmt: skip
    assert caught.value.field == "rows[1].job_title"
    assert count(user) == 1
