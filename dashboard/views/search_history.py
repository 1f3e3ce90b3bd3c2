"""The Search history page: the job searches a user ran and what they yielded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import scope
from dashboard.components import forms, time_zone

FORM = "record_search"
LIMIT = 200


def _record(user_id: int) -> None:
    key = f"{FORM}."
    sources = forms.text_list(key + "sources")
    forms.attempt(
        FORM,
        lambda: scope.record_search(
            user_id,
            {
                "job_title": forms.text_or_none(key + "job_title"),
                "location": forms.text_or_none(key + "location"),
                "keywords": forms.text_or_none(key + "keywords"),
                "sources_searched": sources or None,
                "total_results": int(st.session_state.get(key + "total_results") or 0),
                "applications_made": int(st.session_state.get(key + "applications_made") or 0),
            },
        ),
        "Search recorded.",
        clear=[key + n for n in ("job_title", "location", "keywords", "sources")],
    )


def render(user_id: int) -> None:
    """The Search history page."""
    st.title("Search history")
    st.caption(
        "A log of the job searches you ran, to see which searches led to applications."
        " An entry is added with the form below after you searched a job board, or by a"
        " job-search script through the API (`POST /api/v1/search-history`)."
    )
    searches = scope.searches(user_id, LIMIT)
    if searches:
        st.dataframe(
            pd.DataFrame(
                {
                    "Date": [time_zone.moment(s.search_date) for s in searches],
                    "Job title": [s.job_title or "" for s in searches],
                    "Location": [s.location or "" for s in searches],
                    "Keywords": [s.keywords or "" for s in searches],
                    "Sources": [", ".join(s.sources_searched) for s in searches],
                    "Results": [s.total_results for s in searches],
                    "Kept": [s.filtered_results for s in searches],
                    "Applied": [s.applications_made for s in searches],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("No searches recorded yet.")
    with st.expander("Record a search you ran"), st.form(FORM):
        fields = ("job_title", "location", "keywords", "sources_searched", "total_results")
        forms.general_error(FORM, fields)
        st.text_input("Job title", key=f"{FORM}.job_title")
        forms.field_error(FORM, "job_title")
        st.text_input("Location", key=f"{FORM}.location")
        st.text_input("Keywords", key=f"{FORM}.keywords")
        st.text_input("Sources (comma-separated)", key=f"{FORM}.sources")
        forms.field_error(FORM, "sources_searched")
        left, right = st.columns(2)
        left.number_input("Results found", min_value=0, step=1, key=f"{FORM}.total_results")
        right.number_input(
            "Applications made", min_value=0, step=1, key=f"{FORM}.applications_made"
        )
        st.form_submit_button("Record search", on_click=_record, args=(user_id,))
