"""The Applications page's "Import a posting" form under AppTest."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.support.posting_server import fixture_html

Start = Callable[..., AppTest]
SUBMIT = "FormSubmitter:import_posting-Import posting"


def test_pasted_html_adds_the_application_and_says_what_was_imported(
    app: Start, user_id: int
) -> None:
    at = app(user_id)
    at.text_area(key="import_posting.html").set_value(fixture_html("greenhouse"))
    at.button(key=SUBMIT).click().run()
    no_exceptions(at)
    # The message is markdown, its hyphen escaped.
    assert successes(at) == [
        "Imported Senior Data Engineer at Northwind Analytics · Austin, TX, US · "
        "145,000 to 175,000 USD a year · full\\-time. It is open in the Details tab."
    ]
    [stored] = DatabaseUtils.get_user_applications(user_id)
    assert (stored.company, stored.status) == ("Northwind Analytics", ApplicationStatus.PENDING)
    assert at.text_area(key="import_posting.html").value == ""
    assert at.selectbox(key="selected_application").value == stored.id


def test_a_page_without_a_posting_shows_the_reason_under_its_field(
    app: Start, user_id: int
) -> None:
    at = app(user_id)
    at.text_area(key="import_posting.html").set_value("<html><body>Hello</body></html>")
    at.button(key=SUBMIT).click().run()
    no_exceptions(at)
    assert errors(at) == [
        "No job posting found: the page has no schema.org JobPosting, nor a title"
    ]
    at.text_input(key="import_posting.url").set_value("ftp://example.com/job")
    at.text_area(key="import_posting.html").set_value("")
    at.button(key=SUBMIT).click().run()
    assert errors(at) == ["This address must be an http or https URL with a host"]
    assert DatabaseUtils.get_user_applications(user_id) == []
