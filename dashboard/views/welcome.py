"""The first page a new user sees: create a profile, or load the demo data."""

from __future__ import annotations

import streamlit as st

from dashboard import state
from dashboard.components import forms
from database.services.demo import DEMO_EMAIL, load_demo_data
from database.utilities import DatabaseUtils

FORM = "new_profile"
FIELDS = ("email", "first_name", "last_name", "location", "job_title")
_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "location": "Location",
    "job_title": "Job title you are looking for",
}


def _key(name: str) -> str:
    return f"{FORM}.{name}"


def _create() -> None:
    values = {name: forms.text_or_none(_key(name)) for name in FIELDS}
    email = values.pop("email") or ""
    fields = {name: value for name, value in values.items() if value is not None}

    def work() -> None:
        user = DatabaseUtils.create_user(email, **fields)
        state.select_user(user.id)

    forms.attempt(FORM, work, "Profile created.", clear=[_key(n) for n in FIELDS])


def _load_demo() -> None:
    def work() -> None:
        load_demo_data()
        user = DatabaseUtils.get_user_by_email(DEMO_EMAIL)
        state.select_user(user.id if user else None)

    forms.attempt("demo", work, "Demo data loaded: explore the pages with the demo profile.")


def profile_form(submit_label: str = "Create profile") -> None:
    """The form that creates a profile and selects it."""
    with st.form(FORM):
        forms.general_error(FORM, FIELDS)
        for name in FIELDS:
            st.text_input(_LABELS[name], key=_key(name))
            forms.field_error(FORM, name)
        st.form_submit_button(submit_label, type="primary", on_click=_create)


def render() -> None:
    """The welcome page."""
    st.title("Welcome to Auto Applyer")
    st.write(
        "Track every job application in one place: a board of where each one "
        "stands, its timeline, analytics of your search, and a record you can export."
    )
    left, right = st.columns(2)
    with left:
        st.subheader("1. Create your profile")
        st.caption("Only your email is required; everything stays in your local database.")
        profile_form()
    with right:
        st.subheader("Or try it with demo data")
        st.caption("A demo profile with a few applications, a resume and a search.")
        forms.general_error("demo", ())
        st.button("Load demo data", key="welcome.demo", on_click=_load_demo)
