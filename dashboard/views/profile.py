"""The Profile & preferences page."""

from __future__ import annotations

from functools import partial
from typing import Any

import streamlit as st

from dashboard import mode, scope
from dashboard.components import field_errors, forms
from dashboard.components.text import md
from database.core.keys import email_key
from database.core.time_zones import DEFAULT_ZONE, available_zones
from database.domain.schemas import PreferencesUpdate, UserUpdate
from database.models import User, UserPreferences

PROFILE = "profile"
PREFS = "preferences"
PROFILE_TEXT = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "phone": "Phone",
    "location": "Location",
    "job_title": "Current or wanted job title",
    "linkedin_url": "LinkedIn URL",
}
CURRENT_PASSWORD = "current_password"  # noqa: S105 (a field name)
ARCHIVE_AFTER = "archive_after_days"
TIME_ZONE = "time_zone"
PREF_LISTS = {
    "preferred_job_titles": "Job titles",
    "preferred_locations": "Locations",
    "preferred_companies": "Companies",
    "preferred_job_types": "Job types",
}
#: How messages name the fields ("Currency must be a 3-letter code like EUR").
PROFILE_LABELS = {
    **PROFILE_TEXT,
    "experience_years": "Years of experience",
    "skills": "Skills",
    "summary": "Summary",
    CURRENT_PASSWORD: "Current password",
}
PREF_LABELS = {
    **{name: f"Preferred {label.lower()}" for name, label in PREF_LISTS.items()},
    "salary_min": "Minimum salary",
    "salary_max": "Maximum salary",
    "salary_currency": "Currency",
    ARCHIVE_AFTER: "Archive after",
}


def _key(form: str, name: str) -> str:
    return f"{form}.{name}"


def _load(user: User, prefs: UserPreferences | None) -> None:
    if st.session_state.get("_profile_loaded") == (user.id, user.updated_at):
        return
    for name in PROFILE_TEXT:
        st.session_state[_key(PROFILE, name)] = getattr(user, name) or ""
    st.session_state[_key(PROFILE, "experience_years")] = user.experience_years
    st.session_state[_key(PROFILE, "skills")] = ", ".join(user.skills)
    st.session_state[_key(PROFILE, "summary")] = user.summary or ""
    if prefs is not None:
        for name in PREF_LISTS:
            st.session_state[_key(PREFS, name)] = ", ".join(getattr(prefs, name))
        for name in ("salary_min", "salary_max"):
            st.session_state[_key(PREFS, name)] = getattr(prefs, name)
        st.session_state[_key(PREFS, "salary_currency")] = prefs.salary_currency or ""
        st.session_state[_key(PREFS, "remote_work_preference")] = prefs.remote_work_preference
        st.session_state[_key(PREFS, "email_notifications")] = prefs.email_notifications
        st.session_state[_key(PREFS, ARCHIVE_AFTER)] = prefs.archive_after_days
        st.session_state[_key(PREFS, TIME_ZONE)] = prefs.time_zone
    st.session_state["_profile_loaded"] = (user.id, user.updated_at)


def _save_profile(user_id: int) -> None:
    fields: dict[str, Any] = {n: forms.text_or_none(_key(PROFILE, n)) for n in PROFILE_TEXT}
    fields["experience_years"] = forms.number_or_none(_key(PROFILE, "experience_years"))
    fields["skills"] = forms.text_list(_key(PROFILE, "skills"))
    fields["summary"] = forms.text_or_none(_key(PROFILE, "summary"))
    # Asked for in hosted mode, and needed there only when the email changes.
    password = st.session_state.pop(_key(PROFILE, CURRENT_PASSWORD), None) or None
    if forms.attempt(
        PROFILE,
        lambda: scope.update_user(user_id, fields, password),
        "Profile saved.",
        check=lambda: field_errors.check(UserUpdate, fields, PROFILE_LABELS),
        labels=PROFILE_LABELS,
    ):
        st.session_state.pop("_profile_loaded", None)


def _save_preferences(user_id: int) -> None:
    fields: dict[str, Any] = {n: forms.text_list(_key(PREFS, n)) for n in PREF_LISTS}
    for name in ("salary_min", "salary_max"):
        fields[name] = forms.number_or_none(_key(PREFS, name))
    currency = forms.text_or_none(_key(PREFS, "salary_currency"))
    fields["salary_currency"] = currency.upper() if currency else None
    for name in ("remote_work_preference", "email_notifications"):
        fields[name] = bool(st.session_state.get(_key(PREFS, name)))
    # Left empty: closed applications are never archived automatically.
    fields[ARCHIVE_AFTER] = forms.number_or_none(_key(PREFS, ARCHIVE_AFTER))
    fields[TIME_ZONE] = st.session_state.get(_key(PREFS, TIME_ZONE)) or DEFAULT_ZONE
    forms.attempt(
        PREFS,
        lambda: scope.update_preferences(user_id, fields),
        "Preferences saved.",
        check=lambda: field_errors.check(PreferencesUpdate, fields, PREF_LABELS),
        labels=PREF_LABELS,
    )


