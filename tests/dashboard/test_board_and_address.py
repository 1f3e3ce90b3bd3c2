"""The board (a page per column, the filters, the move form), the tab kept, the URL's state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from streamlit.testing.v1 import AppTest

from dashboard.views import board
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import move_on_board, no_exceptions

Start = Callable[..., AppTest]


def _add(user_id: int, count: int, source: str = "linkedin") -> list[int]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        DatabaseUtils.add_job_application(
            user_id,
            f"Engineer {n}",
            f"{source.title()} {n}",
            source=source,
            application_date=start + timedelta(days=n),
        ).id
        for n in range(count)
    ]


def _choices(at: AppTest) -> set[int]:
    options = at.selectbox(key=board.MOVE_APPLICATION).options
    return {int(text.split()[0].lstrip("#")) for text in options}


def test_every_card_of_a_column_is_reachable_page_by_page(app: Start, user_id: int) -> None:
    ids = _add(user_id, 23)
    at = app(user_id)
    no_exceptions(at)
    assert any(m.value == "### Applied (23)" for m in at.markdown)
    assert "1-10 of 23" in [c.value for c in at.caption]
    seen = _choices(at)
    for _ in range(2):
        at.button(key="board.next.Applied").click().run()
        seen |= _choices(at)
    assert "21-23 of 23" in [c.value for c in at.caption]
    assert at.button(key="board.next.Applied").disabled
    assert seen == set(ids)
    at.button(key="board.previous.Applied").click().run()
    assert "11-20 of 23" in [c.value for c in at.caption]


def test_the_filters_apply_to_the_board(app: Start, user_id: int) -> None:
    _add(user_id, 3, "linkedin")
    indeed = _add(user_id, 2, "indeed")
    DatabaseUtils.update_application_status(indeed[0], ApplicationStatus.SCREENING)
    at = app(user_id)
    at.multiselect(key="apps.filter.source").set_value(["indeed"]).run()
    no_exceptions(at)
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings[:2] == ["### Applied (1)", "### Screening (1)"]
    assert _choices(at) == set(indeed)
    at.multiselect(key="apps.filter.status").set_value([ApplicationStatus.SCREENING]).run()
    headings = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert headings[:2] == ["### Applied (0)", "### Screening (1)"]


def test_the_move_form_changes_status_with_history_and_an_event(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id)
    move_on_board(at, app_id, ApplicationStatus.OFFER_RECEIVED)
    no_exceptions(at)
    history = DatabaseUtils.get_application_history(app_id)
    assert history[-1].to_status == ApplicationStatus.OFFER_RECEIVED
    kinds = [e.kind for e in DatabaseUtils.get_events(user_id, since=0, limit=50)]
    assert "application.status_changed" in kinds, kinds
    assert any(m.value == "### Offer (1)" for m in at.markdown)


def test_a_dragged_card_is_a_move_to_its_new_columns_first_status() -> None:
    before = [
        {"header": "Applied", "items": ["#1 Dev · Co", "#2 Ops · Co"]},
        {"header": "Screening", "items": []},
        {"header": "Interviewing", "items": ["#3 QA · Co"]},
    ]
    after = [
        {"header": "Applied", "items": ["#2 Ops · Co"]},
        {"header": "Screening", "items": []},
        {"header": "Interviewing", "items": ["#3 QA · Co", "#1 Dev · Co"]},
    ]
    assert board.dropped(before, after) == {1: "Interviewing"}
    reordered = [{"header": "Applied", "items": ["#2 Ops · Co", "#1 Dev · Co"]}, *before[1:]]
    assert board.dropped(before, reordered) == {}
    assert board.DROP_STATUS["Interviewing"] == ApplicationStatus.INTERVIEW_SCHEDULED


def test_the_open_tab_stays_after_a_move_and_a_choice_in_details(app: Start, user_id: int) -> None:
    first, second = _add(user_id, 2)
    at = app(user_id)
    at.session_state["apps.tab"] = "Board"
    at.run()
    move_on_board(at, first, ApplicationStatus.SCREENING)
    no_exceptions(at)
    assert at.session_state["apps.tab"] == "Board"
    assert at.query_params["view"] == "board"
    at.session_state["apps.tab"] = "Details"
    at.run()
    at.selectbox(key="selected_application").set_value(first).run()
    assert at.session_state["apps.tab"] == "Details"
    assert at.query_params["application"] == str(first)
    assert second


def test_search_open_lands_on_the_applications_details(app: Start, user_id: int) -> None:
    (app_id,) = _add(user_id, 1)
    at = app(user_id, "Search")
    at.text_input(key="search.query").set_value("engineer").run()
    at.button(key=f"search.open.{app_id}").click().run()
    no_exceptions(at)
    assert at.session_state["page"] == "Applications"
    assert at.session_state["apps.tab"] == "Details"
    assert at.selectbox(key="selected_application").value == app_id


def test_the_url_names_profile_page_tab_and_application_and_restores_them(
    app: Start, user_id: int
) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    (app_id,) = _add(other, 1)
    at = app(other)
    at.session_state["apps.tab"] = "Details"
    at.run()
    params = dict(at.query_params)
    assert params == {
        "profile": str(other),
        "page": "applications",
        "view": "details",
        "application": str(app_id),
    }
    fresh = AppTest.from_file(at._script_path, default_timeout=60)  # a reload: a new session
    for key, value in params.items():
        fresh.query_params[key] = value
    fresh.run()
    no_exceptions(fresh)
    assert fresh.session_state["user_id"] == other
    assert fresh.session_state["apps.tab"] == "Details"
    assert fresh.selectbox(key="selected_application").value == app_id
    assert user_id


def test_an_application_of_another_profile_in_the_url_is_ignored(app: Start, user_id: int) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    (foreign,) = _add(other, 1)
    (own,) = _add(user_id, 1, "indeed")
    fresh = app()
    at = AppTest.from_file(fresh._script_path, default_timeout=60)
    at.query_params.update(profile=str(user_id), page="applications", application=str(foreign))
    at.run()
    no_exceptions(at)
    assert at.selectbox(key="selected_application").value == own
    assert at.query_params["application"] == str(own)


def test_a_page_in_the_url_opens_it(app: Start, user_id: int) -> None:
    at = AppTest.from_file(app()._script_path, default_timeout=60)
    at.query_params.update(profile=str(user_id), page="search-history")
    at.run()
    no_exceptions(at)
    assert at.title[0].value == "Search history"


def test_settings_count_the_tables_as_init_db_lists_them(app: Start, user_id: int) -> None:
    from database.models import TABLES

    at = app(user_id, "Settings")
    no_exceptions(at)
    summary = next(
        str(row) for t in at.table for row in t.value["value"] if "specification" in str(row)
    )
    assert summary.startswith(f"{len(TABLES)}: the specification's 8 plus {len(TABLES) - 8}")
    listed = [name for t in at.table[1:] for name in t.value["table"]]
    assert {t.name for t in TABLES} <= set(listed)


def test_search_history_says_what_it_is_for(app: Start, user_id: int) -> None:
    at = app(user_id, "Search history")
    assert "which searches led to applications" in at.caption[0].value
