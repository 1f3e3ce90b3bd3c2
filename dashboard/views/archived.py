"""Archiving on the Applications page: the Active / Archived / All views and their actions.

An archived application leaves the Active view and the board, but stays in
search, the all-time statistics and the exports; the Archived view lists them
and restores one.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from dashboard import queries, scope
from dashboard.components import forms, time_zone
from database.models import ApplicationStatus, JobApplication

VIEW = "apps.view"
ACTIVE, ARCHIVED, ALL = "Active", "Archived", "All"
VIEWS = (ACTIVE, ARCHIVED, ALL)
RESTORE = "apps.restore"
BULK_FORM = "archive_rejected"


def current_view() -> str:
    """Draw the view choice; the view chosen (Active by default)."""
    chosen = st.radio("Show", VIEWS, horizontal=True, key=VIEW)
    return chosen if chosen in VIEWS else ACTIVE


def with_view(criteria: queries.ApplicationFilter, view: str) -> queries.ApplicationFilter:
    """``criteria`` for the applications of ``view``."""
    return dataclasses.replace(
        criteria, include_archived=view == ALL, archived_only=view == ARCHIVED
    )


def _set_archived(application_id: int, archived: bool) -> None:
    forms.attempt(
        f"archive_{application_id}",
        lambda: scope.archive_application(application_id, archived),
        "Application archived." if archived else "Application restored.",
    )


def archive_action(application: JobApplication) -> None:
    """The application's Archive button, or Restore when it is archived."""
    archived = application.archived_at is not None
    forms.general_error(f"archive_{application.id}", ())
    if archived:
        st.caption(f"Archived {time_zone.day(application.archived_at)}")
    st.button(
        "Restore" if archived else "Archive",
        key=f"archive_{application.id}.button",
        on_click=_set_archived,
        args=(application.id, not archived),
        help="Archived applications leave the lists and the board; search still finds them.",
    )


def restore_picker(rows: list[JobApplication]) -> None:
    """The Archived view's restore control over the rows shown."""
    if not rows:
        return
    options = {a.id: f"#{a.id} {a.job_title} at {a.company}" for a in rows}
    with st.form(RESTORE):
        forms.general_error(RESTORE, ())
        st.selectbox(
            "Archived application",
            list(options),
            format_func=lambda i: options[i],
            key=RESTORE + ".id",
        )
        st.form_submit_button("Restore", on_click=_restore_chosen)


def _restore_chosen() -> None:
    chosen = st.session_state.get(RESTORE + ".id")
    if isinstance(chosen, int):
        forms.attempt(
            RESTORE, lambda: scope.archive_application(chosen, False), "Application restored."
        )


def _archive_rejected(user_id: int) -> None:
    forms.attempt(
        BULK_FORM,
        lambda: scope.archive_applications(user_id, (ApplicationStatus.REJECTED.value,)),
        "Archived the rejected applications.",
    )


def bulk_archive_button(user_id: int, breakdown: dict[str, int]) -> None:
    """The "Archive all rejected" button, with how many it would archive."""
    rejected = breakdown.get(ApplicationStatus.REJECTED.value, 0)
    forms.general_error(BULK_FORM, ())
    st.button(
        f"Archive all rejected ({rejected})",
        key=BULK_FORM + ".button",
        disabled=rejected == 0,
        on_click=_archive_rejected,
        args=(user_id,),
    )
