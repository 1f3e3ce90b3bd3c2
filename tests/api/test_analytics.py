"""Analytics over the API: one's own, a coached member's, and an organization's together.

The pipelines are made through the API; the expected figures are counted by
hand from the statuses each application went through.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.models import JobApplication
from tests.support.organizations import (
    API,
    ORGS,
    Headers,
    apply,
    found_organization,
    join,
    signed_in,
)

PERSONAL = (
    "statistics",
    "funnel",
    "conversion-by-source",
    "conversion-by-resume",
    "time-in-stage",
    "applications-per-week",
    "response-stats",
    "stale-applications",
    "sources",
)
ORGANIZATION = ("funnel", "conversion-by-source", "time-in-stage")


@dataclass
class Lab:
    """Org A (founder, members Bob and Dan, coach Cleo) and org B (Eve) with their pipelines."""

    organization_id: int
    founder: Headers
    bob_id: int
    bob: Headers
    dan_id: int
    dan: Headers
    cleo: Headers
    eve: Headers
    bob_stale: int


@pytest.fixture
def lab(client: TestClient) -> Lab:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    bob_id, bob = join(client, founder, organization_id, "bob@example.com")
    dan_id, dan = join(client, founder, organization_id, "dan@example.com")
    _, cleo = join(client, founder, organization_id, "cleo@example.com", "coach")
    _, eve = signed_in(client, "eve@example.com")
    found_organization(client, eve, "Other Lab")

    apply(client, bob, ("screening", "interview_scheduled"), source="linkedin")
    apply(client, bob, ("rejected",), source="linkedin")
    bob_stale = apply(client, bob, source="indeed")
    apply(client, dan, ("screening",), source="linkedin")
    apply(client, dan, ("screening", "interview_scheduled", "offer_received"))
    # Eve is in another organization: her offer must count nowhere in org A.
    apply(client, eve, ("screening", "interview_scheduled", "offer_received"), source="linkedin")
    return Lab(organization_id, founder, bob_id, bob, dan_id, dan, cleo, eve, bob_stale)


def get(client: TestClient, path: str, headers: Headers, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def stage_counts(funnel: dict[str, Any]) -> dict[str, int]:
    return {stage["stage"]: stage["count"] for stage in funnel["stages"]}


def test_personal_analytics_cover_ones_own_applications(
    client: TestClient, db: DatabaseManager, lab: Lab
) -> None:
    with db.session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.id == lab.bob_stale)
            .values(status_changed_at=utcnow() - timedelta(days=30))
        )
    funnel = get(client, "/analytics/funnel", lab.bob)
    assert funnel["total_applications"] == 3
    assert stage_counts(funnel) == {
        "applied": 3, "screening": 1, "interview": 1, "offer": 0, "accepted": 0,
    }  # fmt: skip
    by_source = get(client, "/analytics/conversion-by-source", lab.bob)
    assert [(r["source"], r["applications"], r["responses"]) for r in by_source] == [
        ("linkedin", 2, 2),
        ("indeed", 1, 0),
    ]
    by_resume = get(client, "/analytics/conversion-by-resume", lab.bob)
    assert [(r["resume_id"], r["applications"]) for r in by_resume] == [(None, 3)]
    stays = {
        r["status"]: r["applications"] for r in get(client, "/analytics/time-in-stage", lab.bob)
    }
    assert stays == {"applied": 3, "screening": 1, "interview_scheduled": 1}
    weeks = get(client, "/analytics/applications-per-week", lab.bob, weeks=4)
    assert len(weeks) == 4
    assert weeks[-1]["applications"] == 3
    responses = get(client, "/analytics/response-stats", lab.bob)
    assert (responses["applications"], responses["responses"]) == (3, 2)
    stale = get(client, "/analytics/stale-applications", lab.bob, days=7)
    assert [(row["id"], row["days_since_change"]) for row in stale] == [(lab.bob_stale, 30)]
    assert get(client, "/analytics/sources", lab.bob) == ["indeed", "linkedin"]
    statistics = get(client, "/analytics/statistics", lab.bob, days=30)
    assert statistics["total_applications"] == 3
    assert statistics["status_breakdown"]["rejected"] == 1


def test_a_coach_reads_a_members_analytics_as_the_member_does(client: TestClient, lab: Lab) -> None:
    for name in PERSONAL:
        own = get(client, f"/analytics/{name}", lab.bob)
        assert get(client, f"/analytics/{name}", lab.cleo, user_id=lab.bob_id) == own, name
        assert get(client, f"/analytics/{name}", lab.founder, user_id=lab.bob_id) == own, name
        assert get(client, f"/analytics/{name}", lab.bob, user_id=lab.bob_id) == own, name


def test_nobody_else_reads_a_members_analytics(client: TestClient, lab: Lab) -> None:
    for name in PERSONAL:
        for headers, user_id in ((lab.dan, lab.bob_id), (lab.eve, lab.bob_id), (lab.cleo, 999999)):
            response = client.get(
                f"{API}/analytics/{name}", params={"user_id": user_id}, headers=headers
            )
            assert response.status_code == 404, (name, user_id)
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/analytics/funnel", {"days": 0}, "days"),
        ("/analytics/statistics", {"days": 0}, "days"),
        ("/analytics/applications-per-week", {"weeks": 0}, "weeks"),
        ("/analytics/stale-applications", {"limit": 0}, "limit"),
        ("/analytics/funnel", {"days": "soon"}, "days"),
        ("/analytics/funnel", {"user_id": 0}, "user_id"),
    ],
)
def test_bad_figures_are_a_422_naming_the_parameter(
    client: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    _, headers = signed_in(client, "ada@example.com")
    response = client.get(f"{API}{path}", params=params, headers=headers)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_organization_funnel_is_the_sum_over_its_members(client: TestClient, lab: Lab) -> None:
    url = f"/organizations/{lab.organization_id}/analytics/funnel"
    funnel = get(client, url, lab.cleo)
    assert funnel["total_applications"] == 5
    assert stage_counts(funnel) == {
        "applied": 5, "screening": 3, "interview": 2, "offer": 1, "accepted": 0,
    }  # fmt: skip
    per_member = [
        stage_counts(get(client, "/analytics/funnel", lab.cleo, user_id=person))
        for person in (lab.bob_id, lab.dan_id)
    ]
    assert stage_counts(funnel) == {
        stage: sum(counts[stage] for counts in per_member) for stage in per_member[0]
    }
    screening = funnel["stages"][1]
    assert screening["conversion_rate"] == 60.0
    assert get(client, url, lab.founder) == funnel


def test_organization_conversion_by_source_adds_up_each_source(
    client: TestClient, lab: Lab
) -> None:
    url = f"/organizations/{lab.organization_id}/analytics/conversion-by-source"
    rows = {row["source"]: row for row in get(client, url, lab.cleo)}
    assert {
        source: (r["applications"], r["responses"], r["interviews"], r["offers"])
        for source, r in rows.items()
    } == {"linkedin": (3, 3, 1, 0), "indeed": (1, 0, 0, 0), None: (1, 1, 1, 1)}
    assert rows["linkedin"]["interview_rate"] == 33.3


def test_organization_time_in_stage_counts_every_members_stays(
    client: TestClient, lab: Lab
) -> None:
    url = f"/organizations/{lab.organization_id}/analytics/time-in-stage"
    rows = get(client, url, lab.cleo)
    assert [(r["status"], r["applications"], r["current"]) for r in rows] == [
        ("applied", 5, 1),
        ("screening", 3, 1),
        ("interview_scheduled", 2, 1),
        ("offer_received", 1, 1),
    ]


def test_organization_analytics_are_for_its_staff(client: TestClient, lab: Lab) -> None:
    for name in ORGANIZATION:
        url = f"{ORGS}/{lab.organization_id}/analytics/{name}"
        plain = client.get(url, headers=lab.bob)
        assert plain.status_code == 403, name
        assert plain.headers["content-type"] == "application/problem+json"
        assert client.get(url, headers=lab.eve).status_code == 404, name
        assert client.get(f"{ORGS}/999999/analytics/{name}", headers=lab.cleo).status_code == 404
    bad = client.get(
        f"{ORGS}/{lab.organization_id}/analytics/funnel", params={"days": 0}, headers=lab.cleo
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "days"


def test_an_empty_organization_has_zero_figures(client: TestClient) -> None:
    _, founder = signed_in(client, "ada@example.com")
    organization_id = found_organization(client, founder)
    base = f"/organizations/{organization_id}/analytics"
    funnel = get(client, f"{base}/funnel", founder)
    assert funnel["total_applications"] == 0
    assert set(stage_counts(funnel).values()) == {0}
    assert get(client, f"{base}/conversion-by-source", founder) == []
    assert get(client, f"{base}/time-in-stage", founder) == []
