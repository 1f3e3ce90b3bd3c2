"""Filtered listings, counts, sources, bulk histories and the list of profiles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from database.connection import DatabaseManager
from database.domain.listing import ApplicationFilter
from database.models import User
from database.utilities import DatabaseUtils
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> User:
    user = DatabaseUtils.create_user(email="owner@example.com", first_name="Owner")
    rows = [
        ("Python Developer", "TechCorp", "Cape Town", "linkedin", "applied", 1),
        ("Data Engineer", "Acme_Labs", "Remote", "indeed", "screening", 5),
        ("QA 100% Tester", "TechCorp", "Durban", None, "rejected", 10),
        ("Backend Engineer", "Other", "Cape Town", "linkedin", "applied", 20),
    ]
    for title, company, location, source, status, day in rows:
        DatabaseUtils.add_job_application(
            user.id,
            title,
            company,
            location=location,
            source=source,
            status=status,
            application_date=datetime(2024, 3, day, 12, tzinfo=UTC),
        )
    other = DatabaseUtils.create_user(email="other@example.com", first_name="Other")
    DatabaseUtils.add_job_application(other.id, "Python Developer", "TechCorp", source="mine")
    return user


def titles(user: User, **filters: Any) -> list[str]:
    return [a.job_title for a in DatabaseUtils.find_applications(user.id, filters)]


def test_no_filter_lists_everything_newest_first(user: User) -> None:
    assert titles(user) == [
        "Backend Engineer",
        "QA 100% Tester",
        "Data Engineer",
        "Python Developer",
    ]
    assert DatabaseUtils.count_applications(user.id) == 4


def test_filters_combine(user: User) -> None:
    assert titles(user, statuses=["applied"], sources=["linkedin"]) == [
        "Backend Engineer",
        "Python Developer",
    ]
    assert titles(user, text="techcorp") == ["QA 100% Tester", "Python Developer"]
    assert titles(user, text="CAPE", statuses=("applied",)) == [
        "Backend Engineer",
        "Python Developer",
    ]
    criteria = ApplicationFilter(date_from=date(2024, 3, 5), date_to=date(2024, 3, 10))
    assert [a.job_title for a in DatabaseUtils.find_applications(user.id, criteria)] == [
        "QA 100% Tester",
        "Data Engineer",
    ]
    assert DatabaseUtils.count_applications(user.id, criteria) == 2


def test_text_wildcards_are_literal(user: User) -> None:
    assert titles(user, text="100%") == ["QA 100% Tester"]
    assert titles(user, text="_labs") == ["Data Engineer"]
    assert titles(user, text="%") == ["QA 100% Tester"]


def test_paging(user: User) -> None:
    page = DatabaseUtils.find_applications(user.id, None, limit=2, offset=2)
    assert [a.job_title for a in page] == ["Data Engineer", "Python Developer"]


def test_sources_are_the_users_own(user: User) -> None:
    assert DatabaseUtils.get_application_sources(user.id) == ["indeed", "linkedin"]


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"statuses": ["hired"]}, "statuses"),
        ({"text": "a\x00b"}, "text"),
        ({"date_from": "2024-01-01"}, "date_from"),
        ("applied", "filters"),
    ],
)
def test_bad_filters_are_rejected(user: User, filters: Any, field: str) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.find_applications(user.id, filters)
    assert info.value.field == field


def test_unknown_user_is_rejected(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.count_applications(999)
    assert info.value.field == "user_id"


def test_histories_of_many_applications_at_once(user: User) -> None:
    apps = DatabaseUtils.get_user_applications(user.id)
    DatabaseUtils.update_application_status(apps[0].id, "screening")
    result = DatabaseUtils.get_application_histories([a.id for a in apps] + [9999])
    assert [h.to_status.value for h in result[apps[0].id]] == ["applied", "screening"]
    assert len(result[apps[1].id]) == 1
    assert result[9999] == []


def test_list_users_lists_every_profile(user: User) -> None:
    assert [u.email for u in DatabaseUtils.list_users()] == [
        "other@example.com",
        "owner@example.com",
    ]
