"""The application timeline's notes under AppTest: added, shown, and never in place of own notes."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, move_on_board, no_exceptions, successes
from tests.support.checks import existing

Start = Callable[..., AppTest]
OWN = "referral from Tom, contact Anna"


def test_adding_a_note_shows_it_in_the_timeline(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co", notes=OWN).id
    at = app(user_id)
    at.text_area(key=f"note_{app_id}.body").set_value("Called Anna: call back Friday")
    at.button(key=f"FormSubmitter:note_{app_id}-Add note").click().run()
    no_exceptions(at)
    assert successes(at) == ["Note added."]
    assert [n.body for n in DatabaseUtils.get_application_notes(app_id)] == [
        "Called Anna: call back Friday"
    ]
    assert any(m.value.endswith("` note: Called Anna\\: call back Friday") for m in at.markdown)
    assert at.text_area(key=f"note_{app_id}.body").value == ""
    assert existing(DatabaseUtils.get_application(app_id)).notes == OWN


def test_a_blank_note_is_reported_on_its_field_and_saves_nothing(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id
    at = app(user_id)
    at.text_area(key=f"note_{app_id}.body").set_value("   ")
    at.button(key=f"FormSubmitter:note_{app_id}-Add note").click().run()
    no_exceptions(at)
    assert errors(at) == ["Body must not be empty"]
    assert DatabaseUtils.get_application_notes(app_id) == []


def test_moving_a_card_keeps_the_applications_own_notes(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co", notes=OWN).id
    at = app(user_id)
    move_on_board(at, app_id, ApplicationStatus.SCREENING)
    no_exceptions(at)
    assert existing(DatabaseUtils.get_application(app_id)).notes == OWN
    assert DatabaseUtils.get_application_history(app_id)[-1].to_status == "screening"
