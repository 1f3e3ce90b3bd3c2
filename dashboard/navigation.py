"""The sidebar: which profile (local) or who is signed in (hosted), which page, the registry."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import auth, live, queries, state
from dashboard.components.notifications import bell
from dashboard.components.text import md
from dashboard.views import (
    analytics,
    applications,
    backups,
    contacts,
    health,
    organizations,
    profile,
    resumes,
    search,
    search_history,
    settings,
    welcome,
)
from database.domain.accounts import Actor

PAGES: dict[str, Callable[[int], None]] = {
    "Applications": applications.render,
    "Analytics": analytics.render,
    "Search": search.render,
    "Contacts": contacts.render,
    "Resumes": resumes.render,
    "Profile & preferences": profile.render,
    "Search history": search_history.render,
    "Backups": backups.render,
    "Database health": health.render,
    "Settings": settings.render,
}
PROFILE_SELECT = "profile_select"
#: Hosted mode: pages about the whole server, for server administrators only.
ADMIN_PAGES = frozenset({"Backups", "Database health", "Settings"})
#: Hosted mode: the pages of a signed-in person (organizations before the whole-server ones).
HOSTED_PAGES: dict[str, Callable[[int], None]] = {
    **{name: page for name, page in PAGES.items() if name not in ADMIN_PAGES},
    "Organizations": organizations.render,
    "Backups": backups.render,
    "Database health": health.render,
    "Settings": settings.render,
}


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
            bell(user_id)
            live.watch(user_id)
    return user_id


def pages_for(actor: Actor | None) -> dict[str, Callable[[int], None]]:
    """The pages this session may open: every local page, or the actor's hosted ones."""
    if actor is None:
        return PAGES
    return {
        name: page
        for name, page in HOSTED_PAGES.items()
        if actor.is_server_admin or name not in ADMIN_PAGES
    }


def _sign_out() -> None:
    auth.sign_out_now()
    state.flash("info", "Signed out.")


def hosted_sidebar(actor: Actor) -> None:
    """Draw the hosted sidebar: who is signed in, their pages, sign-out (no profile picker)."""
    pages = pages_for(actor)
    if st.session_state.get(state.PAGE_KEY) not in pages:
        st.session_state.pop(state.PAGE_KEY, None)
    with st.sidebar:
        st.title("Auto Applyer")
        user = auth.current_user(actor)
        if user is not None:
            st.caption(f"Signed in as {md(user.full_name)} ({md(user.email)})")
        st.radio("Page", list(pages), key=state.PAGE_KEY)
        bell(actor.user_id)
        st.button("Sign out", key="auth.sign_out", on_click=_sign_out)
        live.watch(actor.user_id)


def render_page(user_id: int, actor: Actor | None = None) -> None:
    """Draw the selected page for ``user_id`` (in hosted mode, the actor's own id)."""
    pages = pages_for(actor)
    page = st.session_state.get(state.PAGE_KEY)
    pages.get(page if isinstance(page, str) else "", applications.render)(user_id)
