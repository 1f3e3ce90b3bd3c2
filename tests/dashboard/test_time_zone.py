"""The dashboard in the person's time zone: chosen on the profile page, used to enter interviews."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from streamlit.testing.v1 import AppTest

from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.support.checks import existing

Start = Callable[..., AppTest]


def test_the_time_zone_is_chosen_on_the_profile_page(app: Start, user_id: int) -> None:
    at = app(user_id, "Profile & preferences")
    picker = at.selectbox(key="preferences.time_zone")
    assert picker.value == "UTC" and "Europe/Paris" in picker.options
    picker.set_value("Europe/Paris")
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    no_exceptions(at)
    assert "Preferences saved." in successes(at)
    assert existing(DatabaseUtils.get_user_preferences(user_id)).time_zone == "Europe/Paris"


def enter_interview(at: AppTest, app_id: int, on: date, at_time: time) -> None:
    form = f"status_{app_id}"
    at.selectbox(key=f"{form}.status").set_value("interview_scheduled")
    at.date_input(key=f"{form}.interview_day").set_value(on)
    at.time_input(key=f"{form}.interview_time").set_value(at_time)
    at.button(key=f"FormSubmitter:{form}-Change status").click().run()


def test_an_interview_entered_in_paris_time_is_stored_in_utc(app: Start, user_id: int) -> None:
    DatabaseUtils.update_user_preferences(user_id, time_zone="Europe/Paris")
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    assert at.time_input(key=f"status_{app_id}.interview_time").label == (
        "Interview time (Europe/Paris)"
    )
    enter_interview(at, app_id, date(2026, 3, 3), time(14, 0))
    no_exceptions(at)
    stored = existing(DatabaseUtils.get_application(app_id)).interview_date
    assert stored == datetime(2026, 3, 3, 13, 0, tzinfo=UTC)
    assert any("interview 2026-03-03 14:00 CET" in c.value for c in at.caption)


def test_a_time_the_clocks_skip_is_refused_under_its_field(app: Start, user_id: int) -> None:
    DatabaseUtils.update_user_preferences(user_id, time_zone="Europe/Paris")
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    enter_interview(at, app_id, date(2026, 3, 29), time(2, 30))
    no_exceptions(at)
    assert any("does not exist in Europe/Paris" in e for e in errors(at))
    assert existing(DatabaseUtils.get_application(app_id)).interview_date is None
