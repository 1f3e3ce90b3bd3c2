"""Analytics from the status history, on every engine."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager, db_session_scope
from database.core.column_types import utcnow
from database.models import ApplicationStatusHistory, JobApplication
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from utils.errors import ValidationError


def track(user_id: int, steps: list[tuple[str, int]], **fields: Any) -> int:
    """An application whose statuses happened ``steps`` = [(status, days ago), ...]."""
    now = utcnow()
    first_status, first_ago = steps[0]
    app = DatabaseUtils.add_job_application(
        user_id, fields.pop("job_title", "Engineer"), fields.pop("company", "Co"),
        status=first_status, application_date=now - timedelta(days=first_ago), **fields,
    )  # fmt: skip
    for status, _ago in steps[1:]:
        DatabaseUtils.update_application_status(app.id, status)
    with db_session_scope() as session:
        rows = session.scalars(
            select(ApplicationStatusHistory)
            .where(ApplicationStatusHistory.application_id == app.id)
            .order_by(ApplicationStatusHistory.id)
        ).all()
        for row, (_status, ago) in zip(rows, steps, strict=True):
            row.changed_at = now - timedelta(days=ago)
        stored = existing(session.get(JobApplication, app.id))
        stored.status_changed_at = now - timedelta(days=steps[-1][1])
    return app.id


@pytest.fixture
def pipeline(db: DatabaseManager) -> dict[str, int]:
    user = DatabaseUtils.create_user(email="seeker@example.com").id
    r1 = DatabaseUtils.add_resume(user, "cv_v1.pdf", "/cv1.pdf", is_active=False).id
    r2 = DatabaseUtils.add_resume(user, "cv_v2.pdf", "/cv2.pdf").id
    ids = {
        "A": track(user, [("applied", 20), ("screening", 15), ("interview_scheduled", 10),
                          ("offer_received", 5), ("offer_accepted", 2)],
                   source="linkedin", resume_id=r1, company="A"),
        "B": track(user, [("applied", 20), ("rejected", 18)], source="linkedin", resume_id=r2,
                   company="B"),
        "C": track(user, [("applied", 30)], source="indeed", resume_id=r1, company="C"),
        "D": track(user, [("pending", 0)], company="D"),
        "E": track(user, [("applied", 10), ("screening", 6)], source="indeed", company="E"),
    }  # fmt: skip
    return {"user": user, "r1": r1, "r2": r2, **ids}


def test_funnel_counts_each_stage_reached(pipeline: dict[str, int]) -> None:
    funnel = DatabaseUtils.get_application_funnel(pipeline["user"])
    assert funnel["total_applications"] == 5
    assert [(s["stage"], s["count"]) for s in funnel["stages"]] == [
        ("applied", 4), ("screening", 2), ("interview", 1), ("offer", 1), ("accepted", 1),
    ]  # fmt: skip
    assert [s["conversion_rate"] for s in funnel["stages"]] == [80.0, 50.0, 50.0, 100.0, 100.0]
    assert funnel["stages"][2]["percent_of_applied"] == 25.0


def test_funnel_period_keeps_recent_applications(pipeline: dict[str, int]) -> None:
    funnel = DatabaseUtils.get_application_funnel(pipeline["user"], days=12)
    assert funnel["total_applications"] == 2  # D (today) and E (10 days ago)
    assert funnel["stages"][0]["count"] == 1


def test_conversion_by_source(pipeline: dict[str, int]) -> None:
    rows = {r["source"]: r for r in DatabaseUtils.get_conversion_by_source(pipeline["user"])}
    assert set(rows) == {"linkedin", "indeed", None}
    linkedin = rows["linkedin"]
    assert (linkedin["applications"], linkedin["responses"], linkedin["interviews"],
            linkedin["offers"]) == (2, 2, 1, 1)  # fmt: skip
    assert linkedin["response_rate"] == 100.0 and linkedin["offer_rate"] == 50.0
    assert (rows["indeed"]["applications"], rows["indeed"]["responses"]) == (2, 1)
    assert rows[None]["applications"] == 0 and rows[None]["response_rate"] == 0.0


def test_conversion_by_resume(pipeline: dict[str, int]) -> None:
    rows = {r["resume_id"]: r for r in DatabaseUtils.get_conversion_by_resume(pipeline["user"])}
    assert rows[pipeline["r1"]]["filename"] == "cv_v1.pdf"
    assert (rows[pipeline["r1"]]["applications"], rows[pipeline["r1"]]["interviews"]) == (2, 1)
    assert (rows[pipeline["r2"]]["applications"], rows[pipeline["r2"]]["responses"]) == (1, 1)
    assert rows[None]["filename"] is None and rows[None]["applications"] == 1


def test_time_in_stage_median_and_p75_include_current_stays(pipeline: dict[str, int]) -> None:
    stays = {r["status"]: r for r in DatabaseUtils.get_time_in_stage(pipeline["user"])}
    applied = stays["applied"]  # 5, 2, 30 (still there), 4 days
    assert (applied["applications"], applied["current"]) == (4, 1)
    assert applied["median_days"] == pytest.approx(4.5, abs=0.05)
    assert applied["p75_days"] == pytest.approx(11.25, abs=0.06)
    screening = stays["screening"]  # 5 days, and 6 days so far
    assert (screening["applications"], screening["current"]) == (2, 1)
    assert screening["median_days"] == pytest.approx(5.5, abs=0.05)
    assert "offer_accepted" not in stays and "rejected" not in stays
    assert list(stays)[:3] == ["pending", "applied", "screening"]


def test_response_rate_and_days_to_first_response(pipeline: dict[str, int]) -> None:
    stats = DatabaseUtils.get_response_stats(pipeline["user"])
    assert (stats["applications"], stats["responses"], stats["response_rate"]) == (4, 3, 75.0)
    assert stats["median_days_to_first_response"] == pytest.approx(4.0, abs=0.05)  # 5, 2, 4
    assert stats["average_days_to_first_response"] == pytest.approx(3.7, abs=0.05)


def test_applications_per_week_covers_every_week(pipeline: dict[str, int]) -> None:
    weeks = DatabaseUtils.get_applications_per_week(pipeline["user"], weeks=6)
    assert len(weeks) == 6
    assert sum(w["applications"] for w in weeks) == 5
    this_monday = utcnow().date() - timedelta(days=utcnow().date().weekday())
    assert weeks[-1]["week_start"] == this_monday
    steps = {b["week_start"] - a["week_start"] for a, b in itertools.pairwise(weeks)}
    assert steps == {timedelta(weeks=1)}
    assert weeks[-1]["applications"] >= 1


def test_stale_applications_oldest_first(pipeline: dict[str, int]) -> None:
    stale = DatabaseUtils.get_stale_applications(pipeline["user"], days=14)
    assert [s["id"] for s in stale] == [pipeline["C"]]
    assert stale[0]["days_since_change"] == 30 and stale[0]["status"] == "applied"
    five = DatabaseUtils.get_stale_applications(pipeline["user"], days=5)
    assert [s["id"] for s in five] == [pipeline["C"], pipeline["E"]]


def test_user_without_applications_gets_zeros(db: DatabaseManager) -> None:
    user = DatabaseUtils.create_user(email="new@example.com").id
    assert DatabaseUtils.get_application_funnel(user)["stages"][0] == {
        "stage": "applied", "count": 0, "conversion_rate": 0.0, "percent_of_applied": 0.0,
    }  # fmt: skip
    assert DatabaseUtils.get_response_stats(user)["median_days_to_first_response"] is None
    assert DatabaseUtils.get_time_in_stage(user) == []
    assert DatabaseUtils.get_conversion_by_source(user) == []
    assert DatabaseUtils.get_stale_applications(user) == []


def test_other_users_rows_are_not_counted(pipeline: dict[str, int]) -> None:
    other = DatabaseUtils.create_user(email="other@example.com").id
    track(other, [("applied", 40)], source="linkedin")
    assert DatabaseUtils.get_application_funnel(pipeline["user"])["total_applications"] == 5
    assert DatabaseUtils.get_application_funnel(other)["total_applications"] == 1


@pytest.mark.parametrize(
    ("call", "kwargs", "field"),
    [("get_application_funnel", {"days": 0}, "days"),
     ("get_applications_per_week", {"weeks": 0}, "weeks"),
     ("get_stale_applications", {"limit": 0}, "limit"),
     ("get_response_stats", {"days": True}, "days")],
)  # fmt: skip
def test_bad_arguments_name_their_field(
    pipeline: dict[str, int], call: str, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        getattr(DatabaseUtils, call)(pipeline["user"], **kwargs)
    assert caught.value.field == field


def test_unknown_user_is_a_validation_error(db: DatabaseManager) -> None:
    with pytest.raises(ValidationError) as caught:
        DatabaseUtils.get_time_in_stage(12345)
    assert caught.value.field == "user_id"
