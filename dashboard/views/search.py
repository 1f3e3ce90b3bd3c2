"""The Search page: full-text search over applications and resumes, snippets highlighted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from dashboard import scope
from dashboard.components import time_zone
from dashboard.components.status import status_label
from dashboard.components.text import md
from dashboard.views import applications
from utils.errors import AutoApplyerError, ValidationError

LIMIT = 20


def highlighted(snippet: str) -> str:
    """Markdown of a snippet whose matches come between ``**`` markers.

    Everything else is escaped, so text from the database never becomes markup.
    """
    parts = snippet.replace("\n", " ").split("**")
    escaped = [md(part) for part in parts]
    return "".join(
        f"**{part}**" if index % 2 == 1 and part.strip() else part
        for index, part in enumerate(escaped)
    )


def _hit_list(
    title: str,
    hits: list[dict[str, Any]],
    nothing: str,
    heading: Callable[[dict[str, Any]], None],
    actions: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """One section of results: each hit's heading, its highlighted snippet, its actions."""
    st.subheader(title)
    if not hits:
        st.caption(nothing)
    for hit in hits:
        with st.container(border=True):
            heading(hit)
            st.markdown(highlighted(str(hit.get("snippet") or "")))
            if actions is not None:
                actions(hit)


def _application_heading(hit: dict[str, Any]) -> None:
    st.markdown(f"**{md(hit['job_title'])}** at {md(hit['company'])}")
    archived = " · archived" if hit.get("archived") else ""
    applied = time_zone.day(hit["application_date"])
    st.caption(f"{status_label(hit['status'])} · applied {applied}{archived}")


def _open_button(hit: dict[str, Any]) -> None:
    st.button(
        "Open",
        key=f"search.open.{hit['id']}",
        on_click=applications.open_application,
        args=(hit["id"],),
    )


def _resume_heading(hit: dict[str, Any]) -> None:
    st.markdown(f"**{md(hit.get('filename', 'resume'))}**")


def _application_hits(user_id: int, query: str) -> None:
    hits = scope.search_applications(user_id, query, LIMIT)
    more = "+" if len(hits) == LIMIT else ""
    title = f"Applications ({len(hits)}{more})"
    _hit_list(title, hits, "No application matches.", _application_heading, _open_button)


def _resume_hits(user_id: int, query: str) -> None:
    hits: list[dict[str, Any]] = scope.search_resumes(user_id, query, LIMIT)
    _hit_list(f"Resumes ({len(hits)})", hits, "No resume matches.", _resume_heading)


def render(user_id: int) -> None:
    """The Search page."""
    st.title("Search")
    query = st.text_input(
        "Search your applications and resumes",
        key="search.query",
        placeholder='e.g. python remote, "data engineer", devel*',
    )
    if not query.strip():
        st.caption(
            'Several words match all of them; "quoted words" match a phrase; '
            "a word ending in * matches every word starting so."
        )
        return
    try:
        _application_hits(user_id, query)
        _resume_hits(user_id, query)
    except AutoApplyerError as exc:
        st.error(f"Search {exc.rule}" if isinstance(exc, ValidationError) else str(exc))
