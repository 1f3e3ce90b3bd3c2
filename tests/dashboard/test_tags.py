"""Tags under AppTest: edited on an application's page, filtered by, shown in the analytics."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from database.utilities import DatabaseUtils
from tests.dashboard.helpers import no_exceptions

Start = Callable[..., AppTest]


def test_tags_chosen_on_the_application_page_are_saved(app: Start, user_id: int) -> None:
    DatabaseUtils.set_application_tags(
        DatabaseUtils.add_job_application(user_id, "Other", "Co").id, ["Referral"]
    )
    app_id = DatabaseUtils.add_job_application(user_id, "Dev", "Co").id  # the newest is shown
    at = app(user_id, "Applications")
    editor = at.multiselect(key=f"tags_{app_id}.names")
    assert "Referral" in editor.options
    editor.set_value(["Referral"]).run()
    no_exceptions(at)
    assert DatabaseUtils.get_application_tags(app_id) == ["Referral"]


def test_the_tag_filter_keeps_the_tagged_applications(app: Start, user_id: int) -> None:
    tagged = DatabaseUtils.add_job_application(user_id, "Tagged", "Co").id
    DatabaseUtils.add_job_application(user_id, "Plain", "Co")
    DatabaseUtils.set_application_tags(tagged, ["Remote"])
    at = app(user_id, "Applications")
    at.multiselect(key="apps.filter.tags").set_value(["Remote"]).run()
    no_exceptions(at)
    (table,) = [frame.value for frame in at.dataframe if "Job title" in frame.value]
    assert list(table["Job title"]) == ["Tagged"]
    assert list(table["Tags"]) == ["Remote"]


def test_the_analytics_page_has_a_table_by_tag(app: Start, user_id: int) -> None:
    DatabaseUtils.set_application_tags(
        DatabaseUtils.add_job_application(user_id, "Dev", "Co").id, ["Remote"]
    )
    at = app(user_id, "Analytics")
    no_exceptions(at)
    assert "By tag" in [h.value for h in at.subheader]
    assert any(
        "tag" in frame.value and "Remote" in list(frame.value["tag"]) for frame in at.dataframe
    )
