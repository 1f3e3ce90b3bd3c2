"""The sidebar: which profile, which page, and the page registry."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import queries, state
from dashboard.views import (
    analytics,
    applications,
    backups,
    profile,
    resumes,
    search,
    search_history,
    settings,
    welcome,
)

PAGES: dict[str, Callable[[int], None]] = {
    "Applications": applications.render,
    "Analytics": analytics.render,
    "Search": search.render,
    "Resumes": resumes.render,
    "Profile & preferences": profile.render,
    "Search history": search_history.render,
    "Backups": backups.render,
    "Settings": settings.render,
}
PROFILE_SELECT = "profile_select"


def _on_profile_change() -> None:
    state.select_user(st.session_state.get(PROFILE_SELECT))


def _profile_selector() -> int | None:
    profiles = queries.list_profiles()
    if not profiles:
        state.select_user(None)
        return None
    ids = [p.id for p in profiles]
    names = {p.id: f"{p.name} ({p.email})" if p.name != p.email else p.email for p in profiles}
    current = state.current_user_id()
    if current not in ids:
        current = ids[0]
        state.select_user(current)
    st.session_state[PROFILE_SELECT] = current
    st.selectbox(
        "Profile",
        ids,
        format_func=lambda i: names[i],
        key=PROFILE_SELECT,
        on_change=_on_profile_change,
    )
    with st.expander("New profile"):
        welcome.profile_form("Create and switch")
    return current


def sidebar() -> int | None:
    """Draw the sidebar; returns the selected profile's id (``None``: no profile yet)."""
    with st.sidebar:
        st.title("Auto Applyer")
        user_id = _profile_selector()
        if user_id is not None:
            st.radio("Page", list(PAGES), key=state.PAGE_KEY)
    return user_id


def render_page(user_id: int) -> None:
    """Draw the selected page for ``user_id``."""
    page = st.session_state.get(state.PAGE_KEY) or next(iter(PAGES))
    PAGES.get(page, applications.render)(user_id)
