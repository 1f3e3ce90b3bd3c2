"""One application: its details, status change, timeline and notes, edit and delete."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import streamlit as st

from dashboard import scope
from dashboard.components import cover_letter, forms, time_zone
from dashboard.components import tags as tag_editor
from dashboard.components.status import status_label
from dashboard.components.text import md
from dashboard.views import application_form, contacts
from database.models import ApplicationStatus, JobApplication

SELECTED = "selected_application"


def _change_status(application_id: int, form: str) -> None:
    key = f"{form}."
    day = st.session_state.get(key + "interview_day")
    at = st.session_state.get(key + "interview_time")
    zone = time_zone.current_zone()
    forms.attempt(
        form,
        lambda: scope.change_status(
            application_id,
            st.session_state[key + "status"],
            notes_text=forms.text_or_none(key + "notes"),
            # Entered in the person's zone, stored as UTC; a skipped time is refused.
            interview_date=time_zone.entered(
                day if isinstance(day, date) else None, at if isinstance(at, time) else None, zone
            ),
            interview_type=forms.text_or_none(key + "interview_type"),
        ),
        "Status updated.",
        clear=[key + n for n in ("notes", "interview_day", "interview_time", "interview_type")],
    )


def _status_form(application: JobApplication) -> None:
    form = f"status_{application.id}"
    key = f"{form}."
    with st.form(form):
        forms.general_error(form, ("status", "notes", "interview_date", "interview_type"))
        statuses = list(ApplicationStatus)
        st.selectbox(
            "New status",
            statuses,
            index=statuses.index(application.status),
            format_func=status_label,
            key=key + "status",
        )
        forms.field_error(form, "status")
        st.text_area("Notes about this change", key=key + "notes")
        forms.field_error(form, "notes")
        left, middle, right = st.columns(3)
        left.date_input("Interview date", value=None, key=key + "interview_day")
        middle.time_input(time_zone.label("Interview time"), value=None, key=key + "interview_time")
        right.text_input("Interview type (e.g. video)", key=key + "interview_type")
        forms.field_error(form, "interview_date")
        forms.field_error(form, "interview_type")
        st.form_submit_button(
            "Change status", type="primary", on_click=_change_status, args=(application.id, form)
        )


def timeline_line(entry: dict[str, Any]) -> str:
    """One entry of :meth:`DatabaseUtils.get_application_timeline` as a markdown list item."""
    when = time_zone.short(entry["at"])
    if entry["kind"] == "note":
        return f"- `{when}` note: {md(entry['body'])}"
    if entry["from_status"] is not None and entry["from_status"] == entry["to_status"]:
        # Archiving and restoring keep the status: the row's note says which it was.
        return f"- `{when}` {md(entry['notes'] or '')}"
    moved = (
        f"{status_label(entry['from_status'])} → {status_label(entry['to_status'])}"
        if entry["from_status"] is not None
        else f"started as {status_label(entry['to_status'])}"
    )
    note = f" — {md(entry['notes'])}" if entry["notes"] else ""
    return f"- `{when}` {moved}{note}"


def _add_note(application_id: int, form: str) -> None:
    key = f"{form}.body"
    body = st.session_state.get(key)
    forms.attempt(
        form,
        lambda: scope.add_note(application_id, body if isinstance(body, str) else ""),
        "Note added.",
        clear=[key],
    )


def _note_form(application: JobApplication) -> None:
    form = f"note_{application.id}"
    with st.form(form):
        forms.general_error(form, ("body",))
        st.text_area("Add a note (a call, a contact, a next step)", key=f"{form}.body")
        forms.field_error(form, "body")
        st.form_submit_button("Add note", on_click=_add_note, args=(application.id, form))


def _timeline(application: JobApplication) -> None:
    st.markdown("**Timeline**")
    for entry in scope.timeline(application.id):
        st.markdown(timeline_line(entry))
    _note_form(application)


def _delete(application_id: int) -> None:
    if forms.attempt(
        f"delete_{application_id}",
        lambda: scope.delete_application(application_id),
        "Application deleted.",
    ):
        st.session_state.pop(SELECTED, None)


def _delete_section(application: JobApplication) -> None:
    form = f"delete_{application.id}"
    with st.expander("Delete this application"):
        st.warning("Deleting removes the application and its whole timeline; it cannot be undone.")
        confirmed = st.checkbox(
            f"Yes, delete {md(application.job_title)} at {md(application.company)}",
            key=f"{form}.confirm",
        )
        forms.general_error(form, ())
        st.button(
            "Delete",
            key=f"{form}.button",
            disabled=not confirmed,
            on_click=_delete,
            args=(application.id,),
        )


def _posting_link(url: str | None) -> None:
    """The job posting as a link; an address stored before addresses were checked, as text."""
    if not url:
        return
    if url.lower().startswith(("http://", "https://")):
        st.link_button("Open the job posting", url)
    else:
        st.caption(f"Job posting: {md(url)}")


def render(user_id: int, application: JobApplication) -> None:
    """Everything about one application."""
    st.subheader(f"{md(application.job_title)} at {md(application.company)}")
    facts = [
        f"#{application.id}",
        f"{status_label(application.status)} since {time_zone.day(application.status_changed_at)}",
        f"applied {time_zone.day(application.application_date)}",
    ]
    if application.interview_date:
        facts.append(f"interview {time_zone.moment(application.interview_date)}")
    st.caption(" · ".join(facts))
    _posting_link(application.job_url)
    tag_editor.editor(user_id, application)
    left, right = st.columns([3, 2])
    with left:
        st.markdown("**Change status**")
        _status_form(application)
    with right:
        _timeline(application)
    contacts.application_section(user_id, application.id)
    with st.expander("Edit details"):
        application_form.edit_form(user_id, application)
    cover_letter.section(application.id)
    _delete_section(application)
