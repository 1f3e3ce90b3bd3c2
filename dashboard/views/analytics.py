"""The Analytics page: where the applications stand and how the search is going."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.views.application_detail import status_label
from database.utilities import DatabaseUtils


def _breakdown(user_id: int) -> None:
    stats = DatabaseUtils.get_application_statistics(user_id, days=30)
    first, second, third, fourth = st.columns(4)
    first.metric("Applications", stats["total_applications"])
    second.metric("Last 30 days", stats["recent_applications"])
    third.metric("Interview rate (30 days)", f"{stats['interview_rate']}%")
    fourth.metric("Average match score", stats["average_match_score"])
    counts = {status_label(k): v for k, v in stats["status_breakdown"].items() if v}
    st.subheader("Status breakdown")
    if counts:
        frame = pd.DataFrame({"status": list(counts), "applications": list(counts.values())})
        st.bar_chart(frame, x="status", y="applications", horizontal=True)
        st.caption(" · ".join(f"{status}: {count}" for status, count in counts.items()))
    else:
        st.info("No applications yet.")


def render(user_id: int) -> None:
    """The Analytics page."""
    st.title("Analytics")
    _breakdown(user_id)
