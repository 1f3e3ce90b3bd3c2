"""The Applications page: filters, a paginated table, the board, add, details, exports."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import streamlit as st

from dashboard import queries, scope, state, tags
from dashboard.components import time_zone
from dashboard.components.status import status_label
from dashboard.views import (
    application_detail,
    application_form,
    archived,
    board,
    posting_import,
    transfers,
)
from database.models import ApplicationStatus, JobApplication

PAGE_SIZES = (25, 50, 100)
FILTER = "apps.filter."
#: The session key of the open tab, and the tabs by their name in the URL (``?view=board``).
TAB = "apps.tab"
TABS = {
    "Table": "table",
    "Board": "board",
    "Add": "add",
    "Details": "details",
    "Export & import": "export",
}
DETAILS = "Details"


def open_application(application_id: int) -> None:
    """Show ``application_id`` in the Details tab of the Applications page (a callback)."""
    st.session_state[application_detail.SELECTED] = application_id
    st.session_state[state.PAGE_KEY] = "Applications"
    st.session_state[TAB] = DETAILS


def current_filter(user_id: int) -> queries.ApplicationFilter:
    """Draw the filter inputs; returns what they select."""
    with st.expander("Filters", expanded=False):
        left, middle, right = st.columns(3)
        statuses = left.multiselect(
            "Status", list(ApplicationStatus), format_func=status_label, key=FILTER + "status"
        )
        text = middle.text_input("Title, company or location contains", key=FILTER + "text")
        sources = right.multiselect("Source", queries.sources(user_id), key=FILTER + "source")
        start = left.date_input("Applied from", value=None, key=FILTER + "from")
        end = middle.date_input("Applied until", value=None, key=FILTER + "until")
        tag_names = right.multiselect(
            "Tags (all of them)", tags.vocabulary(user_id), key=FILTER + "tags"
        )
    return queries.ApplicationFilter(
        statuses=tuple(statuses),
        text=text or "",
        sources=tuple(sources),
        date_from=start if isinstance(start, date) else None,
        date_to=end if isinstance(end, date) else None,
        tags=tuple(tag_names),
    )


def _frame(rows: list[JobApplication]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [a.id for a in rows],
            "Job title": [a.job_title for a in rows],
            "Company": [a.company for a in rows],
            "Location": [a.location or "" for a in rows],
            "Status": [status_label(a.status) for a in rows],
            "Source": [a.source or "" for a in rows],
            "Applied": [time_zone.local_date(a.application_date) for a in rows],
            "Last change": [a.status_changed_at.date() for a in rows],
            "Match": [a.match_score for a in rows],
            "Tags": [", ".join(t.name for t in a.tags) for a in rows],
        }
    )


def _table(user_id: int, criteria: queries.ApplicationFilter) -> list[JobApplication]:
    total = queries.count_applications(user_id, criteria)
    size = st.session_state.get("apps.page_size", PAGE_SIZES[0])
    pages = max(1, -(-total // size))
    top_left, top_right = st.columns([3, 1])
    top_right.selectbox("Rows per page", PAGE_SIZES, key="apps.page_size")
    if total == 0:
        top_left.info("No applications match. Add one in the **Add** tab, or clear the filters.")
        return []
    # Another profile, filter, page size or page count starts at page 1 (a new widget key).
    page_key = f"apps.page.{hash((user_id, criteria, size, pages))}"
    number = min(max(1, int(st.session_state.get(page_key) or 1)), pages)
    rows = queries.page_of_applications(user_id, criteria, size, (number - 1) * size)
    first = (number - 1) * size + 1
    top_left.markdown(f"**{total}** applications · showing {first}-{first + len(rows) - 1}")
    st.dataframe(_frame(rows), hide_index=True, width="stretch")
    st.pagination(pages, key=page_key)
    return rows


def _details(user_id: int, rows: list[JobApplication]) -> None:
    options = {a.id: f"#{a.id} {a.job_title} at {a.company}" for a in rows}
    chosen = st.session_state.get(application_detail.SELECTED)
    if isinstance(chosen, int) and chosen not in options:
        found = scope.get_application(chosen)
        if found is not None and found.user_id == user_id:
            options = {found.id: f"#{found.id} {found.job_title} at {found.company}", **options}
    if st.session_state.get(application_detail.SELECTED) not in options:
        st.session_state.pop(application_detail.SELECTED, None)  # another profile's, or gone
    if not options:
        st.info("No application to show: add one, or change the filters.")
        return
    selected = st.selectbox(
        "Application",
        list(options),
        format_func=lambda i: options[i],
        key=application_detail.SELECTED,
    )
    application = scope.get_application(selected)
    if application is None or application.user_id != user_id:
        st.info("This application no longer exists.")
        return
    application_detail.render(user_id, application)
    archived.archive_action(application)


def render(user_id: int) -> None:
    """The Applications page."""
    st.title("Applications")
    view = archived.current_view()
    criteria = archived.with_view(current_filter(user_id), view)
    # The bulk archive counts are of the active applications only.
    active = scope.figures("get_application_statistics", user_id, include_archived=False)
    breakdown = active["status_breakdown"]
    # Stateful tabs: a rerun (a move, an import, a choice in Details) keeps the open one.
    table, board_tab, add, details, transfer = st.tabs(list(TABS), key=TAB, on_change="rerun")
    with table:
        rows = _table(user_id, criteria)
        if view == archived.ARCHIVED:
            archived.restore_picker(rows)
        else:
            archived.bulk_archive_button(user_id, breakdown)
    with board_tab:
        board.render(user_id, criteria)
    with add:
        posting_import.render(user_id)
        application_form.add_form(user_id)
    with details:
        _details(user_id, rows)
    with transfer:
        # Exports keep the archived applications.
        transfers.render(user_id, dataclasses.replace(criteria, include_archived=True))
