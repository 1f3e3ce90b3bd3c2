"""The Applications page under AppTest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Element

from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, move_on_board, no_exceptions, successes

Start = Callable[..., AppTest]


def _add(user_id: int, count: int) -> list[int]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        DatabaseUtils.add_job_application(
            user_id,
            f"Engineer {n}",
            f"Company {n}",
            source="linkedin" if n % 2 else "indeed",
            application_date=start + timedelta(days=n),
        ).id
        for n in range(count)
    ]


def _fill_add_form(at: AppTest, title: str, company: str) -> None:
    at.text_input(key="add_application.job_title").set_value(title)
    at.text_input(key="add_application.company").set_value(company)


def test_adding_an_application_shows_it_in_the_table(app: Start, user_id: int) -> None:
    at = app(user_id)
    _fill_add_form(at, "Data Engineer", "Insight Co")
    at.number_input(key="add_application.salary_min").set_value(50000)
    at.button(key="FormSubmitter:add_application-Add application").click().run()
    no_exceptions(at)
    assert successes(at) == ["Added Data Engineer at Insight Co."]
    table = at.dataframe[0].value
    assert list(table["Company"]) == ["Insight Co"]
    stored = DatabaseUtils.get_user_applications(user_id)
    assert [(a.job_title, a.salary_min) for a in stored] == [("Data Engineer", 50000)]


def test_a_bad_field_shows_its_message_next_to_it_and_saves_nothing(
    app: Start, user_id: int
) -> None:
    at = app(user_id)
    _fill_add_form(at, "Data Engineer", "Insight Co")
    at.number_input(key="add_application.salary_min").set_value(90000)
    at.number_input(key="add_application.salary_max").set_value(10000)
    at.button(key="FormSubmitter:add_application-Add application").click().run()
    no_exceptions(at)
    assert errors(at) == ["Minimum salary must not be more than the maximum"]
    assert at.text_input(key="add_application.job_title").value == "Data Engineer"
    assert DatabaseUtils.get_user_applications(user_id) == []


def test_every_error_of_a_submission_shows_at_once_under_its_field_in_plain_words(
    app: Start, user_id: int
) -> None:
    at = app(user_id)
    _fill_add_form(at, "Data Engineer", " ")
    at.text_input(key="add_application.job_url").set_value("javascript:alert(1)")
    at.text_input(key="add_application.salary_currency").set_value("EURO")
    at.number_input(key="add_application.salary_min").set_value(90000)
    at.number_input(key="add_application.salary_max").set_value(10000)
    at.button(key="FormSubmitter:add_application-Add application").click().run()
    no_exceptions(at)
    assert sorted(errors(at)) == [
        "Company must not be empty",
        "Job posting URL must be a web address starting with http:// or https://",
        "Minimum salary must not be more than the maximum",
        "Salary currency must be a 3-letter code like EUR",
    ]
    assert DatabaseUtils.get_user_applications(user_id) == []


def test_a_missing_company_is_reported_on_the_company_field(app: Start, user_id: int) -> None:
    at = app(user_id)
    _fill_add_form(at, "Data Engineer", "   ")
    at.button(key="FormSubmitter:add_application-Add application").click().run()
    assert errors(at) == ["Company must not be empty"]
    assert DatabaseUtils.get_user_applications(user_id) == []


def test_moving_a_card_on_the_board_changes_status_and_timeline(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id)
    move_on_board(at, app_id, ApplicationStatus.SCREENING)
    no_exceptions(at)
    assert successes(at) == [f"Moved #{app_id} to screening."]
    history = DatabaseUtils.get_application_history(app_id)
    assert [h.to_status for h in history] == [
        ApplicationStatus.APPLIED,
        ApplicationStatus.SCREENING,
    ]
    assert any("Screening (1)" in m.value for m in at.markdown)
    assert any("Applied (0)" in m.value for m in at.markdown)


def test_status_change_records_notes_and_interview_date(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id)
    form = f"status_{app_id}."
    at.selectbox(key=form + "status").set_value(ApplicationStatus.INTERVIEW_SCHEDULED)
    at.text_area(key=form + "notes").set_value("Panel with the CTO")
    at.date_input(key=form + "interview_day").set_value(date(2026, 3, 4))
    at.text_input(key=form + "interview_type").set_value("video")
    at.button(key=f"FormSubmitter:status_{app_id}-Change status").click().run()
    no_exceptions(at)
    stored = DatabaseUtils.get_application(app_id)
    assert stored is not None
    assert stored.status == ApplicationStatus.INTERVIEW_SCHEDULED
    assert stored.interview_date == datetime(2026, 3, 4, 12, tzinfo=UTC)
    assert stored.interview_type == "video"
    assert DatabaseUtils.get_application_history(app_id)[-1].notes == "Panel with the CTO"
    timeline = [m.value for m in at.markdown if "→" in m.value]
    assert timeline == [
        "- `" + timeline[0].split("`")[1] + "` applied → interview scheduled — Panel with the CTO"
    ]


def test_editing_details_saves_them_and_reports_a_bad_url(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id)
    form = f"edit_application_{app_id}"
    at.text_input(key=f"{form}.location").set_value("Lisbon")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    no_exceptions(at)
    assert successes(at) == ["Application saved."]
    assert DatabaseUtils.get_application(app_id).location == "Lisbon"  # type: ignore[union-attr]
    at.text_input(key=f"{form}.job_url").set_value("x" * 3000)
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert errors(at) == ["Job posting URL must be at most 2048 characters"]
    assert DatabaseUtils.get_application(app_id).job_url is None  # type: ignore[union-attr]
    at.text_input(key=f"{form}.job_url").set_value("javascript:alert(1)")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    assert errors(at) == ["Job posting URL must be a web address starting with http:// or https://"]
    assert DatabaseUtils.get_application(app_id).job_url is None  # type: ignore[union-attr]
    at.text_input(key=f"{form}.job_url").set_value("https://example.com/jobs/7")
    at.button(key=f"FormSubmitter:{form}-Save changes").click().run()
    no_exceptions(at)
    [link] = at.get("link_button")
    assert link.proto.url == "https://example.com/jobs/7"


def test_delete_needs_confirmation(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id)
    delete = at.button(key=f"delete_{app_id}.button")
    assert delete.disabled
    at.checkbox(key=f"delete_{app_id}.confirm").check().run()
    at.button(key=f"delete_{app_id}.button").click().run()
    no_exceptions(at)
    assert successes(at) == ["Application deleted."]
    assert DatabaseUtils.get_application(app_id) is None
    assert any("No applications match" in i.value for i in at.info)


def test_table_pages_and_filters(app: Start, user_id: int) -> None:
    _add(user_id, 60)
    at = app(user_id)
    assert len(at.dataframe[0].value) == 25
    assert any("**60** applications" in m.value for m in at.markdown)
    pager = next(w for w in at.get("pagination"))
    assert isinstance(pager, Element)
    pager.set_value(3).run()
    no_exceptions(at)
    assert list(at.dataframe[0].value["Job title"])[:2] == ["Engineer 9", "Engineer 8"]
    at.multiselect(key="apps.filter.source").set_value(["indeed"]).run()
    assert any("**30** applications" in m.value for m in at.markdown)
    at.text_input(key="apps.filter.text").set_value("company 4").run()
    assert sorted(at.dataframe[0].value["Company"]) == [
        "Company 4",
        "Company 40",
        "Company 42",
        "Company 44",
        "Company 46",
        "Company 48",
    ]
    at.date_input(key="apps.filter.from").set_value(date(2026, 2, 12)).run()
    assert sorted(at.dataframe[0].value["Company"]) == [
        "Company 42",
        "Company 44",
        "Company 46",
        "Company 48",
    ]


def test_filter_text_with_wildcards_is_taken_literally(app: Start, user_id: int) -> None:
    _add(user_id, 3)
    at = app(user_id)
    at.text_input(key="apps.filter.text").set_value("%_").run()
    no_exceptions(at)
    assert any("No applications match" in i.value for i in at.info)


def test_csv_import_reports_added_duplicate_and_rejected_rows(app: Start, user_id: int) -> None:
    DatabaseUtils.add_job_application(user_id, "Engineer", "Acme", location="Porto")
    content = (
        b"job_title,company,location,status,source\n"
        b"Engineer,Acme,Porto,applied,linkedin\n"
        b"Analyst,Globex,Remote,screening,indeed\n"
        b"Tester,,Lisbon,applied,\n"
    )
    at = app(user_id)
    at.file_uploader(key="import_csv.file").set_value(("mine.csv", content, "text/csv"))
    at.button(key="FormSubmitter:import_csv-Import").click().run()
    no_exceptions(at)
    assert successes(at) == [r"Imported mine\.csv: 1 added, 1 duplicates skipped, 1 rejected."]
    rejected = at.dataframe[-1].value
    assert (list(rejected["row"]), list(rejected["field"])) == ([4], ["company"])
    companies = sorted(a.company for a in DatabaseUtils.get_user_applications(user_id))
    assert companies == ["Acme", "Globex"]
    imported = DatabaseUtils.get_user_applications(user_id, status="screening")
    assert [(a.job_title, a.source) for a in imported] == [("Analyst", "indeed")]


def test_the_exported_csv_imports_into_another_profile(app: Start, user_id: int) -> None:
    from dashboard import exports, queries

    _add(user_id, 3)
    content = exports.applications_csv(
        queries.iter_applications(user_id, queries.ApplicationFilter())
    )
    other = DatabaseUtils.create_user("copy@example.com").id
    at = app(other)
    at.file_uploader(key="import_csv.file").set_value(("export.csv", content, "text/csv"))
    at.button(key="FormSubmitter:import_csv-Import").click().run()
    no_exceptions(at)
    assert successes(at) == [r"Imported export\.csv: 3 added, 0 duplicates skipped, 0 rejected."]
    copied = DatabaseUtils.get_user_applications(other)
    assert sorted(a.company for a in copied) == ["Company 0", "Company 1", "Company 2"]


def test_text_from_the_database_never_becomes_markup(app: Start, user_id: int) -> None:
    app_id = DatabaseUtils.add_job_application(
        user_id, "![pixel](http://example.com/p.png)", "[Acme](http://example.com)"
    ).id
    at = app(user_id)
    at.toggle(key="board.drag").set_value(False).run()  # the board's cards as text
    no_exceptions(at)
    card = next(m.value for m in at.markdown if "pixel" in m.value)
    assert card == r"**\!\[pixel\]\(http\://example\.com/p\.png\)**  " + "\n" + (
        r"\[Acme\]\(http\://example\.com\)"
    )
    assert at.subheader[0].value.startswith(r"\!\[pixel\]")
    assert app_id
