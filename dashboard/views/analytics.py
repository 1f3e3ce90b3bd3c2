"""The Analytics page: where the applications stand and how the search is going.

Every figure is aggregated by the database (``DatabaseUtils``, or in hosted mode
the actor-scoped analytics: see :mod:`dashboard.scope`); results are cached per
profile until this process next writes (see ``state.data_version``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from dashboard import scope, state
from dashboard.components.status import status_label
from dashboard.views import settings

CACHE_SECONDS = 60


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _figures(name: str, user_id: int, version: tuple[int, ...], **options: Any) -> Any:
    """``DatabaseUtils.<name>(user_id, **options)``, cached until the data changes."""
    del version  # part of the cache key only
    return scope.figures(name, user_id, **options)


def figures(name: str, user_id: int, **options: Any) -> Any:
    """Cached figures of one analytics call for ``user_id``."""
    return _figures(name, user_id, state.data_version(), **options)


def _overview(user_id: int) -> dict[str, int]:
    stats = figures("get_application_statistics", user_id, days=30)
    first, second, third, fourth = st.columns(4)
    first.metric("Applications", stats["total_applications"])
    second.metric("Last 30 days", stats["recent_applications"])
    third.metric("Interview rate (30 days)", f"{stats['interview_rate']}%")
    fourth.metric("Average match score", stats["average_match_score"])
    response = figures("get_response_stats", user_id)
    first, second, third, _ = st.columns(4)
    first.metric("Employers responded", response["responses"])
    second.metric("Response rate", f"{response['response_rate']}%")
    median = response["median_days_to_first_response"]
    third.metric("Median days to a response", "-" if median is None else median)
    breakdown: dict[str, int] = stats["status_breakdown"]
    return breakdown


def _breakdown(breakdown: dict[str, int]) -> None:
    st.subheader("Status breakdown")
    counts = {status_label(k): v for k, v in breakdown.items() if v}
    if not counts:
        st.info("No applications yet.")
        return
    frame = pd.DataFrame({"status": list(counts), "applications": list(counts.values())})
    st.bar_chart(frame, x="status", y="applications", horizontal=True)
    st.caption(" · ".join(f"{status}: {count}" for status, count in counts.items()))


def _funnel(user_id: int) -> None:
    st.subheader("Funnel")
    stages = figures("get_application_funnel", user_id)["stages"]
    frame = pd.DataFrame(
        {
            "stage": [s["stage"] for s in stages],
            "applications": [s["count"] for s in stages],
            "conversion %": [s["conversion_rate"] for s in stages],
            "% of applied": [s["percent_of_applied"] for s in stages],
        }
    )
    st.bar_chart(frame, x="stage", y="applications", sort=False)
    st.dataframe(frame, hide_index=True, width="stretch")


def _per_week(user_id: int) -> None:
    st.subheader("Applications per week")
    weeks = figures("get_applications_per_week", user_id, weeks=12)
    frame = pd.DataFrame(
        {
            "week starting": [str(w["week_start"]) for w in weeks],
            "applications": [w["applications"] for w in weeks],
        }
    )
    st.bar_chart(frame, x="week starting", y="applications")


def _conversion(user_id: int, name: str, title: str, key: str) -> None:
    st.subheader(title)
    rows = figures(name, user_id)
    if not rows:
        st.caption("No applications yet.")
        return
    frame = pd.DataFrame(rows)
    frame[key] = frame[key].fillna("(not recorded)").astype(str)
    frame = frame.drop(columns=[c for c in ("resume_id",) if c in frame and key != c])
    st.bar_chart(frame, x=key, y=["applications", "interviews", "offers"], stack=False)
    st.dataframe(frame, hide_index=True, width="stretch")


def _time_in_stage(user_id: int) -> None:
    st.subheader("Time in each stage (days)")
    rows = figures("get_time_in_stage", user_id)
    if not rows:
        st.caption("No applications yet.")
        return
    frame = pd.DataFrame(rows)
    frame["status"] = frame["status"].map(status_label)
    st.bar_chart(frame, x="status", y=["median_days", "p75_days"], stack=False, sort=False)
    st.dataframe(frame, hide_index=True, width="stretch")


def _by_tag(user_id: int) -> None:
    st.subheader("By tag")
    rows = figures("get_tag_statistics", user_id)
    if not rows:
        st.caption("No tagged applications yet: add tags in an application's details.")
        return
    frame = pd.DataFrame(rows).drop(columns=["tag_id"])
    st.dataframe(frame, hide_index=True, width="stretch")


def _stale(user_id: int) -> None:
    days = settings.stale_days()
    st.subheader(f"To follow up (no change for {days}+ days)")
    rows = figures("get_stale_applications", user_id, days=days, limit=50)
    if not rows:
        st.caption("Nothing is waiting that long. 🎉")
        return
    frame = pd.DataFrame(rows)
    frame["status"] = frame["status"].map(status_label)
    frame["status_changed_at"] = [d.strftime("%Y-%m-%d") for d in frame["status_changed_at"]]
    st.bar_chart(frame, x="company", y="days_since_change", horizontal=True)
    st.dataframe(frame, hide_index=True, width="stretch")


def render(user_id: int) -> None:
    """The Analytics page."""
    st.title("Analytics")
    breakdown = _overview(user_id)
    left, right = st.columns(2)
    with left:
        _breakdown(breakdown)
    with right:
        _funnel(user_id)
    left, right = st.columns(2)
    with left:
        _per_week(user_id)
    with right:
        _time_in_stage(user_id)
    left, right = st.columns(2)
    with left:
        _conversion(user_id, "get_conversion_by_source", "By source", "source")
    with right:
        _conversion(user_id, "get_conversion_by_resume", "By resume", "filename")
    _by_tag(user_id)
    _stale(user_id)
