"""The add and edit forms of an application, with messages next to their fields."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from dashboard import scope
from dashboard.components import field_errors, forms, time_zone
from dashboard.components.status import status_label
from dashboard.components.text import md
from database.domain.schemas import ApplicationCreate, ApplicationFields
from database.models import ApplicationStatus, JobApplication

TEXT_FIELDS = {
    "job_title": "Job title",
    "company": "Company",
    "location": "Location",
    "source": "Source (e.g. linkedin)",
    "job_url": "Job posting URL",
    "job_type": "Job type (e.g. full-time)",
    "salary_currency": "Salary currency (e.g. EUR)",
}
NUMBER_FIELDS = {"salary_min": "Minimum salary", "salary_max": "Maximum salary"}
FIELDS = (
    *TEXT_FIELDS,
    *NUMBER_FIELDS,
    "match_score",
    "is_remote",
    "application_date",
    "notes",
    "resume_id",
    "status",
)
ADD_FORM = "add_application"
#: How messages name the fields ("Minimum salary must not be more than the maximum").
LABELS = {
    **TEXT_FIELDS,
    **NUMBER_FIELDS,
    "match_score": "Match score",
    "application_date": "Application date",
    "resume_id": "Resume used",
}


def _key(form: str, name: str) -> str:
    return f"{form}.{name}"


def _read(form: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: forms.text_or_none(_key(form, name)) for name in TEXT_FIELDS}
    for name in (*NUMBER_FIELDS, "match_score"):
        values[name] = forms.number_or_none(_key(form, name))
    values["is_remote"] = bool(st.session_state.get(_key(form, "is_remote")))
    day = st.session_state.get(_key(form, "application_date"))
    # Midday of the day in the person's zone, stored as UTC.
    values["application_date"] = time_zone.entered(
        day if isinstance(day, date) else None, field="application_date"
    )
    values["notes"] = forms.text_or_none(_key(form, "notes"))
    return values


def _resume_choices(user_id: int) -> dict[int | None, str]:
    choices: dict[int | None, str] = {None: "(none)"}
    for resume in scope.list_resumes(user_id):
        choices[resume.id] = resume.filename + (" (active)" if resume.is_active else "")
    return choices


def _fields(form: str, user_id: int, existing: JobApplication | None) -> None:
    """Draw the inputs; their first value comes from ``existing`` when editing."""
    if existing is not None and st.session_state.get(f"{form}._loaded") != existing.id:
        for name in (*TEXT_FIELDS, *NUMBER_FIELDS, "match_score", "is_remote", "notes"):
            st.session_state[_key(form, name)] = getattr(existing, name)
        st.session_state[_key(form, "application_date")] = time_zone.local_date(
            existing.application_date
        )
        st.session_state[_key(form, "resume_id")] = existing.resume_id
        st.session_state[f"{form}._loaded"] = existing.id
    left, right = st.columns(2)
    for index, (name, label) in enumerate(TEXT_FIELDS.items()):
        with left if index % 2 == 0 else right:
            st.text_input(
                label + (" *" if name in ("job_title", "company") else ""), key=_key(form, name)
            )
            forms.field_error(form, name)
    with left:
        for name, label in NUMBER_FIELDS.items():
            st.number_input(label, value=None, step=1000, key=_key(form, name))
            forms.field_error(form, name)
    with right:
        st.number_input("Match score (0-100)", value=None, step=1.0, key=_key(form, "match_score"))
        forms.field_error(form, "match_score")
        st.date_input("Application date", value=None, key=_key(form, "application_date"))
        forms.field_error(form, "application_date")
        choices = _resume_choices(user_id)
        st.selectbox(
            "Resume used",
            list(choices),
            format_func=lambda i: choices[i],
            key=_key(form, "resume_id"),
        )
        forms.field_error(form, "resume_id")
    st.checkbox("Remote", key=_key(form, "is_remote"))
    st.text_area("Notes", key=_key(form, "notes"))
    forms.field_error(form, "notes")


def _add(user_id: int) -> None:
    values = _read(ADD_FORM)
    values["resume_id"] = st.session_state.get(_key(ADD_FORM, "resume_id"))
    values["status"] = st.session_state.get(_key(ADD_FORM, "status"), ApplicationStatus.APPLIED)
    job_title = values.pop("job_title") or ""
    company = values.pop("company") or ""
    given = {k: v for k, v in values.items() if v is not None}
    forms.attempt(
        ADD_FORM,
        lambda: scope.add_application(user_id, job_title, company, given),
        f"Added {md(job_title)} at {md(company)}.",
        clear=[_key(ADD_FORM, name) for name in FIELDS],
        check=lambda: field_errors.check(
            ApplicationCreate, {"job_title": job_title, "company": company, **given}, LABELS
        ),
        labels=LABELS,
    )


def add_form(user_id: int) -> None:
    """The form that records a new application."""
    with st.form(ADD_FORM):
        forms.general_error(ADD_FORM, FIELDS)
        _fields(ADD_FORM, user_id, None)
        statuses = list(ApplicationStatus)
        st.selectbox(
            "Status",
            statuses,
            index=statuses.index(ApplicationStatus.APPLIED),
            key=_key(ADD_FORM, "status"),
            format_func=status_label,
        )
        st.form_submit_button("Add application", type="primary", on_click=_add, args=(user_id,))


def _save(application_id: int, form: str) -> None:
    values = _read(form)
    values["resume_id"] = st.session_state.get(_key(form, "resume_id"))
    forms.attempt(
        form,
        lambda: scope.update_application(application_id, values),
        "Application saved.",
        check=lambda: field_errors.check(ApplicationFields, values, LABELS),
        labels=LABELS,
    )


def edit_form(user_id: int, application: JobApplication) -> None:
    """The form that edits an application's details."""
    form = f"edit_application_{application.id}"
    with st.form(form):
        forms.general_error(form, FIELDS)
        _fields(form, user_id, application)
        st.form_submit_button("Save changes", on_click=_save, args=(application.id, form))
