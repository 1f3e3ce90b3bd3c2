"""A page of applications as plain rows, and the existence probe a known user skips."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect

from database.connection import DatabaseManager
from database.domain import listing, tags
from database.domain.listing import ApplicationFilter
from database.models import JobApplication
from database.utilities import DatabaseUtils
from tests.support.statements import statements_sent
from utils.errors import ValidationError


def _user_with_applications(count: int) -> int:
    user = DatabaseUtils.create_user(email="rows@example.com")
    for day in range(1, count + 1):
        DatabaseUtils.add_job_application(
            user.id, f"Role {day}", "Acme", application_date=datetime(2024, 3, day, tzinfo=UTC)
        )
    return user.id


def test_page_rows_are_the_columns_of_the_objects_page_loads(db: DatabaseManager) -> None:
    user_id = _user_with_applications(4)
    criteria = ApplicationFilter(text="role")
    with db.session_scope() as session:
        objects = listing.page(session, user_id, criteria, 3, 1)
        keys = [p.key for p in inspect(JobApplication).column_attrs if not p.deferred]
        expected = [{key: getattr(a, key) for key in keys} for a in objects]
        assert listing.page_rows(session, user_id, criteria, 3, 1) == expected
    assert [row["job_title"] for row in expected] == ["Role 3", "Role 2", "Role 1"]


def test_a_known_user_is_listed_without_an_existence_probe(db: DatabaseManager) -> None:
    user_id = _user_with_applications(1)
    criteria = ApplicationFilter()

    def listed(known: bool) -> int:
        def call() -> None:
            with db.session_scope() as session:
                listing.page_rows(session, user_id, criteria, 10, 0, known_user=known)
                listing.count(session, user_id, criteria, known_user=known)

        return len(statements_sent(db.engine, call))

    assert listed(known=True) == listed(known=False) - 2


def test_an_unknown_user_is_still_refused_unless_vouched_for(db: DatabaseManager) -> None:
    with db.session_scope() as session:
        with pytest.raises(ValidationError) as refused:
            listing.page_rows(session, 999_999, ApplicationFilter())
        assert refused.value.field == "user_id"
        assert listing.count(session, 999_999, ApplicationFilter(), known_user=True) == 0


def _tagged_applications() -> int:
    user_id = _user_with_applications(5)
    applications = DatabaseUtils.get_user_applications(user_id)
    names = [["zeta", "Alpha", "Émigré"], ["beta"], [], ["Beta two", "alpha"], ["Ωmega", "a"]]
    for application, tagged in zip(applications, names, strict=True):
        if tagged:
            DatabaseUtils.set_application_tags(application.id, tagged)
    return user_id


@pytest.mark.parametrize(
    "criteria",
    [ApplicationFilter(), ApplicationFilter(text="role"), ApplicationFilter(tags=("alpha",)),
     ApplicationFilter(statuses=("applied",))],
    ids=["all", "text", "tag", "status"],
)  # fmt: skip
def test_a_shown_page_has_the_rows_their_tags_and_the_count(
    db: DatabaseManager, criteria: ApplicationFilter
) -> None:
    user_id = _tagged_applications()
    with db.session_scope() as session:
        rows, total = listing.shown_page(session, user_id, criteria, 2, 1)
        expected = listing.page_rows(session, user_id, criteria, 2, 1)
        names = tags.names_for(session, user_id, [row["id"] for row in expected])
        assert total == listing.count(session, user_id, criteria)
    assert [{k: v for k, v in row.items() if k != "tags"} for row in rows] == expected
    assert [row["tags"] for row in rows] == [names[row["id"]] for row in expected]


def test_a_page_past_the_end_still_counts_what_matches(db: DatabaseManager) -> None:
    user_id = _tagged_applications()
    with db.session_scope() as session:
        assert listing.shown_page(session, user_id, ApplicationFilter(), 10, 50) == ([], 5)
        nothing = ApplicationFilter(text="no such role")
        assert listing.shown_page(session, user_id, nothing, 10, 0) == ([], 0)


def test_every_tag_of_a_full_page_is_shown(db: DatabaseManager) -> None:
    user_id = _tagged_applications()
    with db.session_scope() as session:
        rows, total = listing.shown_page(session, user_id, ApplicationFilter(), 10, 0)
    assert total == 5
    assert sorted(sorted(row["tags"]) for row in rows) == sorted([
        ["a", "Ωmega"], ["Alpha", "Beta two"], [], ["beta"], ["Alpha", "zeta", "Émigré"],
    ])  # fmt: skip


def test_one_compiled_page_serves_every_person_and_value_of_its_shape(
    db: DatabaseManager,
) -> None:
    first = _user_with_applications(3)
    second = DatabaseUtils.create_user(email="second-rows@example.com").id
    DatabaseUtils.add_job_application(second, "Designer", "Beta")
    listing._shown_queries.clear()
    with db.session_scope() as session:
        roles, total = listing.shown_page(session, first, ApplicationFilter(text="role 2"), 10)
        assert ([r["job_title"] for r in roles], total) == (["Role 2"], 1)
        design, total = listing.shown_page(session, second, ApplicationFilter(text="sign"), 10)
        assert ([r["job_title"] for r in design], total) == (["Designer"], 1)
        assert listing.shown_page(session, second, ApplicationFilter(text="role"), 10) == ([], 0)
    assert len(listing._shown_queries) == 1
