"""The address bar: the URL names the profile, page, tab and application on screen.

``?profile=3&page=applications&view=board&application=42``: each run writes
where the person is into the query parameters, and a session's first run
(a reload, a bookmark, a link) takes its place from them. Nothing in the URL
grants access: in hosted mode there is no ``profile`` (the page is always the
signed-in person's), a page the session may not open is ignored, and an
application the person does not own is dropped like one that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import streamlit as st

from dashboard import state
from dashboard.views.application_detail import SELECTED
from dashboard.views.applications import TAB, TABS

PROFILE, PAGE, VIEW, APPLICATION = "profile", "page", "view", "application"
#: Set once the session's first run has read the URL.
RESTORED = "_url_restored"
APPLICATIONS = "Applications"


def slug(name: str) -> str:
    """A page's name as the URL writes it: "Search history" -> "search-history"."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _positive(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    number = int(value)
    return number if number > 0 else None


def restore(pages: Iterable[str], hosted: bool) -> None:
    """On the session's first run, go where the URL says (whatever is valid of it)."""
    if st.session_state.get(RESTORED):
        return
    st.session_state[RESTORED] = True
    params = st.query_params
    profile = _positive(params.get(PROFILE))
    if not hosted and profile is not None and state.current_user_id() is None:
        # The profile selector falls back to the first profile when this one is gone.
        state.select_user(profile)
    page = {slug(name): name for name in pages}.get(params.get(PAGE, ""))
    if page is not None:
        st.session_state[state.PAGE_KEY] = page
    tab = {name: label for label, name in TABS.items()}.get(params.get(VIEW, ""))
    if tab is not None:
        st.session_state[TAB] = tab
    application = _positive(params.get(APPLICATION))
    if application is not None:
        # The Applications page shows it only when it is the profile's own.
        st.session_state[SELECTED] = application


def current(user_id: int | None, hosted: bool) -> dict[str, str]:
    """The query parameters naming where the person is now."""
    if user_id is None:
        return {}
    wanted: dict[str, str] = {} if hosted else {PROFILE: str(user_id)}
    page = st.session_state.get(state.PAGE_KEY)
    page = page if isinstance(page, str) else APPLICATIONS
    wanted[PAGE] = slug(page)
    if page == APPLICATIONS:
        tab = st.session_state.get(TAB)
        if isinstance(tab, str) and tab in TABS:
            wanted[VIEW] = TABS[tab]
        application = st.session_state.get(SELECTED)
        if isinstance(application, int):
            wanted[APPLICATION] = str(application)
    return wanted


def publish(user_id: int | None, hosted: bool) -> None:
    """Write where the person is into the URL (after the page is drawn)."""
    wanted = current(user_id, hosted)
    if {key: st.query_params[key] for key in st.query_params} != wanted:
        st.query_params.from_dict(wanted)