def _profile_form(user_id: int) -> None:
    with st.form(PROFILE):
        forms.general_error(
            PROFILE, (*PROFILE_TEXT, "experience_years", "skills", "summary", CURRENT_PASSWORD)
        )
        left, right = st.columns(2)
        for index, (name, label) in enumerate(PROFILE_TEXT.items()):
            with left if index % 2 == 0 else right:
                st.text_input(label, key=_key(PROFILE, name))
                forms.field_error(PROFILE, name)
        right.number_input(
            "Years of experience", value=None, step=1, key=_key(PROFILE, "experience_years")
        )
        with right:
            forms.field_error(PROFILE, "experience_years")
        st.text_input("Skills (comma-separated)", key=_key(PROFILE, "skills"))
        forms.field_error(PROFILE, "skills")
        st.text_area("Summary", key=_key(PROFILE, "summary"))
        if mode.is_hosted():
            st.text_input(
                "Current password (needed to change the email)",
                type="password",
                key=_key(PROFILE, CURRENT_PASSWORD),
            )
            forms.field_error(PROFILE, CURRENT_PASSWORD)
        st.form_submit_button(
            "Save profile", type="primary", on_click=_save_profile, args=(user_id,)
        )


def _preferences_form(user_id: int) -> None:
    with st.form(PREFS):
        forms.general_error(
            PREFS,
            (*PREF_LISTS, "salary_min", "salary_max", "salary_currency", ARCHIVE_AFTER, TIME_ZONE),
        )
        for name, label in PREF_LISTS.items():
            st.text_input(f"Preferred {label.lower()} (comma-separated)", key=_key(PREFS, name))
            forms.field_error(PREFS, name)
        left, middle, right = st.columns(3)
        left.number_input("Minimum salary", value=None, step=1000, key=_key(PREFS, "salary_min"))
        middle.number_input("Maximum salary", value=None, step=1000, key=_key(PREFS, "salary_max"))
        right.text_input("Currency (e.g. USD)", key=_key(PREFS, "salary_currency"))
        forms.field_error(PREFS, "salary_min")
        forms.field_error(PREFS, "salary_max")
        forms.field_error(PREFS, "salary_currency")
        st.checkbox("Open to remote work", key=_key(PREFS, "remote_work_preference"))
        st.checkbox("Email notifications", key=_key(PREFS, "email_notifications"))
        st.number_input(
            "Archive closed applications after (days; empty: never)",
            value=None,
            step=1,
            key=_key(PREFS, ARCHIVE_AFTER),
            help="Rejected, withdrawn and decided offers leave the lists this many days "
            "after their last change (1 to 3650); search still finds them.",
        )
        forms.field_error(PREFS, ARCHIVE_AFTER)
        zones = available_zones()
        if st.session_state.get(_key(PREFS, TIME_ZONE)) not in zones:
            st.session_state[_key(PREFS, TIME_ZONE)] = DEFAULT_ZONE
        st.selectbox(
            "Time zone",
            zones,
            key=_key(PREFS, TIME_ZONE),
            help="Dates are shown and entered in this zone (type to search, e.g. Paris); "
            "they are stored in UTC.",
        )
        forms.field_error(PREFS, TIME_ZONE)
        st.form_submit_button("Save preferences", on_click=_save_preferences, args=(user_id,))


def _delete_profile(user_id: int) -> None:
    forms.attempt(
        "delete_profile", lambda: scope.delete_user(user_id), "Account and all its data erased."
    )


def _my_data(user_id: int) -> None:
    st.subheader("Your data")
    st.caption(
        "One ZIP archive of every record kept about you, your resume files and a README"
        " of the format. It is built when you click."
    )
    st.download_button(
        "Download all my data",
        partial(scope.export_my_data, user_id),
        file_name="auto-applyer-my-data.zip",
        mime="application/zip",
        key="profile.export",
    )


def render(user_id: int) -> None:
    """The Profile & preferences page."""
    user = scope.get_user(user_id)
    if user is None:
        st.info("This profile no longer exists.")
        return
    _load(user, user.preferences)
    st.title(f"Profile: {md(user.full_name)}")
    _profile_form(user_id)
    st.subheader("What you are looking for")
    _preferences_form(user_id)
    _my_data(user_id)
    with st.expander("Erase my account and all my data"):
        st.warning(
            "Erases the account with every record and resume file of it, for good. An"
            " organization you alone own passes to its longest-standing admin; one with no"
            " other member is erased too. Older whole-database backups keep a copy until"
            " they are rotated away."
        )
        typed = st.text_input(f"Type {user.email} to confirm", key="delete_profile.confirm")
        # Refused for an organization's last owner with members but no admin, on "role".
        forms.field_error("delete_profile", "role")
        forms.general_error("delete_profile", ("role",))
        st.button(
            "Erase my account and all my data",
            disabled=email_key(typed) != email_key(user.email),
            on_click=_delete_profile,
            args=(user_id,),
        )
