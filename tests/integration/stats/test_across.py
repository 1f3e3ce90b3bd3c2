"""Statistics over a set of users together (``*_across``), on every engine.

The set is a list of ids or a query of them (an organization's members); the
figures are the sums, and the percentiles those of all the stays together,
worked out by hand from the pipelines below.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager, db_session_scope
from database.domain.organizations import (
    accept_invitation,
    create_organization,
    invite,
    readable_user_ids,
)
from database.domain.stats import conversion, timing
from database.domain.stats.common import statement
from database.models import User
from database.utilities import DatabaseUtils
from tests.integration.stats.test_analytics import track
from utils.errors import ValidationError


@pytest.fixture
def people(db: DatabaseManager) -> dict[str, int]:
    """Two people's pipelines (days ago), and an outsider whose rows must never count."""
    first = DatabaseUtils.create_user(email="first@example.com").id
    second = DatabaseUtils.create_user(email="second@example.com").id
    outsider = DatabaseUtils.create_user(email="outsider@example.com").id
    track(
        first, [("applied", 20), ("screening", 15), ("interview_scheduled", 10)], source="linkedin"
    )
    track(first, [("applied", 10)], source="indeed")
    track(second, [("applied", 8), ("screening", 4)], source="linkedin")
    track(second, [("applied", 6), ("rejected", 3)], source="linkedin")
    track(outsider, [("applied", 30), ("offer_received", 1)], source="linkedin")
    return {"first": first, "second": second, "outsider": outsider}  # fmt: skip


def counts(funnel: dict[str, Any]) -> list[int]:
    return [stage["count"] for stage in funnel["stages"]]


def test_the_funnel_across_people_sums_their_stages(people: dict[str, int]) -> None:
    with db_session_scope() as session:
        funnel = conversion.funnel_across(session, [people["first"], people["second"]])
        recent = conversion.funnel_across(session, [people["first"], people["second"]], days=9)
    assert funnel["total_applications"] == 4
    assert counts(funnel) == [4, 2, 1, 0, 0]
    assert funnel["stages"][1]["conversion_rate"] == 50.0
    assert counts(recent) == [2, 1, 0, 0, 0]  # made 8 and 6 days ago


def test_conversion_by_source_across_people_merges_each_source(people: dict[str, int]) -> None:
    with db_session_scope() as session:
        rows = conversion.conversion_by_source_across(session, [people["first"], people["second"]])
    figures = {r["source"]: (r["applications"], r["responses"], r["interviews"]) for r in rows}
    assert figures == {"linkedin": (3, 3, 1), "indeed": (1, 0, 0)}
    assert [r["source"] for r in rows] == ["linkedin", "indeed"]


def test_time_in_stage_across_people_takes_percentiles_of_all_stays(
    people: dict[str, int],
) -> None:
    with db_session_scope() as session:
        rows = timing.time_in_stage_across(session, [people["first"], people["second"]])
    stays = {r["status"]: r for r in rows}
    assert list(stays) == ["applied", "screening", "interview_scheduled"]
    applied = stays["applied"]  # 5, 10 (still there), 4 and 3 days
    assert (applied["applications"], applied["current"]) == (4, 1)
    assert applied["median_days"] == pytest.approx(4.5, abs=0.05)
    assert applied["p75_days"] == pytest.approx(6.25, abs=0.06)
    screening = stays["screening"]  # 5 days, and 4 so far
    assert (screening["applications"], screening["current"]) == (2, 1)
    assert screening["median_days"] == pytest.approx(4.5, abs=0.05)
    assert stays["interview_scheduled"]["median_days"] == pytest.approx(10.0, abs=0.05)


def test_an_organizations_members_query_selects_the_same_people(people: dict[str, int]) -> None:
    with db_session_scope() as session:
        organization = create_organization(session, people["first"], "Career Lab")
        invited = invite(session, people["first"], organization.id, "second@example.com", "member")
        assert invited is not None
        accept_invitation(session, people["second"], invited[1])
        create_organization(session, people["outsider"], "Other Lab")
        members = readable_user_ids(people["first"], organization.id)
        listed = [people["first"], people["second"]]
        assert conversion.funnel_across(session, members) == conversion.funnel_across(
            session, listed
        )
        assert conversion.conversion_by_source_across(
            session, members
        ) == conversion.conversion_by_source_across(session, listed)
        assert timing.time_in_stage_across(session, members) == timing.time_in_stage_across(
            session, listed
        )


def test_one_person_across_is_that_persons_own_figures(people: dict[str, int]) -> None:
    with db_session_scope() as session:
        for person in (people["first"], people["second"]):
            assert conversion.funnel_across(session, [person]) == conversion.funnel(session, person)
            assert conversion.conversion_by_source_across(
                session, [person]
            ) == conversion.conversion_by_source(session, person)
            assert timing.time_in_stage_across(session, [person]) == timing.time_in_stage(
                session, person
            )


def test_nobody_and_unknown_people_have_zero_figures(people: dict[str, int]) -> None:
    unknown = [987654]
    with db_session_scope() as session:
        for nobody in ([], unknown, select(User.id).where(User.email == "none@example.com")):
            assert counts(conversion.funnel_across(session, nobody)) == [0, 0, 0, 0, 0]
            assert conversion.conversion_by_source_across(session, nobody) == []
            assert timing.time_in_stage_across(session, nobody) == []


@pytest.mark.parametrize("bad", ["1,2", 5, [0], [True], None])
def test_a_bad_set_of_users_names_user_ids(db: DatabaseManager, bad: Any) -> None:
    with db_session_scope() as session:
        for call in (
            conversion.funnel_across,
            conversion.conversion_by_source_across,
            timing.time_in_stage_across,
        ):
            with pytest.raises(ValidationError) as caught:
                call(session, bad)
            assert caught.value.field == "user_ids"


def test_one_users_statement_is_built_once_and_a_sets_per_call() -> None:
    def build(active: bool, user_ids: Any) -> Any:
        query = select(User.id).where(User.is_active.is_(active))
        return query if user_ids is None else query.where(User.id.in_(user_ids))

    assert statement(build, 1, True) is statement(build, 2, True)
    assert statement(build, [1], True) is not statement(build, [1], True)
