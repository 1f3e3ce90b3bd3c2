"""The demo dataset: dated moves over past weeks, so every analytics figure has data."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.services.demo import DEMO_EMAIL, demo_applications, load_demo_data
from database.utilities import DatabaseUtils


@pytest.fixture
def demo(db: DatabaseManager) -> int:
    assert load_demo_data() is True
    user = DatabaseUtils.get_user_by_email(DEMO_EMAIL)
    assert user is not None
    return user.id


def test_demo_loads_once(demo: int) -> None:
    assert load_demo_data() is False
    assert len(DatabaseUtils.get_user_applications(demo)) == 12


def test_every_move_is_dated_in_the_past_weeks(demo: int) -> None:
    now = utcnow()
    apps = DatabaseUtils.get_user_applications(demo)
    dates = []
    for app in apps:
        moves = DatabaseUtils.get_application_history(app.id)
        assert moves[0].changed_at == app.application_date
        assert moves[-1].changed_at == app.status_changed_at
        assert moves[-1].to_status == app.status
        gaps = [b.changed_at - a.changed_at for a, b in itertools.pairwise(moves)]
        assert all(gap >= timedelta(days=1) for gap in gaps)
        dates += [m.changed_at for m in moves]
    assert all(now - timedelta(weeks=10) <= d < now - timedelta(days=1) for d in dates)
    assert max(dates) - min(dates) > timedelta(weeks=9)


def test_demo_analytics_have_time_follow_ups_and_weeks(demo: int) -> None:
    stays = DatabaseUtils.get_time_in_stage(demo)
    assert {s["status"] for s in stays} >= {"applied", "screening", "interview_scheduled"}
    assert all(s["median_days"] > 1 for s in stays)
    stale = DatabaseUtils.get_stale_applications(demo, days=14)
    assert {s["status"] for s in stale} >= {"applied", "screening"}
    assert all(s["days_since_change"] >= 14 for s in stale)
    counts = [s["count"] for s in DatabaseUtils.get_application_funnel(demo)["stages"]]
    assert counts[0] > counts[1] > counts[2] > counts[3] > 0
    weeks = DatabaseUtils.get_applications_per_week(demo, weeks=11)
    assert sum(1 for w in weeks if w["applications"]) >= 8
    assert sum(w["applications"] for w in weeks) == 12
    statuses = DatabaseUtils.get_application_statistics(demo)["status_breakdown"]
    assert statuses["rejected"] >= 2 and statuses["applied"] >= 2
    response = DatabaseUtils.get_response_stats(demo)
    assert response["median_days_to_first_response"] > 1


def test_demo_rows_are_deterministic() -> None:
    now = utcnow()
    assert demo_applications(now) == demo_applications(now)
    newest = max(demo_applications(now), key=lambda r: r["application_date"])
    assert newest["status_history"][-1]["status"] == "applied"
