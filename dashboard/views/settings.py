"""The Settings page: dashboard settings, the database in use, cache upkeep.

In hosted mode only server administrators see it, and never the database URL.
"""

from __future__ import annotations

import streamlit as st

from dashboard import mode, state
from dashboard.components import forms
from database.utilities import DatabaseUtils

PAGE_SIZE = "dashboard.page_size"
STALE_DAYS = "dashboard.stale_days"
DEFAULT_STALE_DAYS = 14
FORM = "settings"


def stale_days() -> int:
    """After how many days without change an application needs a follow-up."""
    value = DatabaseUtils.get_setting(STALE_DAYS, DEFAULT_STALE_DAYS)
    return value if isinstance(value, int) and value > 0 else DEFAULT_STALE_DAYS


def _save() -> None:
    days = st.session_state.get(f"{FORM}.stale_days")
    forms.attempt(
        FORM, lambda: DatabaseUtils.set_setting(STALE_DAYS, int(days or 0)), "Settings saved."
    )


def _purge() -> None:
    removed: list[int] = []
    forms.attempt(
        "purge", lambda: removed.append(DatabaseUtils.purge_expired_cache()), "Cache purged."
    )
    if removed:
        state.flash("success", f"Removed {removed[0]} expired cache entries.")


def render(user_id: int) -> None:
    """The Settings page."""
    del user_id  # settings are the same for every profile
    st.title("Settings")
    with st.form(FORM):
        st.number_input(
            "Follow up on applications unchanged for this many days",
            min_value=1,
            max_value=365,
            value=stale_days(),
            step=1,
            key=f"{FORM}.stale_days",
        )
        forms.general_error(FORM, ())
        st.form_submit_button("Save settings", on_click=_save)
    st.subheader("Database")
    info = state.ensure_database().get_database_info()
    rows = {
        "Environment": info["environment"],
        "Engine": info["database_type"],
        "URL": info["url"],
        "Schema version": info["schema_version"],
        "Tables": info["table_count"],
    }
    hosted = mode.is_hosted()
    if hosted:
        # Where the server's database lives is nobody's business on a shared service.
        del rows["URL"]
    st.table({"": list(rows), "value": [str(v) for v in rows.values()]})
    if not hosted:
        st.caption("The URL never shows a password.")
    st.subheader("AI analysis cache")
    forms.general_error("purge", ())
    st.button("Purge expired cache entries", key="settings.purge", on_click=_purge)
